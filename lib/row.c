/* row.c - listing rows (see row.h). */
#include "row.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "vec.h"

/* Where each text field is in ROW_COLUMNS. */
static const int text_col[R_NSTR] = {1,  2,  3,  4,  5,  6,  7,  10, 11, 12, 13,
                                     16, 17, 18, 19, 20, 21, 22, 23, 24, 25};

void rows_init(struct rows *r)
{
    memset(r, 0, sizeof *r);
}

static void row_release(struct row *row)
{
    free(row->block);
    /* matched[] points into its own allocation, after the first entry */
    if (row->nmatched > 0)
        free((char *)row->matched[0]);
}

void rows_truncate(struct rows *r, size_t n)
{
    while (r->n > n)
        row_release(&r->v[--r->n]);
}

void rows_free(struct rows *r)
{
    rows_truncate(r, 0);
    free(r->v);
    rows_init(r);
}

struct row *rows_add(struct rows *r, sqlite3_stmt *st, int first)
{
    if (vec_reserve((void **)&r->v, &r->cap, r->n + 1, sizeof *r->v) < 0)
        return NULL;
    size_t total = 0;
    for (int f = 0; f < R_NSTR; f++)
        if (sqlite3_column_type(st, first + text_col[f]) != SQLITE_NULL)
            total += (size_t)sqlite3_column_bytes(st, first + text_col[f]) + 1;
    char *block = malloc(total ? total : 1);
    if (!block)
        return NULL;
    struct row *row = &r->v[r->n];
    memset(row, 0, sizeof *row);
    row->block = block;
    for (int f = 0; f < R_NSTR; f++) {
        int c = first + text_col[f];
        if (sqlite3_column_type(st, c) == SQLITE_NULL)
            continue;
        const unsigned char *t = sqlite3_column_text(st, c);
        size_t n = (size_t)sqlite3_column_bytes(st, c);
        memcpy(block, t ? (const char *)t : "", n);
        block[n] = '\0';
        row->s[f] = block;
        block += n + 1;
    }
    row->id = sqlite3_column_int64(st, first);
    bool pos = sqlite3_column_type(st, first + 8) != SQLITE_NULL;
    row->lat = pos ? sqlite3_column_double(st, first + 8) : NAN;
    row->lon = pos ? sqlite3_column_double(st, first + 9) : NAN;
    row->age_min = sqlite3_column_type(st, first + 14) == SQLITE_NULL
                       ? ROW_NO_AGE
                       : sqlite3_column_int(st, first + 14);
    row->age_max = sqlite3_column_type(st, first + 15) == SQLITE_NULL
                       ? ROW_NO_AGE
                       : sqlite3_column_int(st, first + 15);
    row->distance_m = ROW_NO_DISTANCE;
    row->fuzzy = -1;
    r->n++;
    return row;
}

int rows_each(sqlite3_stmt *st, const char *cats, const double *bbox,
              int (*fn)(const struct row *, void *), void *arg)
{
    struct rows one;
    int rc = 0, step;
    rows_init(&one);
    if (cats)
        sqlite3_bind_text(st, 1, cats, -1, SQLITE_TRANSIENT);
    for (int i = 0; bbox && i < 4; i++)
        sqlite3_bind_double(st, 2 + i, bbox[i]);
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        struct row *r = rows_add(&one, st, 0);
        rc = r ? fn(r, arg) : ERR_NOMEM;
        rows_truncate(&one, 0);
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = ERR_DB;
    sqlite3_reset(st);
    rows_free(&one);
    return rc;
}

struct row *rows_copy(struct rows *r, const struct row *src)
{
    if (vec_reserve((void **)&r->v, &r->cap, r->n + 1, sizeof *r->v) < 0)
        return NULL;
    size_t total = 0;
    for (int f = 0; f < R_NSTR; f++)
        if (src->s[f])
            total += strlen(src->s[f]) + 1;
    char *block = malloc(total ? total : 1);
    if (!block)
        return NULL;
    struct row *row = &r->v[r->n];
    *row = *src;
    row->block = block;
    row->nmatched = 0;
    for (int f = 0; f < R_NSTR; f++) {
        if (!src->s[f])
            continue;
        size_t n = strlen(src->s[f]) + 1;
        memcpy(block, src->s[f], n);
        row->s[f] = block;
        block += n;
    }
    if (src->nmatched > 0 &&
        row_set_matched(row, src->matched, src->nmatched) < 0) {
        free(row->block);
        return NULL;
    }
    r->n++;
    return row;
}

const struct row *rows_find(const struct rows *r, int64_t id)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->v[i].id == id)
            return &r->v[i];
    return NULL;
}

int row_set_matched(struct row *row, const char *const *words, int n)
{
    size_t total = 0;
    if (n > ROW_MAX_MATCHED)
        n = ROW_MAX_MATCHED;
    for (int i = 0; i < n; i++)
        total += strlen(words[i]) + 1;
    char *p = n ? malloc(total) : NULL;
    if (n && !p)
        return ERR_NOMEM;
    if (row->nmatched > 0)
        free((char *)row->matched[0]);
    row->nmatched = n;
    for (int i = 0; i < n; i++) {
        size_t len = strlen(words[i]) + 1;
        memcpy(p, words[i], len);
        row->matched[i] = p;
        p += len;
    }
    return 0;
}

bool row_pos_approx(const char *ps)
{
    return ps && (strcmp(ps, "postcode") == 0 || strcmp(ps, "commune") == 0);
}

bool row_approx(const struct row *row)
{
    return row_pos_approx(row->s[R_POSITION_SOURCE]);
}
