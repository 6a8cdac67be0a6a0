/* store.c - per-thread read-only database access (see store.h). */
#include "store.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "db.h"
#include "err.h"
#include "geo.h"

#define STMT_CACHE 48

struct store {
    sqlite3 *db;
    dev_t dev;
    ino_t ino;
    long long data_version;
    struct {
        const char *sql; /* static strings: compared by address */
        sqlite3_stmt *st;
    } cache[STMT_CACHE];
    int ncache;
};

static pthread_key_t store_key;
static pthread_once_t store_once = PTHREAD_ONCE_INIT;

static void store_close(struct store *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->ncache; i++)
        sqlite3_finalize(s->cache[i].st);
    sqlite3_close(s->db);
    free(s);
}

static void store_destroy(void *p)
{
    store_close(p);
}

static void store_key_init(void)
{
    pthread_key_create(&store_key, store_destroy);
}

/* geo_distance_m(lat1, lon1, lat2, lon2) in SQL, for ordering by
 * distance inside a query. */
static void sql_distance(sqlite3_context *c, int n, sqlite3_value **v)
{
    (void)n;
    for (int i = 0; i < 4; i++)
        if (sqlite3_value_type(v[i]) == SQLITE_NULL) {
            sqlite3_result_null(c);
            return;
        }
    sqlite3_result_double(c, geo_distance_m(sqlite3_value_double(v[0]),
                                            sqlite3_value_double(v[1]),
                                            sqlite3_value_double(v[2]),
                                            sqlite3_value_double(v[3])));
}

static int store_open(const char *path, const struct stat *st,
                      struct store **out, char *msg, size_t msgsz)
{
    struct store *s = calloc(1, sizeof *s);
    if (!s)
        return ERR_NOMEM;
    int rc = db_open(path, DB_READONLY, &s->db, msg, msgsz);
    if (rc < 0) {
        free(s);
        return rc;
    }
    s->dev = st->st_dev;
    s->ino = st->st_ino;
    sqlite3_create_function(s->db, "geo_distance", 4,
                            SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                            sql_distance, NULL, NULL);
    *out = s;
    return 0;
}

/* True when the connection sees the file as it is. A file renamed over
 * the one this process had open shares its "-shm" wal-index with the
 * connections still open on the old file, and SQLite rebuilds that index
 * only when no connection has it open (SQLite doc "WAL-mode File Format",
 * 2.3): until then its header gives the old file's page count, and pages
 * are read past it as missing ("database disk image is malformed"). With
 * an empty WAL (amo-import empties it after each run) the page count must
 * be the file's size exactly; with a non-empty WAL nothing can be told. */
static bool store_sees_file(struct store *s, const char *path,
                            const struct stat *st)
{
    char wal[4096];
    struct stat ws;
    sqlite3_stmt *q = NULL;
    long long pages = -1, psize = 0;
    snprintf(wal, sizeof wal, "%s-wal", path);
    if (stat(wal, &ws) != 0 || ws.st_size != 0)
        return true;
    if (sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        return false;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT (SELECT count(*) FROM sqlite_schema),"
                           " (SELECT page_count FROM pragma_page_count()),"
                           " (SELECT page_size FROM pragma_page_size())",
                           -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW) {
        pages = sqlite3_column_int64(q, 1);
        psize = sqlite3_column_int64(q, 2);
    }
    sqlite3_finalize(q);
    sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    return pages * psize == (long long)st->st_size;
}

int store_for_thread(const char *db_path, struct store **out, char *msg,
                     size_t msgsz)
{
    struct stat st;
    pthread_once(&store_once, store_key_init);
    struct store *s = pthread_getspecific(store_key);
    *out = NULL;
    if (stat(db_path, &st) != 0) {
        snprintf(msg, msgsz, "%s: cannot read the database", db_path);
        return ERR_DB;
    }
    /* An import replaced the file (not just wrote into it): reopen. */
    if (s && (s->dev != st.st_dev || s->ino != st.st_ino)) {
        store_close(s);
        s = NULL;
        pthread_setspecific(store_key, NULL);
    }
    if (!s) {
        int rc = store_open(db_path, &st, &s, msg, msgsz);
        if (rc < 0)
            return rc;
        /* Answer 503 and let go of the index until the connections on
         * the replaced file are gone (the next request opens again). */
        if (!store_sees_file(s, db_path, &st)) {
            store_close(s);
            snprintf(msg, msgsz,
                     "%s: replaced while connections to the old "
                     "file are open",
                     db_path);
            return ERR_DB;
        }
        pthread_setspecific(store_key, s);
    }
    *out = s;
    return 0;
}

/* One step of a cached statement that returns no row (BEGIN, COMMIT):
 * sqlite3_exec would parse the text again on every request. */
static int step_once(struct store *s, const char *sql)
{
    sqlite3_stmt *st = store_prepare(s, sql);
    int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
    if (st)
        sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : ERR_DB;
}

int store_begin(struct store *s)
{
    if (step_once(s, "BEGIN") < 0)
        return ERR_DB;
    sqlite3_stmt *st = store_prepare(
        s, "SELECT CAST(value AS INTEGER) FROM meta WHERE key='data_version'");
    if (!st || sqlite3_step(st) != SQLITE_ROW) {
        if (st)
            sqlite3_reset(st);
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return ERR_DB;
    }
    s->data_version = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return 0;
}

void store_end(struct store *s)
{
    for (int i = 0; i < s->ncache; i++)
        sqlite3_reset(s->cache[i].st);
    if (!sqlite3_get_autocommit(s->db))
        step_once(s, "COMMIT");
}

sqlite3 *store_db(struct store *s)
{
    return s->db;
}

long long store_data_version(const struct store *s)
{
    return s->data_version;
}

bool store_category_known(struct store *s, const char *slug, size_t len)
{
    sqlite3_stmt *st =
        store_prepare(s, "SELECT 1 FROM categories WHERE slug = ?1");
    if (!st)
        return false;
    sqlite3_bind_text(st, 1, slug, (int)len, SQLITE_TRANSIENT);
    bool ok = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return ok;
}

sqlite3_stmt *store_prepare(struct store *s, const char *sql)
{
    for (int i = 0; i < s->ncache; i++)
        if (s->cache[i].sql == sql) {
            sqlite3_reset(s->cache[i].st);
            sqlite3_clear_bindings(s->cache[i].st);
            return s->cache[i].st;
        }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
                           NULL) != SQLITE_OK)
        return NULL;
    if (s->ncache < STMT_CACHE) {
        s->cache[s->ncache].sql = sql;
        s->cache[s->ncache].st = st;
        s->ncache++;
    }
    /* Beyond the cache the statement leaks: STMT_CACHE is sized above the
     * number of distinct queries the server has. */
    return st;
}
