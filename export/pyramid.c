/* pyramid.c - the tiles of a zoom range (see pyramid.h).
 *
 * For each zoom, every feature of that zoom (a cluster or a listing) is
 * entered once per tile whose buffer it may reach (at most four: its own
 * tile and the neighbours across a near edge). Sorting the entries by
 * tile id groups each tile's features; the encoder keeps exactly those
 * within the tile and its buffer, as it does for the live server. */
#include "pyramid.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "basemap.h"
#include "err.h"
#include "gz.h"
#include "mvt.h"
#include "vec.h"

struct entry {
    uint64_t tile_id;
    uint32_t tx, ty;
    uint32_t item;
};

struct zoom_items {
    struct tileset_feature *v;
    size_t n, cap;
    bool oom;
};

static int cmp_entry(const void *a, const void *b)
{
    const struct entry *p = a, *q = b;
    if (p->tile_id != q->tile_id)
        return p->tile_id < q->tile_id ? -1 : 1;
    return (p->item > q->item) - (p->item < q->item);
}

static void collect(const struct cluster_item *it, void *arg)
{
    struct zoom_items *zi = arg;
    if (vec_reserve((void **)&zi->v, &zi->cap, zi->n + 1, sizeof *zi->v) < 0) {
        zi->oom = true;
        return;
    }
    tileset_from_cluster(it, &zi->v[zi->n++]);
}

static void from_listing(const struct source_listing *l,
                         struct tileset_feature *f)
{
    memset(f, 0, sizeof *f);
    f->id = l->id;
    f->lat = l->lat;
    f->lon = l->lon;
    f->count = 1;
    f->name = l->name;
    f->category = l->category;
    f->commune = l->commune;
    f->approx = l->approx;
}

/* The features of zoom z: the clusters of that zoom (a lone listing gets
 * its properties from the source), or every listing. */
static int zoom_features(const struct source *src,
                         const struct cluster_index *ci, int z, int cmz,
                         struct zoom_items *zi)
{
    zi->n = 0;
    if (z < cmz) {
        cluster_query(ci, z, -1, -1, 2, 2, collect, zi);
        if (zi->oom)
            return ERR_NOMEM;
        for (size_t i = 0; i < zi->n; i++) {
            if (zi->v[i].count != 1)
                continue;
            const struct source_listing *l = source_find(src, zi->v[i].id);
            if (l)
                from_listing(l, &zi->v[i]);
        }
        return 0;
    }
    if (zi->cap < src->n) {
        void *v = realloc(zi->v, (src->n ? src->n : 1) * sizeof *zi->v);
        if (!v)
            return ERR_NOMEM;
        zi->v = v;
        zi->cap = src->n;
    }
    for (size_t i = 0; i < src->n; i++)
        from_listing(&src->v[i], &zi->v[i]);
    zi->n = src->n;
    return 0;
}

/* The columns (or rows: the window is the same on both axes) c of zoom z,
 * among t-1..t+1, whose window holds the coordinate m. */
static void span(double m, long t, int z, long out[2])
{
    out[0] = out[1] = t;
    for (long c = t - 1; c <= t + 1; c++) {
        double a0, b0, a1, b1;
        tileset_window(z, c, c, &a0, &b0, &a1, &b1);
        if (m >= a0 && m < a1) {
            out[0] = c < out[0] ? c : out[0];
            out[1] = c > out[1] ? c : out[1];
        }
    }
}

/* Entries (tile, feature) for every tile whose window holds the feature:
 * the same windows the server queries (tileset_window). */
static int tile_entries(const struct zoom_items *zi, int z, struct entry **out,
                        size_t *nout)
{
    double n = (double)(1L << z);
    long max = (1L << z) - 1;
    struct entry *e = malloc((zi->n ? zi->n : 1) * 4 * sizeof *e);
    size_t k = 0;
    if (!e)
        return ERR_NOMEM;
    for (size_t i = 0; i < zi->n; i++) {
        double mx, my;
        cluster_project(zi->v[i].lat, zi->v[i].lon, &mx, &my);
        long tx = (long)floor(mx * n), ty = (long)floor(my * n);
        long xs[2], ys[2];
        span(mx, tx, z, xs);
        span(my, ty, z, ys);
        for (long cy = ys[0]; cy <= ys[1]; cy++)
            for (long cx = xs[0]; cx <= xs[1]; cx++)
                if (cx >= 0 && cy >= 0 && cx <= max && cy <= max)
                    e[k++] = (struct entry){
                        pmtiles_tile_id(z, (uint64_t)cx, (uint64_t)cy),
                        (uint32_t)cx, (uint32_t)cy, (uint32_t)i};
    }
    qsort(e, k, sizeof *e, cmp_entry);
    *out = e;
    *nout = k;
    return 0;
}

static int gzip_tile(z_stream *zs, const uint8_t *in, size_t len, uint8_t **out,
                     size_t *cap, size_t *outlen)
{
    size_t bound = deflateBound(zs, (uLong)len) + 32;
    if (bound > *cap) {
        void *v = realloc(*out, bound);
        if (!v)
            return ERR_NOMEM;
        *out = v;
        *cap = bound;
    }
    deflateReset(zs);
    zs->next_in = (Bytef *)(uintptr_t)in;
    zs->avail_in = (uInt)len;
    zs->next_out = *out;
    zs->avail_out = (uInt)*cap;
    if (deflate(zs, Z_FINISH) != Z_STREAM_END)
        return ERR_NOMEM;
    *outlen = zs->total_out;
    return 0;
}

struct work {
    struct tileset_feature *scratch;
    size_t scratch_cap;
    uint8_t *gz;
    size_t gz_cap;
    z_stream zs;
};

/* Compress a tile, hand it to the sink and count it. */
static int put_tile(struct work *w, int z, long x, long y, const uint8_t *raw,
                    size_t len, struct sink *sink, struct pyramid_stats *st)
{
    size_t gzlen = 0;
    int rc = gzip_tile(&w->zs, raw, len, &w->gz, &w->gz_cap, &gzlen);
    if (rc == 0)
        rc = sink->put(sink, z, x, y, w->gz, gzlen, raw, len);
    if (rc < 0)
        return rc;
    st->tiles++;
    st->bytes += gzlen;
    st->raw_bytes += len;
    if (gzlen > st->largest) {
        st->largest = gzlen;
        st->largest_z = z;
        st->largest_x = x;
        st->largest_y = y;
    }
    return 0;
}

static int emit_tile(const struct source *src, struct work *w,
                     const struct zoom_items *zi, const struct entry *e,
                     size_t cnt, int z, struct sink *sink,
                     struct pyramid_stats *st)
{
    if (cnt > w->scratch_cap) {
        void *v = realloc(w->scratch, cnt * sizeof *w->scratch);
        if (!v)
            return ERR_NOMEM;
        w->scratch = v;
        w->scratch_cap = cnt;
    }
    for (size_t i = 0; i < cnt; i++)
        w->scratch[i] = zi->v[e[i].item];
    uint8_t *raw = NULL;
    size_t len = 0;
    int rc = tileset_encode(w->scratch, cnt, &src->cats, z, e[0].tx, e[0].ty,
                            &raw, &len);
    if (rc == 0 && raw)
        rc = put_tile(w, z, e[0].tx, e[0].ty, raw, len, sink, st);
    free(raw);
    return rc;
}

/* Start a run's work: the gzip stream every tile goes through. */
static int work_init(struct work *w, char *msg, size_t msgsz)
{
    memset(w, 0, sizeof *w);
    if (gz_init(&w->zs, 6, 0) == 0)
        return 0;
    snprintf(msg, msgsz, "out of memory");
    return ERR_NOMEM;
}

/* The progress line, every 'every' tiles and at a zoom's last. */
static void progress(const struct pyramid_opts *o, int z, size_t done,
                     size_t total, size_t every)
{
    if (o->progress && (done % every == 0 || done == total))
        fprintf(stderr, "\rzoom %2d: %zu/%zu tiles", z, done, total);
}

/* End of a run: the progress line's newline, the message, the work's
 * memory. */
static void finish(const struct pyramid_opts *o, struct work *w, int rc,
                   char *msg, size_t msgsz)
{
    if (o->progress)
        fputc('\n', stderr);
    if (rc < 0)
        snprintf(msg, msgsz, "%s", err_str(rc));
    deflateEnd(&w->zs);
    free(w->scratch);
    free(w->gz);
}

int pyramid_export(const struct source *src, const struct pyramid_opts *o,
                   struct sink *sink, struct pyramid_stats *st, char *msg,
                   size_t msgsz)
{
    struct cluster_index *ci = NULL;
    struct zoom_items zi = {0};
    struct work w = {0};
    int rc = 0;
    memset(st, 0, sizeof *st);
    if (work_init(&w, msg, msgsz) < 0)
        return ERR_NOMEM;
    if (o->minzoom < o->cluster_maxzoom) {
        struct cluster_point *pts = malloc((src->n ? src->n : 1) * sizeof *pts);
        rc = pts ? 0 : ERR_NOMEM;
        for (size_t i = 0; rc == 0 && i < src->n; i++) {
            cluster_project(src->v[i].lat, src->v[i].lon, &pts[i].x, &pts[i].y);
            pts[i].id = src->v[i].id;
            pts[i].cat = src->v[i].cat;
        }
        if (rc == 0)
            rc = cluster_build(pts, src->n, o->cluster_maxzoom,
                               TILESET_CLUSTER_RADIUS, TILESET_CLUSTER_TILE,
                               &ci);
        free(pts);
    }
    for (int z = o->minzoom; rc == 0 && z <= o->maxzoom; z++) {
        struct entry *e = NULL;
        size_t ne = 0;
        rc = zoom_features(src, ci, z, o->cluster_maxzoom, &zi);
        if (rc == 0)
            rc = tile_entries(&zi, z, &e, &ne);
        size_t ntiles = 0, done = 0;
        for (size_t i = 0; rc == 0 && i < ne; i++)
            ntiles += i == 0 || e[i].tile_id != e[i - 1].tile_id;
        for (size_t i = 0; rc == 0 && i < ne;) {
            size_t j = i + 1;
            while (j < ne && e[j].tile_id == e[i].tile_id)
                j++;
            rc = emit_tile(src, &w, &zi, e + i, j - i, z, sink, st);
            i = j;
            if (o->stop && *o->stop)
                rc = ERR_INTERRUPTED;
            progress(o, z, ++done, ntiles, 256);
        }
        free(e);
    }
    finish(o, &w, rc, msg, msgsz);
    free(zi.v);
    cluster_free(ci);
    return rc;
}

/* Tiles of zoom z whose window (tile and buffer) meets 'bounds', in tile
 * id order. */
static int bounds_tiles(const double bounds[4], int z, struct entry **out,
                        size_t *nout)
{
    double x0, y0, x1, y1;
    cluster_project(bounds[3], bounds[0], &x0, &y0); /* north-west */
    cluster_project(bounds[1], bounds[2], &x1, &y1); /* south-east */
    double n = (double)(1L << z), pad = (double)MVT_BUFFER / MVT_EXTENT;
    long max = (1L << z) - 1;
    long tx0 = (long)floor(x0 * n - pad), tx1 = (long)floor(x1 * n + pad);
    long ty0 = (long)floor(y0 * n - pad), ty1 = (long)floor(y1 * n + pad);
    tx0 = tx0 < 0 ? 0 : tx0;
    ty0 = ty0 < 0 ? 0 : ty0;
    tx1 = tx1 > max ? max : tx1;
    ty1 = ty1 > max ? max : ty1;
    size_t cnt = (size_t)(tx1 - tx0 + 1) * (size_t)(ty1 - ty0 + 1), k = 0;
    struct entry *e = malloc(cnt * sizeof *e);
    if (!e)
        return ERR_NOMEM;
    for (long y = ty0; y <= ty1; y++)
        for (long x = tx0; x <= tx1; x++)
            e[k++] =
                (struct entry){pmtiles_tile_id(z, (uint64_t)x, (uint64_t)y),
                               (uint32_t)x, (uint32_t)y, 0};
    qsort(e, k, sizeof *e, cmp_entry);
    *out = e;
    *nout = k;
    return 0;
}

int pyramid_export_basemap(const struct basemap *bm,
                           const struct pyramid_opts *o, struct sink *sink,
                           struct pyramid_stats *st, char *msg, size_t msgsz)
{
    struct work w = {0};
    double b[4];
    int rc = 0;
    memset(st, 0, sizeof *st);
    basemap_bounds(bm, b);
    if (work_init(&w, msg, msgsz) < 0)
        return ERR_NOMEM;
    for (int z = o->minzoom; rc == 0 && z <= o->maxzoom; z++) {
        struct entry *e = NULL;
        size_t ne = 0;
        rc = bounds_tiles(b, z, &e, &ne);
        for (size_t i = 0; rc == 0 && i < ne; i++) {
            uint8_t *raw = NULL;
            size_t len = 0;
            rc = basemap_tile(bm, z, e[i].tx, e[i].ty, &raw, &len);
            if (rc == 0 && raw)
                rc = put_tile(&w, z, e[i].tx, e[i].ty, raw, len, sink, st);
            free(raw);
            if (o->stop && *o->stop)
                rc = ERR_INTERRUPTED;
            progress(o, z, i + 1, ne, 64);
        }
        free(e);
    }
    finish(o, &w, rc, msg, msgsz);
    return rc;
}
