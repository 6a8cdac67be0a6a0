/* sink.h - where exported tiles go: an MBTiles file, a PMTiles archive or
 * a z/x/y directory. The pyramid hands tiles over zoom by zoom, each zoom
 * in Hilbert order (so PMTiles can write them clustered as they come).
 * Every sink writes under a temporary path that the caller renames over
 * the real output only once finish() succeeded.
 * Ownership: sink_*_open() returns a sink that finish() or abort() frees;
 * tile bytes and metadata are borrowed for the call. */
#ifndef AMO_EXPORT_SINK_H
#define AMO_EXPORT_SINK_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct sink_meta {
    const char *name, *description, *attribution;
    int minzoom, maxzoom;
    double bounds[4];      /* min lon, min lat, max lon, max lat */
    double center[3];      /* lon, lat, zoom */
    json_t *vector_layers; /* borrowed */
};

struct sink {
    /* gz is the gzip-compressed tile, raw the protobuf itself: each sink
     * stores what its container expects. Returns 0 or an ERR_*. */
    int (*put)(struct sink *s, int z, long x, long y, const uint8_t *gz,
               size_t gzlen, const uint8_t *raw, size_t rawlen);
    /* Write the index and metadata and close; frees the sink. */
    int (*finish)(struct sink *s, const struct sink_meta *m, char *msg,
                  size_t msgsz);
    /* Close and delete what was written; frees the sink. */
    void (*abort)(struct sink *s);
};

int sink_mbtiles_open(const char *path, struct sink **out, char *msg,
                      size_t msgsz);
int sink_pmtiles_open(const char *path, struct sink **out, char *msg,
                      size_t msgsz);
int sink_dir_open(const char *path, struct sink **out, char *msg, size_t msgsz);

/* The TileJSON-style metadata document every format carries. New
 * reference. */
json_t *sink_metadata_json(const struct sink_meta *m);

/* The MBTiles 1.3 metadata as an object of strings (name, format, type,
 * version, description, attribution, bounds, center, minzoom, maxzoom and
 * json holding the vector_layers): the `metadata` table of an MBTiles
 * file, and metadata.json beside a tile directory. New reference; NULL
 * when memory is short. */
json_t *sink_mbtiles_metadata(const struct sink_meta *m);

/* Remove 'path' and everything under it (a temporary directory). Returns
 * 0 or ERR_IO. */
int sink_remove_tree(const char *path);

/* PMTiles tile id of z/x/y: tiles of lower zooms first, then the Hilbert
 * curve index within the zoom (PMTiles v3 specification). */
uint64_t pmtiles_tile_id(int z, uint64_t x, uint64_t y);

#endif
