/* openapi.h - the OpenAPI 3.0 descriptions amo-server serves: the public
 * API (server/openapi/api.json, at /api/openapi.json) and OGC API
 * Features (server/openapi/ogc.json, at /ogc/api, the landing page's
 * service-desc). They describe this program's code, not data staff edit,
 * so they are compiled into it (build/gen/openapi_docs.c, Makefile) and
 * cannot drift from it by installation; only `servers` changes, set at
 * start from --public-url (relative "/" and "/ogc" without one).
 * Ownership: openapi_docs_new() returns an object the caller frees with
 * openapi_docs_free(); handlers borrow it through server_ctx. */
#ifndef AMO_OPENAPI_H
#define AMO_OPENAPI_H

#include <stddef.h>

struct openapi_docs {
    char *api, *ogc;                 /* the documents, as served */
    char api_etag[24], ogc_etag[24]; /* quoted, from their bytes */
};

/* The two documents with 'public_url' ("" or NULL: relative) as their
 * server. Returns 0, or ERR_PARSE (a document compiled in is not JSON: a
 * build error) or ERR_NOMEM, with 'msg'; *out is NULL on failure. */
int openapi_docs_new(const char *public_url, struct openapi_docs **out,
                     char *msg, size_t msgsz);
void openapi_docs_free(struct openapi_docs *d);

#endif
