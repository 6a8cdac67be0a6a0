/* tileset.h - the "listings" tileset: which features a tile holds and how
 * they are encoded. The live server (server/tiles.c) and the exporter
 * (export/) both go through here, so a live tile and the exported tile of
 * the same z/x/y are the same bytes: features are sorted by id, and the
 * encoder alone decides whether a feature falls in the tile and its buffer
 * (callers hand it candidates from a slightly wider window).
 * Ownership: tileset_encode() returns a heap buffer the caller frees;
 * features and category names are borrowed. */
#ifndef AMO_TILESET_H
#define AMO_TILESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "cluster.h"

#define TILESET_LAYER "listings"
#define TILESET_MAXZOOM 14          /* clients overzoom the points beyond */
#define TILESET_CLUSTER_MAXZOOM 13  /* default: single points from here */
#define TILESET_CLUSTER_RADIUS 40.0 /* pixels, supercluster's default */
#define TILESET_CLUSTER_TILE 512.0  /* pixels of a tile for that radius */
#define TILESET_ATTRIBUTION                                                    \
    "Données : sources publiques citées par fiche ; positions : "            \
    "© OpenStreetMap contributors (ODbL), Statbel"

/* One feature of a listings tile: a listing (count 1) or a cluster. */
struct tileset_feature {
    uint64_t id;
    double lat, lon;
    uint32_t count;
    const uint32_t *cats; /* count > 1: listings per category index */
    const char *name, *category, *commune; /* count 1; commune may be NULL */
    bool approx; /* count 1: placed at a postcode's or commune's centre */
};

/* Category slugs by cluster index: every program numbers categories the
 * same way (sorted slugs; the last slot takes any further category). */
struct tileset_cats {
    char slug[CLUSTER_MAX_CATS][32];
    int n;
};

/* The index of 'slug', added when new. */
int tileset_cat_index(struct tileset_cats *c, const char *slug);

/* The candidate window of tile z/x/y in Web Mercator units (see
 * cluster_project): the tile and its buffer, widened by a hair so that
 * rounding never hides a feature the encoder would keep. */
void tileset_window(int z, long x, long y, double *x0, double *y0, double *x1,
                    double *y1);
/* The same window in degrees, widened for the float32 R*Tree boxes. */
void tileset_window_deg(int z, long x, long y, double *min_lon, double *min_lat,
                        double *max_lon, double *max_lat);

/* A cluster item as a feature (cats point into the item). */
void tileset_from_cluster(const struct cluster_item *it,
                          struct tileset_feature *f);

/* Encode the features of f[0..n) that lie in tile z/x/y or its buffer,
 * sorted by id (f is reordered). Listings that share one position (a
 * postcode's centre holds several) are drawn on a small ring around it,
 * so that none hides the others (their lat/lon in f are moved). *out is NULL
 * and *len 0 when none does. Returns 0 or ERR_NOMEM. */
int tileset_encode(struct tileset_feature *f, size_t n,
                   const struct tileset_cats *cats, int z, long x, long y,
                   uint8_t **out, size_t *len);

/* The "vector_layers" array describing the layer's fields, for TileJSON
 * and MBTiles metadata. New reference. */
json_t *tileset_vector_layers(const struct tileset_cats *cats, int minzoom,
                              int maxzoom);

#endif
