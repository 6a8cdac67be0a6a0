/* fuzz_request.c - libFuzzer target: one request target ("/path?query")
 * taken the way amo-server takes it: split at '?' and '&' and '=' and
 * '+' read as a space as libmicrohttpd does, percent-decoded by
 * http_unescape(), checked by http_add_param(), and answered by
 * http_answer() (the routes, their flags, the database and snapshot
 * around the real handler) on a database of the shipped listings.
 * A 5xx answer, JSON that does not parse or a tile protobuf-c cannot
 * read is a failure, as is any sanitizer report. */
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "basemap.h"
#include "fuzz.h"
#include "http.h"
#include "parse.h"
#include "routes.h"
#include "store.h"
#include "text.h"
#include "vector_tile.pb-c.h"

#ifndef AMO_WEB_DIR
#define AMO_WEB_DIR "web"
#endif

#define MAX_TARGET 2048

static struct server_ctx ctx;
static char webreal[PATH_MAX];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    ctx.db_path = fuzz_database();
    ctx.gaz = fuzz_gazetteer();
    ctx.web_dir = realpath(AMO_WEB_DIR, webreal) ? webreal : NULL;
    ctx.cluster_maxzoom = 13;
    /* As amo-server does at start (it refuses to start without it), so
     * the basemap routes are answered too. */
    char msg[512];
    struct basemap *bm = NULL;
    if (basemap_load(AMO_DATA_DIR "/gazetteer", &bm, msg, sizeof msg) < 0)
        fuzz_fail("%s", msg);
    ctx.basemap = bm;
    return 0;
}

/* As libmicrohttpd's MHD_unescape_plus() before the unescape callback. */
static void plus_to_space(char *s)
{
    for (; *s; s++)
        if (*s == '+')
            *s = ' ';
}

/* Split "k=v&k2" into parameters in place, as MHD does; 'bad' says why
 * one was refused (http_answer then answers 400). */
static void parse_query(struct request *rq, char *q, char *bad, size_t badsz)
{
    for (char *save = NULL, *kv = strtok_r(q, "&", &save); kv;
         kv = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(kv, '=');
        const char *val = NULL;
        if (eq) {
            *eq = '\0';
            val = eq + 1;
        }
        plus_to_space(kv);
        size_t klen = http_unescape(kv), vlen = 0;
        if (val) {
            plus_to_space((char *)val);
            vlen = http_unescape((char *)val);
        }
        if (http_add_param(rq, kv, klen, val, vlen, bad, badsz) < 0)
            return;
    }
}

static void check_reply(const struct reply *rp, const char *target)
{
    if (rp->status >= 500)
        fuzz_fail("%d for %s: %s", rp->status, target, buf_str(&rp->body));
    if (rp->content_type && strstr(rp->content_type, "json") && !rp->file[0]) {
        json_error_t err;
        json_t *j = json_loadb(rp->body.data ? rp->body.data : "", rp->body.len,
                               0, &err);
        if (!j)
            fuzz_fail("invalid JSON for %s: %s", target, err.text);
        json_decref(j);
    }
    if (rp->status == 200 && rp->content_type &&
        strstr(rp->content_type, "vector-tile")) {
        VectorTile__Tile *t = vector_tile__tile__unpack(
            NULL, rp->body.len, (const uint8_t *)rp->body.data);
        if (!t)
            fuzz_fail("a tile protobuf-c cannot read for %s", target);
        vector_tile__tile__free_unpacked(t, NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size > MAX_TARGET || data[0] != '/' ||
        memchr(data, '\0', size) || memchr(data, ' ', size) ||
        memchr(data, '\r', size) || memchr(data, '\n', size))
        return 0; /* not a request target an HTTP/1.1 parser passes on */
    char *target = malloc(size + 1), *copy = malloc(size + 1);
    memcpy(target, data, size);
    target[size] = '\0';
    memcpy(copy, target, size + 1);
    char *q = strchr(copy, '?');
    if (q)
        *q++ = '\0';
    http_unescape(copy);
    struct request rq = {.method = HTTP_GET, .path = copy, .ctx = &ctx};
    struct reply rp = {.status = 200};
    buf_init(&rp.body, HTTP_MAX_BODY);
    char bad[160] = "";
    if (q)
        parse_query(&rq, q, bad, sizeof bad);
    http_answer(&rq, &rp, bad);
    if (rp.status == 503)
        fuzz_fail("cannot read the database for %s", target);
    check_reply(&rp, target);
    buf_free(&rp.body);
    free(target);
    free(copy);
    return 0;
}
