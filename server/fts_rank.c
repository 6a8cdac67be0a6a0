/* fts_rank.c - bm25 with in-memory listing lengths (see fts_rank.h). */
#include "fts_rank.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "vec.h"

#define MAX_PHRASES 64 /* the search sends at most 8 terms x 7 words */

struct fts_rank {
    size_t n;
    int64_t *ids;  /* rowids, ascending */
    uint32_t *len; /* tokens in all columns of ids[i] */
    /* A directory over the ids' high bits, so that a lookup reads one or
     * two entries instead of binary-searching a million (twenty cache
     * misses, most of the ranking's time): ids whose (id - ids[0]) >>
     * shift is b start at dir[b]. */
    uint32_t *dir;
    unsigned shift;
    size_t ndir;
};

void fts_rank_free(struct fts_rank *r)
{
    if (!r)
        return;
    free(r->ids);
    free(r->len);
    free(r->dir);
    free(r);
}

/* The %_docsize blob holds one varint per column (FTS5's record format,
 * SQLite's varint encoding); a row's length is their sum. */
static uint32_t blob_total(const unsigned char *p, int n)
{
    uint32_t total = 0;
    for (int i = 0; i < n;) {
        uint32_t v = 0;
        int k = 0;
        while (i < n && k < 5) {
            unsigned char c = p[i++];
            v = (v << 7) | (c & 0x7f);
            k++;
            if (!(c & 0x80))
                break;
        }
        total += v;
    }
    return total;
}

static int build_dir(struct fts_rank *r)
{
    uint64_t range =
        r->n ? (uint64_t)r->ids[r->n - 1] - (uint64_t)r->ids[0] : 0;
    r->shift = 0;
    while ((range >> r->shift) >= (uint64_t)r->n + 1)
        r->shift++;
    r->ndir = (size_t)(range >> r->shift) + 2;
    if (!(r->dir = malloc(r->ndir * sizeof *r->dir)))
        return ERR_NOMEM;
    size_t i = 0;
    for (size_t b = 0; b < r->ndir; b++) {
        while (i < r->n &&
               ((uint64_t)r->ids[i] - (uint64_t)r->ids[0]) >> r->shift < b)
            i++;
        r->dir[b] = (uint32_t)i;
    }
    return 0;
}

struct fts_rank *fts_rank_build(sqlite3 *db)
{
    static const char sql[] = "SELECT id, sz FROM listings_fts_docsize"
                              " ORDER BY id";
    struct fts_rank *r = calloc(1, sizeof *r);
    sqlite3_stmt *st = NULL;
    size_t cap_ids = 0, cap_len = 0;
    if (!r || sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        goto fail;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (vec_reserve((void **)&r->ids, &cap_ids, r->n + 1, sizeof *r->ids) <
                0 ||
            vec_reserve((void **)&r->len, &cap_len, r->n + 1, sizeof *r->len) <
                0)
            goto fail;
        r->ids[r->n] = sqlite3_column_int64(st, 0);
        r->len[r->n] =
            blob_total(sqlite3_column_blob(st, 1), sqlite3_column_bytes(st, 1));
        r->n++;
    }
    if (rc != SQLITE_DONE || build_dir(r) < 0)
        goto fail;
    sqlite3_finalize(st);
    return r;
fail:
    sqlite3_finalize(st);
    fts_rank_free(r);
    return NULL;
}

/* The row's length in tokens, or -1 when the table lacks it. */
static long lookup(const struct fts_rank *r, int64_t id)
{
    if (r->n == 0 || id < r->ids[0] || id > r->ids[r->n - 1])
        return -1;
    size_t b = (size_t)(((uint64_t)id - (uint64_t)r->ids[0]) >> r->shift);
    size_t lo = r->dir[b], hi = r->dir[b + 1];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < r->n && r->ids[lo] == id ? (long)r->len[lo] : -1;
}

/* Per query, as FTS5's fts5Bm25GetData computes it: each phrase's IDF
 * and the average row length. */
struct bm25_data {
    int nphrase;
    double avgdl;
    double idf[MAX_PHRASES];
    double freq[MAX_PHRASES];
};

static int count_cb(const Fts5ExtensionApi *api, Fts5Context *fts, void *arg)
{
    (void)api, (void)fts;
    (*(sqlite3_int64 *)arg)++;
    return SQLITE_OK;
}

static struct bm25_data *bm25_data(const Fts5ExtensionApi *api,
                                   Fts5Context *fts, int *rc)
{
    struct bm25_data *d = api->xGetAuxdata(fts, 0);
    if (d)
        return d;
    sqlite3_int64 nrow = 0, ntok = 0;
    int nphrase = api->xPhraseCount(fts);
    if (nphrase > MAX_PHRASES) {
        *rc = SQLITE_ERROR;
        return NULL;
    }
    if (!(d = calloc(1, sizeof *d))) {
        *rc = SQLITE_NOMEM;
        return NULL;
    }
    d->nphrase = nphrase;
    *rc = api->xRowCount(fts, &nrow);
    if (*rc == SQLITE_OK)
        *rc = api->xColumnTotalSize(fts, -1, &ntok);
    if (*rc == SQLITE_OK)
        d->avgdl = (double)ntok / (double)nrow;
    for (int i = 0; *rc == SQLITE_OK && i < nphrase; i++) {
        sqlite3_int64 nhit = 0;
        *rc = api->xQueryPhrase(fts, i, &nhit, count_cb);
        double idf =
            log(((double)nrow - (double)nhit + 0.5) / ((double)nhit + 0.5));
        d->idf[i] = idf <= 0.0 ? 1e-6 : idf;
    }
    if (*rc == SQLITE_OK)
        *rc = api->xSetAuxdata(fts, d, free);
    else
        free(d);
    return *rc == SQLITE_OK ? d : NULL;
}

/* amo_bm25(listings_fts, table, w0, w1, ...): FTS5's bm25 (fts5_aux.c,
 * fts5Bm25Function), the same sums in the same order, so the scores are
 * equal to bm25()'s to the last bit. */
static void amo_bm25(const Fts5ExtensionApi *api, Fts5Context *fts,
                     sqlite3_context *ctx, int nval, sqlite3_value **val)
{
    const double k1 = 1.2, b = 0.75;
    const struct fts_rank *r =
        nval > 0 ? sqlite3_value_pointer(val[0], FTS_RANK_POINTER) : NULL;
    int rc = SQLITE_OK, ninst = 0;
    struct bm25_data *d = bm25_data(api, fts, &rc);
    if (d) {
        memset(d->freq, 0, sizeof d->freq);
        rc = api->xInstCount(fts, &ninst);
    }
    for (int i = 0; rc == SQLITE_OK && i < ninst; i++) {
        int ip, ic, io;
        rc = api->xInst(fts, i, &ip, &ic, &io);
        if (rc == SQLITE_OK) /* the weights follow the table argument */
            d->freq[ip] +=
                nval - 1 > ic ? sqlite3_value_double(val[ic + 1]) : 1.0;
    }
    long len = -1;
    if (rc == SQLITE_OK && r)
        len = lookup(r, api->xRowid(fts));
    if (rc == SQLITE_OK && len < 0) {
        int ntok = 0;
        rc = api->xColumnSize(fts, -1, &ntok);
        len = ntok;
    }
    if (rc != SQLITE_OK) {
        sqlite3_result_error_code(ctx, rc);
        return;
    }
    double score = 0.0, dl = (double)len;
    for (int i = 0; i < d->nphrase; i++)
        score += d->idf[i] * ((d->freq[i] * (k1 + 1.0)) /
                              (d->freq[i] + k1 * (1 - b + b * dl / d->avgdl)));
    sqlite3_result_double(ctx, -1.0 * score);
}

int fts_rank_register(sqlite3 *db)
{
    fts5_api *api = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
        sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (!api || api->iVersion < 2)
        return ERR_DB;
    return api->xCreateFunction(api, "amo_bm25", NULL, amo_bm25, NULL) ==
                   SQLITE_OK
               ? 0
               : ERR_DB;
}
