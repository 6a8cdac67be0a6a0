/* feature.h - a listing row as a GeoJSON Feature (RFC 7946: [lon, lat]),
 * the one shape every answer and export gives a listing: as a jansson tree
 * or written straight as JSON text.
 * Ownership: trees are new references; rows and writers are borrowed. */
#ifndef AMO_FEATURE_H
#define AMO_FEATURE_H

#include <jansson.h>
#include <sqlite3.h>

/* Columns every listing query selects, in this order (see feature_json). */
#define FEATURE_COLUMNS                                                        \
    "l.id, l.category, l.name, l.description, l.street, l.postcode,"           \
    " l.commune, l.nis, l.lat, l.lon, l.position_source, l.phone, l.email,"    \
    " l.website, l.age_min, l.age_max, l.languages, l.opening_hours,"          \
    " l.themes, l.territory, l.source, l.source_url, l.source_id,"             \
    " l.verified_at, l.updated_at, l.source_date"
#define FEATURE_NCOLUMNS 26

/* A GeoJSON Feature (RFC 7946: [lon, lat]) from a row selecting
 * FEATURE_COLUMNS starting at column 'first'. New reference. */
json_t *feature_json(sqlite3_stmt *row, int first);
struct jw;
/* The same Feature as feature_json(), written as JSON text into 'w'
 * (no tree: the per-request answers). 'extra', when not NULL, is more
 * properties as JSON text ("\"distance_m\":53") ending the properties
 * object. Errors stick in w->err. */
void feature_write(struct jw *w, sqlite3_stmt *row, int first,
                   const char *extra);
/* The feature's properties only (for lists that are not GeoJSON). */
json_t *feature_properties(sqlite3_stmt *row, int first);

#endif
