/* store.h - the server's view of the database: one read-only connection
 * per thread, reopened when the file is replaced, each request reading one
 * consistent snapshot (a read transaction in WAL mode).
 * Ownership: store_for_thread() returns the calling thread's store, owned
 * by the thread and closed when it exits. */
#ifndef AMO_STORE_H
#define AMO_STORE_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

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
/* The connection itself, for reads inside the current snapshot that
 * need their own statement (the snapshot's one-off scans). */
sqlite3 *store_db(struct store *s);
/* meta.data_version of the current snapshot. */
long long store_data_version(const struct store *s);
/* True when 'slug' ('len' bytes) is a category of the database. */
bool store_category_known(struct store *s, const char *slug, size_t len);
/* A statement for 'sql', prepared once per connection and reset for
 * reuse; NULL on error (the caller answers 500). Not thread-safe across
 * stores, by design. */
sqlite3_stmt *store_prepare(struct store *s, const char *sql);

#endif
