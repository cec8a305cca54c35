/* grow.c - amortised O(1) appends for the server's arrays: capacity at least
 * doubles from 8; a size that would overflow is refused like a failed
 * allocation. */
#include <stdint.h>
#include <stdlib.h>

#include "grow.h"
#include "tokd/error.h"

int grow(void **items, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap > 4 ? 2 * *cap : 8;
    n = n < need ? need : n;
    if (n > SIZE_MAX / size)
        return TOKD_ENOMEM;
    void *moved = realloc(*items, n * size);
    if (!moved)
        return TOKD_ENOMEM;
    *items = moved;
    *cap = n;
    return 0;
}
