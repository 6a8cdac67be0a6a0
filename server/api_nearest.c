/* api_nearest.c - GET /api/nearest: the k listings nearest a point, by
 * geodesic distance, exactly (query_nearest, on the snapshot's k-d tree);
 * the answer is written as text, which costs less than finding it. */
#include <stdio.h>

#include "feature.h"
#include "params.h"
#include "query.h"
#include "routes.h"

#define NEAREST_DEFAULT 5
/* beyond Belgium's diameter from anywhere in it */
#define MAX_RADIUS_M 600000.0

static int read_query(struct request *rq, struct reply *rp,
                      struct nearest_params *q, char *cats, size_t catsz)
{
    double max_km = 0, lat, lon;
    long age = -1;
    int has_lat = param_double(rq, rp, "lat", -90, 90, &lat);
    if (has_lat < 0)
        return -1;
    int has_lon = param_double(rq, rp, "lon", -180, 180, &lon);
    if (has_lon < 0)
        return -1;
    if (!has_lat || !has_lon) {
        reply_error(rp, 400, "missing_parameter", "%s: required",
                    has_lat ? "lon" : "lat");
        return -1;
    }
    q->lat = lat, q->lon = lon;
    q->limit = NEAREST_DEFAULT;
    int c = param_categories(rq, rp, "category", cats, catsz);
    int a = c < 0 ? -1 : param_long(rq, rp, "age", 0, 120, &age);
    int l = a < 0 ? -1 : param_long(rq, rp, "limit", 1, NEAREST_MAX, &q->limit);
    int m = l < 0 ? -1 : param_double(rq, rp, "max_km", 0.01, 1000, &max_km);
    if (m < 0 || reject_unknown_params(rq, rp))
        return -1;
    q->cats = c > 0 ? cats : NULL;
    q->age = a > 0 ? (int)age : -1;
    q->max_m = m > 0 ? max_km * 1000 : MAX_RADIUS_M;
    return 0;
}

void api_nearest(struct request *rq, struct reply *rp)
{
    struct nearest_params q = {0};
    char cats[300];
    if (read_query(rq, rp, &q, cats, sizeof cats) < 0)
        return;
    struct query_env e = request_env(rq);
    struct rows rows;
    rows_init(&rows);
    int rc = query_nearest(&e, &q, &rows);
    struct jw w = {.b = &rp->body};
    jw_raw(&w, "{\"type\":\"FeatureCollection\",\"features\":[");
    features_write(&w, &rows);
    jw_raw(&w, "]}");
    rows_free(&rows);
    if (reply_written(rq, rp, rc, w.err, "nearest", "application/geo+json", 60))
        rp->cache_control = "private, max-age=60"; /* a position: no shared
                                                      cache */
}
