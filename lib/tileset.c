/* tileset.c - the listings tileset (see tileset.h). */
#include "tileset.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "mvt.h"

/* A hair in Web Mercator units (about 4 cm at the equator): wider than
 * any rounding, far narrower than a pixel at the deepest zoom. */
#define WINDOW_EPS 1e-9

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
    *x0 = ((double)x - pad) / n - WINDOW_EPS;
    *y0 = ((double)y - pad) / n - WINDOW_EPS;
    *x1 = ((double)x + 1 + pad) / n + WINDOW_EPS;
    *y1 = ((double)y + 1 + pad) / n + WINDOW_EPS;
}

void tileset_window_deg(int z, long x, long y, double *min_lon, double *min_lat,
                        double *max_lon, double *max_lat)
{
    struct mvt_bounds b;
    mvt_tile_bounds(z, x, y, MVT_BUFFER + 1, &b);
    /* R*Tree boxes are float32 rounded outwards: 1e-4 degrees covers the
     * rounding anywhere in Belgium. */
    *min_lon = b.min_lon - 1e-4;
    *min_lat = b.min_lat - 1e-4;
    *max_lon = b.max_lon + 1e-4;
    *max_lat = b.max_lat + 1e-4;
}

void tileset_from_cluster(const struct cluster_item *it,
                          struct tileset_feature *f)
{
    memset(f, 0, sizeof *f);
    f->id = it->id;
    f->lon = it->x * 360 - 180;
    f->lat = atan(sinh(M_PI * (1 - 2 * it->y))) * 180 / M_PI;
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
    struct mvt_prop props[2 + CLUSTER_MAX_CATS];
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
    }
    return mvt_layer_add_point(l, f->id, f->lat, f->lon, props, np);
}

int tileset_encode(struct tileset_feature *f, size_t n,
                   const struct tileset_cats *cats, int z, long x, long y,
                   uint8_t **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    if (n == 0)
        return 0;
    qsort(f, n, sizeof *f, cmp_id);
    struct mvt_layer *l = mvt_layer_new(TILESET_LAYER, z, x, y);
    if (!l)
        return ERR_NOMEM;
    int rc = 0;
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
    json_t *fields = json_pack("{s:s,s:s,s:s,s:s,s:s}", "id", "Number", "name",
                               "String", "category", "String", "commune",
                               "String", "point_count", "Number");
    for (int c = 0; fields && c < cats->n; c++)
        json_object_set_new(fields, cats->slug[c], json_string("Number"));
    return json_pack("[{s:s,s:s,s:i,s:i,s:o}]", "id", TILESET_LAYER,
                     "description",
                     "One point per listing; clusters below the cluster "
                     "zoom, with point_count and listings per category",
                     "minzoom", minzoom, "maxzoom", maxzoom, "fields", fields);
}
