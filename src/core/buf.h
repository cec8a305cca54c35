/* buf.h - growth helpers for tokd_ids and tokd_bytes (internal).
 *
 * Thread-safety: operate only on the caller's own buffer. */
#ifndef TOKD_BUF_H
#define TOKD_BUF_H

#include "tokd/tokenizer.h"

/* Make *p (an array of `*cap` items of `elem` bytes) hold at least `need`
 * items, doubling; TOKD_ENOMEM on failure or overflow (array intact). The
 * one growth rule of every array tokd appends to. */
int tokd__reserve(void **p, size_t *cap, size_t need, size_t elem);

/* Make room for `extra` more ids; TOKD_ENOMEM on failure (buffer intact). */
int tokd__ids_reserve(tokd_ids *ids, size_t extra);

static inline int tokd__ids_push(tokd_ids *ids, uint32_t id)
{
    if (ids->len == ids->cap && tokd__ids_reserve(ids, 1) != 0)
        return TOKD_ENOMEM;
    ids->ids[ids->len++] = id;
    return 0;
}

/* Make room for `extra` more bytes plus the terminating NUL. */
int tokd__bytes_reserve(tokd_bytes *b, size_t extra);

/* Append `n` bytes and keep the buffer NUL-terminated. */
int tokd__bytes_append(tokd_bytes *b, const void *p, size_t n);

#endif
