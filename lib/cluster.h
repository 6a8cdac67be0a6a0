/* cluster.h - hierarchical point clustering for map tiles, as supercluster
 * does it: from the finest zoom down, each point or cluster takes in its
 * unvisited neighbours within a radius in pixels, at their weighted centre;
 * a cluster at zoom z is made of items of zoom z+1, so clusters split
 * stably as one zooms in.
 * Ownership: cluster_build() returns an index the caller frees with
 * cluster_free(); items handed to callbacks are borrowed. */
#ifndef AMO_CLUSTER_H
#define AMO_CLUSTER_H

#include <stddef.h>
#include <stdint.h>

#define CLUSTER_MAX_CATS 8

/* Input point, in Web Mercator units: x, y in [0, 1). */
struct cluster_point {
    double x, y;
    uint64_t id;
    uint8_t cat; /* < CLUSTER_MAX_CATS */
};

struct cluster_item {
    double x, y;    /* centre (weighted by count) */
    uint64_t id;    /* the listing's id when count is 1, else a cluster id */
    uint32_t count; /* listings inside; 1 for a single listing */
    uint32_t cats[CLUSTER_MAX_CATS]; /* listings per category */
};

struct cluster_index;

/* Cluster 'n' points for zooms below 'max_zoom' (at and above it every
 * listing is its own point), with 'radius' pixels on tiles of 'tile_px'.
 * Returns 0 or ERR_NOMEM. */
int cluster_build(const struct cluster_point *pts, size_t n, int max_zoom,
                  double radius, double tile_px, struct cluster_index **out);
void cluster_free(struct cluster_index *c);

/* Call 'fn' for every item of zoom 'z' (< max zoom) whose centre lies in
 * [x0, x1) x [y0, y1) (Web Mercator units). Returns how many. */
size_t cluster_query(const struct cluster_index *c, int z, double x0, double y0,
                     double x1, double y1,
                     void (*fn)(const struct cluster_item *, void *),
                     void *arg);

/* Web Mercator units of a WGS84 position. */
void cluster_project(double lat, double lon, double *x, double *y);

#endif
