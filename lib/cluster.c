/* cluster.c - hierarchical clustering for tiles (see cluster.h).
 *
 * Each level's items are sorted by the key of a square grid cell (row-major,
 * cells of the clustering radius of the next coarser zoom), so a tile query
 * or a neighbour search binary-searches one key range per grid row. Levels
 * are built from the finest zoom down and processed in key order, so the
 * result is the same on every run. */
#include "cluster.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "mercator.h"

#define CLUSTER_ID_BASE (1ULL << 60) /* above any listing id (53 bits) */
#define MAX_SIDE (1ULL << 26)        /* keys stay below 2^52 */

struct level {
    struct cluster_item *items; /* sorted by key */
    uint64_t *keys;
    size_t n;
    double cell;
    uint64_t side;
};

struct cluster_index {
    int max_zoom;
    struct level *levels; /* levels[z] for z < max_zoom */
};

void cluster_project(double lat, double lon, double *x, double *y)
{
    *x = merc_x(lon);
    *y = merc_y(fmax(-85.05, fmin(85.05, lat)));
}

static uint64_t coord(double v, const struct level *l)
{
    double c = floor(v / l->cell);
    if (c < 0)
        return 0;
    if (c >= (double)l->side)
        return l->side - 1;
    return (uint64_t)c;
}

static uint64_t key_of(const struct level *l, double x, double y)
{
    return coord(y, l) * l->side + coord(x, l);
}

struct keyed {
    uint64_t key, id;
    size_t pos;
};

static int cmp_keyed(const void *a, const void *b)
{
    const struct keyed *p = a, *q = b;
    if (p->key != q->key)
        return p->key < q->key ? -1 : 1;
    /* Then by id, so the clusters depend on the points alone, not on the
     * order a program happened to read them in. */
    return (p->id > q->id) - (p->id < q->id);
}

/* Sort the level's items by the cells of size 'cell'. */
static int sort_level(struct level *l, double cell)
{
    l->cell = cell;
    double side = ceil(1.0 / cell);
    l->side = side > (double)MAX_SIDE ? MAX_SIDE : (uint64_t)side;
    if (l->side == MAX_SIDE)
        l->cell = 1.0 / (double)MAX_SIDE;
    struct keyed *k = malloc((l->n ? l->n : 1) * sizeof *k);
    struct cluster_item *sorted = malloc((l->n ? l->n : 1) * sizeof *sorted);
    l->keys = malloc((l->n ? l->n : 1) * sizeof *l->keys);
    if (!k || !sorted || !l->keys) {
        free(k);
        free(sorted);
        return ERR_NOMEM;
    }
    for (size_t i = 0; i < l->n; i++)
        k[i] = (struct keyed){key_of(l, l->items[i].x, l->items[i].y),
                              l->items[i].id, i};
    qsort(k, l->n, sizeof *k, cmp_keyed);
    for (size_t i = 0; i < l->n; i++) {
        sorted[i] = l->items[k[i].pos];
        l->keys[i] = k[i].key;
    }
    free(l->items);
    free(k);
    l->items = sorted;
    return 0;
}

static size_t lower_bound(const uint64_t *keys, size_t n, uint64_t k)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (keys[mid] < k)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Indices [*lo, *hi) of the items in row 'row', columns c0..c1. */
static void row_range(const struct level *l, uint64_t row, uint64_t c0,
                      uint64_t c1, size_t *lo, size_t *hi)
{
    *lo = lower_bound(l->keys, l->n, row * l->side + c0);
    *hi = lower_bound(l->keys, l->n, row * l->side + c1 + 1);
}

/* Build level z (radius r) from the finer items 'src' (sorted by cells of
 * size r). */
static int merge_level(const struct level *src, double r, int z,
                       struct level *out)
{
    char *done = calloc(src->n ? src->n : 1, 1);
    out->items = malloc((src->n ? src->n : 1) * sizeof *out->items);
    out->n = 0;
    if (!done || !out->items) {
        free(done);
        return ERR_NOMEM;
    }
    for (size_t i = 0; i < src->n; i++) {
        if (done[i])
            continue;
        done[i] = 1;
        struct cluster_item acc = src->items[i];
        double wx = acc.x * acc.count, wy = acc.y * acc.count;
        bool merged = false;
        uint64_t cx = coord(acc.x, src), cy = coord(acc.y, src);
        for (uint64_t row = cy ? cy - 1 : 0; row <= cy + 1 && row < src->side;
             row++) {
            size_t lo, hi;
            row_range(src, row, cx ? cx - 1 : 0,
                      cx + 1 < src->side ? cx + 1 : cx, &lo, &hi);
            for (size_t j = lo; j < hi; j++) {
                const struct cluster_item *o = &src->items[j];
                double dx = o->x - src->items[i].x, dy = o->y - src->items[i].y;
                if (done[j] || dx * dx + dy * dy > r * r)
                    continue;
                done[j] = 1;
                merged = true;
                wx += o->x * o->count;
                wy += o->y * o->count;
                acc.count += o->count;
                for (int c = 0; c < CLUSTER_MAX_CATS; c++)
                    acc.cats[c] += o->cats[c];
            }
        }
        if (merged) {
            acc.x = wx / acc.count;
            acc.y = wy / acc.count;
            acc.id = CLUSTER_ID_BASE | ((uint64_t)z << 40) | out->n;
        }
        out->items[out->n++] = acc;
    }
    free(done);
    return 0;
}

static double radius_at(double radius, double tile_px, int z)
{
    return radius / (tile_px * (double)(1ULL << z));
}

int cluster_build(const struct cluster_point *pts, size_t n, int max_zoom,
                  double radius, double tile_px, struct cluster_index **out)
{
    struct cluster_index *c = calloc(1, sizeof *c);
    struct level finest = {0};
    int rc = ERR_NOMEM;
    *out = NULL;
    if (!c || !(c->levels = calloc((size_t)(max_zoom > 0 ? max_zoom : 1),
                                   sizeof *c->levels)))
        goto fail;
    c->max_zoom = max_zoom;
    finest.items = calloc(n ? n : 1, sizeof *finest.items);
    if (!finest.items)
        goto fail;
    finest.n = n;
    for (size_t i = 0; i < n; i++) {
        finest.items[i].x = pts[i].x;
        finest.items[i].y = pts[i].y;
        finest.items[i].id = pts[i].id;
        finest.items[i].count = 1;
        finest.items[i].cats[pts[i].cat % CLUSTER_MAX_CATS] = 1;
    }
    const struct level *src = &finest;
    for (int z = max_zoom - 1; z >= 0; z--) {
        double r = radius_at(radius, tile_px, z);
        struct level *dst = &c->levels[z];
        /* The finer level is searched with cells of this zoom's radius. */
        if (z == max_zoom - 1 && (rc = sort_level(&finest, r)) < 0)
            goto fail;
        if ((rc = merge_level(src, r, z, dst)) < 0)
            goto fail;
        /* Sorted for the next coarser merge (and for tile queries). */
        if ((rc = sort_level(dst, z > 0 ? radius_at(radius, tile_px, z - 1)
                                        : 2 * r)) < 0)
            goto fail;
        src = dst;
    }
    free(finest.items);
    free(finest.keys);
    *out = c;
    return 0;
fail:
    free(finest.items);
    free(finest.keys);
    cluster_free(c);
    return rc < 0 ? rc : ERR_NOMEM;
}

void cluster_free(struct cluster_index *c)
{
    if (!c)
        return;
    for (int z = 0; c->levels && z < c->max_zoom; z++) {
        free(c->levels[z].items);
        free(c->levels[z].keys);
    }
    free(c->levels);
    free(c);
}

size_t cluster_query(const struct cluster_index *c, int z, double x0, double y0,
                     double x1, double y1,
                     void (*fn)(const struct cluster_item *, void *), void *arg)
{
    if (z < 0 || z >= c->max_zoom)
        return 0;
    const struct level *l = &c->levels[z];
    size_t count = 0;
    uint64_t cx0 = coord(x0, l), cx1 = coord(x1, l);
    for (uint64_t row = coord(y0, l); row <= coord(y1, l); row++) {
        size_t lo, hi;
        row_range(l, row, cx0, cx1, &lo, &hi);
        for (size_t i = lo; i < hi; i++) {
            const struct cluster_item *it = &l->items[i];
            if (it->x < x0 || it->x >= x1 || it->y < y0 || it->y >= y1)
                continue;
            fn(it, arg);
            count++;
        }
    }
    return count;
}
