/* mvt.c - vector tile encoding (see mvt.h).
 *
 * Geometry follows MVT 2.1 section 4.3: a point is MoveTo(1) then the
 * zigzag-encoded pixel position; a line is MoveTo(1) LineTo(n-1), a ring
 * the same followed by ClosePath, each position a delta from the last. Keys and
 * values are stored once per layer and features refer to them by index
 * (section 4.4). */
#include "mvt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "hmap.h"
#include "mercator.h"
#include "text.h"
#include "vec.h"
#include "vector_tile.pb-c.h"

#define MAX_KEYS 16

bool mvt_tile_valid(int z, long x, long y)
{
    if (z < 0 || z > MVT_MAX_ZOOM)
        return false;
    long n = 1L << z;
    return x >= 0 && y >= 0 && x < n && y < n;
}

void mvt_tile_bounds(int z, long x, long y, int buffer, struct mvt_bounds *b)
{
    double n = (double)(1L << z), pad = (double)buffer / MVT_EXTENT;
    b->min_lon = merc_lon(((double)x - pad) / n);
    b->max_lon = merc_lon(((double)x + 1 + pad) / n);
    b->max_lat = merc_lat(((double)y - pad) / n);
    b->min_lat = merc_lat(((double)y + 1 + pad) / n);
}

struct mvt_layer {
    int z;
    long x, y;
    VectorTile__Tile__Layer pb;
    char *keys[MAX_KEYS];
    size_t nkeys;
    VectorTile__Tile__Feature **features;
    size_t nfeatures, cap_features;
    VectorTile__Tile__Value **values;
    size_t nvalues, cap_values;
    struct hmap index; /* a value's hash -> its index in values, +1 */
};

struct mvt_layer *mvt_layer_new(const char *name, int z, long x, long y)
{
    struct mvt_layer *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    vector_tile__tile__layer__init(&l->pb);
    l->pb.name = strdup(name);
    l->z = z;
    l->x = x;
    l->y = y;
    if (!l->pb.name) {
        free(l);
        return NULL;
    }
    return l;
}

void mvt_layer_free(struct mvt_layer *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->nfeatures; i++) {
        free(l->features[i]->tags);
        free(l->features[i]->geometry);
        free(l->features[i]);
    }
    for (size_t i = 0; i < l->nvalues; i++) {
        free(l->values[i]->string_value);
        free(l->values[i]);
    }
    for (size_t i = 0; i < l->nkeys; i++)
        free(l->keys[i]);
    free(l->features);
    free(l->values);
    hmap_free(&l->index);
    free(l->pb.name);
    free(l);
}

size_t mvt_layer_count(const struct mvt_layer *l)
{
    return l->nfeatures;
}

static long key_index(struct mvt_layer *l, const char *key)
{
    for (size_t i = 0; i < l->nkeys; i++)
        if (strcmp(l->keys[i], key) == 0)
            return (long)i;
    if (l->nkeys == MAX_KEYS || !(l->keys[l->nkeys] = strdup(key)))
        return -1;
    return (long)l->nkeys++;
}

static bool same_value(const VectorTile__Tile__Value *v,
                       const struct mvt_prop *p)
{
    if (p->str)
        return v->string_value && strcmp(v->string_value, p->str) == 0;
    return v->has_uint_value && v->uint_value == p->uint;
}

static long value_index(struct mvt_layer *l, const struct mvt_prop *p)
{
    uint64_t h = p->str ? text_hash(TEXT_HASH_INIT, p->str, strlen(p->str))
                        : text_hash(7, &p->uint, sizeof p->uint);
    for (size_t k = hmap_first(&l->index, h); k != HMAP_END;
         k = hmap_next(&l->index, h, k)) {
        size_t i = (size_t)l->index.slots[k].value - 1;
        if (same_value(l->values[i], p))
            return (long)i;
    }
    if (vec_reserve((void **)&l->values, &l->cap_values, l->nvalues + 1,
                    sizeof *l->values) < 0)
        return -1;
    VectorTile__Tile__Value *v = malloc(sizeof *v);
    if (!v)
        return -1;
    vector_tile__tile__value__init(v);
    if (p->str) {
        if (!(v->string_value = strdup(p->str))) {
            free(v);
            return -1;
        }
    } else {
        v->has_uint_value = 1;
        v->uint_value = p->uint;
    }
    if (hmap_add(&l->index, h, l->nvalues + 1) < 0) {
        free(v->string_value);
        free(v);
        return -1;
    }
    l->values[l->nvalues++] = v;
    return (long)l->nvalues - 1;
}

static uint32_t zigzag(int32_t n)
{
    return ((uint32_t)n << 1) ^ (uint32_t)(n >> 31);
}

/* Append a feature of 'type' with geometry geom[0..ngeom), which it takes
 * (freed on failure too), and the properties. Returns 0 or ERR_NOMEM. */
static int add_feature(struct mvt_layer *l, uint64_t id, bool has_id,
                       VectorTile__Tile__GeomType type, uint32_t *geom,
                       size_t ngeom, const struct mvt_prop *props, int nprops)
{
    if (vec_reserve((void **)&l->features, &l->cap_features, l->nfeatures + 1,
                    sizeof *l->features) < 0) {
        free(geom);
        return ERR_NOMEM;
    }
    VectorTile__Tile__Feature *f = calloc(1, sizeof *f);
    uint32_t *tags = malloc((size_t)(2 * (nprops ? nprops : 1)) * sizeof *tags);
    if (!f || !geom || !tags)
        goto nomem;
    vector_tile__tile__feature__init(f);
    f->has_id = has_id;
    f->id = id;
    f->has_type = 1;
    f->type = type;
    f->geometry = geom;
    f->n_geometry = ngeom;
    size_t nt = 0;
    for (int i = 0; i < nprops; i++) {
        if (!props[i].key)
            continue;
        long k = key_index(l, props[i].key), v = value_index(l, &props[i]);
        if (k < 0 || v < 0)
            goto nomem;
        tags[nt++] = (uint32_t)k;
        tags[nt++] = (uint32_t)v;
    }
    f->tags = tags;
    f->n_tags = nt;
    l->features[l->nfeatures++] = f;
    return 0;
nomem:
    free(f);
    free(geom);
    free(tags);
    return ERR_NOMEM;
}

int mvt_layer_add_point(struct mvt_layer *l, uint64_t id, double lat,
                        double lon, const struct mvt_prop *props, int nprops)
{
    /* Web Mercator pixel of the point in this tile (EPSG:3857). */
    double n = (double)(1L << l->z);
    double fx = merc_x(lon) * n - (double)l->x;
    double fy = merc_y(lat) * n - (double)l->y;
    long px = lround(fx * MVT_EXTENT), py = lround(fy * MVT_EXTENT);
    if (px < -MVT_BUFFER || py < -MVT_BUFFER || px > MVT_EXTENT + MVT_BUFFER ||
        py > MVT_EXTENT + MVT_BUFFER)
        return 0;
    uint32_t *geom = malloc(3 * sizeof *geom);
    if (geom) {
        geom[0] = (1 << 3) | 1; /* MoveTo, count 1 */
        geom[1] = zigzag((int32_t)px);
        geom[2] = zigzag((int32_t)py);
    }
    return add_feature(l, id, true, VECTOR_TILE__TILE__GEOM_TYPE__POINT, geom,
                       3, props, nprops);
}

/* ---- lines and polygons (MVT 2.1 sections 4.3.4.3 and 4.3.4.4) ---- */

enum { CMD_MOVE_TO = 1, CMD_LINE_TO = 2, CMD_CLOSE_PATH = 7 };
/* Far beyond any tile and its buffer, yet clear of int32 overflow in the
 * deltas: a caller's bad coordinate cannot wrap around. */
#define COORD_LIMIT (1L << 28)

/* A geometry being encoded: command integers and the cursor, which
 * carries over from one path to the next (section 4.3.3.2). */
struct geom_out {
    uint32_t *v;
    size_t n, cap;
    int32_t cx, cy;
    bool oom;
};

static void geom_push(struct geom_out *g, uint32_t v)
{
    if (g->oom)
        return;
    if (vec_reserve((void **)&g->v, &g->cap, g->n + 1, sizeof *g->v) < 0) {
        g->oom = true;
        return;
    }
    g->v[g->n++] = v;
}

static uint32_t command(int id, size_t count)
{
    return (uint32_t)((count << 3) | (size_t)id);
}

/* Round path 'p' to the pixel grid into pts (2 * p->n ints), dropping
 * repeated points and, for a ring, a last point equal to the first.
 * Returns the number of points kept. */
static size_t quantize(const struct mvt_path *p, bool ring, int32_t *pts)
{
    size_t k = 0;
    for (size_t i = 0; i < p->n; i++) {
        double x = p->xy[2 * i], y = p->xy[2 * i + 1];
        if (!(x > -COORD_LIMIT && x < COORD_LIMIT && y > -COORD_LIMIT &&
              y < COORD_LIMIT)) /* also catches NaN */
            continue;
        int32_t px = (int32_t)lround(x), py = (int32_t)lround(y);
        if (k && pts[2 * k - 2] == px && pts[2 * k - 1] == py)
            continue;
        pts[2 * k] = px;
        pts[2 * k + 1] = py;
        k++;
    }
    while (ring && k > 1 && pts[0] == pts[2 * k - 2] &&
           pts[1] == pts[2 * k - 1])
        k--;
    return k;
}

/* Twice the surveyor's-formula area of ring pts[0..n), in tile
 * coordinates: positive for a clockwise ring when y points down. */
static int64_t ring_area2(const int32_t *pts, size_t n)
{
    int64_t a = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = (i + 1) % n;
        a += (int64_t)pts[2 * i] * pts[2 * j + 1] -
             (int64_t)pts[2 * j] * pts[2 * i + 1];
    }
    return a;
}

static void reverse(int32_t *pts, size_t n)
{
    for (size_t i = 0, j = n - 1; i < j; i++, j--) {
        int32_t x = pts[2 * i], y = pts[2 * i + 1];
        pts[2 * i] = pts[2 * j];
        pts[2 * i + 1] = pts[2 * j + 1];
        pts[2 * j] = x;
        pts[2 * j + 1] = y;
    }
}

/* MoveTo the first point, LineTo the others, ClosePath for a ring. */
static void encode_path(struct geom_out *g, const int32_t *pts, size_t n,
                        bool ring)
{
    for (size_t i = 0; i < n; i++) {
        if (i == 0)
            geom_push(g, command(CMD_MOVE_TO, 1));
        else if (i == 1)
            geom_push(g, command(CMD_LINE_TO, n - 1));
        geom_push(g, zigzag(pts[2 * i] - g->cx));
        geom_push(g, zigzag(pts[2 * i + 1] - g->cy));
        g->cx = pts[2 * i];
        g->cy = pts[2 * i + 1];
    }
    if (ring)
        geom_push(g, command(CMD_CLOSE_PATH, 1));
}

static int add_paths(struct mvt_layer *l, uint64_t id, bool polygon,
                     const struct mvt_path *paths, size_t npaths,
                     const struct mvt_prop *props, int nprops)
{
    struct geom_out g = {0};
    size_t most = 0;
    for (size_t i = 0; i < npaths; i++)
        most = paths[i].n > most ? paths[i].n : most;
    int32_t *pts = malloc(2 * (most ? most : 1) * sizeof *pts);
    if (!pts)
        return ERR_NOMEM;
    bool skip_holes = false;
    for (size_t i = 0; i < npaths; i++) {
        bool outer = i == 0 || paths[i].outer;
        size_t n = quantize(&paths[i], polygon, pts);
        if (!polygon) {
            if (n >= 2)
                encode_path(&g, pts, n, false);
            continue;
        }
        if (!outer && skip_holes)
            continue;
        int64_t a = n >= 3 ? ring_area2(pts, n) : 0;
        if (a == 0) { /* collapsed on the grid */
            skip_holes = outer;
            continue;
        }
        skip_holes = false;
        /* Reversed after the first point, so the ring still starts
         * where the caller started it. */
        if ((a > 0) != outer)
            reverse(pts + 2, n - 1);
        encode_path(&g, pts, n, true);
    }
    free(pts);
    if (g.oom) {
        free(g.v);
        return ERR_NOMEM;
    }
    if (g.n == 0)
        return 0;
    return add_feature(l, id, true,
                       polygon ? VECTOR_TILE__TILE__GEOM_TYPE__POLYGON
                               : VECTOR_TILE__TILE__GEOM_TYPE__LINESTRING,
                       g.v, g.n, props, nprops);
}

int mvt_layer_add_lines(struct mvt_layer *l, uint64_t id,
                        const struct mvt_path *paths, size_t npaths,
                        const struct mvt_prop *props, int nprops)
{
    return add_paths(l, id, false, paths, npaths, props, nprops);
}

int mvt_layer_add_polygon(struct mvt_layer *l, uint64_t id,
                          const struct mvt_path *rings, size_t nrings,
                          const struct mvt_prop *props, int nprops)
{
    return add_paths(l, id, true, rings, nrings, props, nprops);
}

int mvt_encode(struct mvt_layer *const *layers, int nlayers, uint8_t **out,
               size_t *len)
{
    VectorTile__Tile tile = VECTOR_TILE__TILE__INIT;
    VectorTile__Tile__Layer **pl = calloc((size_t)nlayers, sizeof *pl);
    *out = NULL;
    *len = 0;
    if (!pl)
        return ERR_NOMEM;
    for (int i = 0; i < nlayers; i++) {
        struct mvt_layer *l = layers[i];
        l->pb.version = 2;
        l->pb.has_extent = 1;
        l->pb.extent = MVT_EXTENT;
        l->pb.features = l->features;
        l->pb.n_features = l->nfeatures;
        l->pb.keys = l->keys;
        l->pb.n_keys = l->nkeys;
        l->pb.values = l->values;
        l->pb.n_values = l->nvalues;
        pl[i] = &l->pb;
    }
    tile.layers = pl;
    tile.n_layers = (size_t)nlayers;
    size_t n = vector_tile__tile__get_packed_size(&tile);
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf) {
        free(pl);
        return ERR_NOMEM;
    }
    *len = vector_tile__tile__pack(&tile, buf);
    *out = buf;
    free(pl);
    return 0;
}
