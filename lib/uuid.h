/* uuid.h - name-based UUIDs (RFC 4122 section 4.3, version 5: SHA-1 of a
 * namespace and a name), so that an id derived from a listing is the same
 * in every export of the same data.
 * Ownership: pure functions on caller buffers; nothing allocates. */
#ifndef AMO_UUID_H
#define AMO_UUID_H

#include <stddef.h>
#include <stdint.h>

#define UUID_STR_LEN 37 /* 36 characters and the NUL */

/* SHA-1 (FIPS 180-4) of 'len' bytes of 'p' into 'out'. */
void sha1(const void *p, size_t len, uint8_t out[20]);

/* The version 5 UUID of 'name' in namespace 'ns' (16 bytes, network
 * order), in lower-case hex with dashes ("886313e1-3b8a-5372-..."), into
 * 'out'. A name longer than 1024 bytes is cut there. */
void uuid_v5(const uint8_t ns[16], const char *name, char out[UUID_STR_LEN]);

#endif
