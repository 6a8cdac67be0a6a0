/* kdtree.h - an in-memory k-d tree of listing positions, for exact
 * k-nearest searches in microseconds (the R*Tree answers box queries;
 * nearest needs to grow around a point). Built once per data version by
 * the snapshot (snapshot.h), which owns it.
 * Ownership: kdtree_build() copies the points it is given; kdtree_free()
 * releases everything. Queries only read the tree, from any thread. */
#ifndef AMO_KDTREE_H
#define AMO_KDTREE_H

#include <stddef.h>
#include <stdint.h>

struct kd_point {
    double lat, lon;
    int64_t id;
    int16_t age_min, age_max; /* -1: not given */
    uint8_t cat;              /* the snapshot's category number (< 32) */
};

struct kd_query {
    double lat, lon;
    double max_m;      /* ignore listings farther away */
    long limit;        /* k */
    uint32_t cat_mask; /* bit i: category number i is wanted */
    int age;           /* -1: any */
};

struct kd_hit {
    int64_t id;
    double d; /* metres, geodesic */
};

struct kdtree;

/* A tree of pts[0..n) (copied). NULL when memory is short. The points
 * keep an order that depends only on the data (kdtree_point(t, i) for i
 * in 0..n, the order the clusters are built in). */
struct kdtree *kdtree_build(const struct kd_point *pts, size_t n);
void kdtree_free(struct kdtree *t);
size_t kdtree_size(const struct kdtree *t);
/* The i-th point in the data's order (see kdtree_build). */
const struct kd_point *kdtree_point(const struct kdtree *t, size_t i);

/* The k nearest points matching the query, nearest first (ties by id),
 * into 'out' (room for q->limit). Returns how many. Exact: every point is
 * compared by its double coordinates with geo_distance_m(). */
long kdtree_nearest(const struct kdtree *t, const struct kd_query *q,
                    struct kd_hit *out);

#endif
