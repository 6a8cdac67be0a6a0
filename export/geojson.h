/* geojson.h - the listings as one GeoJSON FeatureCollection (RFC 7946),
 * the same features /api/listings.geojson serves.
 * Ownership: nothing is kept; 'db' is borrowed. */
#ifndef AMO_EXPORT_GEOJSON_H
#define AMO_EXPORT_GEOJSON_H

#include <signal.h>
#include <sqlite3.h>
#include <stddef.h>

/* Write the listings of 'categories' (comma-separated slugs, NULL for
 * all) to 'out' ('-' for standard output), in id order, under a
 * temporary name renamed when complete. *count is the number written.
 * Returns 0, ERR_USAGE (unknown category), ERR_DB, ERR_IO or ERR_INTERRUPTED
 * (stopped), with 'msg' saying what. */
int geojson_export(sqlite3 *db, const char *categories, const char *out,
                   volatile sig_atomic_t *stop, long *count, char *msg,
                   size_t msgsz);

#endif
