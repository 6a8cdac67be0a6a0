/* tiles_basemap.c - GET /tiles/basemap/{z}/{x}/{y}.mvt (the boundaries of
 * lib/basemap.c: provinces, arrondissements, municipalities, boundary
 * lines and labels) and GET /tiles/basemap.json (TileJSON 3.0.0). An empty
 * tile is 204; a tile outside the grid is 404. The tiles depend on the
 * boundary files, not on the directory's data: the ETag is the basemap's
 * version, a hash of those files taken at load. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basemap.h"
#include "json_write.h"
#include "mvt.h"
#include "publicurl.h"
#include "routes.h"

#define BASEMAP_PREFIX "/tiles/basemap/"

/* The boundaries change with a new release of the files, not with the
 * directory: a day of caching costs nothing, and the ETag revalidates. */
static void basemap_cacheable(struct request *rq, struct reply *rp)
{
    snprintf(rp->etag, sizeof rp->etag, "\"b%s\"",
             basemap_version(rq->ctx->basemap));
    rp->cache_control = "public, max-age=86400";
}

void api_basemap_tile(struct request *rq, struct reply *rp)
{
    int z;
    long x, y;
    if (!tiles_request(rq, rp, BASEMAP_PREFIX, &z, &x, &y))
        return;
    uint8_t *data = NULL;
    size_t len = 0;
    if (basemap_tile(rq->ctx->basemap, z, x, y, &data, &len) < 0 ||
        (len > 0 && buf_append(&rp->body, data, len) < 0)) {
        free(data);
        reply_error(rp, 500, "internal", "out of memory");
        return;
    }
    free(data);
    rp->status = len ? 200 : 204;
    rp->content_type = len ? "application/vnd.mapbox-vector-tile" : NULL;
    basemap_cacheable(rq, rp);
}

void api_basemap_tilejson(struct request *rq, struct reply *rp)
{
    if (reject_unknown_params(rq, rp))
        return;
    double b[4];
    basemap_bounds(rq->ctx->basemap, b);
    char tiles[PUBLIC_URL_MAX + 64]; /* relative: see api_tilejson */
    public_link(rq->ctx->public_url, BASEMAP_PREFIX "{z}/{x}/{y}.mvt", tiles,
                sizeof tiles);
    json_t *layers = basemap_vector_layers();
    json_t *j = json_pack(
        "{s:s,s:s,s:s,s:s,s:[s],s:i,s:i,s:[ffff],s:[ffi],s:s,s:o}", "tilejson",
        "3.0.0", "name", BASEMAP_NAME, "description", BASEMAP_DESCRIPTION,
        "version", "1.0.0", "tiles", tiles, "minzoom", 0, "maxzoom",
        BASEMAP_MAXZOOM, "bounds", b[0], b[1], b[2], b[3], "center",
        (b[0] + b[2]) / 2, (b[1] + b[3]) / 2, 7, "attribution",
        BASEMAP_ATTRIBUTION, "vector_layers", layers);
    reply_json_text(rp, json_dumps(j, JW_DUMP_FLAGS), "application/json");
    json_decref(j);
    basemap_cacheable(rq, rp);
}
