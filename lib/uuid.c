/* uuid.c - SHA-1 and version 5 UUIDs (see uuid.h). SHA-1 is written here
 * (60 lines) because none of our libraries exports one: SQLite's sha1 is
 * a loadable extension Debian does not build in, and neither jansson nor
 * zlib has a hash. Version 5 needs it only as a name hash, not for
 * security. */
#include "uuid.h"

#include <stdio.h>
#include <string.h>

static uint32_t rol(uint32_t x, int n)
{
    return (x << n) | (x >> (32 - n));
}

/* One 64-byte block (FIPS 180-4 section 6.1.2). */
static void sha1_block(uint32_t h[5], const uint8_t *b)
{
    uint32_t w[80];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)b[4 * i] << 24 | (uint32_t)b[4 * i + 1] << 16 |
               (uint32_t)b[4 * i + 2] << 8 | b[4 * i + 3];
    for (int i = 16; i < 80; i++)
        w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = h[0], bb = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20)
            f = (bb & c) | (~bb & d), k = 0x5a827999;
        else if (i < 40)
            f = bb ^ c ^ d, k = 0x6ed9eba1;
        else if (i < 60)
            f = (bb & c) | (bb & d) | (c & d), k = 0x8f1bbcdc;
        else
            f = bb ^ c ^ d, k = 0xca62c1d6;
        uint32_t t = rol(a, 5) + f + e + k + w[i];
        e = d, d = c, c = rol(bb, 30), bb = a, a = t;
    }
    h[0] += a, h[1] += bb, h[2] += c, h[3] += d, h[4] += e;
}

void sha1(const void *p, size_t len, uint8_t out[20])
{
    uint32_t h[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476,
                     0xc3d2e1f0};
    const uint8_t *in = p;
    size_t done = 0;
    for (; len - done >= 64; done += 64)
        sha1_block(h, in + done);
    /* The padding: 0x80, zeros, and the length in bits, big-endian. */
    uint8_t last[128] = {0};
    size_t rest = len - done, n = rest + 9 <= 64 ? 64 : 128;
    memcpy(last, in + done, rest);
    last[rest] = 0x80;
    uint64_t bits = (uint64_t)len * 8;
    for (int i = 0; i < 8; i++)
        last[n - 1 - i] = (uint8_t)(bits >> (8 * i));
    for (size_t off = 0; off < n; off += 64)
        sha1_block(h, last + off);
    for (int i = 0; i < 20; i++)
        out[i] = (uint8_t)(h[i / 4] >> (24 - 8 * (i % 4)));
}

void uuid_v5(const uint8_t ns[16], const char *name, char out[UUID_STR_LEN])
{
    uint8_t in[16 + 1024], d[20];
    size_t len = strlen(name);
    if (len > 1024)
        len = 1024;
    memcpy(in, ns, 16);
    memcpy(in + 16, name, len);
    sha1(in, 16 + len, d);
    d[6] = (uint8_t)((d[6] & 0x0f) | 0x50); /* version 5 */
    d[8] = (uint8_t)((d[8] & 0x3f) | 0x80); /* the RFC 4122 variant */
    char *o = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *o++ = '-';
        o += sprintf(o, "%02x", d[i]);
    }
}
