/* fts_rank.h - bm25 ranking of the listings' full-text index with each
 * listing's length in tokens held in memory, one table per data version.
 *
 * FTS5's own bm25() reads the row's length from the %_docsize table for
 * every match: a B-tree search per row, about 6 us, so a word matching a
 * few thousand listings cost 15-20 ms to rank. amo_bm25() computes the
 * same score (FTS5's formula, k1 1.2, b 0.75, the same IDF and average
 * length) with the length looked up in a sorted array instead.
 *
 * Ownership: fts_rank_build() returns a table its caller (the snapshot)
 * frees with fts_rank_free(). */
#ifndef AMO_FTS_RANK_H
#define AMO_FTS_RANK_H

#include <sqlite3.h>

struct fts_rank;

/* Pointer type of amo_bm25()'s second argument (sqlite3_bind_pointer). */
#define FTS_RANK_POINTER "amo_fts_rank"

/* Register amo_bm25(listings_fts, table, weight...) on 'db'. It takes
 * the column weights as bm25() does, after the table bound with
 * sqlite3_bind_pointer(st, i, table, FTS_RANK_POINTER, NULL); a NULL
 * table falls back to the lengths in %_docsize. Returns 0 or ERR_DB. */
int fts_rank_register(sqlite3 *db);

/* The lengths of the listings in the snapshot 'db' is reading, read
 * from %_docsize (the snapshot, snapshot.h, builds one per data version).
 * NULL when memory is short or the table cannot be read: amo_bm25 then
 * takes the lengths from %_docsize. Free with fts_rank_free(). */
struct fts_rank *fts_rank_build(sqlite3 *db);
void fts_rank_free(struct fts_rank *r);

#endif
