/* text.h - UTF-8 checks, accent/case folding and hashing of short strings.
 * Ownership: functions write into caller buffers; nothing here allocates. */
#ifndef AMO_TEXT_H
#define AMO_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when 'p'[0..len) is well-formed UTF-8 (no overlongs, no surrogates,
 * nothing above U+10FFFF, no NUL byte). */
bool text_utf8_valid(const char *p, size_t len);

/* True when 'p' is not UTF-8 but reads as Latin-1/Windows-1252 text: some
 * byte >= 0x80 stands alone between ASCII bytes, as 'é' (0xE9) does. Used
 * to tell staff which conversion their file needs. */
bool text_looks_latin1(const char *p, size_t len);

/* Fold 's' to a matching key: lower-case ASCII letters and digits only,
 * accents removed (é->e, Œ->oe, ß->ss), everything else dropped, so
 * "Code postal", "code_postal" and "CODE-POSTAL" all give "codepostal".
 * Writes at most 'outsz' bytes including the NUL; returns the key length
 * (truncated keys still compare consistently). */
size_t text_fold(const char *s, char *out, size_t outsz);

/* The next word of 's': a run of letters and digits, any non-ASCII byte
 * counting as a letter (as FTS5's unicode61 reads text). Returns its
 * start and length, or NULL at the end. */
const char *text_word(const char *s, size_t *len);

/* Optimal string alignment distance between 'a' and 'b' (Levenshtein
 * with adjacent transpositions, on bytes), capped: 'cap' + 1 as soon as
 * it must exceed 'cap'. Words of 48 bytes or more are cap + 1. */
int text_edit_distance(const char *a, const char *b, int cap);

/* True when 's' is exactly 'n' ASCII digits ("1030", "21015"). */
bool text_digits(const char *s, size_t n);

/* Trim ASCII white space (and U+00A0) at both ends, in place. Returns 's'. */
char *text_trim(char *s);

/* FNV-1a 64-bit hash of 'len' bytes, continued from 'h' (start with
 * TEXT_HASH_INIT). Stable across runs and machines: listing ids derive
 * from it, so never change it. */
#define TEXT_HASH_INIT 0xcbf29ce484222325ULL
uint64_t text_hash(uint64_t h, const void *p, size_t len);

#endif
