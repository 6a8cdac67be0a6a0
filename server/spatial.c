/* spatial.c - grid index for nearest searches (see spatial.h).
 *
 * Cells are about square on the ground in Belgium and hold four listings
 * on average. A search visits rings of cells around the point's cell and
 * keeps the k nearest in a small sorted array; it stops when the k-th is
 * nearer than anything in the next ring can be. */
#include "spatial.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "err.h"
#include "geo.h"
#include "store.h"
#include "tileset.h"

#define MAX_CATEGORIES CLUSTER_MAX_CATS
#define METRES_PER_DEGREE 111195.0
#define PER_CELL 4.0

struct point {
    double lat, lon;
    int64_t id;
    int16_t age_min, age_max; /* -1: not given */
    uint8_t cat;
};

struct spatial {
    long long version;
    int refs;
    size_t n;
    struct point *pts; /* sorted by cell */
    uint32_t *start;   /* cell c holds pts[start[c] .. start[c+1]) */
    double lat0, lon0, step_lat, step_lon, cell_m;
    long w, h;
    struct tileset_cats cats; /* numbered as every tile builder does */
    pthread_mutex_t cluster_lock;
    struct cluster_index *clusters;
    int cluster_zoom;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct spatial *current;

static void spatial_free(struct spatial *sp)
{
    if (!sp)
        return;
    cluster_free(sp->clusters);
    pthread_mutex_destroy(&sp->cluster_lock);
    free(sp->pts);
    free(sp->start);
    free(sp);
}

void spatial_release(struct spatial *sp)
{
    if (!sp)
        return;
    pthread_mutex_lock(&lock);
    bool last = --sp->refs == 0;
    pthread_mutex_unlock(&lock);
    if (last)
        spatial_free(sp);
}

void spatial_shutdown(void)
{
    pthread_mutex_lock(&lock);
    struct spatial *sp = current;
    current = NULL;
    pthread_mutex_unlock(&lock);
    spatial_release(sp);
}

static int category_index(struct spatial *sp, const char *slug)
{
    return tileset_cat_index(&sp->cats, slug);
}

/* Number the categories in slug order, as the exporter does, so cluster
 * counts come out the same whatever order listings are read in. */
static int seed_categories(struct spatial *sp, struct store *s)
{
    sqlite3_stmt *st =
        store_prepare(s, "SELECT slug FROM categories ORDER BY slug");
    if (!st)
        return ERR_DB;
    while (sqlite3_step(st) == SQLITE_ROW)
        category_index(sp, (const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return 0;
}

static long cell_of(const struct spatial *sp, double lat, double lon, long *x,
                    long *y)
{
    *x = (long)floor((lon - sp->lon0) / sp->step_lon);
    *y = (long)floor((lat - sp->lat0) / sp->step_lat);
    if (*x < 0 || *y < 0 || *x >= sp->w || *y >= sp->h)
        return -1;
    return *y * sp->w + *x;
}

static int cmp_cell(const void *a, const void *b, void *arg)
{
    const struct spatial *sp = arg;
    const struct point *p = a, *q = b;
    long x, y;
    long ca = cell_of(sp, p->lat, p->lon, &x, &y);
    long cb = cell_of(sp, q->lat, q->lon, &x, &y);
    if (ca != cb)
        return (ca > cb) - (ca < cb);
    return (p->id > q->id) - (p->id < q->id); /* same order every build */
}

/* Read every positioned listing of the snapshot and grid them. */
static struct spatial *build(struct store *s)
{
    static const char sql[] = "SELECT id, lat, lon, category, age_min, age_max"
                              " FROM listings WHERE lat IS NOT NULL";
    struct spatial *sp = calloc(1, sizeof *sp);
    sqlite3_stmt *st = store_prepare(s, sql);
    size_t cap = 1024;
    if (sp)
        pthread_mutex_init(&sp->cluster_lock, NULL);
    if (!sp || !st || !(sp->pts = malloc(cap * sizeof *sp->pts)) ||
        seed_categories(sp, s) < 0)
        goto fail;
    double min_lat = 90, max_lat = -90, min_lon = 180, max_lon = -180;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (sp->n == cap) {
            cap *= 2;
            struct point *p = realloc(sp->pts, cap * sizeof *p);
            if (!p)
                goto fail;
            sp->pts = p;
        }
        struct point *p = &sp->pts[sp->n++];
        p->id = sqlite3_column_int64(st, 0);
        p->lat = sqlite3_column_double(st, 1);
        p->lon = sqlite3_column_double(st, 2);
        p->cat = (uint8_t)category_index(
            sp, (const char *)sqlite3_column_text(st, 3));
        p->age_min = sqlite3_column_type(st, 4) == SQLITE_NULL
                         ? -1
                         : (int16_t)sqlite3_column_int(st, 4);
        p->age_max = sqlite3_column_type(st, 5) == SQLITE_NULL
                         ? -1
                         : (int16_t)sqlite3_column_int(st, 5);
        min_lat = fmin(min_lat, p->lat);
        max_lat = fmax(max_lat, p->lat);
        min_lon = fmin(min_lon, p->lon);
        max_lon = fmax(max_lon, p->lon);
    }
    sqlite3_reset(st);
    sp->version = store_data_version(s);
    if (sp->n == 0) {
        min_lat = max_lat = 50.5;
        min_lon = max_lon = 4.5;
    }
    /* Square cells on the ground at the northern edge (where degrees of
     * longitude are shortest), sized for PER_CELL listings on average. */
    double kx = cos(fmax(fabs(min_lat), fabs(max_lat)) * M_PI / 180);
    double area = (max_lat - min_lat + 1e-3) * (max_lon - min_lon + 1e-3) * kx;
    double step = sqrt(area * PER_CELL / (double)(sp->n ? sp->n : 1));
    step = fmin(0.5, fmax(0.002, step));
    sp->step_lat = step;
    sp->step_lon = step / kx;
    sp->cell_m = step * METRES_PER_DEGREE;
    sp->lat0 = min_lat;
    sp->lon0 = min_lon;
    sp->w = (long)((max_lon - min_lon) / sp->step_lon) + 1;
    sp->h = (long)((max_lat - min_lat) / sp->step_lat) + 1;
    size_t ncells = (size_t)(sp->w * sp->h);
    sp->start = calloc(ncells + 1, sizeof *sp->start);
    if (!sp->start)
        goto fail;
    qsort_r(sp->pts, sp->n, sizeof *sp->pts, cmp_cell, sp);
    for (size_t i = 0; i < sp->n; i++) {
        long x, y;
        sp->start[cell_of(sp, sp->pts[i].lat, sp->pts[i].lon, &x, &y) + 1]++;
    }
    for (size_t c = 0; c < ncells; c++)
        sp->start[c + 1] += sp->start[c];
    return sp;
fail:
    if (st)
        sqlite3_reset(st);
    spatial_free(sp);
    return NULL;
}

struct spatial *spatial_acquire(struct store *s)
{
    long long v = store_data_version(s);
    pthread_mutex_lock(&lock);
    if (!current || current->version != v) {
        /* Built under the lock: requests of the new version wait for it
         * (milliseconds for the directory, half a second for a million
         * listings) rather than each building their own. */
        struct spatial *sp = build(s);
        if (sp) {
            sp->refs = 1; /* the reference held by 'current' */
            struct spatial *old = current;
            current = sp;
            if (old && --old->refs == 0)
                spatial_free(old);
        }
    }
    struct spatial *sp = current && current->version == v ? current : NULL;
    if (sp)
        sp->refs++;
    pthread_mutex_unlock(&lock);
    return sp;
}

static bool matches(const struct spatial *sp, const struct spatial_query *q,
                    const struct point *p)
{
    if (q->categories) {
        char key[40];
        snprintf(key, sizeof key, ",%s,", sp->cats.slug[p->cat]);
        if (!strstr(q->categories, key))
            return false;
    }
    if (q->age >= 0 && ((p->age_min >= 0 && p->age_min > q->age) ||
                        (p->age_max >= 0 && p->age_max < q->age)))
        return false;
    return true;
}

/* Insert into the sorted top-k array (k small: insertion is fastest). */
static void keep(struct spatial_hit *top, long *n, long k, int64_t id, double d)
{
    if (*n == k && d >= top[k - 1].d)
        return;
    long i = *n < k ? (*n)++ : k - 1;
    while (i > 0 &&
           (top[i - 1].d > d || (top[i - 1].d == d && top[i - 1].id > id))) {
        top[i] = top[i - 1];
        i--;
    }
    top[i].id = id;
    top[i].d = d;
}

static void visit_cell(const struct spatial *sp, const struct spatial_query *q,
                       long x, long y, struct spatial_hit *top, long *n)
{
    if (x < 0 || y < 0 || x >= sp->w || y >= sp->h)
        return;
    long c = y * sp->w + x;
    for (uint32_t i = sp->start[c]; i < sp->start[c + 1]; i++) {
        const struct point *p = &sp->pts[i];
        if (!matches(sp, q, p))
            continue;
        double d = geo_distance_m(q->lat, q->lon, p->lat, p->lon);
        if (d <= q->max_m)
            keep(top, n, q->limit, p->id, d);
    }
}

const struct cluster_index *spatial_clusters(struct spatial *sp, int max_zoom)
{
    pthread_mutex_lock(&sp->cluster_lock);
    if (!sp->clusters || sp->cluster_zoom != max_zoom) {
        struct cluster_point *pts = malloc((sp->n ? sp->n : 1) * sizeof *pts);
        struct cluster_index *c = NULL;
        if (pts) {
            for (size_t i = 0; i < sp->n; i++) {
                cluster_project(sp->pts[i].lat, sp->pts[i].lon, &pts[i].x,
                                &pts[i].y);
                pts[i].id = (uint64_t)sp->pts[i].id;
                pts[i].cat = sp->pts[i].cat;
            }
            /* The grid's order (by cell, then as read) is the same for
             * every build of the same data, and so are the clusters. */
            if (cluster_build(pts, sp->n, max_zoom, TILESET_CLUSTER_RADIUS,
                              TILESET_CLUSTER_TILE, &c) == 0) {
                cluster_free(sp->clusters);
                sp->clusters = c;
                sp->cluster_zoom = max_zoom;
            }
            free(pts);
        }
    }
    const struct cluster_index *c = sp->clusters;
    pthread_mutex_unlock(&sp->cluster_lock);
    return c;
}

const struct tileset_cats *spatial_cats(const struct spatial *sp)
{
    return &sp->cats;
}

long spatial_nearest(const struct spatial *sp, const struct spatial_query *q,
                     struct spatial_hit *out)
{
    long n = 0, qx, qy;
    cell_of(sp, q->lat, q->lon, &qx, &qy);
    /* A cell's narrowest side, seen from the query: longitude degrees
     * shrink northwards, and the query may lie north of the grid. */
    double top = sp->lat0 + (double)sp->h * sp->step_lat;
    double k = cos(fmin(89.0, fmax(fabs(q->lat), fabs(top))) * M_PI / 180);
    double cell_m = fmin(sp->cell_m, sp->step_lon * METRES_PER_DEGREE * k);
    /* Rings beyond this one lie outside the grid altogether. */
    long far = labs(qx) + labs(qy) + sp->w + sp->h;
    for (long r = 0; r <= far; r++) {
        /* Everything in ring r+1 or beyond is at least r cell widths away
         * (cells are at least cell_m wide everywhere in the grid). */
        if (r > 0 && (double)(r - 1) * cell_m > q->max_m)
            break;
        if (r == 0) {
            visit_cell(sp, q, qx, qy, out, &n);
        } else {
            for (long x = qx - r; x <= qx + r; x++) {
                visit_cell(sp, q, x, qy - r, out, &n);
                visit_cell(sp, q, x, qy + r, out, &n);
            }
            for (long y = qy - r + 1; y <= qy + r - 1; y++) {
                visit_cell(sp, q, qx - r, y, out, &n);
                visit_cell(sp, q, qx + r, y, out, &n);
            }
        }
        if (n == q->limit && out[n - 1].d <= (double)r * cell_m)
            break;
    }
    return n;
}
