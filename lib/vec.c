/* vec.c - growing arrays (see vec.h). */
#include "vec.h"

#include <stdint.h>
#include <stdlib.h>

#include "err.h"

int vec_reserve(void **v, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 16;
    while (n < need) {
        if (n > SIZE_MAX / 2 / size)
            return ERR_NOMEM;
        n *= 2;
    }
    void *p = realloc(*v, n * size);
    if (!p)
        return ERR_NOMEM;
    *v = p;
    *cap = n;
    return 0;
}
