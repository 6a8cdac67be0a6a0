/* tiles.c - GET /tiles/{z}/{x}/{y}.mvt (the "listings" layer as a Mapbox
 * Vector Tile: one point per listing with id, name, category and commune)
 * and GET /tiles.json (TileJSON 3.0.0). An empty tile is 204; a tile
 * outside the grid is 404. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <math.h>

#include "cluster.h"
#include "err.h"
#include "mvt.h"
#include "parse.h"
#include "routes.h"
#include "spatial.h"
#include "store.h"

#define TILEJSON_MAXZOOM 14 /* clients overzoom the points beyond */

bool tiles_parse_path(const char *p, int *z, long *x, long *y)
{
    int n = 0;
    if (sscanf(p, "/tiles/%d/%ld/%ld.mvt%n", z, x, y, &n) != 3 || p[n] != '\0')
        return false;
    /* Digits only: no sign, no spaces, no leading '+'. */
    for (const char *c = p + strlen("/tiles/"); *c && *c != '.'; c++)
        if (!(*c >= '0' && *c <= '9') && *c != '/')
            return false;
    return mvt_tile_valid(*z, *x, *y);
}

/* Add the listing of the current row (id, lat, lon, name, category,
 * commune) as a point. */
static int add_row(struct mvt_layer *layer, sqlite3_stmt *st)
{
    struct mvt_prop props[4] = {
        {"id", NULL, (uint64_t)sqlite3_column_int64(st, 0)},
        {"name", (const char *)sqlite3_column_text(st, 3), 0},
        {"category", (const char *)sqlite3_column_text(st, 4), 0},
        {"commune", (const char *)sqlite3_column_text(st, 5), 0},
    };
    int np = props[3].str ? 4 : 3; /* commune may be unknown */
    return mvt_layer_add_point(layer, (uint64_t)sqlite3_column_int64(st, 0),
                               sqlite3_column_double(st, 1),
                               sqlite3_column_double(st, 2), props, np);
}

struct items {
    struct cluster_item *v;
    size_t n, cap;
    bool oom;
};

static void collect(const struct cluster_item *it, void *arg)
{
    struct items *a = arg;
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 64;
        void *v = realloc(a->v, cap * sizeof *a->v);
        if (!v) {
            a->oom = true;
            return;
        }
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = *it;
}

/* A cluster as a point at its centre, with point_count and the number of
 * listings of each category. */
static int add_cluster(struct mvt_layer *layer, const struct spatial *sp,
                       const struct cluster_item *it)
{
    struct mvt_prop props[2 + CLUSTER_MAX_CATS];
    int np = 0;
    props[np++] = (struct mvt_prop){"id", NULL, it->id};
    props[np++] = (struct mvt_prop){"point_count", NULL, it->count};
    for (int c = 0; c < spatial_ncategories(sp) && c < CLUSTER_MAX_CATS; c++)
        if (it->cats[c])
            props[np++] =
                (struct mvt_prop){spatial_category(sp, c), NULL, it->cats[c]};
    double lon = it->x * 360 - 180;
    double lat = atan(sinh(M_PI * (1 - 2 * it->y))) * 180 / M_PI;
    return mvt_layer_add_point(layer, it->id, lat, lon, props, np);
}

/* Below the cluster zoom: the clusters and single listings of that zoom
 * whose centre lies in the tile or its buffer. */
static int clustered(struct request *rq, struct mvt_layer *layer, int z, long x,
                     long y)
{
    static const char sql[] =
        "SELECT l.id, l.lat, l.lon, l.name, l.category, l.commune"
        " FROM listings l WHERE l.id = ?1";
    struct spatial *sp = spatial_acquire(rq->store);
    const struct cluster_index *ci =
        sp ? spatial_clusters(sp, rq->ctx->cluster_maxzoom) : NULL;
    struct items a = {0};
    int rc = 0;
    if (!ci) {
        spatial_release(sp);
        return ERR_NOMEM;
    }
    double n = (double)(1L << z), pad = (double)MVT_BUFFER / MVT_EXTENT;
    cluster_query(ci, z, ((double)x - pad) / n, ((double)y - pad) / n,
                  ((double)x + 1 + pad) / n, ((double)y + 1 + pad) / n, collect,
                  &a);
    sqlite3_stmt *st = store_prepare(rq->store, sql);
    for (size_t i = 0; rc == 0 && !a.oom && st && i < a.n; i++) {
        if (a.v[i].count > 1) {
            rc = add_cluster(layer, sp, &a.v[i]);
            continue;
        }
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, (sqlite3_int64)a.v[i].id);
        if (sqlite3_step(st) == SQLITE_ROW)
            rc = add_row(layer, st);
    }
    if (st)
        sqlite3_reset(st);
    spatial_release(sp);
    free(a.v);
    return a.oom || !st ? ERR_NOMEM : rc;
}

void api_tile(struct request *rq, struct reply *rp)
{
    static const char sql[] =
        "SELECT l.id, l.lat, l.lon, l.name, l.category, l.commune"
        " FROM listings_rtree t JOIN listings l ON l.id = t.id"
        " WHERE t.min_lon >= ?1 AND t.max_lon <= ?3 AND t.min_lat >= ?2"
        " AND t.max_lat <= ?4 ORDER BY l.id";
    int z;
    long x, y;
    if (!tiles_parse_path(rq->path, &z, &x, &y)) {
        reply_error(rp, 404, "not_found",
                    "no such tile: z from 0 to %d, x and y from 0 to 2^z-1",
                    MVT_MAX_ZOOM);
        return;
    }
    if (reject_unknown_params(rq, rp))
        return;
    struct mvt_layer *layer = mvt_layer_new("listings", z, x, y);
    if (!layer) {
        reply_error(rp, 500, "internal", "out of memory");
        return;
    }
    int rc = 0;
    if (z < rq->ctx->cluster_maxzoom) {
        rc = clustered(rq, layer, z, x, y);
    } else {
        /* At and above the cluster zoom, every listing is its own point. */
        struct mvt_bounds b;
        mvt_tile_bounds(z, x, y, MVT_BUFFER, &b);
        sqlite3_stmt *st = store_prepare(rq->store, sql);
        if (!st) {
            mvt_layer_free(layer);
            reply_error(rp, 500, "internal", "tile query failed");
            return;
        }
        sqlite3_bind_double(st, 1, b.min_lon);
        sqlite3_bind_double(st, 2, b.min_lat);
        sqlite3_bind_double(st, 3, b.max_lon);
        sqlite3_bind_double(st, 4, b.max_lat);
        while (rc == 0 && sqlite3_step(st) == SQLITE_ROW)
            rc = add_row(layer, st);
        sqlite3_reset(st);
    }
    uint8_t *data = NULL;
    size_t len = 0;
    if (rc == 0 && mvt_layer_count(layer) > 0)
        rc = mvt_encode(&layer, 1, &data, &len);
    bool empty = mvt_layer_count(layer) == 0;
    mvt_layer_free(layer);
    if (rc < 0 || (!empty && buf_append(&rp->body, data, len) < 0)) {
        free(data);
        reply_error(rp, 500, "internal", "tile too large");
        return;
    }
    free(data);
    rp->status = empty ? 204 : 200;
    rp->content_type = empty ? NULL : "application/vnd.mapbox-vector-tile";
    reply_cacheable(rq, rp, 300);
}

void api_tilejson(struct request *rq, struct reply *rp)
{
    static const char sql[] = "SELECT min(lon), min(lat), max(lon), max(lat)"
                              " FROM listings";
    if (reject_unknown_params(rq, rp))
        return;
    double bb[4] = {2.54, 49.49, 6.41, 51.51}; /* Belgium, when empty */
    sqlite3_stmt *st = store_prepare(rq->store, sql);
    if (st && sqlite3_step(st) == SQLITE_ROW &&
        sqlite3_column_type(st, 0) != SQLITE_NULL)
        for (int i = 0; i < 4; i++)
            bb[i] = sqlite3_column_double(st, i);
    if (st)
        sqlite3_reset(st);
    char tiles[400];
    snprintf(tiles, sizeof tiles, "http://%s/tiles/{z}/{x}/{y}.mvt",
             rq->host ? rq->host : "localhost");
    json_t *j = json_pack(
        "{s:s,s:s,s:s,s:[s],s:i,s:i,s:[ffff],s:[ffi],s:s,s:[{s:s,s:s,s:i,"
        "s:i,s:{s:s,s:s,s:s,s:s}}]}",
        "tilejson", "3.0.0", "name", "Annuaire AMO", "description",
        "Services d'aide aux jeunes (AMO, CPAS, planning familial, SDJ)",
        "tiles", tiles, "minzoom", 0, "maxzoom", TILEJSON_MAXZOOM, "bounds",
        bb[0], bb[1], bb[2], bb[3], "center", (bb[0] + bb[2]) / 2,
        (bb[1] + bb[3]) / 2, 8, "attribution",
        "Données : sources publiques citées par fiche ; positions : "
        "© OpenStreetMap contributors (ODbL), Statbel",
        "vector_layers", "id", "listings", "description",
        "One point per listing", "minzoom", 0, "maxzoom", TILEJSON_MAXZOOM,
        "fields", "id", "Number", "name", "String", "category", "String",
        "commune", "String");
    reply_json_text(rp, json_dumps(j, JSON_COMPACT), "application/json");
    json_decref(j);
    reply_cacheable(rq, rp, 300);
}
