/* api_ogc.c - OGC API - Features - Part 1: Core, with the GeoJSON and
 * OpenAPI 3.0 conformance classes, one collection per category, and the
 * queryables of Part 3 (age, commune, nis) as simple property filters on
 * items.
 * Details clients rely on: the landing page links service-desc and
 * conformance (QGIS needs both: pg_featureserv issue #63), items carry
 * numberMatched (pg_featureserv #139), and an unknown query parameter is
 * a 400 (OGC API - Features - Part 1, /req/core/query-param-unknown).
 * Links are absolute from --public-url, else relative (publicurl.h):
 * RFC 8288 3.1 resolves a relative target against the document's URL,
 * which GDAL does (tests/test_server.c reads us through it both ways). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "feature.h"
#include "gazetteer.h"
#include "geo.h"
#include "json_write.h"
#include "params.h"
#include "publicurl.h"
#include "query.h"
#include "routes.h"
#include "snapshot.h"
#include "store.h"
#include "text.h"

#define OGC_DEFAULT_LIMIT 10
#define OGC_MAX_LIMIT 1000
#define OGC_MAX_OFFSET 10000000
#define OGC_MAX_AGE 120     /* as /api/nearest */
#define OGC_MAX_COMMUNE 100 /* bytes of a commune filter */
#define OGC_MAX_QUERY 200   /* bytes of one value in a page link */
#define OGC_MAX_HREF 1500
#define CRS84 "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
#define CONF "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"
/* OGC API - Features - Part 3 (queryables) and the OGC link relation. */
#define REL_QUERYABLES "http://www.opengis.net/def/rel/ogc/1.0/queryables"
#define SCHEMA_2020 "https://json-schema.org/draft/2020-12/schema"

/* The link to /ogc + the printf-style path; "" when too long (every path
 * we write is bounded far below OGC_MAX_HREF). */
static void ogc_href(const struct request *rq, char out[OGC_MAX_HREF],
                     const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void ogc_href(const struct request *rq, char out[OGC_MAX_HREF],
                     const char *fmt, ...)
{
    char path[OGC_MAX_HREF] = "/ogc";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path + 4, sizeof path - 4, fmt, ap);
    va_end(ap);
    public_link(rq->ctx->public_url, path, out, OGC_MAX_HREF);
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
bool ogc_check_format(struct request *rq, struct reply *rp)
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
    char href[OGC_MAX_HREF];
    json_t *links = json_array();
    ogc_href(rq, href, "%s", "");
    json_array_append_new(
        links, link(href, "self", "application/json", "This document"));
    ogc_href(rq, href, "/api");
    json_array_append_new(links,
                          link(href, "service-desc",
                               "application/vnd.oai.openapi+json;version=3.0",
                               "The API definition"));
    ogc_href(rq, href, "/conformance");
    json_array_append_new(links, link(href, "conformance", "application/json",
                                      "Conformance classes"));
    ogc_href(rq, href, "/collections");
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
    char href[OGC_MAX_HREF];
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
    ogc_href(rq, href, "/collections/%s", slug);
    json_array_append_new(links, link(href, "self", "application/json", title));
    ogc_href(rq, href, "/collections/%s/items", slug);
    json_array_append_new(
        links, link(href, "items", "application/geo+json", "The listings"));
    ogc_href(rq, href, "/collections/%s/queryables", slug);
    json_array_append_new(links,
                          link(href, REL_QUERYABLES, "application/schema+json",
                               "What items can be filtered on"));
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
    char href[OGC_MAX_HREF];
    ogc_href(rq, href, "/collections");
    json_t *links = json_array();
    json_array_append_new(
        links, link(href, "self", "application/json", "Collections"));
    reply_with(rq, rp,
               json_pack("{s:o,s:o}", "links", links, "collections",
                         collections(rq, NULL)),
               "application/json");
}

/* OGC API - Features - Part 3, 6.2: the queryables as a JSON Schema of
 * the properties items can be filtered on (the parameters of items()
 * below; the OpenAPI description names the same). */
static void queryables(struct request *rq, struct reply *rp, const char *cid)
{
    char href[OGC_MAX_HREF];
    ogc_href(rq, href, "/collections/%s/queryables", cid);
    json_t *props = json_pack(
        "{s:{s:s,s:s,s:s,s:i,s:i},s:{s:s,s:s,s:s,s:i,s:i},"
        "s:{s:s,s:s,s:s,s:s}}",
        "age", "title", "Âge servi", "description",
        "Listings whose age range holds this age (those without ages, such "
        "as CPAS, serve everyone)",
        "type", "integer", "minimum", 0, "maximum", OGC_MAX_AGE, "commune",
        "title", "Commune", "description",
        "Listings located in the municipality of this name (French or "
        "Dutch), postcode, NIS code or place (Jambes: Namur)",
        "type", "string", "minLength", 1, "maxLength", OGC_MAX_COMMUNE, "nis",
        "title", "Code INS", "description",
        "Listings located in the municipality of this NIS (Statbel REFNIS) "
        "code",
        "type", "string", "pattern", "^[0-9]{5}$");
    reply_with(rq, rp,
               json_pack("{s:s,s:s,s:s,s:s,s:o,s:b}", "$schema", SCHEMA_2020,
                         "$id", href, "type", "object", "title", cid,
                         "properties", props, "additionalProperties", 0),
               "application/schema+json");
}

/* "&key=value" with the value percent-encoded (RFC 3986 2.1), appended
 * to 'q' (of 'qsz' bytes); nothing when it does not fit. */
static void query_add(char *q, size_t qsz, const char *key, const char *value)
{
    char enc[3 * OGC_MAX_QUERY + 4];
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)value;
         *p && n + 4 < sizeof enc; p++) {
        if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                   "0123456789-._~,",
                   *p))
            enc[n++] = (char)*p;
        else
            n += (size_t)snprintf(enc + n, sizeof enc - n, "%%%02X", *p);
    }
    enc[n] = '\0';
    size_t used = strlen(q);
    if (used + strlen(key) + n + 3 < qsz)
        snprintf(q + used, qsz - used, "&%s=%s", key, enc);
}

/* Link to the same items query ('filters': "&bbox=..&age=..") at another
 * offset. */
static json_t *page_link(const struct request *rq, const char *cid,
                         const char *rel, long limit, long offset,
                         const char *filters)
{
    char href[OGC_MAX_HREF];
    ogc_href(rq, href, "/collections/%s/items?limit=%ld&offset=%ld%s", cid,
             limit, offset, filters);
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

/* The queryables of the request into 'f' (and 'nis', which it points
 * to), and the same as query text into 'filters' for the page links.
 * Returns false when one is bad (reply set, naming it). */
static bool item_filters(struct request *rq, struct reply *rp,
                         struct page_filter *f, char nis[6], char *filters,
                         size_t fsz)
{
    long age = -1;
    if (param_long(rq, rp, "age", 0, OGC_MAX_AGE, &age) < 0)
        return false;
    f->age = (int)age;
    if (age >= 0) {
        char n[24];
        snprintf(n, sizeof n, "%d", (int)age);
        query_add(filters, fsz, "age", n);
    }
    const char *code = param_get(rq, "nis");
    const char *name = param_get(rq, "commune");
    if (code &&
        (!text_digits(code, 5) || !gaz_commune_by_nis(rq->ctx->gaz, code))) {
        reply_error(rp, 400, "bad_parameter",
                    "nis: expected the 5-digit NIS code of a Belgian "
                    "municipality");
        return false;
    }
    /* A name as the page's "postcode or commune" box takes it: the
     * listings' own commune is sometimes a former municipality ("Jambes"),
     * so the filter is on the municipality's NIS code, which every
     * listing has. */
    struct place where;
    if (name && (strlen(name) > OGC_MAX_COMMUNE ||
                 !query_locate(rq->ctx->gaz, name, &where))) {
        reply_error(rp, 400, "bad_parameter",
                    "commune: not a Belgian municipality, postcode or place "
                    "(at most %d bytes)",
                    OGC_MAX_COMMUNE);
        return false;
    }
    if (code && name && strcmp(code, where.commune->nis) != 0) {
        reply_error(rp, 400, "bad_parameter",
                    "commune: not the municipality of nis %s", code);
        return false;
    }
    if (code || name) {
        snprintf(nis, 6, "%s", code ? code : where.commune->nis);
        f->nis = nis;
    }
    if (code)
        query_add(filters, fsz, "nis", code);
    if (name)
        query_add(filters, fsz, "commune", name);
    return true;
}

static void items(struct request *rq, struct reply *rp, const char *cid)
{
    long limit = OGC_DEFAULT_LIMIT, offset = 0;
    double bb[4];
    char nis[6], filters[600] = "";
    struct page_filter f = {.age = -1};
    int b = param_bbox(rq, rp, "bbox", bb);
    if (b < 0)
        return;
    if (b > 0) { /* as given: param_bbox bounds it to 200 bytes */
        query_add(filters, sizeof filters, "bbox", param_get(rq, "bbox"));
        f.bbox = bb;
    }
    const char *bbox_crs = param_get(rq, "bbox-crs");
    if (bbox_crs && strcmp(bbox_crs, CRS84) != 0) {
        reply_error(rp, 400, "bad_parameter", "bbox-crs: only %s", CRS84);
        return;
    }
    param_get(rq, "datetime"); /* listings have no time: every one matches */
    if (param_long(rq, rp, "limit", 1, OGC_MAX_LIMIT, &limit) < 0 ||
        param_long(rq, rp, "offset", 0, OGC_MAX_OFFSET, &offset) < 0 ||
        !item_filters(rq, rp, &f, nis, filters, sizeof filters) ||
        !ogc_check_format(rq, rp) || reject_unknown_params(rq, rp))
        return;
    struct query_env e = request_env(rq);
    struct rows rows;
    long long matched = 0;
    rows_init(&rows);
    if (query_page(&e, cid, &f, limit, offset, &matched, &rows) < 0) {
        rows_free(&rows);
        reply_error(rp, 500, "internal", "query failed");
        return;
    }
    char href[OGC_MAX_HREF];
    json_t *links = json_array();
    json_array_append_new(links,
                          page_link(rq, cid, "self", limit, offset, filters));
    if (offset + limit < matched)
        json_array_append_new(
            links, page_link(rq, cid, "next", limit, offset + limit, filters));
    if (offset > 0)
        json_array_append_new(
            links, page_link(rq, cid, "prev", limit,
                             offset > limit ? offset - limit : 0, filters));
    ogc_href(rq, href, "/collections/%s", cid);
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
    if (!ogc_check_format(rq, rp) || reject_unknown_params(rq, rp))
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
    char href[OGC_MAX_HREF];
    json_t *links = json_array();
    ogc_href(rq, href, "/collections/%s/items/%lld", cid, id);
    json_array_append_new(
        links, link(href, "self", "application/geo+json", "This feature"));
    ogc_href(rq, href, "/collections/%s", cid);
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

/* Everything under /ogc but /ogc/api (openapi.c). */
void api_ogc(struct request *rq, struct reply *rp)
{
    const char *p = rq->path + strlen("/ogc");
    char cid[64] = "", fid[64] = "";
    if (*p == '\0' || strcmp(p, "/") == 0) {
        if (ogc_check_format(rq, rp) && !reject_unknown_params(rq, rp))
            landing(rq, rp);
        return;
    }
    if (strcmp(p, "/conformance") == 0 || strcmp(p, "/collections") == 0) {
        if (!ogc_check_format(rq, rp) || reject_unknown_params(rq, rp))
            return;
        if (strcmp(p, "/conformance") == 0)
            conformance(rq, rp);
        else
            all_collections(rq, rp);
        return;
    }
    /* /collections/{cid}[/items[/{fid}]|/queryables] */
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
        if (ogc_check_format(rq, rp) && !reject_unknown_params(rq, rp))
            reply_with(rq, rp, collections(rq, cid), "application/json");
    } else if (strcmp(rest, "/items") == 0) {
        items(rq, rp, cid);
    } else if (strcmp(rest, "/queryables") == 0) {
        if (ogc_check_format(rq, rp) && !reject_unknown_params(rq, rp))
            queryables(rq, rp, cid);
    } else if (sscanf(rest, "/items/%63[0-9]%n", fid, &n) == 1 &&
               rest[n] == '\0') {
        item(rq, rp, cid, fid);
    } else {
        reply_error(rp, 404, "not_found", "no such OGC API resource");
    }
}
