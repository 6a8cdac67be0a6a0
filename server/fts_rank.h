/* fts_rank.h - bm25 ranking of the listings' full-text index with each
 * listing's length in tokens held in memory, one table per data version.
 *
 * FTS5's own bm25() reads the row's length from the %_docsize table for
 * every match: a B-tree search per row, about 6 us, so a word matching a
 * few thousand listings cost 15-20 ms to rank. amo_bm25() computes the
 * same score (FTS5's formula, k1 1.2, b 0.75, the same IDF and average
 * length) with the length looked up in a sorted array instead.
 *
 * Ownership: fts_rank_acquire() returns a reference the caller gives back
 * with fts_rank_release(); the table is freed when the last one goes. */
#ifndef AMO_FTS_RANK_H
#define AMO_FTS_RANK_H

#include <sqlite3.h>

struct store;
struct fts_rank;

/* Pointer type of amo_bm25()'s second argument (sqlite3_bind_pointer). */
#define FTS_RANK_POINTER "amo_fts_rank"

/* Register amo_bm25(listings_fts, table, weight...) on 'db'. It takes
 * the column weights as bm25() does, after the table bound with
 * sqlite3_bind_pointer(st, i, table, FTS_RANK_POINTER, NULL); a NULL
 * table falls back to the lengths in %_docsize. Returns 0 or ERR_DB. */
int fts_rank_register(sqlite3 *db);

/* The lengths for the data version of 's''s snapshot, read from it on
 * first use. NULL when memory is short or the table cannot be read (the
 * caller then ranks with the lengths from %_docsize). */
struct fts_rank *fts_rank_acquire(struct store *s);
void fts_rank_release(struct fts_rank *r);

/* Free the current table at exit (for leak checkers). */
void fts_rank_shutdown(void);

#endif
