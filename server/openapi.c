/* openapi.c - the API descriptions, with their servers (see openapi.h),
 * and the routes that serve them. */
#include "openapi.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "json_write.h"
#include "params.h"
#include "publicurl.h"
#include "routes.h"

/* build/gen/openapi_docs.c, written by the Makefile from the JSON files */
extern const char openapi_api_json[];
extern const char openapi_ogc_json[];

#define OPENAPI_TYPE "application/vnd.oai.openapi+json;version=3.0"
#define OPENAPI_MAX_AGE "public, max-age=3600"

/* FNV-1a: the documents change only with the program. */
static void etag_of(const char *text, char *out, size_t outsz)
{
    uint64_t h = 1469598103934665603ull;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    snprintf(out, outsz, "\"o%016llx\"", (unsigned long long)h);
}

/* 'src' with its servers set to base + 'path' (OpenAPI 3.0.3 4.7.5: a
 * relative server URL is resolved against the document's location). */
static char *with_server(const char *src, const char *base, const char *path,
                         const char *name, char *msg, size_t msgsz)
{
    json_error_t err;
    json_t *doc = json_loads(src, 0, &err);
    char url[PUBLIC_URL_MAX + 16];
    if (!doc) {
        snprintf(msg, msgsz, "server/openapi/%s.json:%d: %s", name, err.line,
                 err.text);
        return NULL;
    }
    public_link(base, path, url, sizeof url);
    json_object_set_new(doc, "servers",
                        json_pack("[{s:s}]", "url", url[0] ? url : "/"));
    char *text = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    json_decref(doc);
    if (!text)
        snprintf(msg, msgsz, "out of memory");
    return text;
}

int openapi_docs_new(const char *public_url, struct openapi_docs **out,
                     char *msg, size_t msgsz)
{
    *out = NULL;
    struct openapi_docs *d = calloc(1, sizeof *d);
    if (!d)
        return ERR_NOMEM;
    /* the public API's paths start at the root, OGC's under /ogc */
    d->api = with_server(openapi_api_json, public_url, "", "api", msg, msgsz);
    d->ogc = d->api ? with_server(openapi_ogc_json, public_url, "/ogc", "ogc",
                                  msg, msgsz)
                    : NULL;
    if (!d->ogc) {
        openapi_docs_free(d);
        return strstr(msg, "memory") ? ERR_NOMEM : ERR_PARSE;
    }
    etag_of(d->api, d->api_etag, sizeof d->api_etag);
    etag_of(d->ogc, d->ogc_etag, sizeof d->ogc_etag);
    *out = d;
    return 0;
}

void openapi_docs_free(struct openapi_docs *d)
{
    if (!d)
        return;
    free(d->api);
    free(d->ogc);
    free(d);
}

static void reply_doc(struct reply *rp, const char *text, const char *etag)
{
    if (!text) { /* a test harness without them (the fuzzer) */
        reply_error(rp, 404, "not_found", "no API description loaded");
        return;
    }
    buf_reset(&rp->body);
    if (buf_puts(&rp->body, text) < 0) {
        reply_error(rp, 500, "internal", "answer too large");
        return;
    }
    rp->content_type = OPENAPI_TYPE;
    snprintf(rp->etag, sizeof rp->etag, "%s", etag);
    rp->cache_control = OPENAPI_MAX_AGE;
}

void api_openapi(struct request *rq, struct reply *rp)
{
    const struct openapi_docs *d = rq->ctx->openapi;
    if (!reject_unknown_params(rq, rp))
        reply_doc(rp, d ? d->api : NULL, d ? d->api_etag : "");
}

void api_ogc_openapi(struct request *rq, struct reply *rp)
{
    const struct openapi_docs *d = rq->ctx->openapi;
    if (ogc_check_format(rq, rp) && !reject_unknown_params(rq, rp))
        reply_doc(rp, d ? d->ogc : NULL, d ? d->ogc_etag : "");
}
