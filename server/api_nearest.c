/* api_nearest.c - GET /api/nearest: the k listings nearest a point, by
 * geodesic distance, exactly. The search runs on the in-memory grid of
 * spatial.c (rings of cells around the point), built from the request's
 * own snapshot; only the k answers are then read from the database. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo.h"
#include "json_write.h"
#include "params.h"
#include "routes.h"
#include "spatial.h"
#include "store.h"

#define NEAREST_DEFAULT 5
#define NEAREST_MAX 50
#define MAX_RADIUS_M                                                           \
    600000.0 /* beyond Belgium's diameter from anywhere in it */

struct nearest_query {
    double lat, lon, max_m;
    long limit, age;
    bool has_age, has_cat;
    char cats[300];
};

static int read_query(struct request *rq, struct reply *rp,
                      struct nearest_query *q)
{
    double max_km = 0;
    int has_lat = param_double(rq, rp, "lat", -90, 90, &q->lat);
    if (has_lat < 0)
        return -1;
    int has_lon = param_double(rq, rp, "lon", -180, 180, &q->lon);
    if (has_lon < 0)
        return -1;
    if (!has_lat || !has_lon) {
        reply_error(rp, 400, "missing_parameter", "%s: required",
                    has_lat ? "lon" : "lat");
        return -1;
    }
    q->limit = NEAREST_DEFAULT;
    int c = param_categories(rq, rp, "category", q->cats, sizeof q->cats);
    int a = c < 0 ? -1 : param_long(rq, rp, "age", 0, 120, &q->age);
    int l = a < 0 ? -1 : param_long(rq, rp, "limit", 1, NEAREST_MAX, &q->limit);
    int m = l < 0 ? -1 : param_double(rq, rp, "max_km", 0.01, 1000, &max_km);
    if (m < 0 || reject_unknown_params(rq, rp))
        return -1;
    q->has_cat = c > 0;
    q->has_age = a > 0;
    q->max_m = m > 0 ? max_km * 1000 : MAX_RADIUS_M;
    return 0;
}

long nearest_write_features(struct request *rq, const struct spatial_hit *hits,
                            long n, struct jw *w)
{
    static const char row_sql[] =
        "SELECT " FEATURE_COLUMNS " FROM listings l WHERE l.id = ?1";
    sqlite3_stmt *st = store_prepare(rq->store, row_sql);
    long added = 0;
    for (long i = 0; st && i < n; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, hits[i].id);
        if (sqlite3_step(st) != SQLITE_ROW)
            continue;
        char extra[48];
        snprintf(extra, sizeof extra, "\"distance_m\":%lld",
                 (long long)llround(hits[i].d));
        if (added)
            jw_raw(w, ",");
        feature_write(w, st, 0, extra);
        added++;
    }
    if (st)
        sqlite3_reset(st);
    return added;
}

long nearest_features(struct request *rq, const struct spatial_hit *hits,
                      long n, json_t *features)
{
    /* The text writer is the one source of the format; the few searches
     * that list a category by distance read its text back. */
    struct buf b;
    buf_init(&b, HTTP_MAX_BODY);
    struct jw w = {.b = &b};
    jw_raw(&w, "[");
    nearest_write_features(rq, hits, n, &w);
    jw_raw(&w, "]");
    json_t *a = w.err ? NULL : json_loadb(b.data, b.len, 0, NULL);
    buf_free(&b);
    long added = 0;
    for (size_t i = 0; i < json_array_size(a); i++, added++)
        json_array_append(features, json_array_get(a, i));
    json_decref(a);
    return added;
}

void api_nearest(struct request *rq, struct reply *rp)
{
    struct nearest_query q = {0};
    struct spatial_hit hits[NEAREST_MAX];
    if (read_query(rq, rp, &q) < 0)
        return;
    struct spatial *sp = spatial_acquire(rq->store);
    if (!sp) {
        reply_error(rp, 503, "unavailable", "the index is being built");
        return;
    }
    struct spatial_query sq = {.lat = q.lat,
                               .lon = q.lon,
                               .max_m = q.max_m,
                               .limit = q.limit,
                               .categories = q.has_cat ? q.cats : NULL,
                               .age = q.has_age ? (int)q.age : -1};
    long n = spatial_nearest(sp, &sq, hits);
    spatial_release(sp);
    /* Written as text: building and dumping a jansson tree cost more
     * than finding the listings. */
    struct jw w = {.b = &rp->body};
    jw_raw(&w, "{\"type\":\"FeatureCollection\",\"features\":[");
    nearest_write_features(rq, hits, n, &w);
    jw_raw(&w, "]}");
    if (w.err) {
        reply_error(rp, 500, "internal", "answer too large");
        return;
    }
    rp->content_type = "application/geo+json";
    reply_cacheable(rq, rp, 60);
    rp->cache_control = "private, max-age=60"; /* a position: no shared cache */
}
