/* import.h - one run of amo-import: read every input, validate, load in a
 * single transaction, prune, summarise.
 * Ownership: the options are the caller's and only read. */
#ifndef AMO_IMPORT_H
#define AMO_IMPORT_H

#include <stdbool.h>

#include "reader.h"

#include "exitcode.h" /* import_run() returns one of its codes */

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
