/* http.c - libmicrohttpd glue: routing, limits, common headers, ETag/304,
 * gzip, HEAD, graceful stop (see http.h). No request is logged: the
 * server keeps counts only, never a path, a query or a client address. */
#include "http.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <fcntl.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "gz.h"
#include "json_write.h"
#include "parse.h"
#include "query.h"
#include "routes.h"
#include "snapshot.h"
#include "store.h"
#include "text.h"

#define GZIP_MIN_BYTES 860 /* below one packet gzip saves nothing */

/* Pages may load only from our own origin: no third party ever sees a
 * visitor (the core promise of the directory). */
#define CSP                                                                    \
    "default-src 'self'; img-src 'self' data: blob:; "                         \
    "worker-src 'self' blob:; child-src 'self' blob:; object-src 'none'; "     \
    "base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
/* The widget is made to be framed by partner sites (any of them); it
 * still loads nothing from anywhere but our origin. */
#define CSP_FRAMEABLE                                                          \
    "default-src 'self'; img-src 'self' data:; object-src 'none'; "            \
    "base-uri 'none'; form-action 'self'; frame-ancestors *"

struct http_server {
    struct MHD_Daemon *d;
    struct server_ctx ctx;
    struct MHD_Response *livez; /* --http-tuning reuse=1 */
};

void reply_error(struct reply *rp, int status, const char *code,
                 const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *j =
        json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", msg);
    rp->status = status;
    rp->etag[0] = '\0';
    rp->cache_control = NULL;
    rp->file[0] = '\0';
    reply_json_text(rp, json_dumps(j, JW_DUMP_FLAGS), "application/json");
    json_decref(j);
}

void reply_json_text(struct reply *rp, char *text, const char *content_type)
{
    buf_reset(&rp->body);
    if (!text || buf_puts(&rp->body, text) < 0) {
        free(text);
        rp->status = 500;
        buf_reset(&rp->body);
        buf_puts(&rp->body, "{\"error\":{\"code\":\"internal\",\"message\":"
                            "\"answer too large\"}}");
        rp->content_type = "application/json";
        return;
    }
    free(text);
    rp->content_type = content_type;
}

bool reject_unknown_params(struct request *rq, struct reply *rp)
{
    for (int i = 0; i < rq->nparams; i++)
        if (!rq->params[i].used && strcmp(rq->params[i].key, "_") != 0) {
            char shown[64];
            snprintf(shown, sizeof shown, "%.60s", rq->params[i].key);
            reply_error(rp, 400, "unknown_parameter", "%s: unknown parameter",
                        shown);
            return true;
        }
    return false;
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

struct query_env request_env(const struct request *rq)
{
    return (struct query_env){.store = rq->store,
                              .snap = rq->snap,
                              .gaz = rq->ctx->gaz,
                              .sits = rq->ctx->situations,
                              .fts5_search = rq->ctx->fts5_search};
}

/* ---- request parsing ------------------------------------------------- */

/* Percent-decoding for the path and the arguments. A decoded NUL becomes
 * byte 0x01, which the checks below refuse: MHD hands us C strings, and a
 * silent cut at "%00" would answer a different request. */
size_t http_unescape(char *s)
{
    char *w = s;
    for (const char *r = s; *r; r++) {
        if (r[0] == '%' && isxdigit((unsigned char)r[1]) &&
            isxdigit((unsigned char)r[2])) {
            char hex[3] = {r[1], r[2], 0};
            char v = (char)strtol(hex, NULL, 16);
            *w++ = v ? v : '\x01';
            r += 2;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
    return (size_t)(w - s);
}

static size_t unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls, (void)c;
    return http_unescape(s);
}

static bool has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

struct arg_scan {
    struct request *rq;
    char bad[160];
};

int http_add_param(struct request *rq, const char *key, size_t key_size,
                   const char *value, size_t value_size, char *bad,
                   size_t badsz)
{
    if (!value)
        value = "";
    char shown[64];
    snprintf(shown, sizeof shown, "%.60s", key);
    if (strlen(key) != key_size || !text_utf8_valid(key, key_size) ||
        has_control(key)) {
        snprintf(bad, badsz, "a parameter name is not valid text");
        return -1;
    }
    if (strlen(value) != value_size || has_control(value)) {
        snprintf(bad, badsz, "%s: contains a control character", shown);
        return -1;
    }
    if (!text_utf8_valid(value, value_size)) {
        snprintf(bad, badsz, "%s: not valid UTF-8", shown);
        return -1;
    }
    for (int i = 0; i < rq->nparams; i++)
        if (strcmp(rq->params[i].key, key) == 0) {
            snprintf(bad, badsz, "%s: given more than once", shown);
            return -1;
        }
    if (rq->nparams == HTTP_MAX_PARAMS) {
        snprintf(bad, badsz, "more than %d parameters", HTTP_MAX_PARAMS);
        return -1;
    }
    rq->params[rq->nparams].key = key;
    rq->params[rq->nparams].value = value;
    rq->params[rq->nparams].used = false;
    rq->nparams++;
    return 0;
}

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind,
                                   const char *key, size_t key_size,
                                   const char *value, size_t value_size)
{
    (void)kind;
    struct arg_scan *a = cls;
    return http_add_param(a->rq, key, key_size, value, value_size, a->bad,
                          sizeof a->bad) < 0
               ? MHD_NO
               : MHD_YES;
}

/* ---- response -------------------------------------------------------- */

/* RFC 9110 13.1.2: weak comparison for If-None-Match, a list or "*". */
static bool etag_matches(const char *inm, const char *etag)
{
    if (!inm || !*etag)
        return false;
    const char *bare = etag[0] == '"' ? etag : NULL;
    if (!bare)
        return false;
    size_t n = strlen(bare);
    for (const char *p = inm; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        if (*p == '*')
            return true;
        if (p[0] == 'W' && p[1] == '/')
            p += 2;
        if (strncmp(p, bare, n) == 0 &&
            (p[n] == ',' || p[n] == ' ' || p[n] == '\0'))
            return true;
        /* A gzip variant's tag ("...-gz") names the same data. */
        if (n > 1 && strncmp(p, bare, n - 1) == 0 &&
            strncmp(p + n - 1, "-gz\"", 4) == 0)
            return true;
        p += strcspn(p, ",");
    }
    return false;
}

static bool accepts_gzip(struct MHD_Connection *c)
{
    const char *ae =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept-Encoding");
    if (!ae)
        return false;
    for (const char *p = strcasestr(ae, "gzip"); p;
         p = strcasestr(p + 4, "gzip")) {
        const char *end = p + 4;
        while (*end == ' ')
            end++;
        if (*end == ';') { /* gzip;q=0 refuses it */
            const char *q = strstr(end, "q=");
            if (q && atof(q + 2) == 0.0)
                return false;
        }
        return true;
    }
    return false;
}

static void add_common_headers(struct MHD_Response *r, const struct reply *rp)
{
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "Content-Security-Policy",
                            rp->frameable ? CSP_FRAMEABLE : CSP);
    if (rp->cors) {
        MHD_add_response_header(r, "Access-Control-Allow-Origin", "*");
        MHD_add_response_header(r, "Access-Control-Expose-Headers", "ETag");
    }
    MHD_add_response_header(r, "Cache-Control",
                            rp->cache_control ? rp->cache_control : "no-store");
}

static enum MHD_Result send_reply(struct MHD_Connection *c, struct reply *rp,
                                  const char *inm, enum http_method m)
{
    struct MHD_Response *r = NULL;
    char etag[96];
    snprintf(etag, sizeof etag, "%s", rp->etag);
    bool gz = false;
    if (rp->status == 200 && etag_matches(inm, rp->etag)) {
        rp->status = 304;
        r = MHD_create_response_from_buffer(0, (void *)"",
                                            MHD_RESPMEM_PERSISTENT);
    } else if (rp->file[0]) {
        int fd = open(rp->file, O_RDONLY | O_CLOEXEC);
        if (fd >= 0)
            r = MHD_create_response_from_fd(rp->file_size, fd);
        if (!r && fd >= 0)
            close(fd);
    } else {
        size_t len = rp->body.len, zlen = 0;
        char *body = buf_take(&rp->body);
        if (!body) {
            body = strdup("");
            len = 0;
        }
        bool compressible = rp->content_type &&
                            (starts_with(rp->content_type, "application/") ||
                             starts_with(rp->content_type, "text/"));
        if (compressible && len >= GZIP_MIN_BYTES && m == HTTP_GET &&
            accepts_gzip(c)) {
            /* A window no larger than the answer (gz.h): same bytes,
             * a third less time for a small answer. */
            char *z = (char *)gz_buffer(body, len, 6, 1, &zlen);
            if (z) {
                free(body);
                body = z;
                len = zlen;
                gz = true;
            }
        }
        r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    }
    if (!r)
        return MHD_NO;
    /* A strong ETag differs for each encoding of the same data. */
    if (gz && etag[0]) {
        size_t n = strlen(etag);
        snprintf(etag + n - 1, sizeof etag - (n - 1), "-gz\"");
    }
    add_common_headers(r, rp);
    if (etag[0])
        MHD_add_response_header(r, "ETag", etag);
    gz |= rp->file[0] && rp->file_gzipped && rp->status == 200;
    if (gz)
        MHD_add_response_header(r, "Content-Encoding", "gzip");
    if (rp->etag[0] || gz)
        MHD_add_response_header(r, "Vary", "Accept-Encoding");
    if (rp->status != 304 && rp->content_type)
        MHD_add_response_header(r, "Content-Type", rp->content_type);
    if (rp->status == 405)
        MHD_add_response_header(r, "Allow", "GET, HEAD, OPTIONS");
    if (rp->location[0])
        MHD_add_response_header(r, "Location", rp->location);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)rp->status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum http_method parse_method(const char *m)
{
    if (strcmp(m, "GET") == 0)
        return HTTP_GET;
    if (strcmp(m, "HEAD") == 0)
        return HTTP_HEAD;
    if (strcmp(m, "OPTIONS") == 0)
        return HTTP_OPTIONS;
    if (strcmp(m, "POST") == 0)
        return HTTP_POST;
    return HTTP_OTHER;
}

void http_answer(struct request *rq, struct reply *rp, const char *bad)
{
    const struct route *r = route_find(rq->path);
    rp->cors = r->flags & ROUTE_CORS;
    rp->frameable = r->flags & ROUTE_FRAMEABLE;
    if (rq->method == HTTP_OTHER ||
        (rq->method == HTTP_POST && !(r->flags & ROUTE_PAGE))) {
        reply_error(rp, 405, "method_not_allowed",
                    "only GET, HEAD and OPTIONS are served");
        return;
    }
    if (has_control(rq->path) || !text_utf8_valid(rq->path, strlen(rq->path))) {
        reply_error(rp, 400, "bad_path",
                    "the path holds a control character or invalid UTF-8");
        return;
    }
    if (bad && *bad) {
        reply_error(rp, 400, "bad_parameter", "%s", bad);
        return;
    }
    if (rq->method == HTTP_OPTIONS) { /* CORS preflight */
        rp->status = 204;
        rp->content_type = NULL;
        return;
    }
    if (!r->handler) {
        reply_error(rp, 404, "not_found", "no such API route");
        return;
    }
    char msg[512];
    bool db = r->flags & (ROUTE_DB | ROUTE_SNAPSHOT);
    if (db &&
        (store_for_thread(rq->ctx->db_path, &rq->store, msg, sizeof msg) < 0 ||
         store_begin(rq->store) < 0))
        rq->store = NULL;
    if (rq->store && (r->flags & ROUTE_SNAPSHOT))
        rq->snap = snapshot_acquire(rq->store);
    if (db && (!rq->store || ((r->flags & ROUTE_SNAPSHOT) && !rq->snap))) {
        if (rq->store)
            store_end(rq->store);
        rq->store = NULL;
        /* A page still renders (with a notice, status 503): a visitor
         * gets HTML, never a JSON error. */
        if (!(r->flags & ROUTE_PAGE)) {
            reply_error(rp, 503, "unavailable",
                        "the directory database cannot be read right now");
            return;
        }
    }
    r->handler(rq, rp);
    snapshot_release(rq->snap);
    rq->snap = NULL;
    if (rq->store)
        store_end(rq->store);
}

/* A POST's form body (application/x-www-form-urlencoded), read across
 * libmicrohttpd's calls; a form of ours is a few hundred bytes. */
#define POST_MAX_BODY 4096
struct post_body {
    size_t n;
    bool too_big;
    char data[POST_MAX_BODY + 1];
};

/* The body's fields as parameters, decoded in place ('+' is a space). */
static void collect_form(struct post_body *pb, struct arg_scan *scan)
{
    pb->data[pb->n] = '\0';
    char *save = NULL;
    for (char *f = strtok_r(pb->data, "&", &save); f && !scan->bad[0];
         f = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(f, '=');
        char *v = eq ? eq + 1 : f + strlen(f);
        if (eq)
            *eq = '\0';
        for (char *p = f; *p; p++)
            if (*p == '+')
                *p = ' ';
        for (char *p = v; *p; p++)
            if (*p == '+')
                *p = ' ';
        size_t kn = http_unescape(f), vn = http_unescape(v);
        if (kn)
            http_add_param(scan->rq, f, kn, v, vn, scan->bad, sizeof scan->bad);
    }
}

static void handle(struct MHD_Connection *c, struct request *rq,
                   struct reply *rp, struct post_body *pb)
{
    struct arg_scan scan = {.rq = rq};
    if (MHD_get_connection_values_n(c, MHD_GET_ARGUMENT_KIND, collect_arg,
                                    &scan) < 0 &&
        !scan.bad[0])
        snprintf(scan.bad, sizeof scan.bad, "the query string cannot be read");
    if (pb && pb->too_big && !scan.bad[0])
        snprintf(scan.bad, sizeof scan.bad, "the form is too long");
    else if (pb && !scan.bad[0])
        collect_form(pb, &scan);
    http_answer(rq, rp, scan.bad);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)c, (void)toe;
    if (*con_cls && *con_cls != cls)
        free(*con_cls); /* a POST's body */
    *con_cls = NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    struct http_server *s = cls;
    bool post = strcmp(method, "POST") == 0;
    /* Only the page's form has a body (POST); other requests' bodies are
     * discarded. The first call only says the
     * headers are in; answering there, before libmicrohttpd has looked
     * for a body, makes it close the connection after the answer (no
     * keep-alive: a TCP handshake per request). So the answer goes on the
     * next call, once any body has been read (and discarded). */
    if (*con_cls == NULL) {
        *con_cls = post ? calloc(1, sizeof(struct post_body)) : (void *)s;
        return *con_cls ? MHD_YES : MHD_NO;
    }
    struct post_body *pb = post ? *con_cls : NULL;
    if (*upload_size) {
        if (pb && pb->n + *upload_size <= POST_MAX_BODY) {
            memcpy(pb->data + pb->n, upload, *upload_size);
            pb->n += *upload_size;
        } else if (pb) {
            pb->too_big = true;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    /* The benchmark's measure of libmicrohttpd alone: one response object
     * for every request, nothing of ours in between. */
    if (s->livez && strcmp(url, "/livez") == 0)
        return MHD_queue_response(c, 200, s->livez);
    struct request rq = {.method = parse_method(method),
                         .path = url,
                         .accepts_gzip = accepts_gzip(c),
                         .accept_language = MHD_lookup_connection_value(
                             c, MHD_HEADER_KIND, "Accept-Language"),
                         .ctx = &s->ctx};
    struct reply rp = {.status = 200};
    buf_init(&rp.body, HTTP_MAX_BODY);
    handle(c, &rq, &rp, pb);
    const char *inm =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
    enum MHD_Result ret = send_reply(c, &rp, inm, rq.method);
    buf_free(&rp.body);
    return ret;
}

static int parse_listen(const char *addr, struct sockaddr_in *sa)
{
    char host[64];
    const char *colon = strrchr(addr, ':');
    if (!colon || (size_t)(colon - addr) >= sizeof host)
        return ERR_USAGE;
    memcpy(host, addr, (size_t)(colon - addr));
    host[colon - addr] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535)
        return ERR_USAGE;
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host[0] ? host : "0.0.0.0", &sa->sin_addr) != 1)
        return ERR_USAGE;
    return 0;
}

int http_start(struct http_server **out, const char *addr,
               const struct http_limits *lim, const struct server_ctx *ctx,
               int *bound_port, char *msg, size_t msgsz)
{
    struct sockaddr_in sa;
    *out = NULL;
    if (parse_listen(addr, &sa) < 0) {
        snprintf(msg, msgsz, "--listen: \"%s\" is not ADDR:PORT (IPv4)", addr);
        return ERR_USAGE;
    }
    struct http_server *s = calloc(1, sizeof *s);
    if (!s)
        return ERR_NOMEM;
    s->ctx = *ctx;
    const struct http_tuning *t = &lim->tuning;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC;
    if (t->per_connection)
        flags |= MHD_USE_THREAD_PER_CONNECTION;
    flags |= t->poll == HTTP_EPOLL  ? MHD_USE_EPOLL
             : t->poll == HTTP_POLL ? MHD_USE_POLL
                                    : 0;
    if (t->turbo)
        flags |= MHD_USE_TURBO;
    struct MHD_OptionItem more[] = {
        {t->per_connection ? MHD_OPTION_END : MHD_OPTION_THREAD_POOL_SIZE,
         (intptr_t)lim->threads, NULL},
        {t->memory_increment ? MHD_OPTION_CONNECTION_MEMORY_INCREMENT
                             : MHD_OPTION_END,
         (intptr_t)t->memory_increment, NULL},
        {t->backlog ? MHD_OPTION_LISTEN_BACKLOG_SIZE : MHD_OPTION_END,
         (intptr_t)t->backlog, NULL},
        {MHD_OPTION_END, 0, NULL}};
    /* MHD_OPTION_ARRAY stops at its first MHD_OPTION_END: the options not
     * asked for are moved out of the way */
    size_t k = 0;
    for (size_t i = 0; i < sizeof more / sizeof *more; i++)
        if (more[i].option != MHD_OPTION_END)
            more[k++] = more[i];
    more[k] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    if (t->reuse_livez) {
        static const char ok[] = "ok\n";
        s->livez = MHD_create_response_from_buffer(sizeof ok - 1, (void *)ok,
                                                   MHD_RESPMEM_PERSISTENT);
        if (s->livez)
            MHD_add_response_header(s->livez, "Content-Type",
                                    "text/plain; charset=utf-8");
    }
    s->d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, &sa,
        MHD_OPTION_CONNECTION_LIMIT, lim->max_connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, lim->per_ip_connections,
        MHD_OPTION_CONNECTION_TIMEOUT, lim->idle_timeout_s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, lim->memory_per_connection,
        MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_ARRAY, more,
        MHD_OPTION_END);
    if (!s->d) {
        snprintf(msg, msgsz, "cannot listen on %s (address in use?)", addr);
        if (s->livez)
            MHD_destroy_response(s->livez);
        free(s);
        return ERR_IO;
    }
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    *bound_port = info ? info->port : 0;
    *out = s;
    return 0;
}

void http_stop(struct http_server *s, unsigned grace_s)
{
    if (!s)
        return;
    /* Close the listening socket first so no new request starts, then
     * wait for the ones in flight. */
    MHD_socket fd = MHD_quiesce_daemon(s->d);
    for (unsigned i = 0; i < grace_s * 20; i++) {
        const union MHD_DaemonInfo *info =
            MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
        if (!info || info->num_connections == 0)
            break;
        struct timespec d = {0, 50 * 1000000L};
        nanosleep(&d, NULL);
    }
    MHD_stop_daemon(s->d);
    if (s->livez)
        MHD_destroy_response(s->livez);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    free(s);
}

int http_tuning_parse(const char *text, struct http_tuning *t, char *msg,
                      size_t msgsz)
{
    char copy[256];
    if (strlen(text) >= sizeof copy) {
        snprintf(msg, msgsz, "--http-tuning: too long");
        return ERR_USAGE;
    }
    snprintf(copy, sizeof copy, "%s", text);
    for (char *save = NULL, *kv = strtok_r(copy, ",", &save); kv;
         kv = strtok_r(NULL, ",", &save)) {
        char *v = strchr(kv, '=');
        char *end = NULL;
        long n = v ? strtol(v + 1, &end, 10) : -1;
        bool num = v && end && !*end && n >= 0;
        if (v)
            *v++ = '\0';
        if (v && strcmp(kv, "mode") == 0 &&
            (strcmp(v, "pool") == 0 || strcmp(v, "per-connection") == 0))
            t->per_connection = strcmp(v, "per-connection") == 0;
        else if (v && strcmp(kv, "poll") == 0 && strcmp(v, "epoll") == 0)
            t->poll = HTTP_EPOLL;
        else if (v && strcmp(kv, "poll") == 0 && strcmp(v, "poll") == 0)
            t->poll = HTTP_POLL;
        else if (v && strcmp(kv, "poll") == 0 && strcmp(v, "select") == 0)
            t->poll = HTTP_SELECT;
        else if (num && strcmp(kv, "turbo") == 0 && n <= 1)
            t->turbo = n;
        else if (num && strcmp(kv, "reuse") == 0 && n <= 1)
            t->reuse_livez = n;
        else if (num && strcmp(kv, "increment") == 0 && n <= 65536)
            t->memory_increment = (size_t)n;
        else if (num && strcmp(kv, "backlog") == 0 && n <= 65535)
            t->backlog = (unsigned)n;
        else {
            snprintf(msg, msgsz,
                     "--http-tuning: \"%s\" is not one of mode=pool|"
                     "per-connection, poll=epoll|poll|select, turbo=0|1, "
                     "increment=BYTES, backlog=N, reuse=0|1",
                     kv);
            return ERR_USAGE;
        }
    }
    if (t->per_connection && t->poll == HTTP_EPOLL)
        t->poll = HTTP_POLL; /* libmicrohttpd has no epoll per connection */
    return 0;
}
