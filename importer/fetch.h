/* fetch.h - download a URL (http, https, file) to a stream with libcurl,
 * with timeouts, a size cap, a redirect limit and conditional requests.
 * Ownership: strings in a fetch_result are the caller's, released with
 * fetch_result_free(). */
#ifndef AMO_FETCH_H
#define AMO_FETCH_H

#include <stdbool.h>
#include <stdio.h>

struct fetch_opts {
    long connect_timeout_s; /* to establish the connection */
    long timeout_s;         /* for the whole transfer */
    long long max_bytes;    /* body size cap */
    long max_redirects;
    const char *etag;          /* send If-None-Match when set */
    const char *last_modified; /* send If-Modified-Since when set */
};

struct fetch_result {
    long status;       /* HTTP status, 0 for file:// */
    bool not_modified; /* 304: the stored copy is current */
    char *etag;        /* validators of this response, or NULL */
    char *last_modified;
};

/* Sensible defaults: 10 s to connect, 120 s in all, 256 MiB, 5 redirects. */
void fetch_opts_init(struct fetch_opts *o);
/* True for http://, https:// and file:// inputs. */
bool fetch_is_url(const char *s);
/* Fetch 'url' into 'out'. Returns 0 (also for 304, see not_modified), or
 * ERR_FETCH / ERR_TOOBIG with the URL and the reason in 'msg'. On error
 * 'out' may hold part of the body and 'res' is left empty. */
int fetch_url(const char *url, const struct fetch_opts *o, FILE *out,
              struct fetch_result *res, char *msg, size_t msgsz);
void fetch_result_free(struct fetch_result *res);

#endif
