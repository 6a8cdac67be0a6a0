/* basemap.h - the "basemap" vector tileset: Belgian provinces,
 * arrondissements and municipalities from the shipped boundaries, with
 * their French and Dutch names and NIS codes, simplified for each zoom
 * with GEOS and clipped to each tile.
 * Ownership: basemap_load() returns a basemap the caller frees with
 * basemap_free(); it is read-only afterwards and may be shared by threads,
 * each of which gets its own GEOS context. basemap_tile() returns a heap
 * buffer the caller frees. */
#ifndef AMO_BASEMAP_H
#define AMO_BASEMAP_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* The zoom from which each layer is in the tiles. Belgium is about 280 km
 * wide: provinces (11, ~3,000 km2) are legible shapes from the first
 * zooms; an arrondissement (~700 km2, ~26 km across) is ~30 screen pixels
 * wide at zoom 7, a municipality (~50 km2, ~7 km) ~35 pixels at zoom 9;
 * earlier they would be a blur of lines and labels, and tiles would grow
 * for nothing. */
#define BASEMAP_PROVINCES_MINZOOM 0
#define BASEMAP_ARRONDISSEMENTS_MINZOOM 7
#define BASEMAP_MUNICIPALITIES_MINZOOM 9
/* The source boundaries are quantized to about 20 m (TopoJSON), about a
 * screen pixel at zoom 12: clients overzoom beyond, and the tiles above
 * it carry the geometry as shipped. */
#define BASEMAP_MAXZOOM 12

#define BASEMAP_NAME "Belgique / België"
#define BASEMAP_DESCRIPTION                                                    \
    "Provinces, arrondissements et communes de Belgique (limites 2019)"
#define BASEMAP_ATTRIBUTION                                                    \
    "Limites : Statbel, arneh61/Belgium-Map via bmesuere/belgium-topojson "    \
    "(CC0)"

struct basemap;

/* Load be-provinces.geojson, be-arrondissements.geojson and
 * be-municipalities.geojson from directory 'dir', and precompute their
 * simplified versions for each zoom up to BASEMAP_MAXZOOM. Returns 0 or
 * ERR_IO/ERR_PARSE/ERR_NOMEM with the file and the reason in 'msg'; *out
 * is NULL on error. */
int basemap_load(const char *dir, struct basemap **out, char *msg,
                 size_t msgsz);
void basemap_free(struct basemap *bm);

/* Encode tile z/x/y (a valid tile of the grid, see mvt_tile_valid()) as an
 * uncompressed MVT. Returns 0 with *out NULL and *len 0 when nothing is in
 * the tile, or ERR_NOMEM (*out NULL). */
int basemap_tile(const struct basemap *bm, int z, long x, long y, uint8_t **out,
                 size_t *len);

/* A hash of the boundary files' bytes and of this encoding, in hex:
 * changes when either does (for ETags). */
const char *basemap_version(const struct basemap *bm);
/* The WGS84 extent of the boundaries: lon, lat, lon, lat. */
void basemap_bounds(const struct basemap *bm, double bounds[4]);

/* The layers and their fields, for TileJSON and MBTiles metadata (TileJSON
 * 3.0.0 section 3.16). New reference. */
json_t *basemap_vector_layers(void);

#endif
