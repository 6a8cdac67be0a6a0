/* json_write.h - JSON text written straight into a buffer, for the server
 * answers built on every request (nearest), where building a jansson tree
 * and dumping it cost more than finding the answer.
 *
 * Errors are sticky (as in SQLite's FTS5): once an append fails, later
 * calls do nothing and jw.err keeps the first error (ERR_NOMEM or
 * ERR_TOOBIG), so a caller checks once at the end.
 * Ownership: the writer borrows 'b', which the caller owns. */
#ifndef AMO_JSON_WRITE_H
#define AMO_JSON_WRITE_H

#include <jansson.h>
#include <stddef.h>

#include "buf.h"

/* Flags of every json_dumps() of an answer: compact, and reals with at
 * most 10 significant digits, which prints a coordinate rounded to 7
 * decimals (feature.c, jw_coord) as the shortest text that reads back as
 * it ("4.3737121", not "4.3737120999999997"). */
#define JW_DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(10))

struct jw {
    struct buf *b;
    int err;
};

/* Text as is (already JSON: punctuation, keys known to need no escape). */
void jw_raw(struct jw *w, const char *s);
/* A JSON string of 's' ('n' bytes, UTF-8): '"' and '\' escaped, control
 * characters as \n, \t... or \u00XX (RFC 8259 section 7), and U+2028 and
 * U+2029 as \u2028 and \u2029 (JavaScript line terminators before ES2019,
 * for pages that embed an answer in a script). Invalid UTF-8 is written
 * as null, as jansson refuses it. NULL 's' writes null. */
void jw_string(struct jw *w, const char *s, size_t n);
/* '"key":' followed by nothing: the caller writes the value. 'key' is
 * one of ours and needs no escaping. */
void jw_key(struct jw *w, const char *key);
void jw_int(struct jw *w, long long v);
/* A coordinate rounded to 7 decimals (about 1 cm, RFC 7946 section
 * 11.2), without trailing zeros: the shortest text that reads back as the
 * same double as round(v * 1e7) / 1e7. */
void jw_coord(struct jw *w, double v);

#endif
