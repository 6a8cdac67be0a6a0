/* import.h - one run of amo-import: read every input, validate, load in a
 * single transaction, prune, summarise.
 * Ownership: the options are the caller's and only read. */
#ifndef AMO_IMPORT_H
#define AMO_IMPORT_H

#include <stdbool.h>

#include "reader.h"

/* Exit codes of amo-import, documented in the README. */
enum import_exit {
    EXIT_IMPORTED = 0, /* done (also: --skip-invalid skipped some) */
    EXIT_INVALID = 1,  /* invalid records: nothing was written */
    EXIT_USAGE = 2,    /* bad options */
    EXIT_INPUT = 3,    /* an input could not be read or fetched */
    EXIT_DATABASE = 4, /* the database could not be opened or written */
    EXIT_GUARD = 5     /* --prune refused: too many removals */
};

struct import_opts {
    const char *db_path;
    const char *data_dir;     /* gazetteer directory */
    const char *source;       /* --source, or NULL: one per input */
    const char *category;     /* --category default */
    const char *add_category; /* --add-category SLUG=LABEL, or NULL */
    const char *geocoder_url; /* --geocoder */
    enum format format;
    int epsg; /* --crs, or 0 */
    bool dry_run, prune, force, skip_invalid, quiet;
    long timeout_s;
    long long max_bytes;
    char **inputs;
    int ninputs;
};

/* Run the import; prints problems and the summary; returns an exit code. */
int import_run(const struct import_opts *o);

#endif
