/* hmap.c - the hash table (see hmap.h). */
#include "hmap.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"

/* Fibonacci hashing: keys that are already hashes keep their spread,
 * and small or sequential ones (ids) get one. */
static size_t home(const struct hmap *m, uint64_t key)
{
    return (size_t)(key * 0x9E3779B97F4A7C15ULL) & (m->cap - 1);
}

void hmap_init(struct hmap *m)
{
    memset(m, 0, sizeof *m);
}

void hmap_free(struct hmap *m)
{
    free(m->slots);
    hmap_init(m);
}

static int grow(struct hmap *m)
{
    struct hmap big = {.cap = m->cap ? m->cap * 2 : 64};
    if (!(big.slots = calloc(big.cap, sizeof *big.slots)))
        return ERR_NOMEM;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slots[i].value)
            continue;
        size_t k = home(&big, m->slots[i].key);
        while (big.slots[k].value)
            k = (k + 1) & (big.cap - 1);
        big.slots[k] = m->slots[i];
    }
    big.n = m->n;
    free(m->slots);
    *m = big;
    return 0;
}

int hmap_add(struct hmap *m, uint64_t key, uint64_t value)
{
    if ((m->n + 1) * 2 > m->cap && grow(m) < 0)
        return ERR_NOMEM;
    size_t k = home(m, key);
    while (m->slots[k].value)
        k = (k + 1) & (m->cap - 1);
    m->slots[k] = (struct hmap_slot){key, value};
    m->n++;
    return 0;
}

size_t hmap_first(const struct hmap *m, uint64_t key)
{
    if (!m->cap)
        return HMAP_END;
    size_t k = home(m, key);
    for (; m->slots[k].value; k = (k + 1) & (m->cap - 1))
        if (m->slots[k].key == key)
            return k;
    return HMAP_END;
}

size_t hmap_next(const struct hmap *m, uint64_t key, size_t i)
{
    for (size_t k = (i + 1) & (m->cap - 1); m->slots[k].value;
         k = (k + 1) & (m->cap - 1))
        if (m->slots[k].key == key)
            return k;
    return HMAP_END;
}

uint64_t hmap_hash(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    return h;
}
