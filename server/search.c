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
#include "geo.h"
#include "query.h"
#include "situations.h"
#include "snapshot.h"
#include "stem.h"
#include "store.h"
#include "text.h"
#include "textindex.h"

#define MAX_TERMS SEARCH_MAX_TERMS
#define MAX_TERM 48
#define MAX_FUZZY_PER_TERM 6

struct term {
    char text[MAX_TERM];              /* folded, as in the index */
    char word[MAX_TERM * 2];          /* as typed (for the stems) */
    char stems[STEM_LANGS][STEM_MAX]; /* lib/stem.c */
    int nstems;
    bool stop; /* a stop word: it need not match */
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
    const struct textindex *ti; /* NULL: the FTS5 reference */
};

/* Words of the query: runs of letters and digits (any non-ASCII byte
 * counts as a letter), folded like the index (lower case, no accents).
 * Dots are dropped first so "c.p.a.s." reads "cpas". One-letter words are
 * skipped: every listing has them. */
static int tokenize(const char *q, struct term *t, int max)
{
    char clean[SEARCH_MAX_QUERY + 1];
    size_t k = 0, len;
    for (const char *p = q; *p && k < SEARCH_MAX_QUERY; p++)
        if (*p != '.')
            clean[k++] = *p;
    clean[k] = '\0';
    int n = 0;
    for (const char *p = clean, *w; n < max && (w = text_word(p, &len));
         p = w + len) {
        char word[MAX_TERM * 2];
        snprintf(word, sizeof word, "%.*s", (int)len, w);
        size_t fl = text_fold(word, t[n].text, MAX_TERM);
        bool dup = false;
        for (int i = 0; i < n; i++)
            dup |= strcmp(t[i].text, t[n].text) == 0;
        if (fl >= 2 && !dup) {
            snprintf(t[n].word, sizeof t[n].word, "%s", word);
            t[n].nfuzzy = 0;
            t[n].stop = stem_stopword(t[n].text);
            t[n].nstems = stem_word(word, strlen(word), t[n].stems);
            n++;
        }
    }
    return n;
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
        if (text_edit_distance(t->text, w, cap) <= cap ||
            (wl > len && text_edit_distance(t->text, head, cap) <= cap))
            snprintf(t->fuzzy[t->nfuzzy++], MAX_TERM, "%s", w);
    }
    /* Every word of four letters or more that starts with a letter is in
     * 'terms', so none starts with this one. */
    t->no_prefix = !prefix && rc == SQLITE_DONE;
    sqlite3_reset(st);
}

/* FTS5 query: each term matches itself as a prefix, or one of its stems
 * in the stems column (French, Dutch, English: "disputes" meets
 * "dispute"), or (fuzzy) one of its close words; every term is required,
 * or ('any') any of them, bm25 then ranking the listings that match more
 * of them, and rarer ones, first. Stop words are left out. */
static void fts_query(const struct search *s, bool fuzzy, bool any, char *out,
                      size_t outsz)
{
    size_t n = 0;
    bool first = true;
    out[0] = '\0';
    for (int i = 0; i < s->n && n < outsz; i++) {
        const struct term *t = &s->t[i];
        if (t->stop)
            continue;
        /* A prefix that no index word has matches nothing: leaving it
         * out of the fuzzy alternatives changes no score (its frequency
         * is 0 in every row) but spares FTS5 a slow prefix scan per row
         * ("shaerbeek": 55 ms with it, 16 ms without, at 1M). */
        bool prefix = !fuzzy || !t->no_prefix || t->nfuzzy == 0;
        bool alt = false;
        n += (size_t)snprintf(out + n, outsz - n, "%s(",
                              first ? ""
                              : any ? " OR "
                                    : " AND ");
        first = false;
        if (prefix && n < outsz) {
            n += (size_t)snprintf(out + n, outsz - n, "\"%s\"*", t->text);
            alt = true;
        }
        for (int k = 0; k < t->nstems && n < outsz; k++, alt = true)
            n += (size_t)snprintf(out + n, outsz - n, "%sstems:\"%s\"",
                                  alt ? " OR " : "", t->stems[k]);
        for (int k = 0; fuzzy && k < t->nfuzzy && n < outsz; k++, alt = true)
            n += (size_t)snprintf(out + n, outsz - n, "%s\"%s\"",
                                  alt ? " OR " : "", t->fuzzy[k]);
        if (n < outsz)
            n += (size_t)snprintf(out + n, outsz - n, ")");
    }
    if (n >= outsz)
        out[0] = '\0';
}

/* Stop words are left out of the query, unless nothing else is left. */
static void mark_stop_words(struct search *s)
{
    bool other = false;
    for (int i = 0; i < s->n; i++)
        other |= !s->t[i].stop;
    for (int i = 0; !other && i < s->n; i++)
        s->t[i].stop = false;
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
            char ws[STEM_LANGS][STEM_MAX];
            int nws = -1; /* stemmed when needed */
            for (int i = 0; i < s->n && !hit; i++) {
                const struct term *t = &s->t[i];
                if (t->stop)
                    continue;
                hit = strncmp(folded, t->text, strlen(t->text)) == 0;
                for (int k = 0; k < t->nfuzzy && !hit; k++)
                    hit = strcmp(folded, t->fuzzy[k]) == 0;
                /* Stemming every word of every result would cost more
                 * than the search: a stemmer only changes endings, so a
                 * word can share a stem only if it starts like it. */
                bool head = false;
                for (int k = 0; k < t->nstems && !head; k++)
                    head = strncmp(folded, t->stems[k], 3) == 0;
                if (!hit && head && nws < 0)
                    nws = stem_word(word, strlen(word), ws);
                for (int k = 0; k < t->nstems && !hit; k++)
                    for (int m = 0; m < nws && !hit; m++)
                        hit = strcmp(t->stems[k], ws[m]) == 0;
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

/* The phrases of fts_query()'s text, in its order (the order bm25 sums
 * them in), for the index in memory. */
static void phrases_of(const struct search *s, bool fuzzy, bool any,
                       struct ti_query *q)
{
    memset(q, 0, sizeof *q);
    q->any = any;
    for (int i = 0; i < s->n; i++) {
        const struct term *t = &s->t[i];
        if (t->stop)
            continue;
        int w = q->nwords++;
        bool prefix = !fuzzy || !t->no_prefix || t->nfuzzy == 0;
        if (prefix && q->nphrases < TI_MAX_PHRASES)
            q->phrase[q->nphrases++] =
                (struct ti_phrase){.text = t->text, .prefix = true, .word = w};
        for (int k = 0; k < t->nstems && q->nphrases < TI_MAX_PHRASES; k++)
            q->phrase[q->nphrases++] = (struct ti_phrase){
                .text = t->stems[k], .stems_only = true, .word = w};
        for (int k = 0; fuzzy && k < t->nfuzzy && q->nphrases < TI_MAX_PHRASES;
             k++)
            q->phrase[q->nphrases++] =
                (struct ti_phrase){.text = t->fuzzy[k], .word = w};
    }
}

/* What a found listing's answer says of the search. */
static int add_hit(struct search *s, struct row *r, bool fuzzy)
{
    if (matched_words(s, r) < 0)
        return ERR_NOMEM;
    r->fuzzy = fuzzy;
    if (s->has_near)
        r->distance_m = llround(geo_distance_m(s->lat, s->lon, r->lat, r->lon));
    return 0;
}

/* The reference: FTS5's own bm25 over every match, in SQL, in the order
 * the index in memory must give (tests compare the two). Slow on common
 * words: each match's position lists are decoded to rank it. */
static int ranked_fts5(struct search *s, bool fuzzy, bool any, long limit,
                       long offset, struct rows *out)
{
    static const char sql[] =
        "SELECT " ROW_COLUMNS
        " FROM (SELECT rowid, bm25(listings_fts, " TI_WEIGHTS_SQL
        ") AS score FROM listings_fts WHERE listings_fts"
        " MATCH ?1) f JOIN listings l ON l.id = f.rowid"
        " WHERE (?2 IS NULL OR instr(?2, ',' || l.category || ',') > 0)"
        " ORDER BY round(f.score, 2),"
        "  CASE WHEN ?3 IS NULL THEN 0 ELSE geo_distance(?3, ?4, l.lat, l.lon)"
        "  END, l.id LIMIT ?5 OFFSET ?6";
    char match[4096];
    fts_query(s, fuzzy, any, match, sizeof match);
    if (!match[0])
        return 0;
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
    int rc, err = 0;
    while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (rows_find(out, sqlite3_column_int64(st, 0)) || out->n >= SEARCH_MAX)
            continue;
        struct row *r = rows_add(out, st, 0);
        err = r ? add_hit(s, r, fuzzy) : ERR_NOMEM;
    }
    sqlite3_reset(st);
    return err ? err : rc == SQLITE_DONE ? 0 : ERR_DB;
}

/* One ranked pass ('any': a listing needs one word; 'fuzzy': close words
 * too): the page [offset, offset + limit) of the ranking, its listings
 * not yet in 'out' appended. */
static int ranked(struct search *s, bool fuzzy, bool any, long limit,
                  long offset, struct rows *out)
{
    if (!s->ti)
        return ranked_fts5(s, fuzzy, any, limit, offset, out);
    struct ti_query q;
    phrases_of(s, fuzzy, any, &q);
    q.cats = s->has_cat ? s->cats : NULL;
    q.has_near = s->has_near;
    q.lat = s->lat;
    q.lon = s->lon;
    q.first = offset;
    q.count = limit;
    struct ti_hit hits[SEARCH_MAX];
    long n = limit <= SEARCH_MAX ? textindex_search(s->ti, &q, hits) : 0;
    if (n < 0)
        return (int)n;
    for (long i = 0; i < n; i++) {
        if (rows_find(out, hits[i].id) || out->n >= SEARCH_MAX)
            continue;
        int rc = query_listing(s->e, hits[i].id, out);
        if (rc == ERR_NOTFOUND) /* not in this version: cannot happen */
            continue;
        if (rc == 0)
            rc = add_hit(s, &out->v[out->n - 1], fuzzy);
        if (rc < 0)
            return rc;
    }
    return 0;
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
    for (const char *c = s->cats + 1;
         rc == 0 && *c && (long)out->n < s->limit;) {
        size_t len = strcspn(c, ",");
        char slug[32];
        snprintf(slug, sizeof slug, "%.*s", (int)len, c);
        rc = query_by_name(s->e, slug, s->limit - (long)out->n, s->offset, out);
        c += len + (c[len] == ',');
    }
    mark_unmatched(out);
    return rc;
}

/* ---- situations -------------------------------------------------------- */

#define PER_KIND 3 /* listings of each kind a situation lists */

static bool wanted(const char *cats, const char *slug)
{
    char key[40];
    snprintf(key, sizeof key, ",%s,", slug);
    return !cats || strstr(cats, key);
}

/* Append the rows of 'from' not yet in 'out', at most 'max' of them. */
static int add_new(struct rows *out, const struct rows *from, size_t max,
                   long limit)
{
    for (size_t i = 0, n = 0; i < from->n && n < max; i++) {
        if ((long)out->n >= limit)
            return 0;
        if (rows_find(out, from->v[i].id))
            continue;
        if (!rows_copy(out, &from->v[i]))
            return ERR_NOMEM;
        n++;
    }
    return 0;
}

/* The AMO open day and night nearest the place (or all, by name). */
static int amo_24h(const struct query_env *e, const struct place *where,
                   struct rows *out)
{
    static const char sql[] =
        "SELECT " ROW_COLUMNS ", geo_distance(?1, ?2, l.lat, l.lon) AS d"
        " FROM listings l WHERE l.category = 'amo' AND l.opening_hours ="
        " '24/7' ORDER BY d, l.name LIMIT ?3";
    sqlite3_stmt *st = store_prepare(e->store, sql);
    if (!st)
        return ERR_DB;
    if (where) {
        sqlite3_bind_double(st, 1, where->lat);
        sqlite3_bind_double(st, 2, where->lon);
    }
    sqlite3_bind_int(st, 3, PER_KIND);
    int rc = 0;
    while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
        struct row *r = rows_add(out, st, 0);
        if (!r)
            rc = ERR_NOMEM;
        else if (where) {
            r->distance_m = llround(sqlite3_column_double(st, ROW_NCOLUMNS));
            r->basis = "nearest";
        }
    }
    sqlite3_reset(st);
    return rc;
}

/* The listings of one kind for a situation, best first. */
static int kind_rows(const struct query_env *e, const char *kind,
                     const struct place *where,
                     const struct commune_answer *comp, struct rows *found)
{
    bool h24 = strcmp(kind, SIT_KIND_24H) == 0;
    const char *slug = h24 ? "amo" : kind;
    if (h24)
        return amo_24h(e, where, found);
    if (!where) /* the place unknown: a few, by name */
        return query_by_name(e, slug, PER_KIND, 0, found);
    /* those who serve the commune, then the nearest */
    const struct rows *serving = !comp                       ? NULL
                                 : strcmp(slug, "cpas") == 0 ? &comp->cpas
                                 : strcmp(slug, "amo") == 0  ? &comp->amo
                                 : strcmp(slug, "sdj") == 0  ? &comp->sdj
                                 : strcmp(slug, "planning") == 0
                                     ? &comp->planning
                                     : NULL;
    int rc = serving ? add_new(found, serving, PER_KIND, PER_KIND) : 0;
    /* the CPAS is the commune's own: never a neighbour's */
    if (rc == 0 && strcmp(slug, "cpas") != 0 && (long)found->n < PER_KIND) {
        char one[48];
        snprintf(one, sizeof one, ",%s,", slug);
        struct nearest_params np = {.lat = where->lat,
                                    .lon = where->lon,
                                    .max_m = 1e7,
                                    .limit = 2 * PER_KIND,
                                    .cats = one,
                                    .age = -1};
        struct rows near;
        rows_init(&near);
        rc = query_nearest(e, &np, &near);
        for (size_t k = 0; k < near.n; k++)
            near.v[k].basis = "nearest";
        if (rc == 0)
            rc = add_new(found, &near, PER_KIND - found->n, PER_KIND);
        rows_free(&near);
    }
    /* a distance for every row, from the same point */
    for (size_t k = 0; k < found->n; k++)
        if (found->v[k].distance_m == ROW_NO_DISTANCE &&
            !isnan(found->v[k].lat))
            found->v[k].distance_m = llround(geo_distance_m(
                where->lat, where->lon, found->v[k].lat, found->v[k].lon));
    return rc;
}

int query_situation(const struct query_env *e, const struct situation *sit,
                    const struct place *where, const char *cats, long limit,
                    struct rows *out)
{
    struct commune_answer comp;
    bool has_comp = false;
    int rc = 0;
    if (where && where->commune) {
        rc = query_commune(e, where, PER_KIND, &comp);
        has_comp = rc == 0;
    }
    /* Each kind's best first, in the situation's order, then each one's
     * second, and so on: the first cards show every kind that helps. */
    struct rows found[8];
    size_t nk = 0;
    for (size_t i = 0; rc == 0 && i < sit->nservices && nk < 8; i++) {
        const char *kind = sit->services[i].kind;
        if (!wanted(cats, strcmp(kind, SIT_KIND_24H) == 0 ? "amo" : kind))
            continue;
        rows_init(&found[nk]);
        rc = kind_rows(e, kind, where, has_comp ? &comp : NULL, &found[nk++]);
    }
    for (size_t round = 0; rc == 0 && round < PER_KIND; round++)
        for (size_t k = 0; rc == 0 && k < nk; k++)
            if (round < found[k].n && (long)out->n < limit &&
                !rows_find(out, found[k].v[round].id) &&
                !rows_copy(out, &found[k].v[round]))
                rc = ERR_NOMEM;
    for (size_t k = 0; k < nk; k++)
        rows_free(&found[k]);
    if (has_comp)
        commune_answer_free(&comp);
    return rc;
}

/* A place the words left after a situation name ("contraception namur",
 * "j'ai plus d'argent 4000"): the longest run of up to three of them
 * that is a postcode, a municipality or a place. */
static bool place_in_words(const struct query_env *e, const struct sit_word *w,
                           int n, struct place *out)
{
    for (int len = 3; len >= 1; len--)
        for (int i = 0; i + len <= n; i++) {
            char text[200] = "";
            bool free_run = true;
            for (int k = i; k < i + len; k++) {
                free_run &= !w[k].used;
                snprintf(text + strlen(text), sizeof text - strlen(text),
                         "%s%.*s", k > i ? " " : "", STEM_MAX - 1, w[k].folded);
            }
            /* "j'ai 15 ans" is an age, not Ans (62003) */
            if (len == 1 && i > 0 && strcmp(w[i].folded, "ans") == 0 &&
                isdigit((unsigned char)w[i - 1].folded[0]))
                continue;
            if (free_run && query_locate(e->gaz, text, out))
                return true;
        }
    return false;
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
    /* What the words say the visitor comes with, and where. */
    struct sit_word words[SEARCH_MAX_TERMS * 2];
    int nwords = e->sits ? sit_words(p->q, words, SEARCH_MAX_TERMS * 2) : 0;
    out->nsituations = situations_match(e->sits, words, nwords, out->situations,
                                        SEARCH_MAX_SITUATIONS);
    if (out->nsituations && !s.named[0]) {
        out->located = place_in_words(e, words, nwords, &out->place);
        if (!out->located && p->has_near)
            out->located =
                query_locate_point(e->gaz, p->lat, p->lon, &out->place);
        int rc = query_situation(
            e, out->situations[0], out->located ? &out->place : NULL,
            s.has_cat ? s.cats : NULL, s.offset + s.limit, &out->rows);
        for (size_t i = 0; i < out->rows.n; i++)
            out->rows.v[i].fuzzy = 0; /* matched by the situation */
        /* the page asked for, after 'offset' */
        if (s.offset > 0) {
            struct rows page;
            rows_init(&page);
            for (size_t i = (size_t)s.offset; rc == 0 && i < out->rows.n; i++)
                if (!rows_copy(&page, &out->rows.v[i]))
                    rc = ERR_NOMEM;
            rows_free(&out->rows);
            out->rows = page;
        }
        return rc;
    }
    mark_stop_words(&s);
    int rc = 0;
    if (s.n == 0 && s.named[0]) {
        rc = category_listing(&s, &out->rows);
    } else if (s.n > 0) {
        if (!e->fts5_search) {
            s.ti = e->snap ? snapshot_textindex(e->snap, e->store) : NULL;
            if (!s.ti)
                return ERR_DB; /* 503: said in the server's log */
        }
        rc = ranked(&s, false, false, s.limit, s.offset, &out->rows);
        /* When not every word matches, the listings that match more of
         * them (and rarer ones) fill the page. */
        if (rc == 0 && (long)out->rows.n < s.limit && s.offset == 0 && s.n > 1)
            rc = ranked(&s, false, true, s.limit, 0, &out->rows);
        /* Fuzzy matches only fill the first page's free places. */
        if (rc == 0 && (long)out->rows.n < s.limit && s.offset == 0) {
            int any = 0;
            for (int i = 0; i < s.n; i++) {
                if (s.t[i].stop)
                    continue;
                find_fuzzy(&s, &s.t[i]);
                any += s.t[i].nfuzzy;
            }
            if (any)
                rc = ranked(&s, true, s.n > 1, s.limit, 0, &out->rows);
        }
    }
    return rc;
}

void search_answer_free(struct search_answer *a)
{
    rows_free(&a->rows);
}
