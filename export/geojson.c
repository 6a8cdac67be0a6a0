/* geojson.c - GeoJSON export (see geojson.h). Features are written one by
 * one, so memory does not grow with the directory. */
#include "geojson.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "feature.h"
#include "json_write.h"

/* ",amo,cpas," after checking each slug against the categories table. */
static int category_filter(sqlite3 *db, const char *list, struct buf *out,
                           char *msg, size_t msgsz)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM categories WHERE slug = ?1", -1,
                           &st, NULL) != SQLITE_OK) {
        snprintf(msg, msgsz, "%s", sqlite3_errmsg(db));
        return ERR_DB;
    }
    int rc = buf_putc(out, ',');
    for (const char *p = list; rc == 0 && *p;) {
        size_t len = strcspn(p, ",");
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, p, (int)len, SQLITE_STATIC);
        if (len == 0 || sqlite3_step(st) != SQLITE_ROW) {
            snprintf(msg, msgsz, "--category: no category '%.*s'", (int)len, p);
            rc = ERR_USAGE;
            break;
        }
        rc = buf_append(out, p, len);
        if (rc == 0)
            rc = buf_putc(out, ',');
        p += len + (p[len] == ',');
    }
    sqlite3_finalize(st);
    return rc;
}

struct writing {
    FILE *f;
    volatile sig_atomic_t *stop;
    long *count;
    struct buf text;
};

/* One Feature per line, as feature_write() gives it to the API. */
static int write_one(const struct row *r, void *arg)
{
    struct writing *wr = arg;
    struct jw w = {.b = &wr->text};
    buf_reset(&wr->text);
    feature_write(&w, r, NULL);
    if (w.err)
        return w.err;
    if ((*wr->count > 0 && fputc(',', wr->f) == EOF) ||
        fputs(buf_str(&wr->text), wr->f) < 0 || fputc('\n', wr->f) == EOF)
        return ERR_IO;
    ++*wr->count;
    return wr->stop && *wr->stop ? ERR_INTERRUPTED : 0;
}

/* The listings query the server's /api/listings.geojson runs (row.h). */
static int write_features(sqlite3 *db, const char *filter, FILE *f,
                          volatile sig_atomic_t *stop, long *count)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, ROWS_SQL, -1, &st, NULL) != SQLITE_OK)
        return ERR_DB;
    struct writing wr = {.f = f, .stop = stop, .count = count};
    buf_init(&wr.text, 1u << 20);
    int rc = fputs("{\"type\":\"FeatureCollection\",\"features\":[", f) < 0
                 ? ERR_IO
                 : rows_each(st, filter, NULL, write_one, &wr);
    sqlite3_finalize(st);
    buf_free(&wr.text);
    if (rc == 0 && fputs("]}\n", f) < 0)
        rc = ERR_IO;
    return rc;
}

int geojson_export(sqlite3 *db, const char *categories, const char *out,
                   volatile sig_atomic_t *stop, long *count, char *msg,
                   size_t msgsz)
{
    struct buf filter;
    buf_init(&filter, 4096);
    *count = 0;
    int rc =
        categories ? category_filter(db, categories, &filter, msg, msgsz) : 0;
    if (rc < 0) {
        buf_free(&filter);
        if (rc != ERR_USAGE && rc != ERR_DB)
            snprintf(msg, msgsz, "%s", err_str(rc));
        return rc;
    }
    bool to_stdout = strcmp(out, "-") == 0;
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", out, (long)getpid());
    FILE *f = to_stdout ? stdout : fopen(tmp, "w");
    if (!f) {
        buf_free(&filter);
        snprintf(msg, msgsz, "%s: cannot create", tmp);
        return ERR_IO;
    }
    /* One snapshot for the whole file. */
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    rc = write_features(db, categories ? buf_str(&filter) : NULL, f, stop,
                        count);
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    buf_free(&filter);
    if (rc == ERR_DB)
        snprintf(msg, msgsz, "%s", sqlite3_errmsg(db));
    if (to_stdout) {
        if (rc == 0 && fflush(stdout) != 0)
            rc = ERR_IO;
    } else {
        if (rc == 0 && (fflush(f) != 0 || fsync(fileno(f)) != 0))
            rc = ERR_IO;
        if (fclose(f) != 0 && rc == 0)
            rc = ERR_IO;
        if (rc == 0 && rename(tmp, out) != 0)
            rc = ERR_IO;
        if (rc < 0)
            unlink(tmp);
    }
    if (rc < 0 && rc != ERR_DB)
        snprintf(msg, msgsz, "%s: %s", out, err_str(rc));
    return rc;
}
