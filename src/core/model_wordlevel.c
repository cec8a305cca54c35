/* model_wordlevel.c - WordLevel as a model (see model_wordlevel.h). */
#include <stdlib.h>

#include "model_wordlevel.h"

typedef struct wordlevel {
    const tokd__rankmap *map;
    long unk_id;
} wordlevel;

static int wordlevel_encode(const void *self, const uint8_t *p, size_t n, tokd__sink *sink)
{
    const wordlevel *w = self;
    uint32_t id = tokd__rankmap_get(w->map, p, n);
    if (id == TOKD__NO_RANK && w->unk_id < 0)
        return TOKD_EUNSUPPORTED;
    return tokd__sink_token(sink, id != TOKD__NO_RANK ? id : (uint32_t)w->unk_id, 0, n);
}

static const tokd__model_ops wordlevel_ops = {"wordlevel", wordlevel_encode, free};

int tokd__model_wordlevel(const tokd__vocab *vocab, long unk_id, tokd__model *out)
{
    wordlevel *w = malloc(sizeof *w);
    if (!w)
        return TOKD_ENOMEM;
    *w = (wordlevel){&vocab->map, unk_id};
    *out = (tokd__model){&wordlevel_ops, w};
    return 0;
}
