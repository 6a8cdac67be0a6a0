/* gz.c - gzip streams (see gz.h). */
#include "gz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

int gz_init(z_stream *z, int level, size_t size)
{
    int wbits = 15, mem = 8;
    if (size) {
        wbits = 9;
        while (wbits < 15 && ((size_t)1 << wbits) < size)
            wbits++;
        mem = wbits - 6 < 8 ? wbits - 6 : 8;
    }
    memset(z, 0, sizeof *z);
    /* 16 + window bits: gzip framing instead of zlib's (zlib manual). */
    return deflateInit2(z, level, Z_DEFLATED, 16 + wbits, mem,
                        Z_DEFAULT_STRATEGY) == Z_OK
               ? 0
               : ERR_NOMEM;
}

unsigned char *gz_buffer(const void *in, size_t len, int level, int sized,
                         size_t *outlen)
{
    z_stream z;
    if (gz_init(&z, level, sized ? len : 0) < 0)
        return NULL;
    size_t cap = deflateBound(&z, (uLong)len);
    unsigned char *out = malloc(cap ? cap : 1);
    if (!out) {
        deflateEnd(&z);
        return NULL;
    }
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    *outlen = z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    return out;
}
