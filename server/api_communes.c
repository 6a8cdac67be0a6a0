/* api_communes.c - GET /api/communes/{postcode|NIS} and
 * /api/communes?lat=&lon=: a municipality and who serves it. The CPAS of
 * the commune of residence is the competent one; AMO and SDJ serve the
 * communes of their territory; planning centres are listed where they
 * are. When the directory has no record, the answer says so instead of
 * guessing a neighbour. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gazetteer.h"
#include "json_write.h"
#include "params.h"
#include "parse.h"
#include "routes.h"
#include "spatial.h"
#include "store.h"

/* How many of the nearest an answer names when none serves the commune. */
#define NEAREST_FALLBACK 3

/* Listings of 'category' serving 'nis': by territory, and for AMO and
 * planning also those located in the commune without a known territory. */
static json_t *serving(struct request *rq, const char *category,
                       const char *nis, bool located_too)
{
    static const char sql[] =
        "SELECT " FEATURE_COLUMNS ","
        " CASE WHEN t.nis IS NOT NULL THEN 'territory' ELSE 'located_here'"
        " END FROM listings l"
        " LEFT JOIN listing_territory t ON t.listing_id = l.id AND t.nis = ?2"
        " WHERE l.category = ?1 AND (t.nis IS NOT NULL OR (?3 AND l.nis = ?2"
        "  AND (l.territory IS NULL OR l.territory = '')))"
        " ORDER BY l.name";
    json_t *out = json_array();
    sqlite3_stmt *st = store_prepare(rq->store, sql);
    if (!st)
        return out;
    sqlite3_bind_text(st, 1, category, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, nis, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 3, located_too);
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *f = feature_json(st, 0);
        json_object_set_new(json_object_get(f, "properties"), "basis",
                            json_string((const char *)sqlite3_column_text(
                                st, FEATURE_NCOLUMNS)));
        json_array_append_new(out, f);
    }
    sqlite3_reset(st);
    return out;
}

/* The 'k' listings of 'category' nearest to lat/lon (the k-d tree of
 * spatial.c, the measure /api/nearest and the page use), each with its
 * distance_m and basis "nearest". An empty array when there are none. */
static json_t *nearest_of(struct request *rq, const char *category, double lat,
                          double lon, long k)
{
    static const char sql[] =
        "SELECT " FEATURE_COLUMNS " FROM listings l WHERE l.id = ?1";
    struct spatial_hit hits[NEAREST_FALLBACK];
    char cats[48];
    json_t *out = json_array();
    snprintf(cats, sizeof cats, ",%s,", category);
    struct spatial *sp = spatial_acquire(rq->store);
    if (!sp)
        return out;
    struct spatial_query q = {.lat = lat,
                              .lon = lon,
                              .max_m = 1e7,
                              .limit = k,
                              .categories = cats,
                              .age = -1};
    long n = spatial_nearest(sp, &q, hits);
    spatial_release(sp);
    sqlite3_stmt *st = store_prepare(rq->store, sql);
    for (long i = 0; st && i < n; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, hits[i].id);
        if (sqlite3_step(st) != SQLITE_ROW)
            continue;
        json_t *f = feature_json(st, 0);
        json_t *pr = json_object_get(f, "properties");
        json_object_set_new(pr, "basis", json_string("nearest"));
        json_object_set_new(pr, "distance_m",
                            json_integer((json_int_t)llround(hits[i].d)));
        json_array_append_new(out, f);
    }
    if (st)
        sqlite3_reset(st);
    return out;
}

int communes_parse_path(const char *path, const char **code)
{
    static const char prefix[] = "/api/communes";
    *code = NULL;
    if (strncmp(path, prefix, strlen(prefix)) != 0)
        return -1;
    const char *c = path + strlen(prefix);
    if (*c == '\0')
        return 0;
    if (*c++ != '/')
        return -1;
    size_t n = strlen(c);
    bool digits = n > 0;
    for (size_t i = 0; i < n; i++)
        digits &= isdigit((unsigned char)c[i]) != 0;
    if (!digits || (n != 4 && n != 5))
        return -1;
    *code = c;
    return 1;
}

static const struct gaz_commune *find_commune(struct request *rq,
                                              struct reply *rp,
                                              const char **postcode,
                                              double center[2])
{
    const struct gazetteer *gaz = rq->ctx->gaz;
    const char *code;
    int has_code = communes_parse_path(rq->path, &code);
    *postcode = NULL;
    if (has_code != 0) {
        if (has_code < 0) {
            reply_error(rp, 400, "bad_parameter",
                        "code: a 4-digit postcode or a 5-digit NIS code");
            return NULL;
        }
        size_t n = strlen(code);
        if (reject_unknown_params(rq, rp))
            return NULL;
        const struct gaz_commune *c = NULL;
        if (n == 5) {
            c = gaz_commune_by_nis(gaz, code);
        } else {
            const struct gaz_postcode *pc = gaz_postcode(gaz, code, NULL);
            c = pc ? gaz_commune_at(gaz, pc->lat, pc->lon) : NULL;
            *postcode = code;
            if (pc)
                center[0] = pc->lon, center[1] = pc->lat;
        }
        if (!c)
            reply_error(rp, 404, "not_found", "no Belgian municipality for %s",
                        code);
        return c;
    }
    /* ?name=: a municipality (French or Dutch) or a place ("Jambes"), as
     * a visitor types it in the page's "where" box. */
    const char *name = param_get(rq, "name");
    if (name) {
        if (reject_unknown_params(rq, rp))
            return NULL;
        const struct gaz_commune *c = gaz_commune_by_name(gaz, name);
        const struct gaz_postcode *pl = c ? NULL : gaz_place_by_name(gaz, name);
        if (pl) {
            c = gaz_commune_at(gaz, pl->lat, pl->lon);
            center[0] = pl->lon, center[1] = pl->lat;
        }
        if (!c)
            reply_error(rp, 404, "not_found",
                        "name: no Belgian municipality "
                        "or place of that name");
        return c;
    }
    double lat, lon;
    int a = param_double(rq, rp, "lat", -90, 90, &lat);
    int b = a < 0 ? -1 : param_double(rq, rp, "lon", -180, 180, &lon);
    if (b < 0 || reject_unknown_params(rq, rp))
        return NULL;
    if (!a || !b) {
        reply_error(rp, 400, "missing_parameter", "%s: required",
                    a ? "lon" : "lat");
        return NULL;
    }
    const struct gaz_commune *c = gaz_commune_at(gaz, lat, lon);
    center[0] = lon, center[1] = lat;
    if (!c)
        reply_error(rp, 404, "not_found",
                    "this point is in no Belgian municipality");
    return c;
}

void api_communes(struct request *rq, struct reply *rp)
{
    const char *postcode;
    double center[2] = {NAN, NAN};
    const struct gaz_commune *c = find_commune(rq, rp, &postcode, center);
    if (!c)
        return;
    if (isnan(center[0])) /* a point inside, near the centroid */
        center[0] = c->in_lon, center[1] = c->in_lat;
    json_t *notices = json_array();
    json_t *cpas = serving(rq, "cpas", c->nis, false);
    json_t *the_cpas = json_incref(json_array_get(cpas, 0));
    json_decref(cpas);
    if (!the_cpas) {
        char msg[300];
        snprintf(msg, sizeof msg,
                 "Le CPAS compétent est celui de la commune de résidence "
                 "(%s), mais il n'est pas encore dans l'annuaire.",
                 c->name_fr);
        json_array_append_new(notices, json_string(msg));
    }
    json_t *sdj = serving(rq, "sdj", c->nis, false);
    json_t *amo = serving(rq, "amo", c->nis, true);
    json_t *planning = serving(rq, "planning", c->nis, true);
    /* Who serves a commune is known only where a source says so (or a
     * service sits in it); elsewhere the visitor still gets the nearest,
     * named as such, not as the competent ones: a young person always
     * leaves with somewhere to go. */
    json_t *sdj_nearest = NULL;
    if (json_array_size(sdj) == 0) {
        json_array_append_new(
            notices, json_string("Aucune antenne du Service Droit des Jeunes "
                                 "n'est encore liée à cette commune dans "
                                 "l'annuaire ; la plus proche est indiquée."));
        json_t *one = nearest_of(rq, "sdj", center[1], center[0], 1);
        sdj_nearest = json_incref(json_array_get(one, 0));
        json_decref(one);
    }
    json_t *amo_nearest = json_array(), *planning_nearest = json_array();
    if (json_array_size(amo) == 0) {
        json_array_append_new(
            notices, json_string("Aucune AMO de l'annuaire ne couvre cette "
                                 "commune ni ne s'y trouve ; les plus proches "
                                 "sont indiquées."));
        json_decref(amo_nearest);
        amo_nearest =
            nearest_of(rq, "amo", center[1], center[0], NEAREST_FALLBACK);
    }
    if (json_array_size(planning) == 0) {
        json_array_append_new(
            notices, json_string("Aucun centre de planning familial de "
                                 "l'annuaire ne se trouve dans cette commune ; "
                                 "les plus proches sont indiqués."));
        json_decref(planning_nearest);
        planning_nearest =
            nearest_of(rq, "planning", center[1], center[0], NEAREST_FALLBACK);
    }
    json_t *j = json_pack(
        "{s:{s:s,s:s,s:s,s:s,s:s,s:s?,s:[f,f]},s:o,s:o,s:o,s:o,s:o,s:o,s:o,"
        "s:o}",
        "commune", "nis", c->nis, "name_fr", c->name_fr, "name_nl", c->name_nl,
        "arrondissement_nis", c->arr_nis, "region_nis", c->reg_nis, "postcode",
        postcode, "center", round(center[0] * 1e7) / 1e7,
        round(center[1] * 1e7) / 1e7, "cpas", the_cpas ? the_cpas : json_null(),
        "amo", amo, "amo_nearest", amo_nearest, "sdj", sdj, "sdj_nearest",
        sdj_nearest ? sdj_nearest : json_null(), "planning", planning,
        "planning_nearest", planning_nearest, "notices", notices);
    reply_json_text(rp, json_dumps(j, JW_DUMP_FLAGS), "application/json");
    json_decref(j);
    reply_cacheable(rq, rp, 300);
}
