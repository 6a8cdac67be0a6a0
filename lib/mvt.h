/* mvt.h - Mapbox Vector Tile 2.1 layers of points, lines and polygons,
 * encoded with protobuf-c from the specification's vector_tile.proto, and
 * the Web Mercator tile grid.
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
/* A line or a polygon ring in tile pixels (x right, y down; the tile is
 * 0..MVT_EXTENT), as 'n' x,y pairs in 'xy'. A ring may repeat its first
 * point at the end or not. In a polygon, 'outer' marks an exterior ring;
 * the rings after it, up to the next exterior ring, are its holes (the
 * first ring is exterior whatever its flag). */
struct mvt_path {
    const double *xy;
    size_t n;
    bool outer;
};

/* Add a (multi)linestring made of paths[0..npaths). Points are rounded to
 * the pixel grid and repeated points dropped; a line left with fewer than
 * two points is dropped, and a feature left with no line is not added.
 * Lines are not clipped: the caller clips to the tile and its buffer.
 * Returns 0 or ERR_NOMEM (the layer is unchanged). */
int mvt_layer_add_lines(struct mvt_layer *l, uint64_t id,
                        const struct mvt_path *paths, size_t npaths,
                        const struct mvt_prop *props, int nprops);
/* Add a (multi)polygon made of rings[0..nrings). Points are rounded to the
 * pixel grid and repeated points dropped; a ring left with fewer than
 * three points or no area is dropped (an exterior ring with its holes).
 * Rings are reoriented as MVT 2.1 section 4.3.4.4 requires: exterior
 * rings clockwise in tile coordinates (positive surveyor's area, y down),
 * holes counter-clockwise. A feature left with no ring is not added. Not
 * clipped, as for lines. Returns 0 or ERR_NOMEM (the layer is unchanged). */
int mvt_layer_add_polygon(struct mvt_layer *l, uint64_t id,
                          const struct mvt_path *rings, size_t nrings,
                          const struct mvt_prop *props, int nprops);
/* Features in the layer. */
size_t mvt_layer_count(const struct mvt_layer *l);
/* Encode the layers into one tile (uncompressed protobuf). Returns 0 or
 * ERR_NOMEM; *out is then NULL. */
int mvt_encode(struct mvt_layer *const *layers, int nlayers, uint8_t **out,
               size_t *len);

#endif
