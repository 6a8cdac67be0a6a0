/* parse.h - the parsers that read a request before a handler answers it:
 * percent-decoding, routing, query parameters and the values carried in
 * paths. They are exposed (rather than static in their files) so that the
 * fuzzers in tests/fuzz/ drive the server's own code.
 * Ownership: nothing is allocated; outputs point into the caller's
 * strings or are written to the caller's variables. */
#ifndef AMO_PARSE_H
#define AMO_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "http.h"

/* http.c: decode %xx in place ('+' is left alone, as in a path). A
 * decoded NUL becomes 0x01, which the later checks refuse. Returns the
 * new length. */
size_t http_unescape(char *s);
/* http.c: answer a request whose method, decoded path and parameters are
 * read ('bad' is why the parameters could not be, or NULL): the checks
 * every route shares, then the route's handler (routes.c) inside a read
 * transaction and with the snapshot when its flags ask for them. */
void http_answer(struct request *rq, struct reply *rp, const char *bad);
/* http.c: add one decoded query parameter to 'rq' after the checks every
 * handler relies on (no NUL or control character, valid UTF-8, not given
 * twice, at most HTTP_MAX_PARAMS). Returns 0, or -1 with 'bad' saying
 * why (the request is then answered 400); 'key' and 'value' are borrowed
 * for the request's lifetime. */
int http_add_param(struct request *rq, const char *key, size_t key_size,
                   const char *value, size_t value_size, char *bad,
                   size_t badsz);

/* tiles.c: "{prefix}{z}/{x}/{y}.mvt" ("/tiles/" for the listings,
 * "/tiles/basemap/" for the basemap) with digits only and a tile of the
 * grid. False otherwise (the route answers 404). */
bool tiles_parse_path(const char *prefix, const char *path, int *z, long *x,
                      long *y);
/* api_listings.c: "/api/listings/{id}" with a positive decimal id (digits
 * only) that fits 64 bits. False otherwise (404). */
bool listings_parse_path(const char *path, long long *id);
/* api_communes.c: "/api/communes" (returns 0, *code NULL) or
 * "/api/communes/{4-digit postcode or 5-digit NIS code}" (returns 1,
 * *code pointing into 'path'); -1 for anything else (400). */
int communes_parse_path(const char *path, const char **code);

#endif
