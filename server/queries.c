/* queries.c - nearest, listings and status as functions (see query.h). */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "query.h"
#include "snapshot.h"
#include "store.h"

/* The listing 'id' appended to 'out': 1 when found, 0 when not (deleted
 * since the snapshot was built), or an ERR_*. */
static int add_by_id(const struct query_env *e, long long id, struct rows *out,
                     struct row **added)
{
    static const char sql[] =
        "SELECT " ROW_COLUMNS " FROM listings l WHERE l.id = ?1";
    sqlite3_stmt *st = store_prepare(e->store, sql);
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    struct row *r = rc == SQLITE_ROW ? rows_add(out, st, 0) : NULL;
    sqlite3_reset(st);
    if (added)
        *added = r;
    if (rc == SQLITE_ROW)
        return r ? 1 : ERR_NOMEM;
    return rc == SQLITE_DONE ? 0 : ERR_DB;
}

int query_nearest(const struct query_env *e, const struct nearest_params *p,
                  struct rows *out)
{
    struct kd_hit hits[NEAREST_MAX];
    long n = snapshot_nearest(e->snap, p->lat, p->lon, p->max_m, p->limit,
                              p->cats, p->age, hits);
    for (long i = 0; i < n; i++) {
        struct row *r;
        int rc = add_by_id(e, hits[i].id, out, &r);
        if (rc < 0)
            return rc;
        if (r)
            r->distance_m = llround(hits[i].d);
    }
    return 0;
}

int query_listing(const struct query_env *e, long long id, struct rows *out)
{
    int rc = add_by_id(e, id, out, NULL);
    return rc == 0 ? ERR_NOTFOUND : rc < 0 ? rc : 0;
}

int query_listings(const struct query_env *e, const char *cats,
                   const double *bbox, int (*fn)(const struct row *, void *),
                   void *arg)
{
    sqlite3_stmt *st = store_prepare(e->store, bbox ? ROWS_SQL_BBOX : ROWS_SQL);
    return st ? rows_each(st, cats, bbox, fn, arg) : ERR_DB;
}

int query_by_name(const struct query_env *e, const char *slug, long limit,
                  long offset, struct rows *out)
{
    static const char sql[] =
        "SELECT " ROW_COLUMNS " FROM listings l"
        " WHERE l.category = ?1 ORDER BY l.name, l.id LIMIT ?2 OFFSET ?3";
    sqlite3_stmt *st = store_prepare(e->store, sql);
    if (!st)
        return ERR_DB;
    sqlite3_bind_text(st, 1, slug, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, limit);
    sqlite3_bind_int64(st, 3, offset);
    int rc, err = 0;
    while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW)
        if (!rows_add(out, st, 0))
            err = ERR_NOMEM;
    sqlite3_reset(st);
    return err ? err : rc == SQLITE_DONE ? 0 : ERR_DB;
}

/* The filters of query_page, the same in its count and its page; an
 * absent filter is a NULL parameter. The age test is kdtree.c's: a
 * bound that is not known does not exclude. */
#define PAGE_WHERE                                                             \
    " WHERE l.category = ?1 AND (?2 IS NULL OR l.id IN (SELECT id FROM"        \
    " listings_rtree WHERE min_lon >= ?2 AND max_lon <= ?4 AND min_lat >= ?3"  \
    " AND max_lat <= ?5)) AND (?8 IS NULL OR l.nis = ?8) AND (?9 IS NULL OR"   \
    " ((l.age_min IS NULL OR l.age_min <= ?9) AND"                             \
    " (l.age_max IS NULL OR l.age_max >= ?9)))"

int query_page(const struct query_env *e, const char *cat,
               const struct page_filter *f, long limit, long offset,
               long long *matched, struct rows *out)
{
    static const char count_sql[] =
        "SELECT count(*) FROM listings l" PAGE_WHERE;
    static const char page_sql[] =
        "SELECT " ROW_COLUMNS " FROM listings l" PAGE_WHERE
        " ORDER BY l.id LIMIT ?6 OFFSET ?7";
    sqlite3_stmt *cs = store_prepare(e->store, count_sql);
    sqlite3_stmt *ps = store_prepare(e->store, page_sql);
    if (!cs || !ps)
        return ERR_DB;
    sqlite3_stmt *both[2] = {cs, ps};
    for (int k = 0; k < 2; k++) {
        sqlite3_bind_text(both[k], 1, cat, -1, SQLITE_TRANSIENT);
        for (int i = 0; f->bbox && i < 4; i++)
            sqlite3_bind_double(both[k], 2 + i, f->bbox[i]);
        if (f->nis)
            sqlite3_bind_text(both[k], 8, f->nis, -1, SQLITE_TRANSIENT);
        if (f->age >= 0)
            sqlite3_bind_int(both[k], 9, f->age);
    }
    *matched = sqlite3_step(cs) == SQLITE_ROW ? sqlite3_column_int64(cs, 0) : 0;
    sqlite3_reset(cs);
    sqlite3_bind_int64(ps, 6, limit);
    sqlite3_bind_int64(ps, 7, offset);
    int rc = 0, step;
    while (rc == 0 && (step = sqlite3_step(ps)) == SQLITE_ROW)
        if (!rows_add(out, ps, 0))
            rc = ERR_NOMEM;
    if (rc == 0 && step != SQLITE_DONE)
        rc = ERR_DB;
    sqlite3_reset(ps);
    return rc;
}

/* "#rrggbb", or NULL: a colour goes into a stylesheet as it is. */
static bool css_color(const char *s)
{
    if (!s || strlen(s) != 7 || s[0] != '#')
        return false;
    for (int i = 1; i < 7; i++)
        if (!strchr("0123456789abcdefABCDEF", s[i]))
            return false;
    return true;
}

int query_categories(const struct query_env *e, struct categories_answer *out)
{
    sqlite3_stmt *st = store_prepare(
        e->store, "SELECT slug, label_fr, label_nl, label_en, color"
                  " FROM categories ORDER BY slug");
    memset(out, 0, sizeof *out);
    if (!st)
        return ERR_DB;
    while (sqlite3_step(st) == SQLITE_ROW && out->n < QUERY_MAX_CATEGORIES) {
        int i = out->n++;
        const char *t = (const char *)sqlite3_column_text(st, 0);
        snprintf(out->c[i].slug, sizeof out->c[i].slug, "%s", t ? t : "");
        for (int k = 0; k < 3; k++) {
            t = (const char *)sqlite3_column_text(st, 1 + k);
            snprintf(out->c[i].label[k], sizeof out->c[i].label[k], "%s",
                     t ? t : "");
        }
        t = (const char *)sqlite3_column_text(st, 4);
        snprintf(out->c[i].color, sizeof out->c[i].color, "%s",
                 css_color(t) ? t : "#4d5560");
    }
    sqlite3_reset(st);
    return 0;
}

int query_status(const struct query_env *e, struct status_answer *out)
{
    memset(out, 0, sizeof *out);
    out->data_version = store_data_version(e->store);
    sqlite3_stmt *st = store_prepare(
        e->store, "SELECT c.slug, (SELECT count(*) FROM listings l WHERE"
                  " l.category = c.slug) FROM categories c ORDER BY c.slug");
    if (!st)
        return ERR_DB;
    while (sqlite3_step(st) == SQLITE_ROW && out->ncats < 32) {
        snprintf(out->cats[out->ncats].slug, sizeof out->cats[0].slug, "%s",
                 (const char *)sqlite3_column_text(st, 0));
        out->cats[out->ncats].n = sqlite3_column_int64(st, 1);
        out->total += out->cats[out->ncats++].n;
    }
    sqlite3_reset(st);
    sqlite3_stmt *m = store_prepare(
        e->store, "SELECT value FROM meta WHERE key = 'last_import'");
    if (!m)
        return ERR_DB;
    if (sqlite3_step(m) == SQLITE_ROW && sqlite3_column_text(m, 0))
        snprintf(out->last_import, sizeof out->last_import, "%s",
                 (const char *)sqlite3_column_text(m, 0));
    sqlite3_reset(m);
    return 0;
}
