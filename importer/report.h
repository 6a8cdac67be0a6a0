/* report.h - what staff should complete next: per category, the listings
 * that lack a phone, an e-mail, a street or a precise position, or whose
 * source is more than three years old; and the coverage table of
 * data/README.md, from the same reading of the database.
 * Ownership: the report is written to the caller's stream; nothing is
 * kept. */
#ifndef AMO_REPORT_H
#define AMO_REPORT_H

#include <stdio.h>

enum report_format {
    REPORT_TABLE,   /* aligned text, one section per category */
    REPORT_CSV,     /* one row per listing with something missing */
    REPORT_COVERAGE /* the Markdown table of data/README.md */
};

/* "table", "csv" or "coverage"; -1 when none. */
int report_format_parse(const char *s);

/* Write the report of database 'db_path' (opened read-only) to 'out'.
 * 'today' is yyyymmdd, for the age of sources. Returns 0, or ERR_DB /
 * ERR_SCHEMA with the reason in 'msg'. */
int report_write(const char *db_path, enum report_format fmt, long today,
                 FILE *out, char *msg, size_t msgsz);

#endif
