/* gz.h - gzip (RFC 1952) with zlib: the one set-up of a deflate stream,
 * and one buffer compressed whole.
 * Ownership: gz_buffer() returns a heap buffer the caller frees; a stream
 * from gz_init() is the caller's, ended with deflateEnd(). */
#ifndef AMO_GZ_H
#define AMO_GZ_H

#include <stddef.h>
#include <zlib.h>

/* Start a gzip stream at 'level'. 'size', when not 0, is the size of
 * the one input the stream will take: the window and hash are sized to
 * it (zlib's defaults allocate and clear about 256 KB per call, a third
 * of a small answer's time), which changes neither the format nor, for
 * inputs that fit, the bytes. Returns 0 or ERR_NOMEM. */
int gz_init(z_stream *z, int level, size_t size);

/* 'len' bytes of 'in' gzipped whole at 'level' (window sized to the
 * input when 'sized'); NULL when memory is short. *outlen is its size. */
unsigned char *gz_buffer(const void *in, size_t len, int level, int sized,
                         size_t *outlen);

#endif
