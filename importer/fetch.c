/* fetch.c - URL download with libcurl (see fetch.h). */
#include "fetch.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

struct sink {
    FILE *out;
    long long written, max;
    bool too_big;
};

void fetch_opts_init(struct fetch_opts *o)
{
    memset(o, 0, sizeof *o);
    o->connect_timeout_s = 10;
    o->timeout_s = 120;
    o->max_bytes = 256LL * 1024 * 1024;
    o->max_redirects = 5;
}

bool fetch_is_url(const char *s)
{
    return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0 ||
           strncmp(s, "file://", 7) == 0;
}

/* The cap is enforced here too: CURLOPT_MAXFILESIZE only knows about
 * bodies that announce their length. */
static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    struct sink *s = arg;
    size_t len = size * n;
    if (s->written + (long long)len > s->max) {
        s->too_big = true;
        return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
    }
    s->written += (long long)len;
    return fwrite(p, 1, len, s->out);
}

static char *header_copy(CURL *h, const char *name)
{
    struct curl_header *hd = NULL;
    if (curl_easy_header(h, name, 0, CURLH_HEADER, -1, &hd) != CURLHE_OK)
        return NULL;
    return strdup(hd->value);
}

int fetch_url(const char *url, const struct fetch_opts *o, FILE *out,
              struct fetch_result *res, char *msg, size_t msgsz)
{
    CURL *h = curl_easy_init();
    struct curl_slist *headers = NULL;
    struct sink sink = {out, 0, o->max_bytes, false};
    char line[1024];
    int rc = 0;
    memset(res, 0, sizeof *res);
    if (!h) {
        snprintf(msg, msgsz, "%s: cannot start libcurl", url);
        return ERR_FETCH;
    }
    if (o->etag) {
        snprintf(line, sizeof line, "If-None-Match: %s", o->etag);
        headers = curl_slist_append(headers, line);
    }
    if (o->last_modified) {
        snprintf(line, sizeof line, "If-Modified-Since: %s", o->last_modified);
        headers = curl_slist_append(headers, line);
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https,file");
    /* A redirect must never turn a web source into a local file read. */
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, o->max_redirects);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, o->connect_timeout_s);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, o->timeout_s);
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_bytes);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(h, CURLOPT_USERAGENT,
                     "amo-import/1 (youth-aid directory)");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    CURLcode cc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (sink.too_big || cc == CURLE_FILESIZE_EXCEEDED) {
        snprintf(msg, msgsz, "%s: larger than the %lld-byte cap", url,
                 o->max_bytes);
        rc = ERR_TOOBIG;
    } else if (cc != CURLE_OK) {
        snprintf(msg, msgsz, "%s: %s", url, curl_easy_strerror(cc));
        rc = ERR_FETCH;
    } else if (status >= 400) {
        snprintf(msg, msgsz, "%s: HTTP %ld", url, status);
        rc = ERR_FETCH;
    } else {
        res->status = status;
        res->not_modified = status == 304;
        if (strncmp(url, "file://", 7) != 0) {
            res->etag = header_copy(h, "ETag");
            res->last_modified = header_copy(h, "Last-Modified");
        }
        if (fflush(out) != 0) {
            snprintf(msg, msgsz, "%s: cannot write the download", url);
            rc = ERR_IO;
        }
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(h);
    if (rc < 0)
        fetch_result_free(res);
    return rc;
}

void fetch_result_free(struct fetch_result *res)
{
    free(res->etag);
    free(res->last_modified);
    memset(res, 0, sizeof *res);
}
