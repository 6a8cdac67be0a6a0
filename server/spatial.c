/* spatial.c - in-memory index for nearest searches (see spatial.h).
 *
 * A k-d tree over (lat, lon) stored implicitly in a permutation of the
 * points (as kdbush lays it out: each range's middle element splits it,
 * alternately by latitude and longitude). Listings crowd in towns and
 * leave the countryside empty, so a uniform grid of cells was either too
 * coarse in Brussels (hundreds of distances per cell) or scanned thousands
 * of empty cells in the Ardennes; the tree adapts to both. A search keeps
 * the k nearest in a small sorted array and skips a subtree when nothing
 * in it can beat the k-th. Distances are compared by the haversine term
 * 'a' (geo_distance_m is 2R asin(sqrt(a)), increasing in a), so the
 * answer is exactly the k nearest by geo_distance_m. */
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
#define PER_CELL 4.0
#define KD_LEAF 8 /* ranges this small are scanned, not split */
#define DEG2RAD (M_PI / 180.0)

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
    struct point *pts; /* in k-d tree order (a leaf's points side by side) */
    uint32_t *kd;      /* while building: indexes of grid-ordered points;
                        * then pts[kd[g]] is the g-th in the grid's order,
                        * the clusters' input order */
    double cos_min;    /* smallest cos(lat) of any point */
    double bounds[4];  /* min lat, min lon, max lat, max lon of the points */
    double lat0, lon0, step_lat, step_lon;
    long w, h;
    struct tileset_cats cats; /* numbered as every tile builder does */
    bool cats_full;           /* a further category shares the last slot */
    double cat_bb[MAX_CATEGORIES][4]; /* min lon, min lat, max lon, max lat */
    long cat_n[MAX_CATEGORIES];
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
    free(sp->kd);
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

/* Clusters count listings per category in CLUSTER_MAX_CATS slots; the
 * last one also takes any further category. */
static int category_index(struct spatial *sp, const char *slug)
{
    bool full = sp->cats.n == MAX_CATEGORIES;
    int i = tileset_cat_index(&sp->cats, slug);
    if (full && strcmp(sp->cats.slug[i], slug) != 0)
        sp->cats_full = true;
    return i;
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

static double kd_coord(const struct spatial *sp, uint32_t i, int axis)
{
    return axis ? sp->pts[i].lon : sp->pts[i].lat;
}

/* Floyd-Rivest selection (as kdbush does): put the k-th smallest of
 * kd[lo..hi] along 'axis' at k, smaller ones before, larger after. Ties
 * are broken by index so that the layout is the same on every build. */
static bool kd_less(const struct spatial *sp, uint32_t a, uint32_t b, int axis)
{
    double ca = kd_coord(sp, a, axis), cb = kd_coord(sp, b, axis);
    return ca < cb || (ca == cb && a < b);
}

static void kd_swap(uint32_t *kd, long i, long j)
{
    uint32_t t = kd[i];
    kd[i] = kd[j];
    kd[j] = t;
}

static void kd_select(struct spatial *sp, long k, long lo, long hi, int axis)
{
    uint32_t *kd = sp->kd;
    while (hi > lo) {
        if (hi - lo > 600) {
            double n = (double)(hi - lo + 1), m = (double)(k - lo + 1);
            double z = log(n), s = 0.5 * exp(2 * z / 3);
            double sd =
                0.5 * sqrt(z * s * (n - s) / n) * (m - n / 2 < 0 ? -1 : 1);
            long nlo =
                (long)fmax((double)lo, floor((double)k - m * s / n + sd));
            long nhi =
                (long)fmin((double)hi, floor((double)k + (n - m) * s / n + sd));
            kd_select(sp, k, nlo, nhi, axis);
        }
        uint32_t t = kd[k];
        long i = lo, j = hi;
        kd_swap(kd, lo, k);
        if (kd_less(sp, t, kd[hi], axis))
            kd_swap(kd, lo, hi);
        while (i < j) {
            kd_swap(kd, i, j);
            i++, j--;
            while (kd_less(sp, kd[i], t, axis))
                i++;
            while (kd_less(sp, t, kd[j], axis))
                j--;
        }
        if (kd[lo] == t)
            kd_swap(kd, lo, j);
        else
            kd_swap(kd, ++j, hi);
        if (j <= k)
            lo = j + 1;
        if (k <= j)
            hi = j - 1;
    }
}

/* Split kd[lo..hi] at its middle along 'axis', then each half along the
 * other axis, down to KD_LEAF. */
static void kd_build(struct spatial *sp, long lo, long hi, int axis)
{
    while (hi - lo > KD_LEAF) {
        long m = lo + (hi - lo) / 2;
        kd_select(sp, m, lo, hi, axis);
        kd_build(sp, lo, m - 1, 1 - axis);
        lo = m + 1;
        axis = 1 - axis;
    }
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
        double *bb = sp->cat_bb[p->cat];
        if (sp->cat_n[p->cat]++ == 0) {
            bb[0] = bb[2] = p->lon;
            bb[1] = bb[3] = p->lat;
        }
        bb[0] = fmin(bb[0], p->lon);
        bb[1] = fmin(bb[1], p->lat);
        bb[2] = fmax(bb[2], p->lon);
        bb[3] = fmax(bb[3], p->lat);
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
    /* The points keep the order of the former grid of square cells (by
     * cell, then id): the tile clusters are built in that order, and it
     * is the same for every build of the same data. */
    double kx = cos(fmax(fabs(min_lat), fabs(max_lat)) * M_PI / 180);
    double area = (max_lat - min_lat + 1e-3) * (max_lon - min_lon + 1e-3) * kx;
    double step = sqrt(area * PER_CELL / (double)(sp->n ? sp->n : 1));
    step = fmin(0.5, fmax(0.002, step));
    sp->step_lat = step;
    sp->step_lon = step / kx;
    sp->lat0 = min_lat;
    sp->lon0 = min_lon;
    sp->w = (long)((max_lon - min_lon) / sp->step_lon) + 1;
    sp->h = (long)((max_lat - min_lat) / sp->step_lat) + 1;
    sp->cos_min = kx;
    sp->bounds[0] = min_lat;
    sp->bounds[1] = min_lon;
    sp->bounds[2] = max_lat;
    sp->bounds[3] = max_lon;
    qsort_r(sp->pts, sp->n, sizeof *sp->pts, cmp_cell, sp);
    if (!(sp->kd = malloc((sp->n ? sp->n : 1) * sizeof *sp->kd)))
        goto fail;
    for (size_t i = 0; i < sp->n; i++)
        sp->kd[i] = (uint32_t)i;
    kd_build(sp, 0, (long)sp->n - 1, 0);
    /* Store the points in tree order: a search then reads each leaf's
     * points from adjacent memory instead of one cache miss per point
     * through the permutation. kd[] becomes the way back to grid order. */
    struct point *tree = malloc((sp->n ? sp->n : 1) * sizeof *tree);
    if (!tree)
        goto fail;
    for (size_t j = 0; j < sp->n; j++)
        tree[j] = sp->pts[sp->kd[j]];
    uint32_t *back = malloc((sp->n ? sp->n : 1) * sizeof *back);
    if (!back) {
        free(tree);
        goto fail;
    }
    for (size_t j = 0; j < sp->n; j++)
        back[sp->kd[j]] = (uint32_t)j;
    free(sp->pts);
    free(sp->kd);
    sp->pts = tree;
    sp->kd = back;
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

/* What a search needs, computed once per query. */
struct kd_search {
    const struct spatial *sp;
    const struct spatial_query *q;
    uint32_t cat_mask; /* bit i: category index i is wanted */
    double qlat_r, qlon_r, cos_q;
    double a_max; /* haversine term of max_m, with room for rounding */
    long k, n;
    struct spatial_hit *top; /* the hits, 'd' holding the term a */
};

static bool matches(const struct kd_search *ks, const struct point *p)
{
    if (!(ks->cat_mask & (1u << p->cat)))
        return false;
    int age = ks->q->age;
    if (age >= 0 && ((p->age_min >= 0 && p->age_min > age) ||
                     (p->age_max >= 0 && p->age_max < age)))
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

/* The haversine term, computed as geo_distance_m computes it. */
static double hav_a(const struct kd_search *ks, const struct point *p)
{
    double dlat = (p->lat - ks->q->lat) * DEG2RAD;
    double dlon = (p->lon - ks->q->lon) * DEG2RAD;
    return sin(dlat / 2) * sin(dlat / 2) +
           ks->cos_q * cos(p->lat * DEG2RAD) * sin(dlon / 2) * sin(dlon / 2);
}

static void visit_point(struct kd_search *ks, uint32_t i)
{
    const struct point *p = &ks->sp->pts[i];
    if (!matches(ks, p))
        return;
    double a = hav_a(ks, p);
    if (a <= ks->a_max)
        keep(ks->top, &ks->n, ks->k, p->id, a);
}

/* Whether a subtree whose points lie in 'box' (min lat, min lon, max
 * lat, max lon) may hold something nearer than the k-th. The bound is
 * the haversine term with each part at its smallest: sin^2(dlat/2) with
 * the latitude gap to the box, plus cos(lat_q) cos(lat) sin^2(dlon/2)
 * with the longitude gap and the smallest cos(lat) of any point. */
static bool kd_may_hold(const struct kd_search *ks, const double box[4])
{
    const struct spatial_query *q = ks->q;
    double glat = fmax(0, fmax(box[0] - q->lat, q->lat - box[2]));
    double glon = fmax(0, fmax(box[1] - q->lon, q->lon - box[3]));
    double hlat = glat * DEG2RAD / 2, hlon = glon * DEG2RAD / 2;
    if (hlon >= M_PI / 2) /* half the globe away: no useful bound */
        hlon = 0;
    double slat = sin(hlat), slon = sin(hlon);
    double lb = slat * slat + ks->cos_q * ks->sp->cos_min * slon * slon;
    lb *= 1 - 1e-9; /* rounding: never skip what might tie */
    if (lb > ks->a_max)
        return false;
    return ks->n < ks->k || lb <= ks->top[ks->k - 1].d;
}

static void kd_search(struct kd_search *ks, long lo, long hi, int axis,
                      const double box[4])
{
    if (lo > hi || !kd_may_hold(ks, box))
        return;
    if (hi - lo <= KD_LEAF) {
        for (long i = lo; i <= hi; i++)
            visit_point(ks, (uint32_t)i);
        return;
    }
    long m = lo + (hi - lo) / 2;
    uint32_t mi = (uint32_t)m;
    visit_point(ks, mi);
    double split = kd_coord(ks->sp, mi, axis);
    double below[4], above[4];
    memcpy(below, box, sizeof below);
    memcpy(above, box, sizeof above);
    below[2 + axis] = split;
    above[axis] = split;
    /* The query's side first: it most likely holds the nearest. */
    if ((axis ? ks->q->lon : ks->q->lat) < split) {
        kd_search(ks, lo, m - 1, 1 - axis, below);
        kd_search(ks, m + 1, hi, 1 - axis, above);
    } else {
        kd_search(ks, m + 1, hi, 1 - axis, above);
        kd_search(ks, lo, m - 1, 1 - axis, below);
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
                const struct point *p = &sp->pts[sp->kd[i]];
                cluster_project(p->lat, p->lon, &pts[i].x, &pts[i].y);
                pts[i].id = (uint64_t)p->id;
                pts[i].cat = p->cat;
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

bool spatial_category_extent(const struct spatial *sp, const char *slug,
                             double bb[4])
{
    for (int i = 0; i < sp->cats.n; i++)
        if (strcmp(sp->cats.slug[i], slug) == 0) {
            if (i == MAX_CATEGORIES - 1 && sp->cats_full)
                return false; /* shared with further categories */
            if (sp->cat_n[i])
                memcpy(bb, sp->cat_bb[i], 4 * sizeof *bb);
            return true;
        }
    /* Not among the slots: no positioned listing, unless the slots ran
     * out before this category was seen. */
    return !sp->cats_full;
}

static int cmp_hit(const void *a, const void *b)
{
    const struct spatial_hit *x = a, *y = b;
    if (x->d != y->d)
        return (x->d > y->d) - (x->d < y->d);
    return (x->id > y->id) - (x->id < y->id);
}

long spatial_nearest(const struct spatial *sp, const struct spatial_query *q,
                     struct spatial_hit *out)
{
    struct kd_search ks = {.sp = sp, .q = q, .k = q->limit, .top = out};
    for (int i = 0; i < sp->cats.n; i++) {
        char key[40];
        snprintf(key, sizeof key, ",%s,", sp->cats.slug[i]);
        if (!q->categories || strstr(q->categories, key))
            ks.cat_mask |= 1u << i;
    }
    ks.cos_q = cos(q->lat * DEG2RAD);
    /* d = 2R asin(sqrt(a)), so a = sin^2(d / 2R); a little more, so that
     * rounding never drops a listing at max_m (the exact test is below). */
    double h = fmin(M_PI / 2, q->max_m / (2 * GEO_EARTH_RADIUS_M));
    ks.a_max = sin(h) * sin(h) * (1 + 1e-9) + 1e-18;
    if (ks.k <= 0 || sp->n == 0)
        return 0;
    kd_search(&ks, 0, (long)sp->n - 1, 0, sp->bounds);
    /* The metres, as geo_distance_m gives them, within max_m. */
    long n = 0;
    for (long i = 0; i < ks.n; i++) {
        const struct spatial_hit *h0 = &out[i];
        double d = 2 * GEO_EARTH_RADIUS_M * asin(fmin(1.0, sqrt(h0->d)));
        if (d <= q->max_m)
            out[n++] = (struct spatial_hit){.id = h0->id, .d = d};
    }
    qsort(out, (size_t)n, sizeof *out, cmp_hit);
    return n;
}
