/* routes.c - which handler answers which path, and what each route needs
 * and allows, as data (see routes.h): http.c reads the flags and never
 * names a handler. */
#include <string.h>

#include "routes.h"

/* Answers that any site may read (the API, OGC, tiles, health). */
#define OPEN (ROUTE_CORS)
#define DATA (ROUTE_DB | ROUTE_CORS)
#define INDEXED (ROUTE_DB | ROUTE_SNAPSHOT | ROUTE_CORS)
#define PAGE (ROUTE_DB | ROUTE_SNAPSHOT | ROUTE_PAGE)

static const struct route table[] = {
    {"/", false, page_index, PAGE},
    {"/index.html", false, page_index, PAGE},
    {"/embed", false, page_embed, PAGE | ROUTE_FRAMEABLE},
    {"/embed.html", false, page_embed, PAGE | ROUTE_FRAMEABLE}, /* never the
                                                                   template */
    {"/categories.css", false, page_categories_css, ROUTE_DB | ROUTE_SNAPSHOT},
    {"/healthz", false, api_healthz, DATA},
    {"/livez", false, api_livez, OPEN},
    {"/api/status", false, api_status, DATA},
    {"/api/nearest", false, api_nearest, INDEXED},
    {"/api/search", false, api_search, INDEXED},
    {"/api/situations", false, api_situations, OPEN},
    {"/api/directory", false, api_directory, DATA},
    {"/api/communes", false, api_communes, INDEXED},
    {"/api/communes/", true, api_communes, INDEXED},
    {"/api/listings.geojson", false, api_listings_geojson, DATA},
    {"/api/listings/", true, api_listing, DATA},
    {"/api/openapi.json", false, api_openapi, OPEN},
    /* the reference page, generated from api.json (make vendor) */
    {"/api/", false, static_file, 0},
    {"/api/reference.css", false, static_file, 0},
    {"/api", false, NULL, OPEN}, /* no such API route: 404 */
    {"/api/", true, NULL, OPEN},
    {"/ogc/api", false, api_ogc_openapi, OPEN},
    {"/ogc", false, api_ogc, INDEXED},
    {"/ogc/", true, api_ogc, INDEXED},
    {"/tiles.json", false, api_tilejson, INDEXED},
    /* before "/tiles/", which would take them */
    {"/tiles/basemap.json", false, api_basemap_tilejson, OPEN},
    {"/tiles/basemap/", true, api_basemap_tile, OPEN},
    {"/tiles/", true, api_tile, INDEXED},
    {"/tiles", true, NULL, OPEN},
};

/* Files from --web: everything else. */
static const struct route files = {"", true, static_file, 0};

const struct route *route_find(const char *path)
{
    for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
        size_t n = strlen(table[i].path);
        if (table[i].prefix ? strncmp(path, table[i].path, n) == 0
                            : strcmp(path, table[i].path) == 0)
            return &table[i];
    }
    return &files;
}
