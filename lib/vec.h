/* vec.h - growing arrays: the one doubling loop of the project.
 * Ownership: the caller owns the array; vec_reserve() reallocates it. */
#ifndef AMO_VEC_H
#define AMO_VEC_H

#include <stddef.h>

/* Make room for 'need' elements of 'size' bytes in *v, whose capacity is
 * *cap, doubling from 16. Returns 0, or ERR_NOMEM with *v and *cap
 * unchanged (the elements stay valid). */
int vec_reserve(void **v, size_t *cap, size_t need, size_t size);

#endif
