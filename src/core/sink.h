/* sink.h - where an encode call's tokens go (internal).
 *
 * One output for every model and every call: ids appended to a tokd_ids,
 * or only counted, and on request the [start, end) bytes of the caller's
 * text each token comes from. A model reports each token with its place in
 * the current piece; the sink adds the piece's place in the text and maps
 * it back through the text's alignment (ntext.h) only when offsets were
 * asked for, so the id and count paths cost one branch per token. The
 * call's tokd_limits guard reads the sink's running count.
 *
 * Thread-safety: a sink belongs to one call on one thread. */
#ifndef TOKD_SINK_H
#define TOKD_SINK_H

#include "buf.h"
#include "guard.h"
#include "ntext.h"

typedef struct tokd__sink {
    tokd_ids *ids;           /* NULL: count only */
    size_t count;            /* tokens so far, when counting */
    tokd_offsets *offsets;   /* NULL: not asked for */
    const tokd__ntext *text; /* the text pieces are cut from (offsets only) */
    size_t base;             /* where the current piece starts in text */
    tokd__guard guard;
    struct tokd__piece_cache *cache; /* NULL, or the call's memo of pieces (never with offsets) */
} tokd__sink;

/* Append the original offsets of text[base + start .. base + end). */
int tokd__sink_offset(tokd__sink *k, size_t start, size_t end);

/* One token of the current piece, covering piece bytes [start, end). */
static inline int tokd__sink_token(tokd__sink *k, uint32_t id, size_t start, size_t end)
{
    if (k->offsets && tokd__sink_offset(k, start, end) != 0)
        return TOKD_ENOMEM;
    if (!k->ids) {
        k->count++;
        return 0;
    }
    return tokd__ids_push(k->ids, id);
}

/* One token that stands for original bytes [start, end) (an added token;
 * [0, 0) for a post-processor's). */
int tokd__sink_token_at(tokd__sink *k, uint32_t id, size_t start, size_t end);

#endif
