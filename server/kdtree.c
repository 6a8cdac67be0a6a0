/* kdtree.c - the k-d tree of listing positions (see kdtree.h).
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
#include "kdtree.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "geo.h"

#define PER_CELL 4.0
#define KD_LEAF 8 /* ranges this small are scanned, not split */
#define DEG2RAD (M_PI / 180.0)

struct kdtree {
    size_t n;
    struct kd_point *pts; /* in tree order (a leaf's points side by side) */
    uint32_t *order;      /* while building: indexes of the data-ordered
                           * points; then pts[order[i]] is the i-th in the
                           * data's order */
    double cos_min;       /* smallest cos(lat) of any point */
    double bounds[4];     /* min lat, min lon, max lat, max lon */
    /* the cells of the order (see data_order) */
    double lat0, lon0, step_lat, step_lon;
    long w, h;
};

static double kd_coord(const struct kdtree *sp, uint32_t i, int axis)
{
    return axis ? sp->pts[i].lon : sp->pts[i].lat;
}

/* Floyd-Rivest selection (as kdbush does): put the k-th smallest of
 * kd[lo..hi] along 'axis' at k, smaller ones before, larger after. Ties
 * are broken by index so that the layout is the same on every build. */
static bool kd_less(const struct kdtree *sp, uint32_t a, uint32_t b, int axis)
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

static void kd_select(struct kdtree *sp, long k, long lo, long hi, int axis)
{
    uint32_t *kd = sp->order;
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
static void kd_build(struct kdtree *sp, long lo, long hi, int axis)
{
    while (hi - lo > KD_LEAF) {
        long m = lo + (hi - lo) / 2;
        kd_select(sp, m, lo, hi, axis);
        kd_build(sp, lo, m - 1, 1 - axis);
        lo = m + 1;
        axis = 1 - axis;
    }
}

/* Which cell of a grid of about PER_CELL points each point is in: the
 * data's order is by cell, then id (the order of the former grid index),
 * the same for every build of the same data, and the order the tile
 * clusters are built in. */
static long cell_of(const struct kdtree *sp, double lat, double lon)
{
    long x = (long)floor((lon - sp->lon0) / sp->step_lon);
    long y = (long)floor((lat - sp->lat0) / sp->step_lat);
    if (x < 0 || y < 0 || x >= sp->w || y >= sp->h)
        return -1;
    return y * sp->w + x;
}

static int cmp_cell(const void *a, const void *b, void *arg)
{
    const struct kdtree *sp = arg;
    const struct kd_point *p = a, *q = b;
    long ca = cell_of(sp, p->lat, p->lon), cb = cell_of(sp, q->lat, q->lon);
    if (ca != cb)
        return (ca > cb) - (ca < cb);
    return (p->id > q->id) - (p->id < q->id);
}

static void data_order(struct kdtree *sp)
{
    double min_lat = 90, max_lat = -90, min_lon = 180, max_lon = -180;
    for (size_t i = 0; i < sp->n; i++) {
        min_lat = fmin(min_lat, sp->pts[i].lat);
        max_lat = fmax(max_lat, sp->pts[i].lat);
        min_lon = fmin(min_lon, sp->pts[i].lon);
        max_lon = fmax(max_lon, sp->pts[i].lon);
    }
    if (sp->n == 0) {
        min_lat = max_lat = 50.5;
        min_lon = max_lon = 4.5;
    }
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
}

void kdtree_free(struct kdtree *t)
{
    if (!t)
        return;
    free(t->pts);
    free(t->order);
    free(t);
}

struct kdtree *kdtree_build(const struct kd_point *pts, size_t n)
{
    struct kdtree *sp = calloc(1, sizeof *sp);
    size_t m = n ? n : 1;
    if (!sp || !(sp->pts = malloc(m * sizeof *sp->pts)) ||
        !(sp->order = malloc(m * sizeof *sp->order)))
        goto fail;
    memcpy(sp->pts, pts, n * sizeof *pts);
    sp->n = n;
    data_order(sp);
    for (size_t i = 0; i < n; i++)
        sp->order[i] = (uint32_t)i;
    kd_build(sp, 0, (long)n - 1, 0);
    /* Store the points in tree order: a search then reads each leaf's
     * points from adjacent memory instead of one cache miss per point
     * through the permutation. order[] becomes the way back to the data's
     * order. */
    struct kd_point *tree = malloc(m * sizeof *tree);
    uint32_t *back = malloc(m * sizeof *back);
    if (!tree || !back) {
        free(tree);
        free(back);
        goto fail;
    }
    for (size_t j = 0; j < n; j++) {
        tree[j] = sp->pts[sp->order[j]];
        back[sp->order[j]] = (uint32_t)j;
    }
    free(sp->pts);
    free(sp->order);
    sp->pts = tree;
    sp->order = back;
    return sp;
fail:
    kdtree_free(sp);
    return NULL;
}

size_t kdtree_size(const struct kdtree *t)
{
    return t->n;
}

const struct kd_point *kdtree_point(const struct kdtree *t, size_t i)
{
    return &t->pts[t->order[i]];
}

/* What a search needs, computed once per query. */
struct kd_search {
    const struct kdtree *sp;
    const struct kd_query *q;
    uint32_t cat_mask; /* from the query */
    double qlat_r, qlon_r, cos_q;
    double a_max; /* haversine term of max_m, with room for rounding */
    long k, n;
    struct kd_hit *top; /* the hits, 'd' holding the term a */
};

static bool matches(const struct kd_search *ks, const struct kd_point *p)
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
static void keep(struct kd_hit *top, long *n, long k, int64_t id, double d)
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
static double hav_a(const struct kd_search *ks, const struct kd_point *p)
{
    double dlat = (p->lat - ks->q->lat) * DEG2RAD;
    double dlon = (p->lon - ks->q->lon) * DEG2RAD;
    return sin(dlat / 2) * sin(dlat / 2) +
           ks->cos_q * cos(p->lat * DEG2RAD) * sin(dlon / 2) * sin(dlon / 2);
}

/* sin(x) >= x - x^3/6 for 0 <= x <= pi/2: a bound below sin^2 without
 * calling sin. */
static double sin2_below(double x)
{
    double s = x - x * x * x / 6;
    return s > 0 ? s * s : 0;
}

static void visit_point(struct kd_search *ks, uint32_t i)
{
    const struct kd_point *p = &ks->sp->pts[i];
    if (!matches(ks, p))
        return;
    /* Most points a search visits are farther than the k-th found: a
     * bound below their haversine term, from two multiplications,
     * spares the four sines and cosines (as kd_may_hold bounds a box). */
    double hlat = fabs(p->lat - ks->q->lat) * DEG2RAD / 2;
    double hlon = fabs(p->lon - ks->q->lon) * DEG2RAD / 2;
    if (hlat < M_PI / 2 && hlon < M_PI / 2) {
        double lb = (sin2_below(hlat) +
                     ks->cos_q * ks->sp->cos_min * sin2_below(hlon)) *
                    (1 - 1e-9);
        if (lb > ks->a_max || (ks->n == ks->k && lb > ks->top[ks->k - 1].d))
            return;
    }
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
    const struct kd_query *q = ks->q;
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

static int cmp_hit(const void *a, const void *b)
{
    const struct kd_hit *x = a, *y = b;
    if (x->d != y->d)
        return (x->d > y->d) - (x->d < y->d);
    return (x->id > y->id) - (x->id < y->id);
}

long kdtree_nearest(const struct kdtree *sp, const struct kd_query *q,
                    struct kd_hit *out)
{
    struct kd_search ks = {
        .sp = sp, .q = q, .k = q->limit, .top = out, .cat_mask = q->cat_mask};
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
        const struct kd_hit *h0 = &out[i];
        double d = 2 * GEO_EARTH_RADIUS_M * asin(fmin(1.0, sqrt(h0->d)));
        if (d <= q->max_m)
            out[n++] = (struct kd_hit){.id = h0->id, .d = d};
    }
    qsort(out, (size_t)n, sizeof *out, cmp_hit);
    return n;
}
