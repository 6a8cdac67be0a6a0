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

int store_begin(struct store *s)
{
    if (sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
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
        sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
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

static void set_text(json_t *o, const char *key, sqlite3_stmt *row, int col)
{
    const unsigned char *t = sqlite3_column_text(row, col);
    json_object_set_new(o, key, t ? json_string((const char *)t) : json_null());
}

static void set_int(json_t *o, const char *key, sqlite3_stmt *row, int col)
{
    if (sqlite3_column_type(row, col) == SQLITE_NULL)
        json_object_set_new(o, key, json_null());
    else
        json_object_set_new(o, key,
                            json_integer(sqlite3_column_int64(row, col)));
}

/* '|'-separated text as a JSON array of strings. */
static void set_list(json_t *o, const char *key, sqlite3_stmt *row, int col)
{
    const char *t = (const char *)sqlite3_column_text(row, col);
    json_t *a = json_array();
    while (t && *t) {
        size_t n = strcspn(t, "|");
        json_array_append_new(a, json_stringn(t, n));
        t += n + (t[n] == '|');
    }
    json_object_set_new(o, key, a);
}

json_t *store_properties(sqlite3_stmt *row, int f)
{
    json_t *p = json_object();
    set_int(p, "id", row, f + 0);
    set_text(p, "category", row, f + 1);
    set_text(p, "name", row, f + 2);
    set_text(p, "description", row, f + 3);
    set_text(p, "street", row, f + 4);
    set_text(p, "postcode", row, f + 5);
    set_text(p, "commune", row, f + 6);
    set_text(p, "nis", row, f + 7);
    set_text(p, "position_source", row, f + 10);
    set_text(p, "phone", row, f + 11);
    set_text(p, "email", row, f + 12);
    set_text(p, "website", row, f + 13);
    set_int(p, "age_min", row, f + 14);
    set_int(p, "age_max", row, f + 15);
    set_list(p, "languages", row, f + 16);
    set_text(p, "opening_hours", row, f + 17);
    set_list(p, "themes", row, f + 18);
    set_list(p, "territory", row, f + 19);
    set_text(p, "source", row, f + 20);
    set_text(p, "source_url", row, f + 21);
    set_text(p, "source_id", row, f + 22);
    set_text(p, "verified_at", row, f + 23);
    set_text(p, "updated_at", row, f + 24);
    return p;
}

/* Seven decimals is about 1 cm: more digits only add bytes (RFC 7946
 * section 11.2). */
static json_t *coord(double v)
{
    return json_real(round(v * 1e7) / 1e7);
}

json_t *store_feature(sqlite3_stmt *row, int f)
{
    json_t *feat = json_object();
    json_object_set_new(feat, "type", json_string("Feature"));
    json_object_set_new(feat, "id", json_integer(sqlite3_column_int64(row, f)));
    json_t *geom = json_object();
    json_object_set_new(geom, "type", json_string("Point"));
    json_object_set_new(geom, "coordinates",
                        json_pack("[oo]",
                                  coord(sqlite3_column_double(row, f + 9)),
                                  coord(sqlite3_column_double(row, f + 8))));
    json_object_set_new(feat, "geometry", geom);
    json_object_set_new(feat, "properties", store_properties(row, f));
    return feat;
}
