/* gazetteer.h - Belgian municipalities (polygons, NIS codes, names) and
 * postcodes (place centroids), loaded from the files shipped in data/.
 * Ownership: gaz_load() returns a gazetteer the caller frees with
 * gaz_free(); every pointer it hands out is borrowed from it. */
#ifndef AMO_GAZETTEER_H
#define AMO_GAZETTEER_H

#include <stdbool.h>
#include <stddef.h>

struct gaz_commune {
    char nis[6];     /* Statbel REFNIS code, e.g. "21015" */
    char arr_nis[6]; /* its arrondissement */
    char reg_nis[6]; /* its region: 04000 Brussels, 03000 Wallonia, ... */
    char *name_fr, *name_nl;
    double min_lon, min_lat, max_lon, max_lat;
    double in_lat, in_lon; /* a point inside, near the centroid */
    size_t nrings;
    size_t *ring_end; /* ring i spans pts[ring_end[i-1] .. ring_end[i]) */
    double *pts;      /* lon, lat pairs */
};

struct gaz_postcode {
    char code[5];
    char *place; /* bpost place name, e.g. "Laeken" for 1020 */
    double lat, lon;
    size_t line; /* line in the file: keeps the main place first */
};

struct gazetteer;

/* Load the gazetteer from directory 'dir' (be-municipalities.geojson and
 * be-postcodes.csv). Returns 0 or ERR_IO/ERR_PARSE/ERR_NOMEM with the file
 * and reason in 'msg'; *out is NULL on error. */
int gaz_load(const char *dir, struct gazetteer **out, char *msg, size_t msgsz);
void gaz_free(struct gazetteer *g);

size_t gaz_commune_count(const struct gazetteer *g);
const struct gaz_commune *gaz_commune_at_index(const struct gazetteer *g,
                                               size_t i);
/* The municipality containing (lat, lon), or NULL. */
const struct gaz_commune *gaz_commune_at(const struct gazetteer *g, double lat,
                                         double lon);
/* Distance in metres from (lat, lon) to the nearest municipality
 * boundary within about 5 km, or a larger number when none is near. */
double gaz_border_distance_m(const struct gazetteer *g, double lat, double lon);
/* The municipality with NIS code 'nis', or NULL. */
const struct gaz_commune *gaz_commune_by_nis(const struct gazetteer *g,
                                             const char *nis);
/* The municipality named 'name' in French or Dutch, compared case- and
 * accent-insensitively ("Molenbeek-Saint-Jean", "sint-jans-molenbeek"),
 * or NULL. */
const struct gaz_commune *gaz_commune_by_name(const struct gazetteer *g,
                                              const char *name);
/* True when 'code' is a postcode in the bpost list. */
bool gaz_postcode_known(const struct gazetteer *g, const char *code);
/* The place of postcode 'code' whose name matches 'place' (case- and
 * accent-insensitive), else the postcode's first place; NULL when the
 * postcode is unknown. 'place' may be NULL. */
const struct gaz_postcode *gaz_postcode(const struct gazetteer *g,
                                        const char *code, const char *place);
/* Every postcode's place, sorted by code (the page's offline copy). */
size_t gaz_postcode_count(const struct gazetteer *g);
const struct gaz_postcode *gaz_postcode_at_index(const struct gazetteer *g,
                                                 size_t i);
/* A place named 'place' (a section such as "Jambes"), or NULL. */
const struct gaz_postcode *gaz_place_by_name(const struct gazetteer *g,
                                             const char *place);

#endif
