/* routes.h - the handlers of amo-server, one file per family.
 * Ownership: see http.h (handlers fill a reply, http.c sends it). */
#ifndef AMO_ROUTES_H
#define AMO_ROUTES_H

#include <jansson.h>

#include "http.h"

struct spatial_hit;

/* api_listings.c */
void api_status(struct request *rq, struct reply *rp);
void api_healthz(struct request *rq, struct reply *rp);
void api_listings_geojson(struct request *rq, struct reply *rp);
void api_listing(struct request *rq, struct reply *rp);
/* api_nearest.c */
void api_nearest(struct request *rq, struct reply *rp);
/* Append the listings of hits[0..n) to 'features', each with its
 * distance_m; returns how many were appended (a listing deleted since the
 * index was built is skipped). */
long nearest_features(struct request *rq, const struct spatial_hit *hits,
                      long n, json_t *features);
struct jw;
/* The same features as JSON text into 'w', separated by commas (the
 * caller writes the brackets); returns how many. Errors stick in w->err. */
long nearest_write_features(struct request *rq, const struct spatial_hit *hits,
                            long n, struct jw *w);
/* api_search.c */
void api_search(struct request *rq, struct reply *rp);
/* api_communes.c */
void api_communes(struct request *rq, struct reply *rp);
/* api_ogc.c: everything under /ogc */
void api_ogc(struct request *rq, struct reply *rp);
/* tiles.c */
void api_tile(struct request *rq, struct reply *rp);
void api_tilejson(struct request *rq, struct reply *rp);
/* The tile z/x/y of a path under 'prefix'; false when it answered 404
 * (no such tile) or 400 (an unknown parameter). */
bool tiles_request(struct request *rq, struct reply *rp, const char *prefix,
                   int *z, long *x, long *y);
/* tiles_basemap.c: the boundaries tileset, /tiles/basemap... */
void api_basemap_tile(struct request *rq, struct reply *rp);
void api_basemap_tilejson(struct request *rq, struct reply *rp);
/* page.c: / and /embed, the list rendered on the server */
void page_index(struct request *rq, struct reply *rp);
void page_embed(struct request *rq, struct reply *rp);
/* static.c: files from --web */
void static_file(struct request *rq, struct reply *rp);

/* Set the reply's ETag from the data version (and what else the answer
 * depends on), with the caching rules of the API. */
void reply_cacheable(struct request *rq, struct reply *rp, int max_age_s);
/* Fail with 400 naming the first parameter no handler used. Returns true
 * when one was found (and the reply is set). */
bool reject_unknown_params(struct request *rq, struct reply *rp);

#endif
