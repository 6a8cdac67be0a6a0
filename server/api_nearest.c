/* api_nearest.c - GET /api/nearest: the k listings nearest a point, by
 * geodesic distance, exactly.
 *
 * The R*Tree is asked for a box around the point whose inscribed circle
 * has radius r; every listing within r of the point is in the box, so once
 * k listings lie within r they are the k nearest. Otherwise r grows. The
 * box's width in longitude is scaled by cos(latitude) at its far edge, or
 * the ranking would be wrong (FIELD-NOTES).
 *
 * Candidates are ranked from the R*Tree alone (category and ages are
 * auxiliary columns there), with no join: its coordinates are 32-bit
 * floats rounded outwards, so the middle of a box is within a metre of
 * the listing. Exact distances are then computed for the candidates
 * within SLACK_M of the k-th, which holds every true top-k one, and the
 * search only stops when those all lie well inside the circle. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "geo.h"
#include "params.h"
#include "routes.h"
#include "store.h"

#define NEAREST_DEFAULT 5
#define NEAREST_MAX 50
#define MIN_START_RADIUS_M 50.0
#define BELGIUM_AREA_M2 30.5e9
#define GROWTH 1.5
#define MAX_RADIUS_M 600000.0 /* beyond Belgium's diameter from anywhere in it */
#define METRES_PER_DEGREE 111195.0
#define MAX_CANDIDATES 65536
#define SLACK_M 3.0 /* twice the largest float32 error, with room */

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

/* Every candidate in the box around the circle of radius 'r' (corners
 * included), with its approximate distance, into 'hits'; returns how many
 * (at most 'cap'), or -1. '*inside' counts those surely within
 * r - SLACK_M. */
static long scan_box(struct request *rq, const struct nearest_query *q,
                     double r, struct hit *hits, long cap, long *inside)
{
    static const char sql[] =
        "SELECT id, min_lat, max_lat, min_lon, max_lon FROM listings_rtree"
        " WHERE min_lat >= ?1 AND max_lat <= ?2 AND min_lon >= ?3"
        " AND max_lon <= ?4"
        " AND (?5 IS NULL OR instr(?5, ',' || category || ',') > 0)"
        " AND (?6 IS NULL OR ((age_min IS NULL OR age_min <= ?6)"
        "  AND (age_max IS NULL OR age_max >= ?6)))";
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
    *inside = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < cap) {
        double lat = (sqlite3_column_double(st, 1) + sqlite3_column_double(st, 2)) / 2;
        double lon = (sqlite3_column_double(st, 3) + sqlite3_column_double(st, 4)) / 2;
        double d = geo_distance_m(q->lat, q->lon, lat, lon);
        hits[n].id = sqlite3_column_int64(st, 0);
        hits[n].d = d;
        n++;
        if (d <= r - SLACK_M)
            (*inside)++;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? n : -1;
}

/* Reorder hits so that hits[k] holds the (k+1)-th smallest distance, the
 * smaller ones before it (Hoare's selection, expected linear time): the
 * answer needs k of maybe thousands of candidates, not all sorted. */
static void select_kth(struct hit *h, long n, long k)
{
    long lo = 0, hi = n - 1;
    while (lo < hi) {
        double pivot = h[lo + (hi - lo) / 2].d;
        long i = lo, j = hi;
        while (i <= j) {
            while (h[i].d < pivot)
                i++;
            while (h[j].d > pivot)
                j--;
            if (i <= j) {
                struct hit t = h[i];
                h[i++] = h[j];
                h[j--] = t;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            break;
    }
}

/* Exact distances for the candidates that can still be in the top k:
 * those within SLACK_M of the k-th approximate distance. Rewrites hits in
 * place, sorted; returns how many there are. */
static long exact_top(struct request *rq, const struct nearest_query *q,
                      struct hit *hits, long n)
{
    static const char sql[] = "SELECT lat, lon FROM listings WHERE id = ?1";
    long k = n < q->limit ? n : q->limit;
    if (k == 0)
        return 0;
    select_kth(hits, n, k - 1);
    double bound = hits[k - 1].d + SLACK_M;
    long m = 0;
    sqlite3_stmt *st = store_prepare(rq->store, sql);
    for (long i = 0; st && i < n; i++) {
        if (hits[i].d > bound)
            continue;
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, hits[i].id);
        if (sqlite3_step(st) != SQLITE_ROW)
            continue;
        double d = geo_distance_m(q->lat, q->lon, sqlite3_column_double(st, 0),
                                  sqlite3_column_double(st, 1));
        if (d > q->max_m)
            continue;
        hits[m].id = hits[i].id;
        hits[m].d = d;
        m++;
    }
    if (st)
        sqlite3_reset(st);
    qsort(hits, (size_t)m, sizeof *hits, cmp_hit);
    return m;
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
    hits = store_scratch(rq->store, MAX_CANDIDATES * sizeof *hits);
    if (!hits) {
        reply_error(rp, 500, "internal", "out of memory");
        return;
    }
    /* Start with the radius that would hold k listings if they were
     * spread evenly over Belgium, then grow by half each time: scans of a
     * hundred rows or so, measured on synthetic data (README). */
    double density = (double)store_listing_count(rq->store) / BELGIUM_AREA_M2;
    double r0 = density > 0 ? sqrt((double)q.limit / (M_PI * density)) : 1000;
    for (double r = fmax(MIN_START_RADIUS_M, r0);;) {
        long inside;
        double rr = fmin(r, q.max_m + SLACK_M);
        n = scan_box(rq, &q, rr, hits, MAX_CANDIDATES, &inside);
        if (n < 0) {
            reply_error(rp, 500, "internal", "query failed");
            return;
        }
        if (inside >= q.limit || rr >= q.max_m || r >= MAX_RADIUS_M ||
            n == MAX_CANDIDATES)
            break;
        /* With k candidates in the box already, the circle through the
         * k-th is the answer's: one more scan with it ends the search. */
        if (n >= q.limit) {
            select_kth(hits, n, q.limit - 1);
            r = fmax(r * 1.01, hits[q.limit - 1].d + 2 * SLACK_M);
        } else {
            r *= GROWTH;
        }
    }
    n = exact_top(rq, &q, hits, n);
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
    json_t *fc = json_pack("{s:s,s:o}", "type", "FeatureCollection",
                           "features", features);
    reply_json_text(rp, json_dumps(fc, JSON_COMPACT), "application/geo+json");
    json_decref(fc);
    reply_cacheable(rq, rp, 60);
    rp->cache_control = "private, max-age=60"; /* a position: no shared cache */
}
