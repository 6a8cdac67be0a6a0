/* api_directory.c - GET /api/directory: the whole directory as one compact
 * list, for the page's offline copy (web/sw.js keeps it; app.js searches
 * it when the network is gone): each listing's id, category, name,
 * street, postcode, commune, phone and position, and the places a visitor
 * may type (the postcodes and municipalities of Wallonia and Brussels,
 * with a point each). No search, no position of a visitor: the same bytes
 * for everyone, versioned by the data version (ETag). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gazetteer.h"
#include "json_write.h"
#include "query.h"
#include "routes.h"

#define REGION_WALLONIA "03000"
#define REGION_BRUSSELS "04000"

struct dir_writing {
    struct jw w;
    long n;
};

static void field(struct jw *w, const char *s)
{
    jw_raw(w, ",");
    jw_string(w, s, s ? strlen(s) : 0);
}

/* 4 decimals (about 10 m) for a listing, 3 (100 m) for a place: enough
 * to sort by distance, half the bytes of 7 decimals. */
static void coord(struct jw *w, double v, int decimals)
{
    char t[32];
    if (isnan(v))
        snprintf(t, sizeof t, ",null");
    else
        snprintf(t, sizeof t, ",%.*f", decimals, v);
    jw_raw(w, t);
}

static int write_listing(const struct row *r, void *arg)
{
    struct dir_writing *d = arg;
    jw_raw(&d->w, d->n++ ? ",[" : "[");
    jw_string(&d->w, r->s[R_CATEGORY],
              r->s[R_CATEGORY] ? strlen(r->s[R_CATEGORY]) : 0);
    field(&d->w, r->s[R_NAME]);
    field(&d->w, r->s[R_STREET]);
    field(&d->w, r->s[R_POSTCODE]);
    field(&d->w, r->s[R_COMMUNE]);
    field(&d->w, r->s[R_PHONE]);
    coord(&d->w, r->lat, 4);
    coord(&d->w, r->lon, 4);
    jw_raw(&d->w, "]");
    return d->w.err;
}

static bool in_federation(const struct gaz_commune *c)
{
    return c && (strcmp(c->reg_nis, REGION_WALLONIA) == 0 ||
                 strcmp(c->reg_nis, REGION_BRUSSELS) == 0);
}

void api_directory(struct request *rq, struct reply *rp)
{
    if (reject_unknown_params(rq, rp))
        return;
    struct query_env e = request_env(rq);
    struct status_answer st;
    if (query_status(&e, &st) < 0) {
        reply_error(rp, 500, "internal", "status failed");
        return;
    }
    struct dir_writing d = {.w = {.b = &rp->body}};
    jw_raw(&d.w, "{\"data_version\":");
    jw_int(&d.w, st.data_version);
    jw_raw(&d.w, ",\"updated\":");
    jw_string(&d.w, st.last_import, strlen(st.last_import));
    jw_raw(&d.w, ",\"fields\":[\"category\",\"name\",\"street\","
                 "\"postcode\",\"commune\",\"phone\",\"lat\",\"lon\"],"
                 "\"listings\":[");
    int rc = query_listings(&e, NULL, NULL, write_listing, &d);
    /* the places: municipalities [nis, name_fr, name_nl, lat, lon], then
     * postcodes [code, place, lat, lon], each code once (its main place:
     * the other places' names are the municipalities' or rarely typed) */
    jw_raw(&d.w, "],\"communes\":[");
    const struct gazetteer *g = rq->ctx->gaz;
    long n = 0;
    for (size_t i = 0; g && i < gaz_commune_count(g); i++) {
        const struct gaz_commune *c = gaz_commune_at_index(g, i);
        if (!in_federation(c))
            continue;
        jw_raw(&d.w, n++ ? ",[" : "[");
        jw_string(&d.w, c->nis, strlen(c->nis));
        field(&d.w, c->name_fr);
        field(&d.w, c->name_nl);
        coord(&d.w, c->in_lat, 3);
        coord(&d.w, c->in_lon, 3);
        jw_raw(&d.w, "]");
    }
    jw_raw(&d.w, "],\"postcodes\":[");
    n = 0;
    for (size_t i = 0; g && i < gaz_postcode_count(g); i++) {
        const struct gaz_postcode *p = gaz_postcode_at_index(g, i);
        if ((i > 0 &&
             strcmp(gaz_postcode_at_index(g, i - 1)->code, p->code) == 0) ||
            !in_federation(gaz_commune_at(g, p->lat, p->lon)))
            continue;
        jw_raw(&d.w, n++ ? ",[" : "[");
        jw_string(&d.w, p->code, strlen(p->code));
        field(&d.w, p->place);
        coord(&d.w, p->lat, 3);
        coord(&d.w, p->lon, 3);
        jw_raw(&d.w, "]");
    }
    jw_raw(&d.w, "]}");
    if (reply_written(rq, rp, rc, d.w.err, "directory", "application/json", 0))
        rp->cache_control = "no-cache"; /* revalidated: the ETag */
}
