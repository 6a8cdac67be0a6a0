/* api_listings.c - /api/status, /healthz, /api/listings.geojson and
 * /api/listings/{id}. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "json_write.h"
#include "params.h"
#include "parse.h"
#include "routes.h"
#include "store.h"

/* Bumped when the shape of our answers changes, so cached copies made by
 * an older server are not taken for current ones. */
#define ANSWER_FORMAT 1

void reply_cacheable(struct request *rq, struct reply *rp, int max_age_s)
{
    snprintf(rp->etag, sizeof rp->etag, "\"f%d-d%lld\"", ANSWER_FORMAT,
             rq->store ? store_data_version(rq->store) : 0LL);
    rp->cache_control = max_age_s >= 300  ? "public, max-age=300"
                        : max_age_s >= 60 ? "public, max-age=60"
                                          : "no-cache";
}

void api_healthz(struct request *rq, struct reply *rp)
{
    if (reject_unknown_params(rq, rp))
        return;
    buf_puts(&rp->body, "ok\n");
    rp->content_type = "text/plain; charset=utf-8";
}

void api_status(struct request *rq, struct reply *rp)
{
    if (reject_unknown_params(rq, rp))
        return;
    json_t *counts = json_object();
    long long total = 0;
    sqlite3_stmt *st = store_prepare(
        rq->store, "SELECT c.slug, (SELECT count(*) FROM listings l WHERE"
                   " l.category = c.slug) FROM categories c ORDER BY c.slug");
    while (st && sqlite3_step(st) == SQLITE_ROW) {
        long long n = sqlite3_column_int64(st, 1);
        json_object_set_new(counts, (const char *)sqlite3_column_text(st, 0),
                            json_integer(n));
        total += n;
    }
    const char *last = NULL;
    sqlite3_stmt *m = store_prepare(
        rq->store, "SELECT value FROM meta WHERE key = 'last_import'");
    if (m && sqlite3_step(m) == SQLITE_ROW)
        last = (const char *)sqlite3_column_text(m, 0);
    json_t *j = json_pack("{s:I,s:i,s:s?,s:o,s:I}", "data_version",
                          (json_int_t)store_data_version(rq->store),
                          "schema_version", DB_SCHEMA_VERSION, "last_import",
                          last, "listings", counts, "total", (json_int_t)total);
    reply_json_text(rp, json_dumps(j, JW_DUMP_FLAGS), "application/json");
    json_decref(j);
    reply_cacheable(rq, rp, 0);
}

/* Append features of every row of 'st' to a FeatureCollection body. */
static int write_features(struct reply *rp, sqlite3_stmt *st, long *count)
{
    int rc = 0;
    *count = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *f = feature_json(st, 0);
        char *text = json_dumps(f, JW_DUMP_FLAGS);
        json_decref(f);
        if (!text || (*count > 0 && buf_putc(&rp->body, ',') < 0) ||
            buf_puts(&rp->body, text) < 0) {
            free(text);
            return -1;
        }
        free(text);
        (*count)++;
    }
    return rc == SQLITE_DONE ? 0 : -1;
}

void api_listings_geojson(struct request *rq, struct reply *rp)
{
    static const char sql_all[] =
        "SELECT " FEATURE_COLUMNS " FROM listings l"
        " WHERE (?1 IS NULL OR instr(?1, ',' || l.category || ',') > 0)"
        " ORDER BY l.id";
    static const char sql_bbox[] =
        "SELECT " FEATURE_COLUMNS " FROM listings_rtree r"
        " JOIN listings l ON l.id = r.id"
        " WHERE r.min_lon >= ?2 AND r.max_lon <= ?4 AND r.min_lat >= ?3"
        " AND r.max_lat <= ?5"
        " AND (?1 IS NULL OR instr(?1, ',' || l.category || ',') > 0)"
        " ORDER BY l.id";
    char cats[300];
    double bb[4];
    int has_cat = param_categories(rq, rp, "category", cats, sizeof cats);
    int has_bbox = has_cat < 0 ? -1 : param_bbox(rq, rp, "bbox", bb);
    if (has_cat < 0 || has_bbox < 0 || reject_unknown_params(rq, rp))
        return;
    sqlite3_stmt *st = store_prepare(rq->store, has_bbox ? sql_bbox : sql_all);
    if (!st) {
        reply_error(rp, 500, "internal", "query failed");
        return;
    }
    if (has_cat)
        sqlite3_bind_text(st, 1, cats, -1, SQLITE_TRANSIENT);
    for (int i = 0; has_bbox && i < 4; i++)
        sqlite3_bind_double(st, 2 + i, bb[i]);
    long n;
    buf_puts(&rp->body, "{\"type\":\"FeatureCollection\",\"features\":[");
    if (write_features(rp, st, &n) < 0 || buf_puts(&rp->body, "]}") < 0) {
        reply_error(rp, 413, "too_large",
                    "too many listings for one answer: use bbox or category");
        return;
    }
    rp->content_type = "application/geo+json";
    reply_cacheable(rq, rp, 300);
}

bool listings_parse_path(const char *path, long long *id)
{
    static const char prefix[] = "/api/listings/";
    if (strncmp(path, prefix, strlen(prefix)) != 0)
        return false;
    const char *idtext = path + strlen(prefix);
    char *end;
    /* Digits only: strtoll() would also take " 5" and "+5". */
    if (!isdigit((unsigned char)*idtext))
        return false;
    errno = 0;
    *id = strtoll(idtext, &end, 10);
    return end != idtext && !*end && errno == 0 && *id > 0;
}

void api_listing(struct request *rq, struct reply *rp)
{
    static const char sql[] =
        "SELECT " FEATURE_COLUMNS " FROM listings l WHERE l.id = ?1";
    long long id;
    if (!listings_parse_path(rq->path, &id)) {
        reply_error(rp, 404, "not_found", "no listing with this id");
        return;
    }
    if (reject_unknown_params(rq, rp))
        return;
    sqlite3_stmt *st = store_prepare(rq->store, sql);
    if (!st) {
        reply_error(rp, 500, "internal", "query failed");
        return;
    }
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        reply_error(rp, 404, "not_found", "no listing with id %lld", id);
        return;
    }
    json_t *f = feature_json(st, 0);
    reply_json_text(rp, json_dumps(f, JW_DUMP_FLAGS), "application/geo+json");
    json_decref(f);
    reply_cacheable(rq, rp, 60);
}
