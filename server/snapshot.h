/* snapshot.h - everything the server derives from one data version, in
 * one object: the positions and their k-d tree, the category numbering
 * and extents, the full-text index in memory and the tile clusters.
 * Built once, by the first request that sees a new version, from that
 * request's own read transaction; the requests of that version share it.
 * Ownership: snapshot_acquire() returns a reference the caller gives back
 * with snapshot_release() (http.c does both around a request); the old
 * version's snapshot is freed when its last reader lets go. */
#ifndef AMO_SNAPSHOT_H
#define AMO_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>

#include "kdtree.h"

struct store;
struct snapshot;
struct cluster_index;
struct tileset_cats;
struct textindex;

/* The snapshot of the data version 's' is reading (store_begin), built
 * if needed. NULL when memory is short or the database cannot be read. */
struct snapshot *snapshot_acquire(struct store *s);
void snapshot_release(struct snapshot *snap);
/* Free the current snapshot at exit (for leak checkers). */
void snapshot_shutdown(void);

long long snapshot_version(const struct snapshot *snap);

/* The nearest listings (see kdtree_nearest), among the categories of
 * 'cats' (",amo,cpas," or NULL for all). */
long snapshot_nearest(const struct snapshot *snap, double lat, double lon,
                      double max_m, long limit, const char *cats, int age,
                      struct kd_hit *out);

/* The category numbering of cluster counts (sorted slugs, as every tile
 * builder numbers them). */
const struct tileset_cats *snapshot_cats(const struct snapshot *snap);
/* The extent (min lon, min lat, max lon, max lat) of the category's
 * positioned listings into 'bb' ('bb' left as given when it has none).
 * False when the snapshot cannot tell (beyond CLUSTER_MAX_CATS). */
bool snapshot_category_extent(const struct snapshot *snap, const char *slug,
                              double bb[4]);
/* The full-text index (textindex.h), built on first use from 's' (the
 * caller's read transaction, of the snapshot's version): the first search
 * of a version waits for it, the others share it. NULL when memory is
 * short or the index cannot be read. */
const struct textindex *snapshot_textindex(struct snapshot *snap,
                                           struct store *s);
/* The tile clusters for zooms below 'max_zoom', built on first use (only
 * tiles need them). NULL when memory is short. */
const struct cluster_index *snapshot_clusters(struct snapshot *snap,
                                              int max_zoom);

#endif
