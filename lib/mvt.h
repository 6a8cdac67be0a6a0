/* mvt.h - Mapbox Vector Tile 2.1 point layers, encoded with protobuf-c from
 * the specification's vector_tile.proto, and the Web Mercator tile grid.
 * Ownership: a layer builder owns everything added to it; mvt_encode()
 * returns a heap buffer the caller frees. */
#ifndef AMO_MVT_H
#define AMO_MVT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MVT_EXTENT 4096 /* MVT 2.1 section 4.3.3: the usual grid */
#define MVT_BUFFER 64   /* pixels around the tile, so edge symbols show */
#define MVT_MAX_ZOOM 22

struct mvt_bounds {
    double min_lon, min_lat, max_lon, max_lat;
};

/* True when z/x/y is a tile of the XYZ grid (0 <= x, y < 2^z). */
bool mvt_tile_valid(int z, long x, long y);
/* The WGS84 bounds of tile z/x/y widened by 'buffer' pixels of
 * MVT_EXTENT. */
void mvt_tile_bounds(int z, long x, long y, int buffer, struct mvt_bounds *b);

/* A property: a string, or an unsigned integer when 'str' is NULL. An
 * unknown value is left out by the caller rather than added empty. */
struct mvt_prop {
    const char *key;
    const char *str;
    uint64_t uint;
};

struct mvt_layer;

/* A new layer 'name' for tile z/x/y. NULL when memory is short. */
struct mvt_layer *mvt_layer_new(const char *name, int z, long x, long y);
void mvt_layer_free(struct mvt_layer *l);
/* Add a point; points outside the tile and its buffer are skipped (and
 * counted as added). Returns 0 or ERR_NOMEM (the layer is unchanged). */
int mvt_layer_add_point(struct mvt_layer *l, uint64_t id, double lat,
                        double lon, const struct mvt_prop *props, int nprops);
/* Features in the layer. */
size_t mvt_layer_count(const struct mvt_layer *l);
/* Encode the layers into one tile (uncompressed protobuf). Returns 0 or
 * ERR_NOMEM; *out is then NULL. */
int mvt_encode(struct mvt_layer *const *layers, int nlayers, uint8_t **out,
               size_t *len);

#endif
