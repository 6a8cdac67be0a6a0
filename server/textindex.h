/* textindex.h - the listings' full-text index held in memory, one per data
 * version, and ranked search over it.
 *
 * Why: FTS5 finds the matches of a word quickly, but ranking them calls
 * the bm25 function once per match, which decodes that row's position
 * lists: about 3 microseconds a match, so a word found in two thousand
 * listings cost 6 ms and a search server could not pass a thousand
 * requests a second at a million listings. Here each (word, listing) pair
 * is stored once with its weighted frequency, decoded in a tight loop
 * (tens of nanoseconds a match), and every match is scored: there is no
 * early termination to get wrong.
 *
 * The index is built from the text FTS5 indexed, cut into words by FTS5's
 * own tokenizer (unicode61 remove_diacritics 2), so its words are exactly
 * FTS5's; the score is FTS5's bm25
 * (fts5_aux.c, fts5Bm25Function) computed in the same order of operations,
 * so it is equal to bm25() to the last bit; the order is that of
 *   ORDER BY round(bm25(listings_fts, TI_WEIGHTS), 2), distance, id
 * over every match. search.c keeps that SQL as the reference
 * (--search-engine fts5), and tests compare the two.
 *
 * Ownership: textindex_build() returns an index the caller (the snapshot)
 * frees with textindex_free(). A built index is only read: any number of
 * threads may search it at once. */
#ifndef AMO_TEXTINDEX_H
#define AMO_TEXTINDEX_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The weights of listings_fts's columns (name, commune, postcode, themes,
 * address, description, stems) in the ranking: the name above the place,
 * the place above the rest. Whole numbers, so a weighted frequency is
 * exact in the index. */
#define TI_NCOLUMNS 7
#define TI_WEIGHTS 10, 4, 4, 2, 1, 1, 1
#define TI_WEIGHTS_SQL "10.0, 4.0, 4.0, 2.0, 1.0, 1.0, 1.0"
#define TI_STEMS_COLUMN 6

#define TI_MAX_PHRASES 64

struct textindex;

/* One phrase of a query, as FTS5 would read it: "text"* (prefix),
 * "text", or stems:"text" (the stems column only). 'text' is folded as
 * the index folds (lower case, no accents). */
struct ti_phrase {
    const char *text;
    bool prefix;
    bool stems_only;
    int word; /* which of the query's words this phrase stands for */
};

struct ti_query {
    /* in the order FTS5 would sum them: the order of the MATCH text */
    struct ti_phrase phrase[TI_MAX_PHRASES];
    int nphrases;
    int nwords;
    bool any;         /* a listing needs one word, not every word */
    const char *cats; /* ",amo,cpas,": only those categories; or NULL */
    bool has_near;    /* ties broken by distance from (lat, lon) */
    double lat, lon;
    long first, count; /* the ranks wanted: [first, first + count) */
};

struct ti_hit {
    int64_t id;
    double score; /* bm25(), negative: lower is better */
};

/* Read the index of 'db' (its listings_fts and listings, in the caller's
 * read transaction). NULL when memory is short or the tables cannot be
 * read; 'msg' then says why. */
struct textindex *textindex_build(sqlite3 *db, char *msg, size_t msgsz);
void textindex_free(struct textindex *ti);

/* The hits of ranks [q->first, q->first + q->count) into 'out' (room for
 * q->count). Returns how many, or ERR_NOMEM. */
long textindex_search(const struct textindex *ti, const struct ti_query *q,
                      struct ti_hit *out);

/* Listings, distinct words, (word, listing) pairs and bytes held. */
struct textindex_stats {
    size_t docs, terms, postings, bytes;
};
void textindex_stats(const struct textindex *ti, struct textindex_stats *out);

#endif
