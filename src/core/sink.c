/* sink.c - the slow paths of the encode output (see sink.h). */
#include "sink.h"

static int push_offset(tokd_offsets *o, size_t start, size_t end)
{
    if (tokd__reserve((void **)&o->v, &o->cap, o->len + 1, sizeof *o->v) != 0)
        return TOKD_ENOMEM;
    o->v[o->len++] = (tokd_offset){start, end};
    return 0;
}

int tokd__sink_offset(tokd__sink *k, size_t start, size_t end)
{
    size_t a, b;
    tokd__ntext_origin(k->text, k->base + start, k->base + end, &a, &b);
    return push_offset(k->offsets, a, b);
}

int tokd__sink_token_at(tokd__sink *k, uint32_t id, size_t start, size_t end)
{
    if (k->offsets && push_offset(k->offsets, start, end) != 0)
        return TOKD_ENOMEM;
    if (!k->ids) {
        k->count++;
        return 0;
    }
    return tokd__ids_push(k->ids, id);
}
