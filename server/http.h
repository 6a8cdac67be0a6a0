/* http.h - the HTTP layer of amo-server: requests and replies as plain
 * structs, so handlers never see libmicrohttpd; http.c alone turns a reply
 * into a response, adding the headers every answer carries (CORS, CSP,
 * ETag and 304, gzip, Cache-Control).
 * Ownership: a request and its strings belong to http.c for the duration
 * of one call; a handler fills the reply, whose body http.c frees. */
#ifndef AMO_HTTP_H
#define AMO_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define HTTP_MAX_PARAMS 16         /* query parameters in one request */
#define HTTP_MAX_BODY (256u << 20) /* largest answer we build */

struct store;
struct snapshot;
struct gazetteer;
struct basemap;
struct situations;
struct openapi_docs;

/* POST only for the page's form (a search that must stay out of the URL,
 * docs/web.md "No trace"); every other route refuses it. */
enum http_method { HTTP_GET, HTTP_HEAD, HTTP_OPTIONS, HTTP_POST, HTTP_OTHER };

struct param {
    const char *key;
    const char *value; /* NUL-free, valid UTF-8 (checked before handlers) */
    bool used;         /* a handler read it: the rest are unknown */
};

/* What every handler can rely on. */
struct server_ctx {
    const char *db_path;
    const char *web_dir; /* realpath of --web, or NULL */
    const struct gazetteer *gaz;
    int cluster_maxzoom;           /* tiles below this zoom are clustered */
    const struct basemap *basemap; /* the boundaries tileset */
    const char *report_email;      /* where visitors report errors, or NULL */
    const struct situations *situations; /* data/situations, or NULL */
    bool fts5_search;     /* --search-engine fts5: the reference ranking */
    const char *exit_url; /* where "Quitter" leaves for (--exit-url) */
    /* --public-url without its trailing '/', or "": absolute links start
     * with it, else they are relative (publicurl.h); never the Host */
    const char *public_url;
    const struct openapi_docs *openapi; /* the API descriptions */
};

struct request {
    enum http_method method;
    const char *path; /* decoded by MHD, starts with '/' */
    struct param params[HTTP_MAX_PARAMS];
    int nparams;
    const char *accept_language; /* the header, for the page's language */
    bool accepts_gzip;           /* Accept-Encoding allows gzip */
    struct store *store;   /* this thread's read-only connection, or NULL */
    struct snapshot *snap; /* what is derived from its data version */
    const struct server_ctx *ctx;
};

struct reply {
    int status;
    struct buf body;
    const char *content_type;
    char etag[80];             /* quoted strong ETag, or "" */
    const char *cache_control; /* NULL: no-store */
    bool cors;                 /* Access-Control-Allow-Origin: * (route) */
    bool frameable;            /* any site may frame it (route) */
    char file[1024];           /* static file to send instead of body, or "" */
    bool file_gzipped;         /* 'file' is a precompressed .gz variant */
    size_t file_size;
    char location[2048]; /* a redirect's target (303), or "" */
};

typedef void (*http_handler)(struct request *rq, struct reply *rp);

/* Fill 'rp' with {"error":{"code","message"}} and 'status'. 'message'
 * is printf-style and should name the parameter at fault. */
void reply_error(struct reply *rp, int status, const char *code,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Set a JSON body (takes the text, which must come from json_dumps). */
void reply_json_text(struct reply *rp, char *text, const char *content_type);

struct http_server;

/* How libmicrohttpd runs: the defaults are the best measured on 2 cores
 * (docs/benchmarks.md, "The HTTP layer"); --http-tuning changes them for
 * the benchmark. */
enum http_poll { HTTP_EPOLL, HTTP_POLL, HTTP_SELECT };

struct http_tuning {
    bool per_connection; /* a thread per connection, not a pool */
    enum http_poll poll;
    bool turbo;              /* MHD_USE_TURBO: no shutdown() nor locks */
    size_t memory_increment; /* 0: libmicrohttpd's own (1024) */
    unsigned backlog;        /* 0: SOMAXCONN */
    bool reuse_livez;        /* /livez from one response object, reused */
};

struct http_limits {
    unsigned threads;
    unsigned max_connections;
    unsigned per_ip_connections;
    unsigned idle_timeout_s;
    size_t memory_per_connection; /* bounds request line and headers */
    struct http_tuning tuning;
};

/* Parse --http-tuning "mode=pool|per-connection,poll=epoll|poll|select,
 * turbo=0|1,increment=BYTES,backlog=N,reuse=0|1" into 't'. Returns 0, or
 * ERR_USAGE with 'msg'. */
int http_tuning_parse(const char *text, struct http_tuning *t, char *msg,
                      size_t msgsz);

/* Start serving on 'addr' ("127.0.0.1:8080", port 0 picks a free one).
 * Returns 0 or an ERR_* with 'msg'; *bound_port is the port in use. */
int http_start(struct http_server **out, const char *addr,
               const struct http_limits *lim, const struct server_ctx *ctx,
               int *bound_port, char *msg, size_t msgsz);
/* Stop accepting, let the requests in flight finish (up to 'grace_s'
 * seconds), then stop. */
void http_stop(struct http_server *s, unsigned grace_s);

#endif
