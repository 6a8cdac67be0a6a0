/* stem.h - words reduced to their stems with Snowball's French, Dutch and
 * English stemmers (Debian's libstemmer), folded as the full-text index
 * folds text (lower case, no accents): "disputes", "dispute" and
 * "disputer" all give "disput". The index holds each listing's stems
 * (listings.stems, the FTS5 column "stems"); a query's words are stemmed
 * the same way, in the three languages, so that they meet. Stop words of
 * the three languages ("je", "mes", "avec", "met", "mijn", "my") need not
 * match.
 * Ownership: outputs go into the caller's buffers; each thread has its
 * own stemmers (libstemmer's are not thread-safe), freed when it ends. */
#ifndef AMO_STEM_H
#define AMO_STEM_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define STEM_LANGS 3 /* French, Dutch, English */
#define STEM_MAX 48  /* bytes of a stem, with its NUL */

/* The distinct stems of one word ('len' bytes of UTF-8) in the three
 * languages, folded, into out[0..n); returns n (0 for no letter). */
int stem_word(const char *word, size_t len, char out[STEM_LANGS][STEM_MAX]);

/* True when 'folded' (a folded word) is a stop word of French, Dutch or
 * English. */
bool stem_stopword(const char *folded);

/* The distinct stems of the words of 'text' that are not stop words,
 * separated by spaces, appended to 'out'. Returns 0 or ERR_NOMEM. */
int stem_text(const char *text, struct buf *out);

/* Register amo_stems(text) on 'db': stem_text() in SQL, for the index
 * and its migration. Returns 0 or ERR_DB. */
int stem_register(sqlite3 *db);

#endif
