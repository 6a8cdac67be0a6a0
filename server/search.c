/* search.c - full-text search over the listings, as a function (see
 * query.h).
 *
 * Raw user text breaks FTS5 MATCH ("l'aide", "aide-jeunesse", "c.p.a.s."),
 * so the query is cut into words and each is quoted, with '*' so words
 * match as the user types (as Datasette does: its issues #651 and #2373).
 * Ranking is bm25 with the name
 * weighted above the description. When exact matches do not fill the
 * page, each word of four letters or more is also matched to close words
 * of the index vocabulary (edit distance 1, or 2 from seven letters), so
 * "shaerbeek" still finds Schaerbeek; those results come after the exact
 * ones, never before. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "fts_rank.h"
#include "geo.h"
#include "query.h"
#include "snapshot.h"
#include "store.h"
#include "text.h"

#define MAX_TERMS SEARCH_MAX_TERMS
#define MAX_TERM 48
#define MAX_FUZZY_PER_TERM 6

struct term {
    char text[MAX_TERM];                      /* folded, as in the index */
    char fuzzy[MAX_FUZZY_PER_TERM][MAX_TERM]; /* close index words */
    int nfuzzy;
    bool no_prefix; /* no index word starts with 'text' (checked) */
};

struct search {
    const struct query_env *e;
    struct term t[MAX_TERMS];
    int n;
    long limit, offset;
    bool has_cat, has_near;
    char cats[300];
    double lat, lon;
    char named[64]; /* categories named in the query (",cpas,"), or "" */
    const struct fts_rank *rank; /* listing lengths for amo_bm25, or NULL */
};

/* Words of the query: runs of letters and digits (any non-ASCII byte
 * counts as a letter), folded like the index (lower case, no accents).
 * Dots are dropped first so "c.p.a.s." reads "cpas". One-letter words are
 * skipped: every listing has them. */
static int tokenize(const char *q, struct term *t, int max)
{
    char clean[SEARCH_MAX_QUERY + 1];
    size_t k = 0;
    for (const char *p = q; *p && k < SEARCH_MAX_QUERY; p++)
        if (*p != '.')
            clean[k++] = *p;
    clean[k] = '\0';
    int n = 0;
    for (char *p = clean; *p && n < max;) {
        while (*p && !isalnum((unsigned char)*p) && (unsigned char)*p < 0x80)
            p++;
        char *start = p;
        while (*p && (isalnum((unsigned char)*p) || (unsigned char)*p >= 0x80))
            p++;
        if (p == start)
            continue;
        char save = *p;
        *p = '\0';
        size_t len = text_fold(start, t[n].text, MAX_TERM);
        *p = save;
        bool dup = false;
        for (int i = 0; i < n; i++)
            dup |= strcmp(t[i].text, t[n].text) == 0;
        if (len >= 2 && !dup)
            t[n++].nfuzzy = 0;
    }
    return n;
}

/* Optimal string alignment distance (Damerau-Levenshtein with adjacent
 * transpositions), capped: returns cap+1 as soon as it must exceed it. */
static int edit_distance(const char *a, const char *b, int cap)
{
    int la = (int)strlen(a), lb = (int)strlen(b);
    if (abs(la - lb) > cap || la >= MAX_TERM || lb >= MAX_TERM)
        return cap + 1;
    int d[MAX_TERM][MAX_TERM];
    for (int i = 0; i <= la; i++)
        d[i][0] = i;
    for (int j = 0; j <= lb; j++)
        d[0][j] = j;
    for (int i = 1; i <= la; i++) {
        int best = cap + 1;
        for (int j = 1; j <= lb; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
                a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
            if (v < best)
                best = v;
        }
        if (best > cap)
            return cap + 1;
    }
    return d[la][lb];
}

/* Close words from the index vocabulary, same first letter. A vocabulary
 * word also counts when its beginning is close (the user is typing). */
static void find_fuzzy(const struct search *s, struct term *t)
{
    static const char sql[] = "SELECT term FROM terms"
                              " WHERE term >= ?1 AND term < ?2";
    size_t len = strlen(t->text);
    if (len < 4 || isdigit((unsigned char)t->text[0]))
        return;
    int cap = len >= 7 ? 2 : 1;
    sqlite3_stmt *st = store_prepare(s->e->store, sql);
    if (!st)
        return;
    char lo[2] = {t->text[0], 0}, hi[2] = {(char)(t->text[0] + 1), 0};
    sqlite3_bind_text(st, 1, lo, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, hi, -1, SQLITE_TRANSIENT);
    bool prefix = false;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *w = (const char *)sqlite3_column_text(st, 0);
        size_t wl = strlen(w);
        if (strncmp(w, t->text, len) == 0) {
            prefix = true;
            continue; /* an exact prefix match is no typo */
        }
        if (wl >= MAX_TERM || t->nfuzzy == MAX_FUZZY_PER_TERM)
            continue;
        char head[MAX_TERM];
        snprintf(head, sizeof head, "%.*s", (int)(len < wl ? len : wl), w);
        if (edit_distance(t->text, w, cap) <= cap ||
            (wl > len && edit_distance(t->text, head, cap) <= cap))
            snprintf(t->fuzzy[t->nfuzzy++], MAX_TERM, "%s", w);
    }
    /* Every word of four letters or more that starts with a letter is in
     * 'terms', so none starts with this one. */
    t->no_prefix = !prefix && rc == SQLITE_DONE;
    sqlite3_reset(st);
}

/* FTS5 query: every term required; a term matches itself as a prefix,
 * or (fuzzy) one of its close words. */
static void fts_query(const struct search *s, bool fuzzy, char *out,
                      size_t outsz)
{
    size_t n = 0;
    out[0] = '\0';
    for (int i = 0; i < s->n; i++) {
        const struct term *t = &s->t[i];
        /* A prefix that no index word has matches nothing: leaving it
         * out of the fuzzy alternatives changes no score (its frequency
         * is 0 in every row) but spares FTS5 a slow prefix scan per row
         * ("shaerbeek": 55 ms with it, 16 ms without, at 1M). */
        bool prefix = !fuzzy || !t->no_prefix || t->nfuzzy == 0;
        n += (size_t)snprintf(out + n, outsz - n, "%s(", i ? " AND " : "");
        if (prefix && n < outsz)
            n += (size_t)snprintf(out + n, outsz - n, "\"%s\"*", t->text);
        for (int k = 0; fuzzy && k < t->nfuzzy && n < outsz; k++)
            n += (size_t)snprintf(out + n, outsz - n, "%s\"%s\"",
                                  prefix || k ? " OR " : "", t->fuzzy[k]);
        if (n < outsz)
            n += (size_t)snprintf(out + n, outsz - n, ")");
        if (n >= outsz)
            break;
    }
}

/* Which of the query's words (or their close words) a listing matched:
 * the listing's own words that start with them. */
static int matched_words(const struct search *s, struct row *row)
{
    static const enum row_field cols[] = {R_NAME,   R_COMMUNE, R_POSTCODE,
                                          R_THEMES, R_STREET,  R_DESCRIPTION};
    char words[ROW_MAX_MATCHED][MAX_TERM * 2];
    const char *list[ROW_MAX_MATCHED];
    int n = 0;
    for (size_t c = 0; c < sizeof cols / sizeof *cols; c++) {
        const char *text = row->s[cols[c]];
        for (const char *p = text; p && *p;) {
            while (*p && !isalnum((unsigned char)*p) &&
                   (unsigned char)*p < 0x80)
                p++;
            const char *start = p;
            while (*p &&
                   (isalnum((unsigned char)*p) || (unsigned char)*p >= 0x80))
                p++;
            if (p == start)
                continue;
            char word[MAX_TERM * 2], folded[MAX_TERM * 2];
            snprintf(word, sizeof word, "%.*s", (int)(p - start), start);
            text_fold(word, folded, sizeof folded);
            bool hit = false;
            for (int i = 0; i < s->n && !hit; i++) {
                const struct term *t = &s->t[i];
                hit = strncmp(folded, t->text, strlen(t->text)) == 0;
                for (int k = 0; k < t->nfuzzy && !hit; k++)
                    hit = strcmp(folded, t->fuzzy[k]) == 0;
            }
            bool seen = false;
            for (int k = 0; hit && k < n; k++)
                seen |= strcmp(words[k], word) == 0;
            if (hit && !seen && n < ROW_MAX_MATCHED) {
                snprintf(words[n], sizeof words[n], "%s", word);
                list[n] = words[n];
                n++;
            }
        }
    }
    return row_set_matched(row, list, n);
}

/* Run one ranked query, appending rows not already in 'out'.
 *
 * The ranking happens inside FTS5 on a window of the best 'window' matches
 * (no join), and only those rows are joined, filtered and ordered: a word
 * found in a quarter of a million listings ("cpas") must not cost a
 * quarter of a million row reads. When filters leave the window short, the
 * caller widens it. Returns how many rows the window held, or an ERR_*. */
static long run_query(struct search *s, const char *match, long limit,
                      long offset, long window, bool fuzzy, struct rows *out)
{
    static const char sql[] =
        "WITH f AS (SELECT rowid, amo_bm25(listings_fts, ?8, 10.0, 4.0, 4.0,"
        "  2.0, 1.0, 1.0) AS score FROM listings_fts WHERE listings_fts MATCH "
        "?1"
        "  ORDER BY score LIMIT ?7)"
        " SELECT " ROW_COLUMNS ", f.score,"
        "  (SELECT count(*) FROM f) FROM f"
        " JOIN listings l ON l.id = f.rowid"
        " WHERE (?2 IS NULL OR instr(?2, ',' || l.category || ',') > 0)"
        " ORDER BY round(f.score, 2),"
        "  CASE WHEN ?3 IS NULL THEN 0 ELSE geo_distance(?3, ?4, l.lat, l.lon)"
        "  END, l.id LIMIT ?5 OFFSET ?6";
    sqlite3_stmt *st = store_prepare(s->e->store, sql);
    if (!st)
        return ERR_DB;
    sqlite3_bind_text(st, 1, match, -1, SQLITE_TRANSIENT);
    if (s->has_cat)
        sqlite3_bind_text(st, 2, s->cats, -1, SQLITE_STATIC);
    if (s->has_near) {
        sqlite3_bind_double(st, 3, s->lat);
        sqlite3_bind_double(st, 4, s->lon);
    }
    sqlite3_bind_int64(st, 5, limit);
    sqlite3_bind_int64(st, 6, offset);
    sqlite3_bind_int64(st, 7, window);
    sqlite3_bind_pointer(st, 8, (void *)s->rank, FTS_RANK_POINTER, NULL);
    int rc;
    long held = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        held = sqlite3_column_int64(st, ROW_NCOLUMNS + 1);
        if (rows_find(out, sqlite3_column_int64(st, 0)) || out->n >= SEARCH_MAX)
            continue;
        struct row *r = rows_add(out, st, 0);
        if (!r || matched_words(s, r) < 0) {
            sqlite3_reset(st);
            return ERR_NOMEM;
        }
        r->fuzzy = fuzzy;
        if (s->has_near)
            r->distance_m =
                llround(geo_distance_m(s->lat, s->lon, r->lat, r->lon));
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? held : ERR_DB;
}

/* A ranked query with a window wide enough for the page: start with a few
 * hundred matches, widen when filters left the page short while the window
 * was full (more matches exist), up to every match. */
static int ranked(struct search *s, const char *match, long limit, long offset,
                  bool fuzzy, struct rows *out)
{
    /* The page is full when 'limit' results are in, counting those an
     * earlier (exact) pass already gave. */
    size_t before = out->n;
    for (long window = 200 + 4 * (offset + limit);; window *= 8) {
        long held = run_query(s, match, limit, offset, window, fuzzy, out);
        if (held < 0)
            return (int)held;
        if ((long)out->n >= limit || held < window || window > 4000000)
            return 0;
        rows_truncate(out, before); /* again, with a wider window */
    }
}

/* Words that name a category ("cpas", "planning familial", "droit des
 * jeunes") become a category filter instead of full-text terms: "planning
 * ixelles" then means the planning centres of Ixelles, whatever their
 * names say, and "cpas" alone lists the CPAS without ranking a quarter of
 * the index. Terms are folded (lower case, no accents). */
static void take_category_words(struct search *s)
{
    static const struct {
        const char *words[3];
        const char *slug;
    } names[] = {
        {{"droit", "des", "jeunes"}, "sdj"},
        {{"centre", "de", "planning"}, "planning"},
        {{"planning", "familial", NULL}, "planning"},
        {{"planning", "familiale", NULL}, "planning"},
        {{"planning", NULL, NULL}, "planning"},
        {{"gezinsplanning", NULL, NULL}, "planning"},
        {{"cpas", NULL, NULL}, "cpas"},
        {{"ocmw", NULL, NULL}, "cpas"},
        {{"amo", NULL, NULL}, "amo"},
        {{"sdj", NULL, NULL}, "sdj"},
    };
    struct term kept[MAX_TERMS];
    int nk = 0;
    for (int i = 0; i < s->n;) {
        int used = 0;
        for (size_t k = 0; k < sizeof names / sizeof *names && !used; k++) {
            int w = 0;
            while (w < 3 && names[k].words[w] && i + w < s->n &&
                   strcmp(s->t[i + w].text, names[k].words[w]) == 0)
                w++;
            if (w < 3 && names[k].words[w])
                continue; /* not the whole phrase */
            used = w;
            char key[40];
            snprintf(key, sizeof key, ",%s,", names[k].slug);
            if (!strstr(s->named, key) &&
                strlen(s->named) + strlen(key) < sizeof s->named)
                snprintf(s->named + strlen(s->named),
                         sizeof s->named - strlen(s->named), "%s",
                         s->named[0] ? key + 1 : key);
        }
        if (used) {
            i += used;
            continue;
        }
        kept[nk++] = s->t[i++];
    }
    memcpy(s->t, kept, (size_t)nk * sizeof *kept);
    s->n = nk;
    /* Named categories filter only when the caller gave none. */
    if (s->named[0] && !s->has_cat) {
        snprintf(s->cats, sizeof s->cats, "%s", s->named);
        s->has_cat = true;
    }
}

/* Listings found by category alone matched no search word. */
static void mark_unmatched(struct rows *out)
{
    for (size_t i = 0; i < out->n; i++)
        out->v[i].fuzzy = 0;
}

/* A query made only of category words: that category's listings, nearest
 * first when 'near' is given (the snapshot's k-d tree), else by name. */
static int category_listing(struct search *s, struct rows *out)
{
    static const char by_name[] =
        "SELECT " ROW_COLUMNS " FROM listings l"
        " WHERE l.category = ?1 ORDER BY l.name, l.id LIMIT ?2 OFFSET ?3";
    int rc = 0;
    if (s->has_near) {
        struct kd_hit hits[SEARCH_MAX + SEARCH_MAX_OFFSET];
        long n = snapshot_nearest(s->e->snap, s->lat, s->lon, 1e9,
                                  s->offset + s->limit, s->cats, -1, hits);
        for (long i = s->offset; rc == 0 && i < n; i++) {
            rc = query_listing(s->e, hits[i].id, out);
            if (rc == ERR_NOTFOUND) /* deleted since the snapshot */
                rc = 0;
            else if (rc == 0)
                out->v[out->n - 1].distance_m = llround(hits[i].d);
        }
        mark_unmatched(out);
        return rc;
    }
    /* Several named categories: each in turn, by name. */
    for (const char *c = s->cats + 1; *c && (long)out->n < s->limit;) {
        size_t len = strcspn(c, ",");
        char slug[32];
        snprintf(slug, sizeof slug, "%.*s", (int)len, c);
        sqlite3_stmt *st = store_prepare(s->e->store, by_name);
        if (!st)
            return ERR_DB;
        sqlite3_bind_text(st, 1, slug, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, s->limit - (long)out->n);
        sqlite3_bind_int64(st, 3, s->offset);
        while (rc == 0 && sqlite3_step(st) == SQLITE_ROW)
            if (!rows_add(out, st, 0))
                rc = ERR_NOMEM;
        sqlite3_reset(st);
        c += len + (c[len] == ',');
    }
    mark_unmatched(out);
    return rc;
}

int query_search(const struct query_env *e, const struct search_params *p,
                 struct search_answer *out)
{
    struct search s = {.e = e,
                       .limit = p->limit,
                       .offset = p->offset,
                       .has_near = p->has_near,
                       .lat = p->lat,
                       .lon = p->lon};
    char match[2048];
    memset(out, 0, sizeof *out);
    rows_init(&out->rows);
    if (p->cats) {
        snprintf(s.cats, sizeof s.cats, "%s", p->cats);
        s.has_cat = true;
    }
    s.n = tokenize(p->q, s.t, MAX_TERMS);
    take_category_words(&s);
    out->nterms = s.n;
    for (int i = 0; i < s.n; i++)
        snprintf(out->terms[i], sizeof out->terms[i], "%s", s.t[i].text);
    snprintf(out->named, sizeof out->named, "%s", s.named);
    int rc = 0;
    if (s.n == 0 && s.named[0]) {
        rc = category_listing(&s, &out->rows);
    } else if (s.n > 0) {
        s.rank = e->snap ? snapshot_lengths(e->snap) : NULL;
        fts_query(&s, false, match, sizeof match);
        rc = ranked(&s, match, s.limit, s.offset, false, &out->rows);
        /* Fuzzy matches only fill the first page's free places. */
        if (rc == 0 && (long)out->rows.n < s.limit && s.offset == 0) {
            int any = 0;
            for (int i = 0; i < s.n; i++) {
                find_fuzzy(&s, &s.t[i]);
                any += s.t[i].nfuzzy;
            }
            if (any) {
                fts_query(&s, true, match, sizeof match);
                rc = ranked(&s, match, s.limit, 0, true, &out->rows);
            }
        }
    }
    return rc;
}

void search_answer_free(struct search_answer *a)
{
    rows_free(&a->rows);
}
