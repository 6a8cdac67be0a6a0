/* api_search.c - GET /api/search: full-text search over the listings.
 *
 * Raw user text breaks FTS5 MATCH ("l'aide", "aide-jeunesse", "c.p.a.s."),
 * so the query is cut into words and each is quoted, with '*' so words
 * match as the user types (FIELD-NOTES). Ranking is bm25 with the name
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

#include "fts_rank.h"
#include "geo.h"
#include "json_write.h"
#include "params.h"
#include "routes.h"
#include "spatial.h"
#include "store.h"
#include "text.h"

#define MAX_QUERY_BYTES 200
#define MAX_TERMS 8
#define MAX_TERM 48
#define MAX_FUZZY_PER_TERM 6
#define SEARCH_DEFAULT 10
#define SEARCH_MAX 50
#define MAX_OFFSET 1000

struct term {
    char text[MAX_TERM];                      /* folded, as in the index */
    char fuzzy[MAX_FUZZY_PER_TERM][MAX_TERM]; /* close index words */
    int nfuzzy;
    bool no_prefix; /* no index word starts with 'text' (checked) */
};

struct search {
    struct term t[MAX_TERMS];
    int n;
    long limit, offset;
    bool has_cat, has_near;
    char cats[300];
    double lat, lon;
    char named[64];        /* categories named in the query (",cpas,"), or "" */
    struct fts_rank *rank; /* listing lengths for amo_bm25, or NULL */
};

/* Words of the query: runs of letters and digits (any non-ASCII byte
 * counts as a letter), folded like the index (lower case, no accents).
 * Dots are dropped first so "c.p.a.s." reads "cpas". One-letter words are
 * skipped: every listing has them. */
static int tokenize(const char *q, struct term *t, int max)
{
    char clean[MAX_QUERY_BYTES + 1];
    size_t k = 0;
    for (const char *p = q; *p && k < MAX_QUERY_BYTES; p++)
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
static void find_fuzzy(struct request *rq, struct term *t)
{
    static const char sql[] = "SELECT term FROM terms"
                              " WHERE term >= ?1 AND term < ?2";
    size_t len = strlen(t->text);
    if (len < 4 || isdigit((unsigned char)t->text[0]))
        return;
    int cap = len >= 7 ? 2 : 1;
    sqlite3_stmt *st = store_prepare(rq->store, sql);
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
static json_t *matched_words(const struct search *s, sqlite3_stmt *row)
{
    json_t *out = json_array();
    static const int cols[] = {2, 6, 5, 18, 4, 3}; /* name .. description */
    for (size_t c = 0; c < sizeof cols / sizeof *cols; c++) {
        const char *text = (const char *)sqlite3_column_text(row, cols[c]);
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
            for (size_t k = 0; hit && k < json_array_size(out); k++)
                seen |= strcmp(json_string_value(json_array_get(out, k)),
                               word) == 0;
            if (hit && !seen && json_array_size(out) < 16)
                json_array_append_new(out, json_string(word));
        }
    }
    return out;
}

/* Run one ranked query, appending features not already in 'ids'.
 *
 * The ranking happens inside FTS5 on a window of the best 'window' matches
 * (no join), and only those rows are joined, filtered and ordered: a word
 * found in a quarter of a million listings ("cpas") must not cost a
 * quarter of a million row reads. When filters leave the window short, the
 * caller widens it. Returns how many rows the window held, or -1. */
static long run_query(struct request *rq, struct search *s, const char *match,
                      long limit, long offset, long window, bool fuzzy,
                      json_t *features, long long *ids, long *nids)
{
    static const char sql[] =
        "WITH f AS (SELECT rowid, amo_bm25(listings_fts, ?8, 10.0, 4.0, 4.0,"
        "  2.0, 1.0, 1.0) AS score FROM listings_fts WHERE listings_fts MATCH "
        "?1"
        "  ORDER BY score LIMIT ?7)"
        " SELECT " FEATURE_COLUMNS ", f.score,"
        "  (SELECT count(*) FROM f) FROM f"
        " JOIN listings l ON l.id = f.rowid"
        " WHERE (?2 IS NULL OR instr(?2, ',' || l.category || ',') > 0)"
        " ORDER BY round(f.score, 2),"
        "  CASE WHEN ?3 IS NULL THEN 0 ELSE geo_distance(?3, ?4, l.lat, l.lon)"
        "  END, l.id LIMIT ?5 OFFSET ?6";
    sqlite3_stmt *st = store_prepare(rq->store, sql);
    if (!st)
        return -1;
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
    sqlite3_bind_pointer(st, 8, s->rank, FTS_RANK_POINTER, NULL);
    int rc;
    long held = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        held = sqlite3_column_int64(st, FEATURE_NCOLUMNS + 1);
        long long id = sqlite3_column_int64(st, 0);
        bool dup = false;
        for (long i = 0; i < *nids; i++)
            dup |= ids[i] == id;
        if (dup || *nids >= SEARCH_MAX)
            continue;
        ids[(*nids)++] = id;
        json_t *f = feature_json(st, 0);
        json_t *p = json_object_get(f, "properties");
        if (s->has_near) {
            json_t *d = json_integer((json_int_t)llround(
                geo_distance_m(s->lat, s->lon, sqlite3_column_double(st, 8),
                               sqlite3_column_double(st, 9))));
            json_object_set_new(p, "distance_m", d);
        }
        json_object_set_new(p, "matched", matched_words(s, st));
        json_object_set_new(p, "fuzzy", json_boolean(fuzzy));
        json_array_append_new(features, f);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? held : -1;
}

/* A ranked query with a window wide enough for the page: start with a few
 * hundred matches, widen when filters left the page short while the window
 * was full (more matches exist), up to every match. */
static int ranked(struct request *rq, struct search *s, const char *match,
                  long limit, long offset, bool fuzzy, json_t *features,
                  long long *ids, long *nids)
{
    /* The page is full when 'limit' results are in, counting those an
     * earlier (exact) pass already gave. */
    long before = *nids;
    size_t nfeat = json_array_size(features);
    for (long window = 200 + 4 * (offset + limit);; window *= 8) {
        long held = run_query(rq, s, match, limit, offset, window, fuzzy,
                              features, ids, nids);
        if (held < 0)
            return -1;
        if (*nids >= limit || held < window || window > 4000000)
            return 0;
        /* Start again with a wider window. */
        *nids = before;
        while (json_array_size(features) > nfeat)
            json_array_remove(features, json_array_size(features) - 1);
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
static void mark_unmatched(json_t *features)
{
    size_t i;
    json_t *f;
    json_array_foreach(features, i, f)
    {
        json_t *p = json_object_get(f, "properties");
        json_object_set_new(p, "matched", json_array());
        json_object_set_new(p, "fuzzy", json_false());
    }
}

/* A query made only of category words: that category's listings, nearest
 * first when 'near' is given (the in-memory grid), else by name. */
static int category_listing(struct request *rq, struct search *s,
                            json_t *features, long *nids)
{
    static const char by_name[] =
        "SELECT " FEATURE_COLUMNS " FROM listings l"
        " WHERE l.category = ?1 ORDER BY l.name, l.id LIMIT ?2 OFFSET ?3";
    if (s->has_near) {
        struct spatial_hit hits[SEARCH_MAX + MAX_OFFSET];
        struct spatial *sp = spatial_acquire(rq->store);
        if (!sp)
            return -1;
        struct spatial_query q = {.lat = s->lat,
                                  .lon = s->lon,
                                  .max_m = 1e9,
                                  .limit = s->offset + s->limit,
                                  .categories = s->cats,
                                  .age = -1};
        long n = spatial_nearest(sp, &q, hits);
        spatial_release(sp);
        if (n > s->offset)
            *nids +=
                nearest_features(rq, hits + s->offset, n - s->offset, features);
        mark_unmatched(features);
        return 0;
    }
    /* Several named categories: each in turn, by name. */
    for (const char *c = s->cats + 1; *c && *nids < s->limit;) {
        size_t len = strcspn(c, ",");
        char slug[32];
        snprintf(slug, sizeof slug, "%.*s", (int)len, c);
        sqlite3_stmt *st = store_prepare(rq->store, by_name);
        if (!st)
            return -1;
        sqlite3_bind_text(st, 1, slug, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, s->limit - *nids);
        sqlite3_bind_int64(st, 3, s->offset);
        while (sqlite3_step(st) == SQLITE_ROW) {
            json_array_append_new(features, feature_json(st, 0));
            (*nids)++;
        }
        sqlite3_reset(st);
        c += len + (c[len] == ',');
    }
    mark_unmatched(features);
    return 0;
}

static int read_search(struct request *rq, struct reply *rp, struct search *s)
{
    const char *q = param_get(rq, "q");
    if (!q || !*q) {
        reply_error(rp, 400, "missing_parameter", "q: required");
        return -1;
    }
    if (strlen(q) > MAX_QUERY_BYTES) {
        reply_error(rp, 400, "bad_parameter", "q: longer than %d bytes",
                    MAX_QUERY_BYTES);
        return -1;
    }
    s->limit = SEARCH_DEFAULT;
    int c = param_categories(rq, rp, "category", s->cats, sizeof s->cats);
    int nr = c < 0 ? -1 : param_point(rq, rp, "near", &s->lat, &s->lon);
    int l = nr < 0 ? -1 : param_long(rq, rp, "limit", 1, SEARCH_MAX, &s->limit);
    int o =
        l < 0 ? -1 : param_long(rq, rp, "offset", 0, MAX_OFFSET, &s->offset);
    if (o < 0 || reject_unknown_params(rq, rp))
        return -1;
    s->has_cat = c > 0;
    s->has_near = nr > 0;
    s->n = tokenize(q, s->t, MAX_TERMS);
    take_category_words(s);
    return 0;
}

void api_search(struct request *rq, struct reply *rp)
{
    struct search s = {0};
    char match[2048];
    long long ids[SEARCH_MAX];
    long nids = 0;
    if (read_search(rq, rp, &s) < 0)
        return;
    json_t *features = json_array();
    json_t *terms = json_array();
    for (int i = 0; i < s.n; i++)
        json_array_append_new(terms, json_string(s.t[i].text));
    int rc = 0;
    if (s.n == 0 && s.named[0]) {
        rc = category_listing(rq, &s, features, &nids);
    } else if (s.n > 0) {
        s.rank = fts_rank_acquire(rq->store);
        fts_query(&s, false, match, sizeof match);
        rc = ranked(rq, &s, match, s.limit, s.offset, false, features, ids,
                    &nids);
        /* Fuzzy matches only fill the first page's free places. */
        if (rc == 0 && nids < s.limit && s.offset == 0) {
            int any = 0;
            for (int i = 0; i < s.n; i++) {
                find_fuzzy(rq, &s.t[i]);
                any += s.t[i].nfuzzy;
            }
            if (any) {
                fts_query(&s, true, match, sizeof match);
                rc = ranked(rq, &s, match, s.limit, 0, true, features, ids,
                            &nids);
            }
        }
    }
    fts_rank_release(s.rank);
    if (rc < 0) {
        json_decref(features);
        json_decref(terms);
        reply_error(rp, 500, "internal", "search failed");
        return;
    }
    json_t *named = json_array();
    for (const char *c = s.named[0] ? s.named + 1 : s.named; *c;) {
        size_t len = strcspn(c, ",");
        json_array_append_new(named, json_stringn(c, len));
        c += len + (c[len] == ',');
    }
    json_t *fc = json_pack("{s:s,s:o,s:o,s:o,s:I}", "type", "FeatureCollection",
                           "terms", terms, "categories", named, "features",
                           features, "numberReturned", (json_int_t)nids);
    reply_json_text(rp, json_dumps(fc, JW_DUMP_FLAGS), "application/geo+json");
    json_decref(fc);
    reply_cacheable(rq, rp, 60);
    rp->cache_control =
        "private, max-age=60"; /* search text: no shared cache */
}
