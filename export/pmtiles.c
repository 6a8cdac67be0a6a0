/* pmtiles.c - PMTiles v3 output: one file holding a 127-byte header, the
 * root directory (within the first 16 KiB, so one range request finds it),
 * the metadata, leaf directories and the tile data, clustered (tiles in
 * tile-id order) and with identical tiles stored once. Directories and
 * metadata are gzip-compressed, and so are the tiles.
 *
 * Tiles arrive in tile-id order (see sink.h); their bytes go to an
 * unlinked scratch file until the directories, which precede them, are
 * known. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <math.h>
#include <zlib.h>

#include "buf.h"
#include "err.h"
#include "gz.h"
#include "hmap.h"
#include "sink.h"
#include "text.h"
#include "vec.h"

#define HEADER_LEN 127
#define ROOT_MAX (16384 - HEADER_LEN)
#define DIR_CAP (1u << 30)

struct entry {
    uint64_t tile_id, offset;
    uint32_t length, run;
};

struct content { /* a stored tile, for de-duplication */
    uint64_t offset;
    uint32_t length;
};

struct pmtiles {
    struct sink base;
    char *path;
    int data_fd;
    uint64_t data_len;
    struct entry *e;
    size_t n, cap;
    struct content *contents; /* every distinct tile stored */
    size_t ncontents, cap_contents;
    struct hmap by_hash; /* a tile's hash -> its index in contents, +1 */
    uint64_t last_id;
    int minzoom, maxzoom;
};

uint64_t pmtiles_tile_id(int z, uint64_t x, uint64_t y)
{
    uint64_t acc = 0;
    for (int i = 0; i < z; i++)
        acc += 1ULL << (2 * i);
    uint64_t n = 1ULL << z, d = 0;
    for (uint64_t s = n / 2; s > 0; s /= 2) {
        uint64_t rx = (x & s) > 0, ry = (y & s) > 0;
        d += s * s * ((3 * rx) ^ ry);
        if (ry == 0) { /* rotate the quadrant */
            if (rx == 1) {
                x = n - 1 - x;
                y = n - 1 - y;
            }
            uint64_t t = x;
            x = y;
            y = t;
        }
    }
    return acc + d;
}

static bool same_bytes(int fd, uint64_t off, const uint8_t *b, size_t len)
{
    uint8_t chunk[65536];
    for (size_t done = 0; done < len;) {
        size_t want = len - done < sizeof chunk ? len - done : sizeof chunk;
        if (pread(fd, chunk, want, (off_t)(off + done)) != (ssize_t)want ||
            memcmp(chunk, b + done, want) != 0)
            return false;
        done += want;
    }
    return true;
}

static int pm_put(struct sink *s, int z, long x, long y, const uint8_t *gz,
                  size_t gzlen, const uint8_t *raw, size_t rawlen)
{
    struct pmtiles *p = (struct pmtiles *)s;
    (void)raw;
    (void)rawlen;
    uint64_t id = pmtiles_tile_id(z, (uint64_t)x, (uint64_t)y);
    if ((p->n && id <= p->last_id) || gzlen == 0 || gzlen > UINT32_MAX)
        return ERR_INVALID; /* out of order: a bug of the caller */
    p->last_id = id;
    if (z < p->minzoom)
        p->minzoom = z;
    if (z > p->maxzoom)
        p->maxzoom = z;
    /* Identical tiles are stored once. */
    uint64_t h = text_hash(TEXT_HASH_INIT, gz, gzlen);
    const struct content *c = NULL;
    for (size_t k = hmap_first(&p->by_hash, h); k != HMAP_END && !c;
         k = hmap_next(&p->by_hash, h, k)) {
        const struct content *t = &p->contents[p->by_hash.slots[k].value - 1];
        if (t->length == gzlen && same_bytes(p->data_fd, t->offset, gz, gzlen))
            c = t;
    }
    if (!c) {
        if (vec_reserve((void **)&p->contents, &p->cap_contents,
                        p->ncontents + 1, sizeof *p->contents) < 0 ||
            hmap_add(&p->by_hash, h, p->ncontents + 1) < 0)
            return ERR_NOMEM;
        if (pwrite(p->data_fd, gz, gzlen, (off_t)p->data_len) != (ssize_t)gzlen)
            return ERR_IO;
        p->contents[p->ncontents] =
            (struct content){p->data_len, (uint32_t)gzlen};
        c = &p->contents[p->ncontents++];
        p->data_len += gzlen;
    }
    uint64_t off = c->offset;
    /* A run: the same content at consecutive ids is one entry. */
    struct entry *last = p->n ? &p->e[p->n - 1] : NULL;
    if (last && last->offset == off && last->length == gzlen &&
        last->tile_id + last->run == id) {
        last->run++;
        return 0;
    }
    if (vec_reserve((void **)&p->e, &p->cap, p->n + 1, sizeof *p->e) < 0)
        return ERR_NOMEM;
    p->e[p->n++] = (struct entry){id, off, (uint32_t)gzlen, 1};
    return 0;
}

static int put_varint(struct buf *b, uint64_t v)
{
    uint8_t t[10];
    int n = 0;
    do {
        t[n] = (uint8_t)(v & 0x7f);
        v >>= 7;
        if (v)
            t[n] |= 0x80;
        n++;
    } while (v);
    return buf_append(b, t, (size_t)n);
}

static int gzip_buf(const void *in, size_t len, struct buf *out)
{
    size_t n;
    unsigned char *z = gz_buffer(in, len, 9, 0, &n);
    int rc = z ? buf_append(out, z, n) : ERR_NOMEM;
    free(z);
    return rc;
}

/* A directory (PMTiles v3 section 4): the count, then each column of the
 * entries, ids as deltas, an offset 0 meaning "right after the previous
 * tile", all varints; gzip-compressed. */
static int serialize(const struct entry *e, size_t n, struct buf *out)
{
    struct buf raw;
    buf_init(&raw, DIR_CAP);
    int rc = put_varint(&raw, n);
    uint64_t prev = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = put_varint(&raw, e[i].tile_id - prev);
        prev = e[i].tile_id;
    }
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = put_varint(&raw, e[i].run);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = put_varint(&raw, e[i].length);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        bool next = i > 0 && e[i].offset == e[i - 1].offset + e[i - 1].length;
        rc = put_varint(&raw, next ? 0 : e[i].offset + 1);
    }
    if (rc == 0)
        rc = gzip_buf(raw.data, raw.len, out);
    buf_free(&raw);
    return rc;
}

/* The root directory and, when all entries do not fit in it, leaf
 * directories of 'leaf' entries each, growing until the root fits (as the
 * reference writer go-pmtiles does). */
static int directories(const struct pmtiles *p, struct buf *root,
                       struct buf *leaves)
{
    int rc = serialize(p->e, p->n, root);
    if (rc < 0 || root->len <= ROOT_MAX)
        return rc;
    for (size_t leaf = 4096;; leaf += leaf / 5) {
        size_t nroot = (p->n + leaf - 1) / leaf;
        struct entry *r = malloc(nroot * sizeof *r);
        if (!r)
            return ERR_NOMEM;
        buf_reset(root);
        buf_reset(leaves);
        for (size_t i = 0; rc == 0 && i < nroot; i++) {
            size_t at = i * leaf, cnt = p->n - at < leaf ? p->n - at : leaf;
            size_t before = leaves->len;
            rc = serialize(p->e + at, cnt, leaves);
            r[i] = (struct entry){p->e[at].tile_id, before,
                                  (uint32_t)(leaves->len - before), 0};
        }
        if (rc == 0)
            rc = serialize(r, nroot, root);
        free(r);
        if (rc < 0 || root->len <= ROOT_MAX)
            return rc;
    }
}

static void put_u64(uint8_t *h, int at, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        h[at + i] = (uint8_t)(v >> (8 * i));
}

static void put_i32(uint8_t *h, int at, double deg)
{
    int32_t v = (int32_t)lround(deg * 1e7);
    for (int i = 0; i < 4; i++)
        h[at + i] = (uint8_t)((uint32_t)v >> (8 * i));
}

static void pm_free(struct pmtiles *p)
{
    if (p->data_fd >= 0)
        close(p->data_fd);
    free(p->e);
    free(p->contents);
    hmap_free(&p->by_hash);
    free(p->path);
    free(p);
}

static void pm_abort(struct sink *s)
{
    struct pmtiles *p = (struct pmtiles *)s;
    unlink(p->path);
    pm_free(p);
}

static int write_all(int fd, const void *b, size_t len)
{
    const char *c = b;
    while (len) {
        ssize_t w = write(fd, c, len);
        if (w <= 0)
            return ERR_IO;
        c += w;
        len -= (size_t)w;
    }
    return 0;
}

static int copy_data(int from, int to, uint64_t len)
{
    static char chunk[1 << 16];
    for (uint64_t off = 0; off < len;) {
        size_t want = len - off < sizeof chunk ? len - off : sizeof chunk;
        if (pread(from, chunk, want, (off_t)off) != (ssize_t)want ||
            write_all(to, chunk, want) < 0)
            return ERR_IO;
        off += want;
    }
    return 0;
}

static int pm_finish(struct sink *s, const struct sink_meta *m, char *msg,
                     size_t msgsz)
{
    struct pmtiles *p = (struct pmtiles *)s;
    struct buf root, leaves, meta;
    buf_init(&root, DIR_CAP);
    buf_init(&leaves, DIR_CAP);
    buf_init(&meta, DIR_CAP);
    json_t *mj = sink_metadata_json(m);
    char *mtext = mj ? json_dumps(mj, JSON_COMPACT) : NULL;
    json_decref(mj);
    int rc = mtext ? 0 : ERR_NOMEM;
    if (rc == 0)
        rc = gzip_buf(mtext, strlen(mtext), &meta);
    free(mtext);
    if (rc == 0)
        rc = directories(p, &root, &leaves);
    uint8_t h[HEADER_LEN] = "PMTiles";
    h[7] = 3;
    uint64_t addressed = 0;
    for (size_t i = 0; i < p->n; i++)
        addressed += p->e[i].run;
    uint64_t at = HEADER_LEN;
    put_u64(h, 8, at);
    put_u64(h, 16, root.len);
    at += root.len;
    put_u64(h, 24, at);
    put_u64(h, 32, meta.len);
    at += meta.len;
    put_u64(h, 40, at);
    put_u64(h, 48, leaves.len);
    at += leaves.len;
    put_u64(h, 56, at);
    put_u64(h, 64, p->data_len);
    put_u64(h, 72, addressed);
    put_u64(h, 80, p->n);
    put_u64(h, 88, p->ncontents);
    h[96] = 1; /* clustered */
    h[97] = 2; /* internal compression: gzip */
    h[98] = 2; /* tile compression: gzip */
    h[99] = 1; /* tile type: MVT */
    h[100] = (uint8_t)(p->n ? p->minzoom : m->minzoom);
    h[101] = (uint8_t)(p->n ? p->maxzoom : m->maxzoom);
    put_i32(h, 102, m->bounds[0]);
    put_i32(h, 106, m->bounds[1]);
    put_i32(h, 110, m->bounds[2]);
    put_i32(h, 114, m->bounds[3]);
    h[118] = (uint8_t)m->center[2];
    put_i32(h, 119, m->center[0]);
    put_i32(h, 123, m->center[1]);
    int fd = rc == 0 ? open(p->path, O_WRONLY | O_CREAT | O_TRUNC, 0644) : -1;
    if (rc == 0 && fd < 0)
        rc = ERR_IO;
    if (rc == 0)
        rc = write_all(fd, h, sizeof h);
    if (rc == 0)
        rc = write_all(fd, root.data, root.len);
    if (rc == 0)
        rc = write_all(fd, meta.data, meta.len);
    if (rc == 0 && leaves.len)
        rc = write_all(fd, leaves.data, leaves.len);
    if (rc == 0)
        rc = copy_data(p->data_fd, fd, p->data_len);
    if (rc == 0 && fsync(fd) < 0)
        rc = ERR_IO;
    if (fd >= 0 && close(fd) < 0 && rc == 0)
        rc = ERR_IO;
    buf_free(&root);
    buf_free(&leaves);
    buf_free(&meta);
    if (rc < 0) {
        snprintf(msg, msgsz, "%s: %s", p->path, err_str(rc));
        pm_abort(s);
        return rc;
    }
    pm_free(p);
    return 0;
}

int sink_pmtiles_open(const char *path, struct sink **out, char *msg,
                      size_t msgsz)
{
    struct pmtiles *p = calloc(1, sizeof *p);
    char scratch[4096];
    *out = NULL;
    if (!p || !(p->path = strdup(path))) {
        free(p);
        snprintf(msg, msgsz, "out of memory");
        return ERR_NOMEM;
    }
    p->base.put = pm_put;
    p->base.finish = pm_finish;
    p->base.abort = pm_abort;
    p->minzoom = 255;
    /* The scratch file lives beside the output (same filesystem, so no
     * surprise from a small /tmp) and is unlinked at once. */
    snprintf(scratch, sizeof scratch, "%s.data", path);
    p->data_fd = open(scratch, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (p->data_fd < 0) {
        snprintf(msg, msgsz, "%s: cannot create", scratch);
        p->data_fd = -1;
        pm_free(p);
        return ERR_IO;
    }
    unlink(scratch);
    *out = &p->base;
    return 0;
}
