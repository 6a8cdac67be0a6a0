/* routes.h - the handlers of amo-server, one file per family.
 * Ownership: see http.h (handlers fill a reply, http.c sends it). */
#ifndef AMO_ROUTES_H
#define AMO_ROUTES_H

#include <stdbool.h>

#include "http.h"
#include "query.h"

/* What a route needs and allows; http.c acts on these, never on which
 * handler it is. */
enum route_flag {
    ROUTE_DB = 1 << 0,       /* reads the database, in one read transaction */
    ROUTE_SNAPSHOT = 1 << 1, /* and the snapshot of its data version */
    ROUTE_CORS = 1 << 2,     /* any origin may read it */
    ROUTE_PAGE = 1 << 3,     /* for people: HTML with a notice (503) when the
                              * database cannot be read, not a JSON error */
    ROUTE_FRAMEABLE = 1 << 4 /* any site may frame it (the widget) */
};

struct route {
    const char *path;
    bool prefix;          /* 'path' starts the paths it answers */
    http_handler handler; /* NULL: 404 */
    unsigned flags;
};

/* The route of a decoded path (routes.c); files from --web when no other
 * matches. Never NULL. */
const struct route *route_find(const char *path);

/* The query environment of a request (its store, snapshot, gazetteer). */
struct query_env request_env(const struct request *rq);

/* api_listings.c */
void api_status(struct request *rq, struct reply *rp);
void api_livez(struct request *rq, struct reply *rp);
void api_healthz(struct request *rq, struct reply *rp);
void api_listings_geojson(struct request *rq, struct reply *rp);
void api_listing(struct request *rq, struct reply *rp);
/* api_nearest.c */
void api_nearest(struct request *rq, struct reply *rp);
/* api_search.c */
void api_search(struct request *rq, struct reply *rp);
/* api_directory.c */
void api_directory(struct request *rq, struct reply *rp);

/* api_situations.c */
void api_situations(struct request *rq, struct reply *rp);
struct jw;
struct situation;
/* One situation as JSON (its words in fr, nl, en; kinds, reasons and
 * their sources; helplines). */
void situation_write(struct jw *w, const struct situation *sit);
/* api_communes.c */
void api_communes(struct request *rq, struct reply *rp);
/* api_ogc.c: everything under /ogc but /ogc/api */
void api_ogc(struct request *rq, struct reply *rp);
/* f=json (or geojson) or absent; else false, with a 400. */
bool ogc_check_format(struct request *rq, struct reply *rp);
/* openapi.c: /api/openapi.json and /ogc/api (service-desc) */
void api_openapi(struct request *rq, struct reply *rp);
void api_ogc_openapi(struct request *rq, struct reply *rp);
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
/* /categories.css: the categories' colours, from the database */
void page_categories_css(struct request *rq, struct reply *rp);
/* static.c: files from --web */
void static_file(struct request *rq, struct reply *rp);
/* The version of file 'path' (under 'web', starting with '/') that the
 * pages put in its links ("/app.js?v=TAG"): its size and modification
 * time, so a changed file gets a new link. False when there is no such
 * file. */
bool static_version(const char *web, const char *path, char *tag, size_t tagsz);

/* Set the reply's ETag from the data version (and what else the answer
 * depends on), with the caching rules of the API. */
void reply_cacheable(struct request *rq, struct reply *rp, int max_age_s);
/* End an answer written into the body: a 500 naming 'what' when the
 * query failed (rc < 0) or the writer did (werr), else 'type' with the
 * API's caching for 'max_age_s' (reply_cacheable). Returns true when the
 * answer stands. */
bool reply_written(struct request *rq, struct reply *rp, int rc, int werr,
                   const char *what, const char *type, int max_age_s);
/* Fail with 400 naming the first parameter no handler used. Returns true
 * when one was found (and the reply is set). */
bool reject_unknown_params(struct request *rq, struct reply *rp);

#endif
