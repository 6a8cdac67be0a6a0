/* hmap.h - the one hash table of the project: open addressing (linear
 * probing, power-of-two size, at most half full) from 64-bit keys to
 * non-zero 64-bit values. A key may be given several values (the keys of
 * the tile and property de-duplication are hashes: the caller compares
 * what each value stands for).
 * Ownership: the table owns its slots; hmap_free() releases them. */
#ifndef AMO_HMAP_H
#define AMO_HMAP_H

#include <stddef.h>
#include <stdint.h>

struct hmap_slot {
    uint64_t key;
    uint64_t value; /* 0: an empty slot */
};

struct hmap {
    struct hmap_slot *slots;
    size_t cap, n;
};

#define HMAP_END ((size_t)-1)

void hmap_init(struct hmap *m);
void hmap_free(struct hmap *m);
/* Add 'value' (not 0) under 'key', beside any already there. Returns 0
 * or ERR_NOMEM (the table unchanged). */
int hmap_add(struct hmap *m, uint64_t key, uint64_t value);
/* The first slot holding 'key', or HMAP_END; hmap_next() the one after
 * slot 'i'. The value is m->slots[i].value. */
size_t hmap_first(const struct hmap *m, uint64_t key);
size_t hmap_next(const struct hmap *m, uint64_t key, size_t i);

/* A key for 'n' bytes (FNV-1a, 64 bits): words, names. */
uint64_t hmap_hash(const void *p, size_t n);

#endif
