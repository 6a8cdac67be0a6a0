/* mbtiles.c - MBTiles 1.3 output: a SQLite file with `metadata` and
 * `tiles` (TMS rows, gzip-compressed MVT).
 *
 * The file is temporary until renamed, so it is written without journal
 * or syncs, and synced once at the end. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "err.h"
#include "sink.h"

struct mbtiles {
    struct sink base;
    sqlite3 *db;
    sqlite3_stmt *ins;
    char *path;
};

static int mb_put(struct sink *s, int z, long x, long y, const uint8_t *gz,
                  size_t gzlen, const uint8_t *raw, size_t rawlen)
{
    struct mbtiles *m = (struct mbtiles *)s;
    (void)raw;
    (void)rawlen;
    long tms_row = (1L << z) - 1 - y; /* MBTiles counts rows from the south */
    sqlite3_reset(m->ins);
    sqlite3_bind_int(m->ins, 1, z);
    sqlite3_bind_int64(m->ins, 2, x);
    sqlite3_bind_int64(m->ins, 3, tms_row);
    sqlite3_bind_blob(m->ins, 4, gz, (int)gzlen, SQLITE_STATIC);
    return sqlite3_step(m->ins) == SQLITE_DONE ? 0 : ERR_DB;
}

static void mb_close(struct mbtiles *m)
{
    sqlite3_finalize(m->ins);
    sqlite3_close(m->db);
    free(m->path);
    free(m);
}

static void mb_abort(struct sink *s)
{
    struct mbtiles *m = (struct mbtiles *)s;
    char *path = strdup(m->path);
    mb_close(m);
    if (path)
        unlink(path);
    free(path);
}

static int put_meta(sqlite3 *db, const char *name, const char *value)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "INSERT INTO metadata VALUES (?1, ?2)", -1, &st,
                           NULL) != SQLITE_OK)
        return ERR_DB;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : ERR_DB;
    sqlite3_finalize(st);
    return rc;
}

static int mb_finish(struct sink *s, const struct sink_meta *meta, char *msg,
                     size_t msgsz)
{
    struct mbtiles *m = (struct mbtiles *)s;
    json_t *pairs = sink_mbtiles_metadata(meta);
    int rc = pairs ? 0 : ERR_NOMEM;
    const char *key;
    json_t *value;
    json_object_foreach(pairs, key, value)
    {
        if (rc == 0)
            rc = put_meta(m->db, key, json_string_value(value));
    }
    json_decref(pairs);
    if (rc == 0 && sqlite3_exec(m->db,
                                "CREATE UNIQUE INDEX tile_index ON tiles"
                                " (zoom_level, tile_column, tile_row);"
                                "CREATE UNIQUE INDEX name ON metadata (name);"
                                "COMMIT",
                                NULL, NULL, NULL) != SQLITE_OK)
        rc = ERR_DB;
    if (rc < 0) {
        snprintf(msg, msgsz, "%s: %s", m->path,
                 rc == ERR_DB ? sqlite3_errmsg(m->db) : err_str(rc));
        mb_abort(s);
        return rc;
    }
    char *path = strdup(m->path);
    mb_close(m);
    /* Written without syncs: make it durable before it is renamed. */
    int fd = path ? open(path, O_RDONLY) : -1;
    rc = fd >= 0 && fsync(fd) == 0 ? 0 : ERR_IO;
    if (fd >= 0)
        close(fd);
    if (rc < 0)
        snprintf(msg, msgsz, "%s: cannot sync", path ? path : "?");
    free(path);
    return rc;
}

int sink_mbtiles_open(const char *path, struct sink **out, char *msg,
                      size_t msgsz)
{
    struct mbtiles *m = calloc(1, sizeof *m);
    *out = NULL;
    if (!m || !(m->path = strdup(path))) {
        free(m);
        snprintf(msg, msgsz, "out of memory");
        return ERR_NOMEM;
    }
    m->base.put = mb_put;
    m->base.finish = mb_finish;
    m->base.abort = mb_abort;
    unlink(path); /* a stale temporary from an interrupted run */
    if (sqlite3_open_v2(path, &m->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                        NULL) != SQLITE_OK ||
        sqlite3_exec(m->db,
                     "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                     "PRAGMA application_id=0x4d504258;" /* "MPBX" */
                     "CREATE TABLE metadata (name text, value text);"
                     "CREATE TABLE tiles (zoom_level integer,"
                     " tile_column integer, tile_row integer,"
                     " tile_data blob);"
                     "BEGIN",
                     NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(m->db, "INSERT INTO tiles VALUES (?1, ?2, ?3, ?4)",
                           -1, &m->ins, NULL) != SQLITE_OK) {
        snprintf(msg, msgsz, "%s: %s", path,
                 m->db ? sqlite3_errmsg(m->db) : "cannot open");
        mb_abort(&m->base);
        return ERR_DB;
    }
    *out = &m->base;
    return 0;
}
