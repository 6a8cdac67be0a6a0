/* api_ogc.c - OGC API - Features - Part 1: Core, with the GeoJSON and
 * OpenAPI 3.0 conformance classes, one collection per category.
 * Details clients rely on: the landing page links service-desc and
 * conformance (QGIS needs both: pg_featureserv issue #63), items carry
 * numberMatched (pg_featureserv #139), and an unknown query parameter is
 * a 400 (OGC API - Features - Part 1, /req/core/query-param-unknown). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "feature.h"
#include "geo.h"
#include "json_write.h"
#include "params.h"
#include "query.h"
#include "routes.h"
#include "snapshot.h"
#include "store.h"

#define OGC_DEFAULT_LIMIT 10
#define OGC_MAX_LIMIT 1000
#define OGC_MAX_OFFSET 10000000
#define CRS84 "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
#define CONF "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"

static void base_url(const struct request *rq, char *out, size_t outsz)
{
    snprintf(out, outsz, "http://%s/ogc", rq->host ? rq->host : "localhost");
}

static json_t *link(const char *href, const char *rel, const char *type,
                    const char *title)
{
    return json_pack("{s:s,s:s,s:s,s:s}", "href", href, "rel", rel, "type",
                     type, "title", title);
}

static void reply_with(struct request *rq, struct reply *rp, json_t *j,
                       const char *type)
{
    reply_json_text(rp, json_dumps(j, JW_DUMP_FLAGS), type);
    json_decref(j);
    reply_cacheable(rq, rp, 60);
}

/* f=json / f=geojson are the only encodings we serve. */
static bool check_format(struct request *rq, struct reply *rp)
{
    const char *f = param_get(rq, "f");
    if (f && strcmp(f, "json") && strcmp(f, "geojson") &&
        strcmp(f, "application/json") && strcmp(f, "application/geo+json")) {
        reply_error(rp, 400, "bad_parameter", "f: only json is served");
        return false;
    }
    return true;
}

static void landing(struct request *rq, struct reply *rp)
{
    char base[400], href[500];
    base_url(rq, base, sizeof base);
    json_t *links = json_array();
    json_array_append_new(
        links, link(base, "self", "application/json", "This document"));
    snprintf(href, sizeof href, "%s/api", base);
    json_array_append_new(links,
                          link(href, "service-desc",
                               "application/vnd.oai.openapi+json;version=3.0",
                               "The API definition"));
    snprintf(href, sizeof href, "%s/conformance", base);
    json_array_append_new(links, link(href, "conformance", "application/json",
                                      "Conformance classes"));
    snprintf(href, sizeof href, "%s/collections", base);
    json_array_append_new(links, link(href, "data", "application/json",
                                      "Collections: one per category"));
    reply_with(rq, rp,
               json_pack("{s:s,s:s,s:o}", "title",
                         "Annuaire des services d'aide à la jeunesse (FWB)",
                         "description",
                         "AMO, CPAS, centres de planning familial et Service "
                         "Droit des Jeunes en Wallonie et à Bruxelles",
                         "links", links),
               "application/json");
}

static void conformance(struct request *rq, struct reply *rp)
{
    reply_with(rq, rp,
               json_pack("{s:[sss]}", "conformsTo", CONF "core", CONF "geojson",
                         CONF "oas30"),
               "application/json");
}

static json_t *collection(struct request *rq, const char *slug,
                          const char *title)
{
    static const char sql[] = "SELECT min(lon), min(lat), max(lon), max(lat),"
                              " count(*) FROM listings WHERE category = ?1";
    char base[400], href[600];
    base_url(rq, base, sizeof base);
    double bb[4] = {GEO_BE_MIN_LON, GEO_BE_MIN_LAT, GEO_BE_MAX_LON,
                    GEO_BE_MAX_LAT};
    /* The extent from the in-memory index of this data version: the
     * query below reads every listing of the category (250,000 rows per
     * category at 1M, on each request for /collections). */
    bool known = rq->snap && snapshot_category_extent(rq->snap, slug, bb);
    sqlite3_stmt *st = known ? NULL : store_prepare(rq->store, sql);
    if (st) {
        sqlite3_bind_text(st, 1, slug, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 4) > 0)
            for (int i = 0; i < 4; i++)
                bb[i] = sqlite3_column_double(st, i);
        sqlite3_reset(st);
    }
    json_t *links = json_array();
    snprintf(href, sizeof href, "%s/collections/%s", base, slug);
    json_array_append_new(links, link(href, "self", "application/json", title));
    snprintf(href, sizeof href, "%s/collections/%s/items", base, slug);
    json_array_append_new(
        links, link(href, "items", "application/geo+json", "The listings"));
    return json_pack("{s:s,s:s,s:s,s:{s:{s:[[ffff]],s:s}},s:s,s:[s],s:o}", "id",
                     slug, "title", title, "description", title, "extent",
                     "spatial", "bbox", bb[0], bb[1], bb[2], bb[3], "crs",
                     CRS84, "itemType", "feature", "crs", CRS84, "links",
                     links);
}

/* The collections, or one of them when 'only' is set (NULL if unknown). */
static json_t *collections(struct request *rq, const char *only)
{
    static const char sql[] = "SELECT slug, label_fr FROM categories"
                              " ORDER BY slug";
    json_t *list = json_array();
    sqlite3_stmt *st = store_prepare(rq->store, sql);
    while (st && sqlite3_step(st) == SQLITE_ROW) {
        const char *slug = (const char *)sqlite3_column_text(st, 0);
        if (only && strcmp(only, slug) != 0)
            continue;
        json_array_append_new(
            list,
            collection(rq, slug, (const char *)sqlite3_column_text(st, 1)));
    }
    if (st)
        sqlite3_reset(st);
    if (only) {
        json_t *one = json_incref(json_array_get(list, 0));
        json_decref(list);
        return one;
    }
    return list;
}

static void all_collections(struct request *rq, struct reply *rp)
{
    char base[400], href[500];
    base_url(rq, base, sizeof base);
    snprintf(href, sizeof href, "%s/collections", base);
    json_t *links = json_array();
    json_array_append_new(
        links, link(href, "self", "application/json", "Collections"));
    reply_with(rq, rp,
               json_pack("{s:o,s:o}", "links", links, "collections",
                         collections(rq, NULL)),
               "application/json");
}

/* Link to the same items query at another offset. */
static json_t *page_link(const char *base, const char *cid, const char *rel,
                         long limit, long offset, const char *bbox)
{
    char href[1200];
    snprintf(href, sizeof href,
             "%s/collections/%s/items?limit=%ld&offset=%ld%s%s", base, cid,
             limit, offset, bbox ? "&bbox=" : "", bbox ? bbox : "");
    return link(href, rel, "application/geo+json",
                strcmp(rel, "next") == 0   ? "Next page"
                : strcmp(rel, "prev") == 0 ? "Previous page"
                                           : "This page");
}

/* A FeatureCollection (or a Feature) written as text around the rows,
 * with the other members as jansson text (the links). */
static void reply_text(struct request *rq, struct reply *rp, struct jw *w,
                       const char *type)
{
    if (w->err) {
        reply_error(rp, 500, "internal", "answer too large");
        return;
    }
    rp->content_type = type;
    reply_cacheable(rq, rp, 60);
}

static void write_links(struct jw *w, json_t *links)
{
    char *text = json_dumps(links, JW_DUMP_FLAGS);
    json_decref(links);
    if (!text) {
        w->err = ERR_NOMEM;
        return;
    }
    jw_raw(w, text);
    free(text);
}

static void items(struct request *rq, struct reply *rp, const char *cid)
{
    long limit = OGC_DEFAULT_LIMIT, offset = 0;
    double bb[4];
    int b = param_bbox(rq, rp, "bbox", bb);
    const char *bbox_text = b > 0 ? param_get(rq, "bbox") : NULL;
    const char *bbox_crs = b < 0 ? NULL : param_get(rq, "bbox-crs");
    if (bbox_crs && strcmp(bbox_crs, CRS84) != 0) {
        reply_error(rp, 400, "bad_parameter", "bbox-crs: only %s", CRS84);
        return;
    }
    param_get(rq, "datetime"); /* listings have no time: every one matches */
    int l = b < 0 ? -1 : param_long(rq, rp, "limit", 1, OGC_MAX_LIMIT, &limit);
    int o =
        l < 0 ? -1 : param_long(rq, rp, "offset", 0, OGC_MAX_OFFSET, &offset);
    if (o < 0 || !check_format(rq, rp) || reject_unknown_params(rq, rp))
        return;
    struct query_env e = request_env(rq);
    struct rows rows;
    long long matched = 0;
    rows_init(&rows);
    if (query_page(&e, cid, b > 0 ? bb : NULL, limit, offset, &matched, &rows) <
        0) {
        rows_free(&rows);
        reply_error(rp, 500, "internal", "query failed");
        return;
    }
    char base[400], href[600];
    base_url(rq, base, sizeof base);
    json_t *links = json_array();
    json_array_append_new(
        links, page_link(base, cid, "self", limit, offset, bbox_text));
    if (offset + limit < matched)
        json_array_append_new(links, page_link(base, cid, "next", limit,
                                               offset + limit, bbox_text));
    if (offset > 0)
        json_array_append_new(
            links, page_link(base, cid, "prev", limit,
                             offset > limit ? offset - limit : 0, bbox_text));
    snprintf(href, sizeof href, "%s/collections/%s", base, cid);
    json_array_append_new(
        links, link(href, "collection", "application/json", "The collection"));
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    struct jw w = {.b = &rp->body};
    jw_raw(&w, "{\"type\":\"FeatureCollection\",\"features\":[");
    features_write(&w, &rows);
    jw_raw(&w, "],\"numberMatched\":");
    jw_int(&w, matched);
    jw_raw(&w, ",\"numberReturned\":");
    jw_int(&w, (long long)rows.n);
    jw_raw(&w, ",\"timeStamp\":");
    jw_string(&w, stamp, strlen(stamp));
    jw_raw(&w, ",\"links\":");
    write_links(&w, links);
    jw_raw(&w, "}");
    rows_free(&rows);
    reply_text(rq, rp, &w, "application/geo+json");
}

static void item(struct request *rq, struct reply *rp, const char *cid,
                 const char *fid)
{
    char *end;
    long long id = strtoll(fid, &end, 10);
    if (!check_format(rq, rp) || reject_unknown_params(rq, rp))
        return;
    struct query_env e = request_env(rq);
    struct rows rows;
    rows_init(&rows);
    if (end == fid || *end || query_listing(&e, id, &rows) < 0 ||
        strcmp(rows.v[0].s[R_CATEGORY] ? rows.v[0].s[R_CATEGORY] : "", cid)) {
        rows_free(&rows);
        reply_error(rp, 404, "not_found", "no such feature");
        return;
    }
    char base[400], href[700];
    base_url(rq, base, sizeof base);
    json_t *links = json_array();
    snprintf(href, sizeof href, "%s/collections/%s/items/%lld", base, cid, id);
    json_array_append_new(
        links, link(href, "self", "application/geo+json", "This feature"));
    snprintf(href, sizeof href, "%s/collections/%s", base, cid);
    json_array_append_new(
        links, link(href, "collection", "application/json", "The collection"));
    struct buf more;
    buf_init(&more, 1 << 16);
    struct jw mw = {.b = &more};
    jw_raw(&mw, ",\"links\":");
    write_links(&mw, links);
    struct jw w = {.b = &rp->body, .err = mw.err};
    feature_write(&w, &rows.v[0], buf_str(&more));
    buf_free(&more);
    rows_free(&rows);
    reply_text(rq, rp, &w, "application/geo+json");
}

/* A small OpenAPI 3.0 description of the endpoints (service-desc). */
static void openapi(struct request *rq, struct reply *rp)
{
    char base[400];
    base_url(rq, base, sizeof base);
    json_t *ok = json_pack("{s:{s:s}}", "200", "description", "OK");
    json_t *paths = json_object();
    const char *const ps[] = {"/",
                              "/conformance",
                              "/collections",
                              "/collections/{collectionId}",
                              "/collections/{collectionId}/items",
                              "/collections/{collectionId}/items/{featureId}"};
    for (size_t i = 0; i < sizeof ps / sizeof *ps; i++)
        json_object_set_new(paths, ps[i],
                            json_pack("{s:{s:s,s:O}}", "get", "summary", ps[i],
                                      "responses", ok));
    json_decref(ok);
    reply_with(rq, rp,
               json_pack("{s:s,s:{s:s,s:s},s:[{s:s}],s:o}", "openapi", "3.0.2",
                         "info", "title", "Annuaire AMO - OGC API Features",
                         "version", "1.0", "servers", "url", base, "paths",
                         paths),
               "application/vnd.oai.openapi+json;version=3.0");
}

void api_ogc(struct request *rq, struct reply *rp)
{
    const char *p = rq->path + strlen("/ogc");
    char cid[64] = "", fid[64] = "";
    if (*p == '\0' || strcmp(p, "/") == 0) {
        if (check_format(rq, rp) && !reject_unknown_params(rq, rp))
            landing(rq, rp);
        return;
    }
    if (strcmp(p, "/conformance") == 0 || strcmp(p, "/api") == 0 ||
        strcmp(p, "/collections") == 0) {
        if (!check_format(rq, rp) || reject_unknown_params(rq, rp))
            return;
        if (p[1] == 'c' && p[2] == 'o' && p[3] == 'n')
            conformance(rq, rp);
        else if (p[1] == 'a')
            openapi(rq, rp);
        else
            all_collections(rq, rp);
        return;
    }
    /* /collections/{cid}[/items[/{fid}]] */
    int n = 0;
    if (sscanf(p, "/collections/%63[a-z0-9-]%n", cid, &n) != 1) {
        reply_error(rp, 404, "not_found", "no such OGC API resource");
        return;
    }
    const char *rest = p + n;
    /* Existence from the categories table: the collection document's
     * extent scans the category, which items requests must not pay. */
    if (!store_category_known(rq->store, cid, strlen(cid))) {
        reply_error(rp, 404, "not_found", "no collection \"%s\"", cid);
        return;
    }
    if (*rest == '\0') {
        if (check_format(rq, rp) && !reject_unknown_params(rq, rp))
            reply_with(rq, rp, collections(rq, cid), "application/json");
    } else if (strcmp(rest, "/items") == 0) {
        items(rq, rp, cid);
    } else if (sscanf(rest, "/items/%63[0-9]%n", fid, &n) == 1 &&
               rest[n] == '\0') {
        item(rq, rp, cid, fid);
    } else {
        reply_error(rp, 404, "not_found", "no such OGC API resource");
    }
}
