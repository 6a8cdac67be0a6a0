/* crs.c - Belgian Lambert to WGS84 with PROJ (see crs.h). */
#include "crs.h"

#include <math.h>
#include <proj.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"

struct crs {
    PJ_CONTEXT *ctx;
    PJ *lambert72;
    PJ *lambert2008;
};

int crs_new(struct crs **out, char *msg, size_t msgsz)
{
    struct crs *c = calloc(1, sizeof *c);
    *out = NULL;
    if (!c)
        return ERR_NOMEM;
    c->ctx = proj_context_create();
    if (!c->ctx) {
        free(c);
        snprintf(msg, msgsz, "cannot create a PROJ context");
        return ERR_PROJ;
    }
    /* Tests and staff machines have no network: never fetch grids. */
    proj_context_set_enable_network(c->ctx, 0);
    *out = c;
    return 0;
}

void crs_free(struct crs *c)
{
    if (!c)
        return;
    proj_destroy(c->lambert72);
    proj_destroy(c->lambert2008);
    proj_context_destroy(c->ctx);
    free(c);
}

static PJ *crs_transform(struct crs *c, int epsg)
{
    PJ **slot = epsg == CRS_LAMBERT72 ? &c->lambert72 : &c->lambert2008;
    if (*slot)
        return *slot;
    char src[32];
    snprintf(src, sizeof src, "EPSG:%d", epsg);
    PJ *p = proj_create_crs_to_crs(c->ctx, src, "EPSG:4326", NULL);
    if (!p)
        return NULL;
    /* EPSG:4326 is latitude first; normalise to lon, lat (PROJ doc,
     * proj_normalize_for_visualization). */
    PJ *norm = proj_normalize_for_visualization(c->ctx, p);
    proj_destroy(p);
    *slot = norm;
    return norm;
}

int crs_to_wgs84(struct crs *c, int epsg, double x, double y, double *lat,
                 double *lon)
{
    if (epsg == CRS_WGS84) {
        *lon = x;
        *lat = y;
        return 0;
    }
    if (epsg != CRS_LAMBERT72 && epsg != CRS_LAMBERT2008)
        return ERR_USAGE;
    PJ *p = crs_transform(c, epsg);
    if (!p)
        return ERR_PROJ;
    PJ_COORD in = proj_coord(x, y, 0, 0);
    PJ_COORD res = proj_trans(p, PJ_FWD, in);
    if (res.xy.x == HUGE_VAL || res.xy.y == HUGE_VAL)
        return ERR_PROJ;
    *lon = res.lp.lam;
    *lat = res.lp.phi;
    return 0;
}

int crs_parse(const char *text)
{
    const char *p = text;
    if (!p)
        return 0;
    if (strcasecmp(p, "urn:ogc:def:crs:OGC:1.3:CRS84") == 0 ||
        strcasecmp(p, "CRS84") == 0 ||
        strcasecmp(p, "http://www.opengis.net/def/crs/OGC/1.3/CRS84") == 0)
        return CRS_WGS84;
    const char *tail = strrchr(p, ':');
    const char *slash = strrchr(p, '/');
    if (slash && (!tail || slash > tail))
        tail = slash;
    p = tail ? tail + 1 : p;
    char *end;
    long code = strtol(p, &end, 10);
    if (end == p || *end != '\0')
        return 0;
    if (code == CRS_WGS84 || code == CRS_LAMBERT72 || code == CRS_LAMBERT2008)
        return (int)code;
    return 0;
}

int crs_guess(double x, double y)
{
    if (x >= -180 && x <= 180 && y >= -90 && y <= 90)
        return CRS_WGS84;
    if (x >= 0 && x <= 320000 && y >= 0 && y <= 320000)
        return CRS_LAMBERT72;
    if (x >= 480000 && x <= 820000 && y >= 480000 && y <= 820000)
        return CRS_LAMBERT2008;
    return 0;
}
