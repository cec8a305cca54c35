/* buf.c - growable id and byte buffers.
 *
 * Capacity doubles, so appending n items costs O(n) amortised; a failed
 * allocation leaves the buffer as it was. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"

static size_t grown(size_t cap, size_t need)
{
    size_t c = cap ? cap : 16;
    while (c < need)
        c *= 2;
    return c;
}

int tokd__reserve(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    if (need > SIZE_MAX / 2 / elem)
        return TOKD_ENOMEM;
    size_t c = grown(*cap, need);
    void *q = realloc(*p, c * elem);
    if (!q)
        return TOKD_ENOMEM;
    *p = q;
    *cap = c;
    return 0;
}

int tokd__ids_reserve(tokd_ids *ids, size_t extra)
{
    if (extra > SIZE_MAX / sizeof(uint32_t) - ids->len)
        return TOKD_ENOMEM;
    return tokd__reserve((void **)&ids->ids, &ids->cap, ids->len + extra, sizeof *ids->ids);
}

int tokd__bytes_reserve(tokd_bytes *b, size_t extra)
{
    if (extra >= SIZE_MAX / 2 - b->len)
        return TOKD_ENOMEM;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = grown(b->cap, need);
    char *p = realloc(b->data, cap);
    if (!p)
        return TOKD_ENOMEM;
    b->data = p;
    b->cap = cap;
    return 0;
}

int tokd__bytes_append(tokd_bytes *b, const void *p, size_t n)
{
    if (tokd__bytes_reserve(b, n) != 0)
        return TOKD_ENOMEM;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int tokd_ids_push(tokd_ids *ids, uint32_t id)
{
    return tokd__ids_push(ids, id);
}

void tokd_ids_release(tokd_ids *ids)
{
    free(ids->ids);
    *ids = (tokd_ids){0};
}

int tokd_bytes_append(tokd_bytes *b, const void *p, size_t n)
{
    return tokd__bytes_append(b, p, n);
}

void tokd_bytes_release(tokd_bytes *b)
{
    free(b->data);
    *b = (tokd_bytes){0};
}
