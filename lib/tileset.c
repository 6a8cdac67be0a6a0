/* tileset.c - the listings tileset (see tileset.h). */
#include "tileset.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "mercator.h"
#include "mvt.h"

/* A hair in Web Mercator units (about 4 cm at the equator): wider than
 * any rounding, far narrower than a pixel at the deepest zoom. */
#define WINDOW_EPS 1e-9
/* Listings sharing a position are drawn up to SPREAD_MAX_M from it (see
 * spread_colocated): a candidate window must reach that much further, or
 * a point moved across a tile's edge would be in neither tile. */
#define SPREAD_M 60.0
#define SPREAD_MAX_M 200.0
/* SPREAD_MAX_M in Web Mercator units, at a latitude up to 60 degrees
 * (cos 0.5), and in degrees: wider than needed in Belgium. */
#define SPREAD_PAD (SPREAD_MAX_M / (40075016.686 * 0.5))
#define SPREAD_PAD_DEG (SPREAD_MAX_M / 111195.0 / 0.5)

int tileset_cat_index(struct tileset_cats *c, const char *slug)
{
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->slug[i], slug) == 0)
            return i;
    if (c->n == CLUSTER_MAX_CATS)
        return CLUSTER_MAX_CATS - 1;
    snprintf(c->slug[c->n], sizeof c->slug[0], "%s", slug);
    return c->n++;
}

void tileset_window(int z, long x, long y, double *x0, double *y0, double *x1,
                    double *y1)
{
    double n = (double)(1L << z), pad = (double)MVT_BUFFER / MVT_EXTENT;
    /* Half a pixel more: the encoder rounds positions to whole pixels. */
    pad += 0.5 / MVT_EXTENT;
    *x0 = ((double)x - pad) / n - WINDOW_EPS - SPREAD_PAD;
    *y0 = ((double)y - pad) / n - WINDOW_EPS - SPREAD_PAD;
    *x1 = ((double)x + 1 + pad) / n + WINDOW_EPS + SPREAD_PAD;
    *y1 = ((double)y + 1 + pad) / n + WINDOW_EPS + SPREAD_PAD;
}

void tileset_window_deg(int z, long x, long y, double *min_lon, double *min_lat,
                        double *max_lon, double *max_lat)
{
    struct mvt_bounds b;
    mvt_tile_bounds(z, x, y, MVT_BUFFER + 1, &b);
    /* R*Tree boxes are float32 rounded outwards: 1e-4 degrees covers the
     * rounding anywhere in Belgium. */
    *min_lon = b.min_lon - 1e-4 - SPREAD_PAD_DEG;
    *min_lat = b.min_lat - 1e-4 - SPREAD_PAD_DEG;
    *max_lon = b.max_lon + 1e-4 + SPREAD_PAD_DEG;
    *max_lat = b.max_lat + 1e-4 + SPREAD_PAD_DEG;
}

void tileset_from_cluster(const struct cluster_item *it,
                          struct tileset_feature *f)
{
    memset(f, 0, sizeof *f);
    f->id = it->id;
    f->lon = merc_lon(it->x);
    f->lat = merc_lat(it->y);
    f->count = it->count;
    f->cats = it->cats;
}

static int cmp_id(const void *a, const void *b)
{
    const struct tileset_feature *p = a, *q = b;
    return (p->id > q->id) - (p->id < q->id);
}

static int add(struct mvt_layer *l, const struct tileset_feature *f,
               const struct tileset_cats *cats)
{
    struct mvt_prop props[4 + CLUSTER_MAX_CATS];
    int np = 0;
    props[np++] = (struct mvt_prop){"id", NULL, f->id};
    if (f->count > 1) {
        /* A cluster: point_count and the listings of each category. */
        props[np++] = (struct mvt_prop){"point_count", NULL, f->count};
        for (int c = 0; c < cats->n && c < CLUSTER_MAX_CATS; c++)
            if (f->cats[c])
                props[np++] =
                    (struct mvt_prop){cats->slug[c], NULL, f->cats[c]};
    } else {
        props[np++] = (struct mvt_prop){"name", f->name ? f->name : "", 0};
        props[np++] = (struct mvt_prop){"category", f->category, 0};
        if (f->commune) /* may be unknown */
            props[np++] = (struct mvt_prop){"commune", f->commune, 0};
        if (f->approx)
            props[np++] = (struct mvt_prop){"approx", NULL, 1};
    }
    return mvt_layer_add_point(l, f->id, f->lat, f->lon, props, np);
}

static int cmp_position(const void *a, const void *b)
{
    const struct tileset_feature *const *p = a, *const *q = b;
    if ((*p)->lat != (*q)->lat)
        return (*p)->lat < (*q)->lat ? -1 : 1;
    if ((*p)->lon != (*q)->lon)
        return (*p)->lon < (*q)->lon ? -1 : 1;
    return ((*p)->id > (*q)->id) - ((*p)->id < (*q)->id);
}

/* Move listings that share one position onto a ring around it, in id
 * order from the north, clockwise: SPREAD_M metres away, more for a
 * crowd (at most SPREAD_MAX_M), so that at the zooms where points are
 * single (13 and above, 6 m a pixel or less) each can be seen and
 * clicked. The ring depends only on the group, so every tile and every
 * program draws it alike. */
static int spread_colocated(struct tileset_feature *f, size_t n)
{
    struct tileset_feature **by = malloc(n * sizeof *by);
    size_t k = 0;
    if (!by)
        return ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        if (f[i].count == 1)
            by[k++] = &f[i];
    qsort(by, k, sizeof *by, cmp_position);
    for (size_t i = 0, j; i < k; i = j) {
        for (j = i + 1;
             j < k && by[j]->lat == by[i]->lat && by[j]->lon == by[i]->lon; j++)
            ;
        size_t m = j - i;
        if (m < 2)
            continue;
        double r = fmin(SPREAD_MAX_M, fmax(SPREAD_M, 12.0 * (double)m));
        double lat = by[i]->lat, lon = by[i]->lon;
        double dlat = r / 111195.0, dlon = dlat / cos(lat * M_PI / 180);
        for (size_t g = 0; g < m; g++) {
            double a = 2 * M_PI * (double)g / (double)m;
            by[i + g]->lat = lat + dlat * cos(a);
            by[i + g]->lon = lon + dlon * sin(a);
        }
    }
    free(by);
    return 0;
}

int tileset_encode(struct tileset_feature *f, size_t n,
                   const struct tileset_cats *cats, int z, long x, long y,
                   uint8_t **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    if (n == 0)
        return 0;
    int rc = spread_colocated(f, n);
    if (rc < 0)
        return rc;
    qsort(f, n, sizeof *f, cmp_id);
    struct mvt_layer *l = mvt_layer_new(TILESET_LAYER, z, x, y);
    if (!l)
        return ERR_NOMEM;
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = add(l, &f[i], cats);
    if (rc == 0 && mvt_layer_count(l) > 0)
        rc = mvt_encode(&l, 1, out, len);
    mvt_layer_free(l);
    return rc;
}

json_t *tileset_vector_layers(const struct tileset_cats *cats, int minzoom,
                              int maxzoom)
{
    json_t *fields =
        json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "id", "Number", "name", "String",
                  "category", "String", "commune", "String", "approx", "Number",
                  "point_count", "Number");
    for (int c = 0; fields && c < cats->n; c++)
        json_object_set_new(fields, cats->slug[c], json_string("Number"));
    return json_pack("[{s:s,s:s,s:i,s:i,s:o}]", "id", TILESET_LAYER,
                     "description",
                     "One point per listing; clusters below the cluster "
                     "zoom, with point_count and listings per category",
                     "minzoom", minzoom, "maxzoom", maxzoom, "fields", fields);
}
