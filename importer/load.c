/* load.c - the importer's database writer (see load.h). */
#include "load.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "err.h"
#include "hmap.h"
#include "stem.h"
#include "vec.h"

/* Statements, prepared once per run and reused for every record. */
enum {
    S_FIND,
    S_INSERT,
    S_UPDATE,
    S_FTS_DELETE,
    S_TERR_DELETE,
    S_TERR_INSERT,
    S_SOURCE_LIST,
    S_DELETE,
    S_RTREE_DELETE,
    S_PENDING,
    S_NSTMT
};

/* The stems the index holds for a listing (lib/stem.c): those of its
 * name, themes and description. */
#define STEMS_OF(name, themes, description)                                    \
    "amo_stems(" name " || ' ' || coalesce(replace(" themes ", '|', ' '),"     \
    " '') || ' ' || coalesce(" description ", ''))"

/* Parameters: ?1 id, ?2..?19 the text fields in enum listing_field order,
 * then P_LAT (?20) and the others of the enum below. */
enum {
    P_LAT = F_NSTR + 2,
    P_LON,
    P_POS,
    P_AGE_MIN,
    P_AGE_MAX,
    P_SOURCE,
    P_NOW,
    P_FINGERPRINT
};
static const char *const sql[S_NSTMT] = {
    "SELECT id, fingerprint FROM listings WHERE source=?25 AND source_id=?2",
    "INSERT INTO listings(id, source_id, category, name, description, street,"
    " postcode, commune, nis, phone, email, website, languages, opening_hours,"
    " themes, territory, source_url, verified_at, source_date, lat, lon,"
    " position_source, age_min, age_max, source, first_seen, updated_at,"
    " fingerprint, stems)"
    " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,"
    "?19,?20,?21,?22,?23,?24,?25,?26,?26,?27," STEMS_OF("?4", "?15", "?5") ")",
    "UPDATE listings SET category=?3, name=?4, description=?5, street=?6,"
    " postcode=?7, commune=?8, nis=?9, phone=?10, email=?11, website=?12,"
    " languages=?13, opening_hours=?14, themes=?15, territory=?16,"
    " source_url=?17, verified_at=?18, source_date=?19, lat=?20, lon=?21,"
    " position_source=?22, age_min=?23, age_max=?24, updated_at=?26,"
    " fingerprint=?27, stems=" STEMS_OF("?4", "?15", "?5") " WHERE id=?1",
    "DELETE FROM listings_fts WHERE rowid=?1",
    "DELETE FROM listing_territory WHERE listing_id=?1",
    "INSERT OR IGNORE INTO listing_territory(nis, listing_id) VALUES(?2, ?1)",
    "SELECT id, category, name FROM listings WHERE source=?1",
    "DELETE FROM listings WHERE id=?1",
    "DELETE FROM listings_rtree WHERE id=?1",
    "INSERT OR IGNORE INTO temp.pending(id) VALUES(?1)",
};

/* Index entries are built at the end of the run, in id order: ids are
 * hashes, and FTS5 flushes its in-memory segment each time a rowid comes
 * out of order, which made a 200k-row load 3x slower. */
static const char flush_sql[] =
    "INSERT INTO listings_fts(rowid, name, commune, postcode, themes, address,"
    " description, stems) SELECT l.id, l.name, l.commune, l.postcode,"
    " l.themes, l.street, l.description, l.stems FROM temp.pending p"
    " JOIN listings l"
    " ON l.id = p.id ORDER BY p.id;"
    "INSERT OR REPLACE INTO listings_rtree SELECT l.id, l.lat, l.lat, l.lon,"
    " l.lon, l.category, l.age_min, l.age_max FROM temp.pending p"
    " JOIN listings l ON l.id = p.id"
    " WHERE l.lat IS NOT NULL ORDER BY p.id;"
    "DELETE FROM temp.pending;";

/* Rebuilt when a run changed anything (see migration 3 -> 4 in db.c). */
static const char terms_sql[] =
    "DELETE FROM terms;"
    "INSERT INTO terms SELECT term FROM temp.terms_vocab"
    " WHERE length(term) >= 3 AND term NOT GLOB '[0-9]*';";

struct loader {
    sqlite3 *db;
    sqlite3_stmt *st[S_NSTMT];
    char now[32];
    struct hmap seen; /* ids put in this run -> the line each came from, +1:
                       * a listing given twice, and what to prune */
    bool dirty;       /* something was added, changed or removed */
};

/* Add 'id'; returns 0, or the line it was first seen on if already there
 * (at least 1), or ERR_NOMEM. */
static long seen_add(struct hmap *s, int64_t id, long line)
{
    size_t k = hmap_first(s, (uint64_t)id);
    if (k != HMAP_END) {
        long first = (long)s->slots[k].value - 1;
        return first > 0 ? first : 1;
    }
    return hmap_add(s, (uint64_t)id, (uint64_t)(line > 0 ? line : 0) + 1);
}

static bool seen_has(const struct hmap *s, int64_t id)
{
    return hmap_first(s, (uint64_t)id) != HMAP_END;
}

static int db_fail(struct loader *ld, char *msg, size_t msgsz)
{
    snprintf(msg, msgsz, "database: %s", sqlite3_errmsg(ld->db));
    return ERR_DB;
}

int loader_begin(sqlite3 *db, struct loader **out, char *msg, size_t msgsz)
{
    struct loader *ld = calloc(1, sizeof *ld);
    *out = NULL;
    if (!ld)
        return ERR_NOMEM;
    ld->db = db;
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(ld->now, sizeof ld->now, "%Y-%m-%dT%H:%M:%SZ", &tm);
    int rc = db_exec(db,
                     "PRAGMA temp_store=MEMORY;"
                     "CREATE TEMP TABLE IF NOT EXISTS pending("
                     "  id INTEGER PRIMARY KEY);"
                     "CREATE VIRTUAL TABLE IF NOT EXISTS temp.terms_vocab"
                     "  USING fts5vocab(main, 'listings_fts', 'row');"
                     "BEGIN IMMEDIATE",
                     msg, msgsz);
    if (rc == 0 && stem_register(db) < 0)
        rc = db_fail(ld, msg, msgsz);
    /* Listings without their stems (a database migrated to version 8)
     * get them, and their index entries again, in this run. */
    if (rc == 0)
        rc =
            db_exec(db,
                    "INSERT OR IGNORE INTO temp.pending"
                    "  SELECT id FROM listings WHERE stems IS NULL;"
                    "UPDATE listings SET stems = " STEMS_OF(
                        "name", "themes",
                        "description") " WHERE stems IS NULL;"
                                       "DELETE FROM listings_fts WHERE rowid IN"
                                       "  (SELECT id FROM temp.pending);",
                    msg, msgsz);
    if (rc == 0 && sqlite3_changes(db) > 0)
        ld->dirty = true;
    for (int i = 0; rc == 0 && i < S_NSTMT; i++)
        if (sqlite3_prepare_v3(db, sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                               &ld->st[i], NULL) != SQLITE_OK)
            rc = db_fail(ld, msg, msgsz);
    if (rc < 0) {
        loader_end(ld, false, msg + strlen(msg), msgsz - strlen(msg));
        return rc;
    }
    *out = ld;
    return 0;
}

static void bind_text(sqlite3_stmt *st, int idx, const char *v)
{
    if (v)
        sqlite3_bind_text(st, idx, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, idx);
}

/* Bind every parameter a statement uses from the listing. Parameters the
 * statement does not use are skipped by SQLite's range check. */
static void bind_listing(struct loader *ld, sqlite3_stmt *st, int64_t id,
                         const char *source, const struct listing *l,
                         int64_t fp)
{
    int n = sqlite3_bind_parameter_count(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (n >= 1)
        sqlite3_bind_int64(st, 1, id);
    for (int f = 0; f < F_NSTR && f + 2 <= n; f++)
        bind_text(st, f + 2, l->str[f]);
    if (n < P_LAT)
        return;
    if (l->pos != POS_NONE) {
        sqlite3_bind_double(st, P_LAT, l->lat);
        sqlite3_bind_double(st, P_LON, l->lon);
    }
    if (n < P_POS)
        return;
    bind_text(st, P_POS, l->pos != POS_NONE ? listing_pos_name(l->pos) : NULL);
    if (l->age_min != AGE_UNKNOWN)
        sqlite3_bind_int(st, P_AGE_MIN, l->age_min);
    if (l->age_max != AGE_UNKNOWN)
        sqlite3_bind_int(st, P_AGE_MAX, l->age_max);
    if (n >= P_SOURCE)
        bind_text(st, P_SOURCE, source);
    if (n >= P_NOW)
        bind_text(st, P_NOW, ld->now);
    if (n >= P_FINGERPRINT)
        sqlite3_bind_int64(st, P_FINGERPRINT, fp);
}

static int step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : ERR_DB;
}

static int run(struct loader *ld, int which, int64_t id, const char *source,
               const struct listing *l, int64_t fp)
{
    bind_listing(ld, ld->st[which], id, source, l, fp);
    return step_done(ld->st[which]);
}

static int put_territory(struct loader *ld, int64_t id, const struct listing *l)
{
    const char *t = l->str[F_TERRITORY];
    sqlite3_stmt *st = ld->st[S_TERR_INSERT];
    while (t && *t) {
        size_t n = strcspn(t, "|");
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, t, (int)n, SQLITE_STATIC);
        if (step_done(st) < 0)
            return ERR_DB;
        t += n + (t[n] == '|');
    }
    return 0;
}

int loader_put(struct loader *ld, const char *source, const struct listing *l,
               long line, char *msg, size_t msgsz)
{
    int64_t id = listing_id(source, l->str[F_SOURCE_ID]);
    int64_t fp = listing_fingerprint(l);
    long first = seen_add(&ld->seen, id, line);
    if (first < 0)
        return (int)first;
    if (first > 0) {
        snprintf(msg, msgsz, "%s: \"%s\" already came on line %ld", "source_id",
                 l->str[F_SOURCE_ID], first);
        return ERR_INVALID;
    }
    sqlite3_stmt *find = ld->st[S_FIND];
    bind_listing(ld, find, id, source, l, fp);
    int src = sqlite3_step(find);
    bool exists = src == SQLITE_ROW;
    int64_t old_id = exists ? sqlite3_column_int64(find, 0) : 0;
    int64_t old_fp = exists ? sqlite3_column_int64(find, 1) : 0;
    sqlite3_reset(find);
    if (src != SQLITE_ROW && src != SQLITE_DONE)
        return db_fail(ld, msg, msgsz);
    if (exists && old_fp == fp)
        return LOAD_UNCHANGED;
    if (exists)
        id = old_id; /* a changed record keeps its id */
    int rc = run(ld, exists ? S_UPDATE : S_INSERT, id, source, l, fp);
    if (rc < 0 && !exists &&
        sqlite3_extended_errcode(ld->db) == SQLITE_CONSTRAINT_PRIMARYKEY) {
        snprintf(msg, msgsz,
                 "source_id: \"%s\" hashes to the id of another listing; "
                 "give it another id",
                 l->str[F_SOURCE_ID]);
        return ERR_INVALID;
    }
    if (rc == 0 && exists)
        rc = run(ld, S_FTS_DELETE, id, source, l, fp);
    if (rc == 0)
        rc = run(ld, S_PENDING, id, source, l, fp);
    if (rc == 0 && exists)
        rc = run(ld, S_TERR_DELETE, id, source, l, fp);
    if (rc == 0)
        rc = put_territory(ld, id, l);
    if (rc < 0)
        return db_fail(ld, msg, msgsz);
    ld->dirty = true;
    return exists ? LOAD_CHANGED : LOAD_ADDED;
}

static int remove_listing(struct loader *ld, int64_t id)
{
    static const int steps[] = {S_FTS_DELETE, S_RTREE_DELETE, S_TERR_DELETE,
                                S_DELETE};
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
        sqlite3_stmt *st = ld->st[steps[i]];
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, id);
        if (step_done(st) < 0)
            return ERR_DB;
    }
    return 0;
}

struct doomed {
    int64_t id;
    char *category, *name;
};

long loader_prune(struct loader *ld, const char *source, bool force,
                  loader_removed_fn fn, void *arg, char *msg, size_t msgsz)
{
    sqlite3_stmt *st = ld->st[S_SOURCE_LIST];
    struct doomed *gone = NULL;
    size_t ngone = 0, cap = 0, total = 0;
    long rc = 0;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        total++;
        int64_t id = sqlite3_column_int64(st, 0);
        if (seen_has(&ld->seen, id))
            continue;
        if (vec_reserve((void **)&gone, &cap, ngone + 1, sizeof *gone) < 0) {
            rc = ERR_NOMEM;
            goto out;
        }
        gone[ngone].id = id;
        gone[ngone].category = strdup((const char *)sqlite3_column_text(st, 1));
        gone[ngone].name = strdup((const char *)sqlite3_column_text(st, 2));
        ngone++;
    }
    sqlite3_reset(st);
    if (s != SQLITE_DONE) {
        rc = db_fail(ld, msg, msgsz);
        goto out;
    }
    if (!force && ngone * 100 > total * PRUNE_GUARD_PERCENT) {
        snprintf(msg, msgsz,
                 "prune: source \"%s\": %zu of its %zu listings are absent "
                 "from the input (more than %d%%); nothing was removed. Check "
                 "the input, or add --force to remove them",
                 source, ngone, total, PRUNE_GUARD_PERCENT);
        rc = ERR_GUARD;
        goto out;
    }
    for (size_t i = 0; i < ngone; i++) {
        if (remove_listing(ld, gone[i].id) < 0) {
            rc = db_fail(ld, msg, msgsz);
            goto out;
        }
        ld->dirty = true;
        if (fn)
            fn(gone[i].category ? gone[i].category : "",
               gone[i].name ? gone[i].name : "", arg);
    }
    rc = (long)ngone;
out:
    for (size_t i = 0; i < ngone; i++) {
        free(gone[i].category);
        free(gone[i].name);
    }
    free(gone);
    return rc;
}

int loader_set_validators(struct loader *ld, const char *url, const char *etag,
                          const char *last_modified, bool changed)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(
        ld->db,
        "INSERT INTO sources(url, etag, last_modified, checked_at, changed_at)"
        " VALUES(?1, ?2, ?3, ?4, ?4) ON CONFLICT(url) DO UPDATE SET"
        " etag=coalesce(?2, etag), last_modified=coalesce(?3, last_modified),"
        " checked_at=?4, changed_at=CASE WHEN ?5 THEN ?4 ELSE changed_at END",
        -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, url, -1, SQLITE_STATIC);
        bind_text(st, 2, etag);
        bind_text(st, 3, last_modified);
        sqlite3_bind_text(st, 4, ld->now, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 5, changed);
        rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? 0 : ERR_DB;
}

int loader_log(struct loader *ld, const char *sources, long added, long changed,
               long unchanged, long removed, long invalid)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(
        ld->db,
        "INSERT INTO imports(source, started_at, finished_at, added, changed,"
        " unchanged, removed, invalid) VALUES(?1, ?2,"
        " strftime('%Y-%m-%dT%H:%M:%SZ','now'), ?3, ?4, ?5, ?6, ?7)",
        -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, sources, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, ld->now, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, added);
        sqlite3_bind_int64(st, 4, changed);
        sqlite3_bind_int64(st, 5, unchanged);
        sqlite3_bind_int64(st, 6, removed);
        sqlite3_bind_int64(st, 7, invalid);
        rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_OK && added + changed + removed > 0) {
        char ignore[256];
        rc = db_exec(ld->db,
                     "UPDATE meta SET value = CAST(value AS INTEGER) + 1"
                     " WHERE key = 'data_version'",
                     ignore, sizeof ignore) == 0
                 ? SQLITE_OK
                 : SQLITE_ERROR;
    }
    if (rc == SQLITE_OK) {
        sqlite3_stmt *m = NULL;
        if (sqlite3_prepare_v2(ld->db,
                               "INSERT OR REPLACE INTO meta VALUES"
                               " ('last_import', ?1)",
                               -1, &m, NULL) == SQLITE_OK) {
            sqlite3_bind_text(m, 1, ld->now, -1, SQLITE_STATIC);
            rc = sqlite3_step(m) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
        }
        sqlite3_finalize(m);
    }
    return rc == SQLITE_OK ? 0 : ERR_DB;
}

int loader_end(struct loader *ld, bool commit, char *msg, size_t msgsz)
{
    int rc = 0;
    if (!ld)
        return 0;
    for (int i = 0; i < S_NSTMT; i++)
        sqlite3_finalize(ld->st[i]);
    if (commit)
        rc = db_exec(ld->db, flush_sql, msg, msgsz);
    if (commit && rc == 0 && ld->dirty)
        rc = db_exec(ld->db, terms_sql, msg, msgsz);
    if (commit && rc == 0)
        rc = db_exec(ld->db, "COMMIT", msg, msgsz);
    if (!commit || rc < 0) {
        char ignore[256];
        if (sqlite3_get_autocommit(ld->db) == 0)
            db_exec(ld->db, "ROLLBACK", ignore, sizeof ignore);
    }
    hmap_free(&ld->seen);
    free(ld);
    return rc;
}
