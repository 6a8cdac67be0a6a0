/* api_nearest.c - GET /api/nearest: the k listings nearest a point, by
 * geodesic distance, exactly.
 *
 * The R*Tree is asked for a box around the point whose inscribed circle
 * has radius r; every listing within r of the point is in the box, so once
 * k listings lie within r they are the k nearest. Otherwise r doubles. The
 * box's width in longitude is scaled by cos(latitude) at its far edge, or
 * the ranking would be wrong (FIELD-NOTES). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "geo.h"
#include "params.h"
#include "routes.h"
#include "store.h"

#define NEAREST_DEFAULT 5
#define NEAREST_MAX 50
#define START_RADIUS_M 500.0
#define MAX_RADIUS_M 600000.0 /* beyond Belgium's diameter from anywhere in it */
#define METRES_PER_DEGREE 111195.0
#define MAX_CANDIDATES 200000

struct hit {
    long long id;
    double d;
};

static int cmp_hit(const void *a, const void *b)
{
    const struct hit *x = a, *y = b;
    if (x->d != y->d)
        return x->d < y->d ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

struct nearest_query {
    double lat, lon, max_m;
    long limit, age;
    bool has_age, has_cat;
    char cats[300];
};

/* Listings within 'r' metres (and matching the filters) into 'hits';
 * returns how many, or -1. */
static long within(struct request *rq, const struct nearest_query *q,
                   double r, struct hit *hits, long cap)
{
    static const char sql[] =
        "SELECT l.id, l.lat, l.lon FROM listings_rtree t"
        " JOIN listings l ON l.id = t.id"
        " WHERE t.min_lat >= ?1 AND t.max_lat <= ?2 AND t.min_lon >= ?3"
        " AND t.max_lon <= ?4"
        " AND (?5 IS NULL OR instr(?5, ',' || l.category || ',') > 0)"
        " AND (?6 IS NULL OR ((l.age_min IS NULL OR l.age_min <= ?6)"
        "  AND (l.age_max IS NULL OR l.age_max >= ?6)))";
    sqlite3_stmt *st = store_prepare(rq->store, sql);
    if (!st)
        return -1;
    double dlat = r / METRES_PER_DEGREE;
    double far = fmin(89.9, fabs(q->lat) + dlat);
    double dlon = fmin(180.0, r / (METRES_PER_DEGREE * cos(far * M_PI / 180)));
    sqlite3_bind_double(st, 1, q->lat - dlat);
    sqlite3_bind_double(st, 2, q->lat + dlat);
    sqlite3_bind_double(st, 3, q->lon - dlon);
    sqlite3_bind_double(st, 4, q->lon + dlon);
    if (q->has_cat)
        sqlite3_bind_text(st, 5, q->cats, -1, SQLITE_STATIC);
    if (q->has_age)
        sqlite3_bind_int64(st, 6, q->age);
    long n = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        double d = geo_distance_m(q->lat, q->lon, sqlite3_column_double(st, 1),
                                  sqlite3_column_double(st, 2));
        if (d > r || d > q->max_m)
            continue;
        if (n == cap)
            break;
        hits[n].id = sqlite3_column_int64(st, 0);
        hits[n].d = d;
        n++;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? n : -1;
}

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

void api_nearest(struct request *rq, struct reply *rp)
{
    static const char row_sql[] = "SELECT " STORE_LISTING_COLUMNS
                                  " FROM listings l WHERE l.id = ?1";
    struct nearest_query q = {0};
    struct hit *hits = NULL;
    long n = 0;
    if (read_query(rq, rp, &q) < 0)
        return;
    hits = malloc(MAX_CANDIDATES * sizeof *hits);
    if (!hits) {
        reply_error(rp, 500, "internal", "out of memory");
        return;
    }
    for (double r = START_RADIUS_M;; r *= 2) {
        n = within(rq, &q, fmin(r, q.max_m), hits, MAX_CANDIDATES);
        if (n < 0) {
            free(hits);
            reply_error(rp, 500, "internal", "query failed");
            return;
        }
        if (n >= q.limit || r >= q.max_m || r >= MAX_RADIUS_M)
            break;
    }
    qsort(hits, (size_t)n, sizeof *hits, cmp_hit);
    json_t *features = json_array();
    sqlite3_stmt *st = store_prepare(rq->store, row_sql);
    for (long i = 0; st && i < n && i < q.limit; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, hits[i].id);
        if (sqlite3_step(st) != SQLITE_ROW)
            continue;
        json_t *f = store_feature(st, 0);
        json_object_set_new(json_object_get(f, "properties"), "distance_m",
                            json_integer((json_int_t)llround(hits[i].d)));
        json_array_append_new(features, f);
    }
    free(hits);
    json_t *fc = json_pack("{s:s,s:o}", "type", "FeatureCollection",
                           "features", features);
    reply_json_text(rp, json_dumps(fc, JSON_COMPACT), "application/geo+json");
    json_decref(fc);
    reply_cacheable(rq, rp, 60);
    rp->cache_control = "private, max-age=60"; /* a position: no shared cache */
}
