/* fuzz_mvt.c - libFuzzer target: the vector tile encoder (lib/mvt.c) and
 * the clustering (lib/cluster.c) fed with random listings decoded from the
 * input, the way server/tiles.c uses them: the first bytes pick the tile,
 * then each 12-byte group is a listing (position over Web Mercator's whole
 * range, category, and a name made of the next bytes). Checks that the
 * clusters of every zoom add up to the listings, and that the encoded tile
 * reads back with protobuf-c with the features that were added. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "err.h"
#include "fuzz.h"
#include "mvt.h"
#include "vector_tile.pb-c.h"

#define MAX_POINTS 256
#define CLUSTER_MAXZOOM 13
#define MERCATOR_MAX_LAT 85.0511 /* EPSG:3857's square: |lat| below this */

static const char *const cats[] = {"amo", "cpas", "planning", "sdj"};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return 0;
}

static uint32_t u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

struct listing_in {
    double lat, lon;
    uint8_t cat;
    char name[8];
};

static void count_items(const struct cluster_item *it, void *arg)
{
    size_t *total = arg;
    *total += it->count;
}

struct adder {
    struct mvt_layer *layer;
    int rc;
};

static void add_item(const struct cluster_item *it, void *arg)
{
    struct adder *a = arg;
    struct mvt_prop props[2 + CLUSTER_MAX_CATS];
    int np = 0;
    props[np++] = (struct mvt_prop){"id", NULL, it->id};
    props[np++] = (struct mvt_prop){"point_count", NULL, it->count};
    for (int c = 0; c < 4; c++)
        if (it->cats[c])
            props[np++] = (struct mvt_prop){cats[c], NULL, it->cats[c]};
    double lon = it->x * 360 - 180;
    double lat = atan(sinh(M_PI * (1 - 2 * it->y))) * 180 / M_PI;
    if (a->rc == 0)
        a->rc = mvt_layer_add_point(a->layer, it->id, lat, lon, props, np);
}

static void encode_and_check(struct mvt_layer *layer)
{
    uint8_t *out = NULL;
    size_t len = 0;
    if (mvt_encode(&layer, 1, &out, &len) < 0)
        fuzz_fail("mvt_encode failed");
    VectorTile__Tile *t = vector_tile__tile__unpack(NULL, len, out);
    if (!t || t->n_layers != 1 ||
        t->layers[0]->n_features != mvt_layer_count(layer))
        fuzz_fail("the tile does not read back with its %zu features",
                  mvt_layer_count(layer));
    VectorTile__Tile__Layer *l = t->layers[0];
    for (size_t i = 0; i < l->n_features; i++) {
        VectorTile__Tile__Feature *f = l->features[i];
        if (f->n_geometry != 3 || f->n_tags % 2)
            fuzz_fail("feature %zu: malformed geometry or tags", i);
        for (size_t k = 0; k < f->n_tags; k += 2)
            if (f->tags[k] >= l->n_keys || f->tags[k + 1] >= l->n_values)
                fuzz_fail("feature %zu: tag out of range", i);
    }
    vector_tile__tile__free_unpacked(t, NULL);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 9)
        return 0;
    int z = data[0] % (MVT_MAX_ZOOM + 1);
    long n = 1L << z, x = (long)(u32(data + 1) % (uint32_t)n),
         y = (long)(u32(data + 5) % (uint32_t)n);
    data += 9, size -= 9;
    size_t np = size / 12 < MAX_POINTS ? size / 12 : MAX_POINTS;
    struct listing_in *in = calloc(np ? np : 1, sizeof *in);
    struct cluster_point *pts = calloc(np ? np : 1, sizeof *pts);
    for (size_t i = 0; i < np; i++) {
        const uint8_t *p = data + 12 * i;
        in[i].lat = (u32(p) / 4294967296.0 * 2 - 1) * MERCATOR_MAX_LAT;
        in[i].lon = u32(p + 4) / 4294967296.0 * 360 - 180;
        in[i].cat = p[8] % 4;
        memcpy(in[i].name, p + 9, 3); /* any bytes, NUL-terminated */
        cluster_project(in[i].lat, in[i].lon, &pts[i].x, &pts[i].y);
        pts[i].id = i + 1;
        pts[i].cat = in[i].cat;
    }
    struct cluster_index *ci = NULL;
    if (cluster_build(pts, np, CLUSTER_MAXZOOM, 40, 512, &ci) < 0)
        fuzz_fail("cluster_build failed");
    for (int zz = 0; zz < CLUSTER_MAXZOOM; zz++) {
        size_t total = 0;
        cluster_query(ci, zz, -1, -1, 2, 2, count_items, &total);
        if (total != np)
            fuzz_fail("zoom %d: clusters hold %zu of %zu listings", zz, total,
                      np);
    }
    struct mvt_layer *layer = mvt_layer_new("listings", z, x, y);
    if (!layer)
        fuzz_fail("out of memory");
    if (z < CLUSTER_MAXZOOM) {
        double pad = (double)MVT_BUFFER / MVT_EXTENT, dn = (double)n;
        struct adder a = {layer, 0};
        cluster_query(ci, z, ((double)x - pad) / dn, ((double)y - pad) / dn,
                      ((double)x + 1 + pad) / dn, ((double)y + 1 + pad) / dn,
                      add_item, &a);
        if (a.rc < 0)
            fuzz_fail("adding a cluster failed: %d", a.rc);
    } else {
        for (size_t i = 0; i < np; i++) {
            struct mvt_prop props[3] = {
                {"id", NULL, i + 1},
                {"name", in[i].name, 0},
                {"category", cats[in[i].cat], 0},
            };
            if (mvt_layer_add_point(layer, i + 1, in[i].lat, in[i].lon, props,
                                    3) < 0)
                fuzz_fail("adding listing %zu failed", i);
        }
    }
    encode_and_check(layer);
    mvt_layer_free(layer);
    cluster_free(ci);
    free(pts);
    free(in);
    return 0;
}
