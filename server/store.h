/* store.h - the server's view of the database: one read-only connection
 * per thread, reopened when the file is replaced, each request reading one
 * consistent snapshot (a read transaction in WAL mode), and listings
 * turned into GeoJSON features.
 * Ownership: store_for_thread() returns the calling thread's store, owned
 * by the thread and closed when it exits; features are new references. */
#ifndef AMO_STORE_H
#define AMO_STORE_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

/* Columns every listing query selects, in this order (see store_feature). */
#define STORE_LISTING_COLUMNS                                                  \
    "l.id, l.category, l.name, l.description, l.street, l.postcode,"           \
    " l.commune, l.nis, l.lat, l.lon, l.position_source, l.phone, l.email,"    \
    " l.website, l.age_min, l.age_max, l.languages, l.opening_hours,"          \
    " l.themes, l.territory, l.source, l.source_url, l.source_id,"             \
    " l.verified_at, l.updated_at"
#define STORE_NCOLUMNS 25

struct store;

/* The calling thread's connection to 'db_path', opened on first use and
 * reopened when the file was replaced since. Returns 0 or ERR_DB/ERR_SCHEMA
 * with 'msg' (the server then answers 503). */
int store_for_thread(const char *db_path, struct store **out, char *msg,
                     size_t msgsz);
/* Start / end one request's read snapshot. store_begin() also reads the
 * data version. Returns 0 or ERR_DB. */
int store_begin(struct store *s);
void store_end(struct store *s);
/* meta.data_version of the current snapshot. */
long long store_data_version(const struct store *s);
/* True when 'slug' ('len' bytes) is a category of the database. */
bool store_category_known(struct store *s, const char *slug, size_t len);
/* A statement for 'sql', prepared once per connection and reset for
 * reuse; NULL on error (the caller answers 500). Not thread-safe across
 * stores, by design. */
sqlite3_stmt *store_prepare(struct store *s, const char *sql);

/* A GeoJSON Feature (RFC 7946: [lon, lat]) from a row selecting
 * STORE_LISTING_COLUMNS starting at column 'first'. New reference. */
json_t *store_feature(sqlite3_stmt *row, int first);
struct jw;
/* The same Feature as store_feature(), written as JSON text into 'w'
 * (no tree: the per-request answers). 'extra', when not NULL, is more
 * properties as JSON text ("\"distance_m\":53") ending the properties
 * object. Errors stick in w->err. */
void store_write_feature(struct jw *w, sqlite3_stmt *row, int first,
                         const char *extra);
/* The feature's properties only (for lists that are not GeoJSON). */
json_t *store_properties(sqlite3_stmt *row, int first);

#endif
