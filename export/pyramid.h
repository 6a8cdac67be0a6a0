/* pyramid.h - cut the listings tileset into every tile of a zoom range and
 * hand them to a sink, zoom by zoom in tile-id (Hilbert) order. The tiles
 * are those the live server gives for the same z/x/y: both go through
 * lib/tileset.c with the same clusters.
 * Ownership: nothing is kept; the source and the sink are borrowed. */
#ifndef AMO_EXPORT_PYRAMID_H
#define AMO_EXPORT_PYRAMID_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "sink.h"
#include "source.h"

struct pyramid_opts {
    int minzoom, maxzoom, cluster_maxzoom;
    bool progress;               /* a progress line on stderr */
    volatile sig_atomic_t *stop; /* set by a signal: give up cleanly */
};

struct pyramid_stats {
    uint64_t tiles, bytes; /* stored bytes (gzip) */
    uint64_t raw_bytes;
    size_t largest; /* gzip bytes of the largest tile */
    int largest_z;
    long largest_x, largest_y;
};

/* Returns 0, ERR_NOMEM, ERR_IO, ERR_DB (from the sink) or ERR_INTERRUPTED when
 * stopped by a signal; 'msg' says what. */
int pyramid_export(const struct source *src, const struct pyramid_opts *o,
                   struct sink *sink, struct pyramid_stats *st, char *msg,
                   size_t msgsz);

struct basemap;
/* The same for the basemap tileset (lib/basemap.c): every tile of the zoom
 * range over the boundaries' extent that holds something. */
int pyramid_export_basemap(const struct basemap *bm,
                           const struct pyramid_opts *o, struct sink *sink,
                           struct pyramid_stats *st, char *msg, size_t msgsz);

#endif
