/* record.c - raw input records (see record.h). */
#include "record.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "vec.h"

void record_init(struct record *r)
{
    memset(r, 0, sizeof *r);
}

void record_clear(struct record *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->f[i].key);
        free(r->f[i].value);
    }
    free(r->id);
    free(r->error);
    free(r->error_field);
    r->n = 0;
    r->line = 0;
    r->has_point = false;
    r->x = r->y = 0;
    r->point_crs = 0;
    r->id = NULL;
    r->error = NULL;
    r->error_field = NULL;
}

void record_free(struct record *r)
{
    record_clear(r);
    free(r->f);
    record_init(r);
}

int record_add(struct record *r, const char *key, const char *value,
               size_t vlen)
{
    if (r->n >= RECORD_MAX_FIELDS)
        return ERR_TOOBIG;
    if (vec_reserve((void **)&r->f, &r->cap, r->n + 1, sizeof *r->f) < 0)
        return ERR_NOMEM;
    char *k = strdup(key);
    char *v = malloc(vlen + 1);
    if (!k || !v) {
        free(k);
        free(v);
        return ERR_NOMEM;
    }
    memcpy(v, value, vlen);
    v[vlen] = '\0';
    /* C strings from here on: a NUL byte would silently cut the value
     * (or, in CSV, be taken for the end of a field). */
    if (memchr(value, '\0', vlen))
        record_fail_field(r, key, "contains a NUL byte (0x00)");
    r->f[r->n].key = k;
    r->f[r->n].value = v;
    r->n++;
    return 0;
}

void record_fail(struct record *r, const char *why)
{
    if (!r->error)
        r->error = strdup(why);
}

void record_fail_field(struct record *r, const char *field, const char *why)
{
    if (r->error)
        return;
    r->error = strdup(why);
    r->error_field = strdup(field);
}
