/* params.h - reading and checking query parameters. Every check that
 * fails fills the reply with a 400 naming the parameter.
 * Ownership: values are borrowed from the request. */
#ifndef AMO_PARAMS_H
#define AMO_PARAMS_H

#include <stdbool.h>
#include <stddef.h>

#include "http.h"

#define PARAM_MAX_CATEGORIES 8

/* The value of 'key' (marked as used), or NULL when absent. */
const char *param_get(struct request *rq, const char *key);
/* A number in [lo, hi]. Returns 1 when given and valid, 0 when absent,
 * -1 when invalid (reply set). */
int param_double(struct request *rq, struct reply *rp, const char *key,
                 double lo, double hi, double *out);
int param_long(struct request *rq, struct reply *rp, const char *key, long lo,
               long hi, long *out);
/* "amo,cpas" checked against the categories table, as ",amo,cpas," in
 * 'out' (for instr() in SQL). Same returns. */
int param_categories(struct request *rq, struct reply *rp, const char *key,
                     char *out, size_t outsz);
/* "minlon,minlat,maxlon,maxlat" in WGS84 (OGC API Features, RFC 7946
 * order). Same returns. */
int param_bbox(struct request *rq, struct reply *rp, const char *key,
               double bb[4]);
/* "lat,lon". Same returns. */
int param_point(struct request *rq, struct reply *rp, const char *key,
                double *lat, double *lon);

#endif
