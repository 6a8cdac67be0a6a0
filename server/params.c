/* params.c - query parameter checks (see params.h). */
#include "params.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

const char *param_get(struct request *rq, const char *key)
{
    for (int i = 0; i < rq->nparams; i++)
        if (strcmp(rq->params[i].key, key) == 0) {
            rq->params[i].used = true;
            return rq->params[i].value;
        }
    return NULL;
}

static bool parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    return end != s && *end == '\0' && errno == 0 && isfinite(*out) &&
           strlen(s) < 40;
}

int param_double(struct request *rq, struct reply *rp, const char *key,
                 double lo, double hi, double *out)
{
    const char *v = param_get(rq, key);
    if (!v)
        return 0;
    if (!parse_double(v, out) || *out < lo || *out > hi) {
        reply_error(rp, 400, "bad_parameter",
                    "%s: must be a number from %g to %g", key, lo, hi);
        return -1;
    }
    return 1;
}

int param_long(struct request *rq, struct reply *rp, const char *key, long lo,
               long hi, long *out)
{
    const char *v = param_get(rq, key);
    if (!v)
        return 0;
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (end == v || *end || errno || n < lo || n > hi) {
        reply_error(rp, 400, "bad_parameter",
                    "%s: must be a whole number from %ld to %ld", key, lo, hi);
        return -1;
    }
    *out = n;
    return 1;
}

int param_categories(struct request *rq, struct reply *rp, const char *key,
                     char *out, size_t outsz)
{
    const char *v = param_get(rq, key);
    if (!v)
        return 0;
    size_t used = 0;
    int count = 0;
    out[used++] = ',';
    for (const char *p = v; *p;) {
        size_t n = strcspn(p, ",");
        if (n == 0 || n > 31 || ++count > PARAM_MAX_CATEGORIES ||
            !store_category_known(rq->store, p, n) || used + n + 2 > outsz) {
            reply_error(rp, 400, "bad_parameter",
                        "%s: expected known categories separated by commas "
                        "(amo, cpas, planning, sdj)",
                        key);
            return -1;
        }
        memcpy(out + used, p, n);
        used += n;
        out[used++] = ',';
        p += n + (p[n] == ',');
    }
    out[used] = '\0';
    if (count == 0) {
        reply_error(rp, 400, "bad_parameter", "%s: empty", key);
        return -1;
    }
    return 1;
}

/* Split "a,b,c,d" into exactly 'n' numbers. */
static bool parse_numbers(const char *v, double *x, int n)
{
    char tmp[200];
    if (strlen(v) >= sizeof tmp)
        return false;
    snprintf(tmp, sizeof tmp, "%s", v);
    int k = 0;
    for (char *save = NULL, *t = strtok_r(tmp, ",", &save); t;
         t = strtok_r(NULL, ",", &save)) {
        if (k == n || !parse_double(t, &x[k]))
            return false;
        k++;
    }
    /* strtok skips empty items: count commas to refuse "1,,2,3". */
    int commas = 0;
    for (const char *p = v; *p; p++)
        commas += *p == ',';
    return k == n && commas == n - 1;
}

int param_bbox(struct request *rq, struct reply *rp, const char *key,
               double bb[4])
{
    const char *v = param_get(rq, key);
    if (!v)
        return 0;
    if (!parse_numbers(v, bb, 4) || bb[0] < -180 || bb[2] > 180 ||
        bb[1] < -90 || bb[3] > 90 || bb[0] > bb[2] || bb[1] > bb[3]) {
        reply_error(rp, 400, "bad_parameter",
                    "%s: expected minlon,minlat,maxlon,maxlat in degrees "
                    "(4 numbers, min before max)",
                    key);
        return -1;
    }
    return 1;
}

int param_point(struct request *rq, struct reply *rp, const char *key,
                double *lat, double *lon)
{
    const char *v = param_get(rq, key);
    double x[2];
    if (!v)
        return 0;
    if (!parse_numbers(v, x, 2) || x[0] < -90 || x[0] > 90 || x[1] < -180 ||
        x[1] > 180) {
        reply_error(rp, 400, "bad_parameter",
                    "%s: expected latitude,longitude in degrees", key);
        return -1;
    }
    *lat = x[0];
    *lon = x[1];
    return 1;
}
