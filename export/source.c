/* source.c - listings in memory for the exporter (see source.h). */
#include "source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "row.h"
#include "vec.h"

#define ARENA_BLOCK (1u << 20)

struct arena_cursor {
    char *at;
    size_t left;
};

/* Copy 't' into the source's arena; NULL stays NULL. */
static const char *keep(struct source *s, struct arena_cursor *c,
                        const unsigned char *t, int *rc)
{
    if (!t)
        return NULL;
    size_t len = strlen((const char *)t) + 1;
    if (len > c->left) {
        size_t size = len > ARENA_BLOCK ? len : ARENA_BLOCK;
        char **a = realloc(s->arena, (s->narena + 1) * sizeof *a);
        char *block = malloc(size);
        if (a)
            s->arena = a;
        if (!a || !block) {
            free(block);
            *rc = ERR_NOMEM;
            return NULL;
        }
        s->arena[s->narena++] = block;
        c->at = block;
        c->left = size;
    }
    char *p = c->at;
    memcpy(p, t, len);
    c->at += len;
    c->left -= len;
    return p;
}

int source_load(sqlite3 *db, struct source **out, char *msg, size_t msgsz)
{
    static const char cats_sql[] = "SELECT slug FROM categories ORDER BY slug";
    static const char sql[] =
        "SELECT id, lat, lon, name, category, commune, position_source"
        " FROM listings"
        " WHERE lat IS NOT NULL AND lon IS NOT NULL ORDER BY id";
    struct source *s = calloc(1, sizeof *s);
    struct arena_cursor cur = {0};
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    int rc = s ? 0 : ERR_NOMEM;
    *out = NULL;
    if (rc < 0)
        return rc;
    s->bounds[0] = s->bounds[1] = 1e9;
    s->bounds[2] = s->bounds[3] = -1e9;
    if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, cats_sql, -1, &st, NULL) != SQLITE_OK)
        goto db_fail;
    while (sqlite3_step(st) == SQLITE_ROW)
        tileset_cat_index(&s->cats, (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        goto db_fail;
    int step;
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if (vec_reserve((void **)&s->v, &cap, s->n + 1, sizeof *s->v) < 0) {
            rc = ERR_NOMEM;
            break;
        }
        struct source_listing *l = &s->v[s->n++];
        l->id = (uint64_t)sqlite3_column_int64(st, 0);
        l->lat = sqlite3_column_double(st, 1);
        l->lon = sqlite3_column_double(st, 2);
        l->name = keep(s, &cur, sqlite3_column_text(st, 3), &rc);
        const char *cat = (const char *)sqlite3_column_text(st, 4);
        int ci = tileset_cat_index(&s->cats, cat ? cat : "");
        l->cat = (uint8_t)ci;
        /* Category slugs are few: point at the numbering's copy, unless
         * the ninth and later share the last slot. */
        l->category = strcmp(s->cats.slug[ci], cat ? cat : "") == 0
                          ? s->cats.slug[ci]
                          : keep(s, &cur, (const unsigned char *)cat, &rc);
        l->commune = keep(s, &cur, sqlite3_column_text(st, 5), &rc);
        l->approx = row_pos_approx((const char *)sqlite3_column_text(st, 6));
        if (l->lon < s->bounds[0])
            s->bounds[0] = l->lon;
        if (l->lat < s->bounds[1])
            s->bounds[1] = l->lat;
        if (l->lon > s->bounds[2])
            s->bounds[2] = l->lon;
        if (l->lat > s->bounds[3])
            s->bounds[3] = l->lat;
    }
    if (rc == 0 && step != SQLITE_DONE)
        goto db_fail;
    sqlite3_finalize(st);
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (rc < 0) {
        snprintf(msg, msgsz, "%s", err_str(rc));
        source_free(s);
        return rc;
    }
    *out = s;
    return 0;
db_fail:
    snprintf(msg, msgsz, "%s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    source_free(s);
    return ERR_DB;
}

void source_free(struct source *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->narena; i++)
        free(s->arena[i]);
    free(s->arena);
    free(s->v);
    free(s);
}

const struct source_listing *source_find(const struct source *s, uint64_t id)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->v[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->n && s->v[lo].id == id ? &s->v[lo] : NULL;
}
