/* hsds.h - the directory as Open Referral HSDS 3.0 (the Human Services
 * Data Specification): services.json, one compiled service object per
 * listing, and the tabular data package (one CSV per table and
 * datapackage.json), both from the same objects. docs/hsds.md says how
 * each field maps.
 * Ownership: nothing is kept; 'db' and 'gaz' are borrowed, and the files
 * written belong to the caller's directory. */
#ifndef AMO_EXPORT_HSDS_H
#define AMO_EXPORT_HSDS_H

#include <signal.h>
#include <sqlite3.h>
#include <stddef.h>

#include "gazetteer.h"

/* The tables of the data package, in the order they are written. */
enum hsds_table {
    HSDS_ORGANIZATION,
    HSDS_SERVICE,
    HSDS_LOCATION,
    HSDS_ADDRESS,
    HSDS_SERVICE_AT_LOCATION,
    HSDS_PHONE,
    HSDS_SCHEDULE,
    HSDS_SERVICE_AREA,
    HSDS_LANGUAGE,
    HSDS_METADATA,
    HSDS_NTABLES
};

struct hsds_stats {
    long rows[HSDS_NTABLES]; /* rows written to each table */
};

/* The file name of table 't' in the package ("services.csv"). */
const char *hsds_table_path(enum hsds_table t);

/* Write every listing of 'db' (one read snapshot) into the existing,
 * empty directory 'dir': services.json, datapackage.json and the CSV
 * files. 'shown' is the name files are reported under ("OUT" for
 * "OUT.tmp-123"). Commune names come from 'gaz'. Returns 0, ERR_DB,
 * ERR_IO, ERR_NOMEM or ERR_INTERRUPTED (*stop became true), with 'msg'
 * naming the file; on error the files already written stay in 'dir' for
 * the caller to remove. */
int hsds_export(sqlite3 *db, const struct gazetteer *gaz, const char *dir,
                const char *shown, volatile sig_atomic_t *stop,
                struct hsds_stats *st, char *msg, size_t msgsz);

#endif
