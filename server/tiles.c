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
#include "json_write.h"
#include "mvt.h"
#include "parse.h"
#include "publicurl.h"
#include "routes.h"
#include "row.h"
#include "snapshot.h"
#include "store.h"
#include "tileset.h"
#include "vec.h"

#define TILEJSON_MAXZOOM TILESET_MAXZOOM

bool tiles_parse_path(const char *prefix, const char *p, int *z, long *x,
                      long *y)
{
    size_t len = strlen(prefix);
    int n = 0;
    if (strncmp(p, prefix, len) != 0)
        return false;
    p += len;
    if (sscanf(p, "%d/%ld/%ld.mvt%n", z, x, y, &n) != 3 || p[n] != '\0')
        return false;
    /* Digits only: no sign, no spaces, no leading '+'. */
    for (const char *c = p; *c && *c != '.'; c++)
        if (!(*c >= '0' && *c <= '9') && *c != '/')
            return false;
    return mvt_tile_valid(*z, *x, *y);
}

bool tiles_request(struct request *rq, struct reply *rp, const char *prefix,
                   int *z, long *x, long *y)
{
    if (!tiles_parse_path(prefix, rq->path, z, x, y)) {
        reply_error(rp, 404, "not_found",
                    "no such tile: z from 0 to %d, x and y from 0 to 2^z-1",
                    MVT_MAX_ZOOM);
        return false;
    }
    return !reject_unknown_params(rq, rp);
}

/* Candidate features of a tile. A listing's strings are copies (a row's
 * text does not outlive the next step) and are freed with the array. */
struct cand {
    struct tileset_feature *v;
    size_t n, cap;
    bool oom;
};

static struct tileset_feature *cand_push(struct cand *a)
{
    if (vec_reserve((void **)&a->v, &a->cap, a->n + 1, sizeof *a->v) < 0) {
        a->oom = true;
        return NULL;
    }
    memset(&a->v[a->n], 0, sizeof a->v[0]);
    return &a->v[a->n++];
}

static void cand_free(struct cand *a)
{
    for (size_t i = 0; i < a->n; i++) {
        if (a->v[i].count > 1)
            continue;
        free((char *)a->v[i].name);
        free((char *)a->v[i].category);
        free((char *)a->v[i].commune);
    }
    free(a->v);
}

static void collect(const struct cluster_item *it, void *arg)
{
    struct cand *a = arg;
    struct tileset_feature *f = cand_push(a);
    if (f)
        tileset_from_cluster(it, f);
}

static const char *copy_text(struct cand *a, sqlite3_stmt *st, int col)
{
    const char *t = (const char *)sqlite3_column_text(st, col);
    char *c = t ? strdup(t) : NULL;
    if (t && !c)
        a->oom = true;
    return c;
}

/* The listing of the current row (id, lat, lon, name, category, commune)
 * into f. */
static void from_row(struct cand *a, struct tileset_feature *f,
                     sqlite3_stmt *st)
{
    f->id = (uint64_t)sqlite3_column_int64(st, 0);
    f->lat = sqlite3_column_double(st, 1);
    f->lon = sqlite3_column_double(st, 2);
    f->count = 1;
    f->name = copy_text(a, st, 3);
    f->category = copy_text(a, st, 4);
    f->commune = copy_text(a, st, 5);
    f->approx = row_pos_approx((const char *)sqlite3_column_text(st, 6));
}

/* Below the cluster zoom: the clusters and single listings of that zoom
 * near the tile; a single listing's properties come from the database. */
static int clustered(struct request *rq, struct cand *a, int z, long x, long y)
{
    static const char sql[] =
        "SELECT l.id, l.lat, l.lon, l.name, l.category, l.commune,"
        " l.position_source"
        " FROM listings l WHERE l.id = ?1";
    const struct cluster_index *ci =
        snapshot_clusters(rq->snap, rq->ctx->cluster_maxzoom);
    if (!ci)
        return ERR_NOMEM;
    double x0, y0, x1, y1;
    tileset_window(z, x, y, &x0, &y0, &x1, &y1);
    cluster_query(ci, z, x0, y0, x1, y1, collect, a);
    sqlite3_stmt *st = store_prepare(rq->store, sql);
    if (!st)
        return ERR_DB;
    for (size_t i = 0; !a->oom && i < a->n; i++) {
        if (a->v[i].count > 1)
            continue;
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, (sqlite3_int64)a->v[i].id);
        if (sqlite3_step(st) == SQLITE_ROW)
            from_row(a, &a->v[i], st);
        else /* deleted since the index was built: drop it */
            a->v[i].count = 0;
    }
    sqlite3_reset(st);
    return a->oom ? ERR_NOMEM : 0;
}

/* At and above the cluster zoom, every listing is its own point. */
static int points(struct request *rq, struct cand *a, int z, long x, long y)
{
    static const char sql[] =
        "SELECT l.id, l.lat, l.lon, l.name, l.category, l.commune,"
        " l.position_source"
        " FROM listings_rtree t JOIN listings l ON l.id = t.id"
        " WHERE t.min_lon >= ?1 AND t.max_lon <= ?3 AND t.min_lat >= ?2"
        " AND t.max_lat <= ?4";
    double b[4];
    tileset_window_deg(z, x, y, &b[0], &b[1], &b[2], &b[3]);
    sqlite3_stmt *st = store_prepare(rq->store, sql);
    if (!st)
        return ERR_DB;
    for (int i = 0; i < 4; i++)
        sqlite3_bind_double(st, i + 1, b[i]);
    struct tileset_feature *f;
    while (!a->oom && sqlite3_step(st) == SQLITE_ROW)
        if ((f = cand_push(a)))
            from_row(a, f, st);
    sqlite3_reset(st);
    return a->oom ? ERR_NOMEM : 0;
}

/* Drop the features marked deleted (count 0). */
static void compact(struct cand *a)
{
    size_t k = 0;
    for (size_t i = 0; i < a->n; i++)
        if (a->v[i].count)
            a->v[k++] = a->v[i];
    a->n = k;
}

void api_tile(struct request *rq, struct reply *rp)
{
    int z;
    long x, y;
    if (!tiles_request(rq, rp, "/tiles/", &z, &x, &y))
        return;
    struct cand a = {0};
    int rc = z < rq->ctx->cluster_maxzoom ? clustered(rq, &a, z, x, y)
                                          : points(rq, &a, z, x, y);
    uint8_t *data = NULL;
    size_t len = 0;
    if (rc == 0) {
        compact(&a);
        rc = tileset_encode(a.v, a.n, snapshot_cats(rq->snap), z, x, y, &data,
                            &len);
    }
    cand_free(&a);
    if (rc < 0 || (data && buf_append(&rp->body, data, len) < 0)) {
        free(data);
        reply_error(rp, 500, "internal", "tile too large");
        return;
    }
    rp->status = data ? 200 : 204;
    rp->content_type = data ? "application/vnd.mapbox-vector-tile" : NULL;
    free(data);
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
    /* Relative without --public-url: TileJSON 3.0.0 does not say whether
     * a relative URL is allowed, and MapLibre 5 fetches it as it is (the
     * page resolves it, web/app.js transformRequest); a partner's map
     * needs the server configured with its public URL. */
    char tiles[PUBLIC_URL_MAX + 64];
    public_link(rq->ctx->public_url, "/tiles/{z}/{x}/{y}.mvt", tiles,
                sizeof tiles);
    json_t *layers =
        tileset_vector_layers(snapshot_cats(rq->snap), 0, TILEJSON_MAXZOOM);
    if (!layers) {
        reply_error(rp, 500, "internal", "out of memory");
        return;
    }
    json_t *j = json_pack(
        "{s:s,s:s,s:s,s:[s],s:i,s:i,s:[ffff],s:[ffi],s:s,s:o}", "tilejson",
        "3.0.0", "name", "Annuaire AMO", "description",
        "Services d'aide aux jeunes (AMO, CPAS, planning familial, SDJ)",
        "tiles", tiles, "minzoom", 0, "maxzoom", TILEJSON_MAXZOOM, "bounds",
        bb[0], bb[1], bb[2], bb[3], "center", (bb[0] + bb[2]) / 2,
        (bb[1] + bb[3]) / 2, 8, "attribution", TILESET_ATTRIBUTION,
        "vector_layers", layers);
    reply_json_text(rp, json_dumps(j, JW_DUMP_FLAGS), "application/json");
    json_decref(j);
    reply_cacheable(rq, rp, 300);
}
