/* textindex.c - the full-text index in memory and bm25 over it (see
 * textindex.h). */
#include "textindex.h"

#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "geo.h"
#include "hmap.h"
#include "vec.h"

#define MAX_CATS 255
#define NO_CAT 255
#define INFO_LEN 0xffffffu /* a listing's length, in its info word */
#define PREFETCH 16        /* matches ahead whose info is fetched early */

struct textindex {
    /* the listings, in rowid (id) order */
    size_t ndocs;
    int64_t *ids;
    /* tokens in all columns (low 24 bits: sixteen million, far more than
     * any listing's text) and category (into cats[], or NO_CAT; high 8
     * bits): one word, read together, so scoring a match costs one cache
     * miss, not two */
    uint32_t *info;
    double *lat, *lon;
    char *cats[MAX_CATS];
    int ncats;
    double avgdl;
    /* ids whose (id - ids[0]) >> shift is b start at dir[b]: a lookup
     * reads one or two entries, not twenty of a binary search */
    uint32_t *dir;
    unsigned shift;
    size_t ndir;
    /* the words, in FTS5's order (bytes), each with its postings: per
     * listing, varint(listing - previous listing), varint(2 x weighted
     * frequency + (in the stems column)), [varint(count in the stems
     * column)] */
    size_t nterms;
    uint32_t *term_off; /* into text[], nterms + 1 */
    char *text;
    uint64_t *post_off; /* into post[], nterms + 1 */
    uint32_t *df;       /* listings holding the word */
    uint32_t *df_stems; /* ... in the stems column */
    /* the largest bm25 term (idf aside) the word gives a listing, in all
     * columns and in the stems column: a bound that lets a search stop */
    float *ub, *ub_stems;
    uint8_t *post;
    size_t npostings, text_len, post_len;
};

/* ---- varints (SQLite's and protobuf's little-endian base 128) ---------- */

static int put_varint(uint8_t **buf, size_t *len, size_t *cap, uint64_t v)
{
    if (vec_reserve((void **)buf, cap, *len + 10, 1) < 0)
        return ERR_NOMEM;
    do {
        uint8_t b = v & 0x7f;
        v >>= 7;
        (*buf)[(*len)++] = b | (v ? 0x80 : 0);
    } while (v);
    return 0;
}

static inline uint64_t get_varint(const uint8_t **p)
{
    uint64_t v = 0;
    for (unsigned shift = 0;; shift += 7) {
        uint8_t b = *(*p)++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return v;
    }
}

/* ---- building ---------------------------------------------------------- */

void textindex_free(struct textindex *ti)
{
    if (!ti)
        return;
    free(ti->ids);
    free(ti->info);
    free(ti->lat);
    free(ti->lon);
    for (int i = 0; i < ti->ncats; i++)
        free(ti->cats[i]);
    free(ti->dir);
    free(ti->term_off);
    free(ti->text);
    free(ti->post_off);
    free(ti->df);
    free(ti->df_stems);
    free(ti->ub);
    free(ti->ub_stems);
    free(ti->post);
    free(ti);
}

static int build_dir(struct textindex *ti)
{
    uint64_t range =
        ti->ndocs ? (uint64_t)ti->ids[ti->ndocs - 1] - (uint64_t)ti->ids[0] : 0;
    ti->shift = 0;
    while ((range >> ti->shift) >= (uint64_t)ti->ndocs + 1)
        ti->shift++;
    ti->ndir = (size_t)(range >> ti->shift) + 2;
    if (!(ti->dir = malloc(ti->ndir * sizeof *ti->dir)))
        return ERR_NOMEM;
    size_t i = 0;
    for (size_t b = 0; b < ti->ndir; b++) {
        while (i < ti->ndocs &&
               ((uint64_t)ti->ids[i] - (uint64_t)ti->ids[0]) >> ti->shift < b)
            i++;
        ti->dir[b] = (uint32_t)i;
    }
    return 0;
}

/* The index of listing 'id', or -1. */
static long doc_of(const struct textindex *ti, int64_t id)
{
    if (ti->ndocs == 0 || id < ti->ids[0] || id > ti->ids[ti->ndocs - 1])
        return -1;
    size_t b = (size_t)(((uint64_t)id - (uint64_t)ti->ids[0]) >> ti->shift);
    size_t lo = ti->dir[b], hi = ti->dir[b + 1];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ti->ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < ti->ndocs && ti->ids[lo] == id ? (long)lo : -1;
}

static int cat_index(struct textindex *ti, const char *slug)
{
    for (int i = 0; i < ti->ncats; i++)
        if (strcmp(ti->cats[i], slug) == 0)
            return i;
    if (ti->ncats == MAX_CATS || !(ti->cats[ti->ncats] = strdup(slug)))
        return NO_CAT;
    return ti->ncats++;
}

/* Category and position of each listing, read in the table's order. */
static int read_places(struct textindex *ti, sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT id, category, lat, lon FROM listings",
                           -1, &st, NULL) != SQLITE_OK)
        return ERR_DB;
    int rc, last = NO_CAT;
    char last_slug[64] = "";
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        long d = doc_of(ti, sqlite3_column_int64(st, 0));
        if (d < 0)
            continue;
        const char *slug = (const char *)sqlite3_column_text(st, 1);
        if (!slug)
            slug = "";
        if (strcmp(slug, last_slug) != 0) {
            last = cat_index(ti, slug);
            snprintf(last_slug, sizeof last_slug, "%s", slug);
        }
        ti->info[d] = (ti->info[d] & INFO_LEN) | (uint32_t)last << 24;
        if (sqlite3_column_type(st, 2) != SQLITE_NULL &&
            sqlite3_column_type(st, 3) != SQLITE_NULL) {
            ti->lat[d] = sqlite3_column_double(st, 2);
            ti->lon[d] = sqlite3_column_double(st, 3);
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : ERR_DB;
}

/* A word while the index is built: its postings so far, and the listing
 * being read if it holds the word (written when the word is next seen in
 * another listing, or at the end). */
struct bterm {
    uint32_t text_off, text_len;
    uint8_t *post;
    size_t post_len, post_cap;
    uint32_t df, df_stems, last_doc; /* last_doc: the last written */
    uint32_t cur_doc, cur_wf, cur_sc;
    bool has_cur;
};

struct builder {
    struct textindex *ti;
    sqlite3 *db;
    struct hmap map; /* FNV-1a of the word -> its index + 1 */
    struct bterm *terms;
    size_t nterms, cap_terms;
    char *text;
    size_t text_len, cap_text;
    uint32_t doc; /* the listing being read */
    int col;
    uint32_t doc_tokens;
    int err;
};

static int write_cur(struct bterm *t)
{
    if (!t->has_cur)
        return 0;
    uint32_t delta = t->df ? t->cur_doc - t->last_doc : t->cur_doc;
    if (put_varint(&t->post, &t->post_len, &t->post_cap, delta) < 0 ||
        put_varint(&t->post, &t->post_len, &t->post_cap,
                   2 * (uint64_t)t->cur_wf + (t->cur_sc > 0)) < 0 ||
        (t->cur_sc > 0 &&
         put_varint(&t->post, &t->post_len, &t->post_cap, t->cur_sc) < 0))
        return ERR_NOMEM;
    t->last_doc = t->cur_doc;
    t->df++;
    t->df_stems += t->cur_sc > 0;
    t->has_cur = false;
    return 0;
}

/* xToken: one word of the column being read, as FTS5 indexes it. */
static int on_token(void *ctx, int flags, const char *tok, int n, int start,
                    int end)
{
    static const int weight[TI_NCOLUMNS] = {TI_WEIGHTS};
    (void)flags, (void)start, (void)end;
    struct builder *b = ctx;
    b->doc_tokens++;
    if (n <= 0)
        return SQLITE_OK;
    uint64_t h = hmap_hash(tok, (size_t)n);
    struct bterm *t = NULL;
    for (size_t i = hmap_first(&b->map, h); i != HMAP_END;
         i = hmap_next(&b->map, h, i)) {
        struct bterm *c = &b->terms[b->map.slots[i].value - 1];
        if (c->text_len == (uint32_t)n &&
            memcmp(b->text + c->text_off, tok, (size_t)n) == 0) {
            t = c;
            break;
        }
    }
    if (!t) {
        if (vec_reserve((void **)&b->terms, &b->cap_terms, b->nterms + 1,
                        sizeof *b->terms) < 0 ||
            vec_reserve((void **)&b->text, &b->cap_text,
                        b->text_len + (size_t)n, 1) < 0 ||
            hmap_add(&b->map, h, b->nterms + 1) < 0) {
            b->err = ERR_NOMEM;
            return SQLITE_NOMEM;
        }
        t = &b->terms[b->nterms++];
        memset(t, 0, sizeof *t);
        t->text_off = (uint32_t)b->text_len;
        t->text_len = (uint32_t)n;
        memcpy(b->text + b->text_len, tok, (size_t)n);
        b->text_len += (size_t)n;
    }
    if (t->has_cur && t->cur_doc != b->doc && write_cur(t) < 0) {
        b->err = ERR_NOMEM;
        return SQLITE_NOMEM;
    }
    if (!t->has_cur) {
        t->has_cur = true;
        t->cur_doc = b->doc;
        t->cur_wf = t->cur_sc = 0;
    }
    t->cur_wf += (uint32_t)weight[b->col];
    t->cur_sc += b->col == TI_STEMS_COLUMN;
    return SQLITE_OK;
}

static const struct builder *sort_b;

static int cmp_term(const void *x, const void *y)
{
    const struct bterm *a = &sort_b->terms[*(const uint32_t *)x];
    const struct bterm *c = &sort_b->terms[*(const uint32_t *)y];
    size_t n = a->text_len < c->text_len ? a->text_len : c->text_len;
    int r = memcmp(sort_b->text + a->text_off, sort_b->text + c->text_off, n);
    return r ? r : (a->text_len > c->text_len) - (a->text_len < c->text_len);
}

/* bm25's term for frequency f in a listing of length D, idf aside, as
 * fts5Bm25Function computes it (K: the length part). */
#define BM25_K1 1.2 /* fts5_aux.c's */
#define BM25_B 0.75

static inline double length_part(const struct textindex *ti, uint32_t info)
{
    double D = (double)(info & INFO_LEN);
    return BM25_K1 * (1 - BM25_B + BM25_B * D / ti->avgdl);
}

/* Word k's bounds: the largest term any of its listings gets, rounded up
 * to a float (a bound must never be below). */
static void bounds(struct textindex *ti, size_t k)
{
    double all = 0, stems = 0;
    const uint8_t *q = ti->post + ti->post_off[k];
    uint32_t doc = 0;
    for (uint32_t i = 0; i < ti->df[k]; i++) {
        doc += (uint32_t)get_varint(&q);
        uint64_t v = get_varint(&q);
        uint64_t sc = (v & 1) ? get_varint(&q) : 0;
        double K = length_part(ti, ti->info[doc]);
        double f = (double)(v >> 1);
        all = fmax(all, (f * (BM25_K1 + 1.0)) / (f + K));
        if (sc) {
            f = (double)sc;
            stems = fmax(stems, (f * (BM25_K1 + 1.0)) / (f + K));
        }
    }
    ti->ub[k] = nextafterf((float)all, INFINITY);
    ti->ub_stems[k] = nextafterf((float)stems, INFINITY);
}

/* The words in byte order, their postings end to end. */
static int pack(struct builder *b)
{
    struct textindex *ti = b->ti;
    size_t text = 0, post = 0;
    for (size_t i = 0; i < b->nterms; i++) {
        if (write_cur(&b->terms[i]) < 0)
            return ERR_NOMEM;
        text += b->terms[i].text_len + 1;
        post += b->terms[i].post_len;
    }
    uint32_t *order = malloc((b->nterms ? b->nterms : 1) * sizeof *order);
    ti->term_off = malloc((b->nterms + 1) * sizeof *ti->term_off);
    ti->post_off = malloc((b->nterms + 1) * sizeof *ti->post_off);
    size_t nt = b->nterms ? b->nterms : 1;
    ti->df = malloc(nt * sizeof *ti->df);
    ti->df_stems = malloc(nt * sizeof *ti->df_stems);
    ti->ub = malloc(nt * sizeof *ti->ub);
    ti->ub_stems = malloc(nt * sizeof *ti->ub_stems);
    ti->text = malloc(text ? text : 1);
    ti->post = malloc(post ? post : 1);
    if (!order || !ti->term_off || !ti->post_off || !ti->df || !ti->df_stems ||
        !ti->ub || !ti->ub_stems || !ti->text || !ti->post) {
        free(order);
        return ERR_NOMEM;
    }
    for (size_t i = 0; i < b->nterms; i++)
        order[i] = (uint32_t)i;
    /* qsort has no context argument; the build holds the lock of its
     * snapshot, but two snapshots may build at once: hence the mutex */
    static pthread_mutex_t sort_lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&sort_lock);
    sort_b = b;
    if (b->nterms > 1)
        qsort(order, b->nterms, sizeof *order, cmp_term);
    sort_b = NULL;
    pthread_mutex_unlock(&sort_lock);
    for (size_t k = 0; k < b->nterms; k++) {
        struct bterm *t = &b->terms[order[k]];
        ti->term_off[k] = (uint32_t)ti->text_len;
        memcpy(ti->text + ti->text_len, b->text + t->text_off, t->text_len);
        ti->text_len += t->text_len;
        ti->text[ti->text_len++] = '\0';
        ti->post_off[k] = ti->post_len;
        memcpy(ti->post + ti->post_len, t->post, t->post_len);
        ti->post_len += t->post_len;
        ti->df[k] = t->df;
        ti->df_stems[k] = t->df_stems;
        bounds(ti, k);
        ti->npostings += t->df;
        free(t->post);
        t->post = NULL;
    }
    ti->nterms = b->nterms;
    ti->term_off[ti->nterms] = (uint32_t)ti->text_len;
    ti->post_off[ti->nterms] = ti->post_len;
    free(order);
    return 0;
}

/* The listings' indexed text, read in rowid order and cut into words by
 * FTS5's own tokenizer with the table's arguments, so the words are FTS5's
 * to the byte; the lengths are the token counts FTS5 keeps. */
static int read_text(struct builder *b, char *msg, size_t msgsz)
{
    struct textindex *ti = b->ti;
    fts5_api *api = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(b->db, "SELECT fts5(?1)", -1, &st, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
        sqlite3_step(st);
    }
    sqlite3_finalize(st);
    st = NULL;
    void *tctx = NULL;
    fts5_tokenizer tok;
    Fts5Tokenizer *t = NULL;
    static const char *args[] = {"remove_diacritics", "2"};
    if (!api ||
        api->xFindTokenizer(api, "unicode61", &tctx, &tok) != SQLITE_OK ||
        tok.xCreate(tctx, args, 2, &t) != SQLITE_OK) {
        snprintf(msg, msgsz, "no FTS5 unicode61 tokenizer");
        return ERR_DB;
    }
    int rc, err = 0;
    size_t cap_ids = 0, cap_len = 0;
    uint64_t total = 0;
    if (sqlite3_prepare_v2(b->db,
                           "SELECT rowid, name, commune, postcode, themes,"
                           " address, description, stems FROM listings_fts",
                           -1, &st, NULL) != SQLITE_OK) {
        snprintf(msg, msgsz, "listings_fts: %s", sqlite3_errmsg(b->db));
        tok.xDelete(t);
        return ERR_DB;
    }
    int64_t prev = INT64_MIN;
    while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        if (id <= prev) { /* a full scan of FTS5 goes by rowid */
            snprintf(msg, msgsz, "listings_fts: rowids out of order");
            err = ERR_DB;
            break;
        }
        prev = id;
        if (vec_reserve((void **)&ti->ids, &cap_ids, ti->ndocs + 1,
                        sizeof *ti->ids) < 0 ||
            vec_reserve((void **)&ti->info, &cap_len, ti->ndocs + 1,
                        sizeof *ti->info) < 0) {
            err = ERR_NOMEM;
            break;
        }
        b->doc = (uint32_t)ti->ndocs;
        b->doc_tokens = 0;
        for (b->col = 0; !err && b->col < TI_NCOLUMNS; b->col++) {
            const char *text =
                (const char *)sqlite3_column_text(st, b->col + 1);
            int n = sqlite3_column_bytes(st, b->col + 1);
            if (text && n > 0 &&
                tok.xTokenize(t, b, FTS5_TOKENIZE_DOCUMENT, text, n,
                              on_token) != SQLITE_OK)
                err = b->err ? b->err : ERR_DB;
        }
        ti->ids[ti->ndocs] = id;
        ti->info[ti->ndocs] =
            (b->doc_tokens < INFO_LEN ? b->doc_tokens : INFO_LEN) |
            (uint32_t)NO_CAT << 24;
        total += b->doc_tokens;
        ti->ndocs++;
    }
    sqlite3_finalize(st);
    tok.xDelete(t);
    if (!err && rc != SQLITE_DONE) {
        snprintf(msg, msgsz, "listings_fts: %s", sqlite3_errmsg(b->db));
        err = ERR_DB;
    }
    if (err)
        return err;
    /* as fts5Bm25GetData: the tokens of every row over the rows */
    ti->avgdl = ti->ndocs ? (double)total / (double)ti->ndocs : 1.0;
    size_t n = ti->ndocs ? ti->ndocs : 1;
    ti->lat = malloc(n * sizeof *ti->lat);
    ti->lon = malloc(n * sizeof *ti->lon);
    if (!ti->lat || !ti->lon)
        return ERR_NOMEM;
    for (size_t i = 0; i < ti->ndocs; i++)
        ti->lat[i] = ti->lon[i] = NAN;
    return build_dir(ti);
}

struct textindex *textindex_build(sqlite3 *db, char *msg, size_t msgsz)
{
    struct textindex *ti = calloc(1, sizeof *ti);
    struct builder b = {.ti = ti, .db = db};
    hmap_init(&b.map);
    int rc = ti ? 0 : ERR_NOMEM;
    snprintf(msg, msgsz, "out of memory");
    if (rc == 0)
        rc = read_text(&b, msg, msgsz);
    if (rc == 0)
        rc = pack(&b);
    if (rc == 0 && (rc = read_places(ti, db)) == ERR_DB)
        snprintf(msg, msgsz, "listings: %s", sqlite3_errmsg(db));
    for (size_t i = 0; i < b.nterms; i++)
        free(b.terms[i].post);
    free(b.terms);
    free(b.text);
    hmap_free(&b.map);
#ifdef __GLIBC__
    /* the builder's many small blocks are free now: give them back */
    malloc_trim(0);
#endif
    if (rc < 0) {
        textindex_free(ti);
        return NULL;
    }
    return ti;
}

void textindex_stats(const struct textindex *ti, struct textindex_stats *out)
{
    out->docs = ti->ndocs;
    out->terms = ti->nterms;
    out->postings = ti->npostings;
    out->bytes =
        ti->ndocs * (sizeof *ti->ids + sizeof *ti->info + sizeof *ti->lat +
                     sizeof *ti->lon) +
        ti->ndir * sizeof *ti->dir +
        (ti->nterms + 1) * (sizeof *ti->term_off + sizeof *ti->post_off) +
        ti->nterms * (sizeof *ti->df + sizeof *ti->df_stems + sizeof *ti->ub +
                      sizeof *ti->ub_stems) +
        ti->text_len + ti->post_len;
}

/* ---- searching --------------------------------------------------------- */

/* The first word not before 'text' (n bytes), in FTS5's byte order. */
static size_t lower_bound(const struct textindex *ti, const char *text,
                          size_t n)
{
    size_t lo = 0, hi = ti->nterms;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *t = ti->text + ti->term_off[mid];
        size_t tn = ti->term_off[mid + 1] - ti->term_off[mid] - 1;
        int c = memcmp(t, text, tn < n ? tn : n);
        if (c < 0 || (c == 0 && tn < n))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool starts_with(const struct textindex *ti, size_t t, const char *text,
                        size_t n)
{
    size_t tn = ti->term_off[t + 1] - ti->term_off[t] - 1;
    return tn >= n && memcmp(ti->text + ti->term_off[t], text, n) == 0;
}

/* One phrase's matches in listing order, read as the search goes: a
 * word's postings decoded one at a time (most phrases), or several words'
 * (a prefix) decoded and merged first, as FTS5 counts every instance of a
 * prefix phrase in one frequency. */
struct pair {
    uint32_t doc;
    double f;
};

struct cursor {
    uint32_t doc; /* UINT32_MAX: no more */
    double f;
    /* one word, lazily */
    const uint8_t *p;
    uint32_t left;
    bool stems_only;
    /* merged words */
    struct pair *v;
    size_t n, i;
    uint32_t nhit;
    double ub; /* the largest term (idf aside) of any of its listings */
};

static void cursor_next(struct cursor *c)
{
    if (c->v) {
        if (c->i < c->n) {
            c->doc = c->v[c->i].doc;
            c->f = c->v[c->i++].f;
        } else
            c->doc = UINT32_MAX;
        return;
    }
    while (c->left) {
        c->left--;
        uint32_t delta = (uint32_t)get_varint(&c->p);
        c->doc = (c->doc == UINT32_MAX ? 0 : c->doc) + delta;
        uint64_t v = get_varint(&c->p);
        uint64_t sc = (v & 1) ? get_varint(&c->p) : 0;
        double f = c->stems_only ? (double)sc : (double)(v >> 1);
        if (f != 0.0) {
            c->f = f;
            return;
        }
    }
    c->doc = UINT32_MAX;
}

/* Words [t0, t1) merged into c->v, two runs at a time; the bound from
 * the merged frequencies. */
static int merge_words(const struct textindex *ti, const struct ti_phrase *p,
                       size_t t0, size_t t1, struct cursor *c)
{
    size_t total = 0, nruns = t1 - t0;
    for (size_t t = t0; t < t1; t++)
        total += ti->df[t];
    size_t cap = total ? total : 1;
    struct pair *a = malloc(cap * sizeof *a), *b = malloc(cap * sizeof *b);
    size_t *run = malloc((nruns + 1) * sizeof *run); /* run starts */
    if (!a || !b || !run) {
        free(a);
        free(b);
        free(run);
        return ERR_NOMEM;
    }
    size_t n = 0;
    for (size_t t = t0; t < t1; t++) {
        run[t - t0] = n;
        const uint8_t *q = ti->post + ti->post_off[t];
        uint32_t doc = 0;
        for (uint32_t k = 0; k < ti->df[t]; k++) {
            doc += (uint32_t)get_varint(&q);
            uint64_t v = get_varint(&q);
            uint64_t sc = (v & 1) ? get_varint(&q) : 0;
            double f = p->stems_only ? (double)sc : (double)(v >> 1);
            if (f != 0.0)
                a[n++] = (struct pair){doc, f};
        }
    }
    run[nruns] = n;
    while (nruns > 1) {
        size_t out = 0, m = 0;
        for (size_t r = 0; r < nruns; r += 2) {
            size_t i = run[r], ie = run[r + 1];
            size_t j = r + 1 < nruns ? run[r + 1] : ie;
            size_t je = r + 1 < nruns ? run[r + 2] : ie;
            run[m++] = out;
            while (i < ie || j < je) {
                struct pair x;
                if (j >= je || (i < ie && a[i].doc < a[j].doc))
                    x = a[i++];
                else if (i >= ie || a[j].doc < a[i].doc)
                    x = a[j++];
                else { /* both words in one listing */
                    x = a[i++];
                    x.f += a[j++].f;
                }
                b[out++] = x;
            }
        }
        run[m] = out;
        nruns = m;
        struct pair *t = a;
        a = b;
        b = t;
    }
    c->n = nruns ? run[1] : 0;
    c->v = a;
    c->nhit = (uint32_t)c->n;
    free(b);
    free(run);
    for (size_t i = 0; i < c->n; i++) {
        double K = length_part(ti, ti->info[a[i].doc]);
        c->ub = fmax(c->ub, (a[i].f * (BM25_K1 + 1.0)) / (a[i].f + K));
    }
    c->ub *= 1 + 1e-12;
    return 0;
}

/* The cursor of phrase 'p', on its first listing. */
static int cursor_open(const struct textindex *ti, const struct ti_phrase *p,
                       struct cursor *c)
{
    memset(c, 0, sizeof *c);
    c->doc = UINT32_MAX;
    c->stems_only = p->stems_only;
    size_t n = strlen(p->text);
    size_t t0 = lower_bound(ti, p->text, n), t1 = t0;
    if (p->prefix)
        while (t1 < ti->nterms && starts_with(ti, t1, p->text, n))
            t1++;
    else if (t0 < ti->nterms && starts_with(ti, t0, p->text, n) &&
             ti->term_off[t0 + 1] - ti->term_off[t0] - 1 == n)
        t1 = t0 + 1;
    if (t1 - t0 > 1) {
        if (merge_words(ti, p, t0, t1, c) < 0)
            return ERR_NOMEM;
    } else if (t1 > t0) {
        c->p = ti->post + ti->post_off[t0];
        c->left = ti->df[t0];
        c->nhit = p->stems_only ? ti->df_stems[t0] : ti->df[t0];
        c->ub = p->stems_only ? ti->ub_stems[t0] : ti->ub[t0];
    }
    cursor_next(c);
    return 0;
}

struct cand {
    uint32_t doc;
    double score;
    long long key; /* round(score, 2) x 100, as SQLite rounds */
    double dist;   /* NAN: no position (sorts first, as NULL does) */
};

/* round(x, 2) exactly as SQLite's round() does it (printf "%!.*f", whose
 * '!' drops trailing zeros: "-22.8"), times 100: equal keys are equal
 * round() values. */
static long long round_key(double x)
{
    char *z = sqlite3_mprintf("%!.*f", 2, x);
    long long k = 0;
    int sign = 1, decimals = -1;
    for (const char *p = z; p && *p; p++)
        if (*p == '-')
            sign = -1;
        else if (*p == '.')
            decimals = 0;
        else if (*p >= '0' && *p <= '9' && decimals < 2) {
            k = k * 10 + (*p - '0');
            if (decimals >= 0)
                decimals++;
        }
    sqlite3_free(z);
    for (; decimals < 2; decimals = decimals < 0 ? 1 : decimals + 1)
        k *= 10;
    return sign * k;
}

/* The key of round(x, 2): the nearest hundredth, computed directly unless
 * x is within a hair of a half-hundredth, where only SQLite's own digits
 * can say which way it goes. */
static long long key_of(double x)
{
    double h = x * 100.0, fl = floor(h), frac = h - fl;
    if (fabs(frac - 0.5) < 1e-6)
        return round_key(x);
    return (long long)(frac < 0.5 ? fl : fl + 1.0);
}

/* As ORDER BY round(score, 2), distance (NULL first), id; the ids are in
 * the same order as the listings. */
static int cmp_order(const void *a, const void *b)
{
    const struct cand *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    bool xn = isnan(x->dist), yn = isnan(y->dist);
    if (xn != yn)
        return xn ? -1 : 1;
    if (!xn && x->dist != y->dist)
        return x->dist < y->dist ? -1 : 1;
    return (x->doc > y->doc) - (x->doc < y->doc);
}

/* A max-heap of the k best (lowest) scores seen: its top is the k-th. */
static void heap_push(double *h, size_t *n, size_t k, double s)
{
    if (*n < k) {
        size_t i = (*n)++;
        h[i] = s;
        while (i > 0 && h[(i - 1) / 2] < h[i]) {
            double t = h[i];
            h[i] = h[(i - 1) / 2];
            h[(i - 1) / 2] = t;
            i = (i - 1) / 2;
        }
        return;
    }
    if (s >= h[0])
        return;
    h[0] = s;
    for (size_t i = 0;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < *n && h[l] > h[m])
            m = l;
        if (r < *n && h[r] > h[m])
            m = r;
        if (m == i)
            break;
        double t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

/* The same for listings in the page's order: the k first, the k-th on
 * top. */
static void cand_push(struct cand *h, size_t *n, size_t k, const struct cand *c)
{
    if (*n < k) {
        size_t i = (*n)++;
        h[i] = *c;
        while (i > 0 && cmp_order(&h[(i - 1) / 2], &h[i]) < 0) {
            struct cand t = h[i];
            h[i] = h[(i - 1) / 2];
            h[(i - 1) / 2] = t;
            i = (i - 1) / 2;
        }
        return;
    }
    if (cmp_order(c, &h[0]) >= 0)
        return;
    h[0] = *c;
    for (size_t i = 0;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < *n && cmp_order(&h[l], &h[m]) > 0)
            m = l;
        if (r < *n && cmp_order(&h[r], &h[m]) > 0)
            m = r;
        if (m == i)
            break;
        struct cand t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

long textindex_search(const struct textindex *ti, const struct ti_query *q,
                      struct ti_hit *out)
{
    const double k1 = BM25_K1, b = BM25_B;
    int np = q->nphrases;
    if (np <= 0 || np > TI_MAX_PHRASES || q->count <= 0 || q->first < 0)
        return 0;
    struct cursor cur[TI_MAX_PHRASES];
    double idf[TI_MAX_PHRASES], ub[TI_MAX_PHRASES];
    uint32_t wbit[TI_MAX_PHRASES];
    memset(cur, 0, sizeof cur);
    long ret = 0;
    struct cand *c = NULL, *page = NULL;
    size_t nc = 0, cap_c = 0, npage = 0;
    double *heap = NULL;
    size_t k = (size_t)(q->first + q->count);
    /* categories asked for */
    bool allowed[MAX_CATS + 1];
    for (int i = 0; i <= MAX_CATS; i++)
        allowed[i] = !q->cats;
    for (int i = 0; q->cats && i < ti->ncats; i++) {
        char key[80];
        snprintf(key, sizeof key, ",%s,", ti->cats[i]);
        allowed[i] = strstr(q->cats, key) != NULL;
    }
    for (int i = 0; i < np; i++) {
        if (cursor_open(ti, &q->phrase[i], &cur[i]) < 0) {
            ret = ERR_NOMEM;
            goto done;
        }
        /* fts5Bm25GetData's IDF, from the listings holding the phrase */
        double nrow = (double)ti->ndocs, nhit = (double)cur[i].nhit;
        double v = log((nrow - nhit + 0.5) / (nhit + 0.5));
        idf[i] = v <= 0.0 ? 1e-6 : v;
        ub[i] = idf[i] * cur[i].ub * (1 + 1e-9);
        wbit[i] = 1u << (q->phrase[i].word & 31);
    }
    /* Without a position, ties go to the lower id, and the listings come
     * in id order: the page is kept as it goes, and the search stops when
     * no listing still to come could score better than its last (the sum
     * of its phrases' bounds), which on a common word is after a few
     * dozen of its thousands. With a position, every tie must be
     * measured: all matches are kept, and the page chosen after. */
    bool online = !q->has_near;
    if (online && !(page = malloc(k * sizeof *page))) {
        ret = ERR_NOMEM;
        goto done;
    }
    uint32_t all_words = q->nwords >= 32 ? 0xffffffffu : (1u << q->nwords) - 1;
    for (unsigned step = 0;; step++) {
        uint32_t doc = UINT32_MAX;
        for (int i = 0; i < np; i++)
            if (cur[i].doc < doc)
                doc = cur[i].doc;
        if (doc == UINT32_MAX)
            break;
        if (online && npage == k && (step & 15) == 0) {
            double bound = 0.0;
            for (int i = 0; i < np; i++)
                if (cur[i].doc != UINT32_MAX)
                    bound += ub[i];
            if (key_of(-1.0 * bound) >= page[0].key)
                break;
        }
        double fv[TI_MAX_PHRASES];
        int hit[TI_MAX_PHRASES], nh = 0;
        uint32_t words = 0;
        for (int i = 0; i < np; i++)
            if (cur[i].doc == doc) {
                fv[nh] = cur[i].f;
                hit[nh++] = i;
                words |= wbit[i];
                cursor_next(&cur[i]);
            }
        if (q->any ? words == 0 : (words & all_words) != all_words)
            continue;
        uint32_t info = ti->info[doc];
        if (!allowed[info >> 24])
            continue;
        /* fts5Bm25Function's sum, operation for operation, over the
         * phrases in their order (an absent phrase adds 0) */
        double score = 0.0, D = (double)(info & INFO_LEN);
        double K = k1 * (1 - b + b * D / ti->avgdl);
        for (int j = 0; j < nh; j++)
            score += idf[hit[j]] * (fv[j] * (k1 + 1.0)) / (fv[j] + K);
        struct cand x = {.doc = doc, .score = -1.0 * score};
        if (online) {
            x.key = key_of(x.score);
            cand_push(page, &npage, k, &x);
            continue;
        }
        if (vec_reserve((void **)&c, &cap_c, nc + 1, sizeof *c) < 0) {
            ret = ERR_NOMEM;
            goto done;
        }
        c[nc++] = x;
    }
    if (!online && nc > 0) {
        /* The k-th best score; the page can only hold listings whose
         * rounded score is at most its rounded score, so within 0.01. */
        if (!(heap = malloc((k < nc ? k : nc) * sizeof *heap)) ||
            !(page = malloc((k < nc ? k : nc) * sizeof *page))) {
            ret = ERR_NOMEM;
            goto done;
        }
        size_t nh = 0;
        for (size_t i = 0; i < nc; i++)
            heap_push(heap, &nh, k, c[i].score);
        double limit = heap[0] + 0.02;
        for (size_t i = 0; i < nc; i++) {
            if (c[i].score > limit)
                continue;
            c[i].key = key_of(c[i].score);
            c[i].dist = isnan(ti->lat[c[i].doc])
                            ? NAN
                            : geo_distance_m(q->lat, q->lon, ti->lat[c[i].doc],
                                             ti->lon[c[i].doc]);
            cand_push(page, &npage, k, &c[i]);
        }
    }
    if (npage > 1) /* qsort's pointer must not be NULL, even for 0 */
        qsort(page, npage, sizeof *page, cmp_order);
    for (size_t i = (size_t)q->first; i < npage && ret < q->count; i++)
        out[ret++] = (struct ti_hit){ti->ids[page[i].doc], page[i].score};
done:
    for (int i = 0; i < np; i++)
        free(cur[i].v);
    free(c);
    free(page);
    free(heap);
    return ret;
}
