/* spatial.h - an in-memory grid of every listing's position, for exact
 * k-nearest searches in microseconds (the R*Tree answers box queries;
 * nearest needs rings around a point). One index per data version, shared
 * by the server's threads and built by the first request that sees a new
 * version, from that request's own snapshot.
 * Ownership: spatial_acquire() returns a reference the caller gives back
 * with spatial_release(); the index is freed when the last one goes. */
#ifndef AMO_SPATIAL_H
#define AMO_SPATIAL_H

#include <stdbool.h>
#include <stdint.h>

struct store;
struct spatial;

struct spatial_query {
    double lat, lon;
    double max_m;           /* ignore listings farther away */
    long limit;             /* k */
    const char *categories; /* ",amo,cpas," or NULL for all */
    int age;                /* -1: any */
};

struct spatial_hit {
    int64_t id;
    double d; /* metres, geodesic */
};

/* The index for the data version of 's''s current snapshot, built if
 * needed. NULL when memory is short or the database cannot be read. */
struct spatial *spatial_acquire(struct store *s);
void spatial_release(struct spatial *sp);

/* The k nearest listings matching the query, nearest first, into 'out'
 * (room for q->limit). Returns how many. Exact: every listing is compared
 * by its stored double coordinates. */
long spatial_nearest(const struct spatial *sp, const struct spatial_query *q,
                     struct spatial_hit *out);

struct cluster_index;

/* The tile clusters of this version for zooms below 'max_zoom', built on
 * first use (only tile requests need them). NULL when memory is short. */
const struct cluster_index *spatial_clusters(struct spatial *sp, int max_zoom);
struct tileset_cats;
/* The category numbering of cluster counts. */
const struct tileset_cats *spatial_cats(const struct spatial *sp);
/* The extent (min lon, min lat, max lon, max lat) of the category's
 * positioned listings into 'bb', computed once per data version with the
 * index; 'bb' is left as given when it has none. False when the index
 * cannot tell (a category beyond CLUSTER_MAX_CATS): ask the database. */
bool spatial_category_extent(const struct spatial *sp, const char *slug,
                             double bb[4]);

/* Free the current index at exit (for leak checkers). */
void spatial_shutdown(void);

#endif
