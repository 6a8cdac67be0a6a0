/* buf.h - a growable byte buffer with a hard cap, always NUL-terminated.
 * Ownership: the buf owns 'data'; buf_free() releases it, buf_take() hands it
 * to the caller and leaves the buf empty. */
#ifndef AMO_BUF_H
#define AMO_BUF_H

#include <stddef.h>

struct buf {
    char *data;  /* NUL-terminated when len > 0 or after any append */
    size_t len;  /* bytes used, excluding the terminator */
    size_t size; /* bytes allocated */
    size_t cap;  /* largest 'len' allowed (curl dynbuf's toobig) */
};

/* Start an empty buffer that may grow to 'cap' bytes. Allocates nothing. */
void buf_init(struct buf *b, size_t cap);
/* Release the memory; the buf is empty and reusable afterwards. */
void buf_free(struct buf *b);
/* Forget the contents, keep the memory. */
void buf_reset(struct buf *b);
/* Append 'len' bytes of 'p'. Returns 0, ERR_NOMEM or ERR_TOOBIG; on
 * failure 'b' is left unchanged. */
int buf_append(struct buf *b, const void *p, size_t len);
/* Append a C string. Same contract as buf_append. */
int buf_puts(struct buf *b, const char *s);
/* Append one byte. Same contract as buf_append. */
int buf_putc(struct buf *b, char c);
/* printf-style append. Same contract as buf_append. */
int buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The contents as a C string ("" when empty); owned by the buf. */
const char *buf_str(const struct buf *b);
/* Hand the heap string to the caller (NULL when nothing was appended);
 * the buf is left empty. */
char *buf_take(struct buf *b);

#endif
