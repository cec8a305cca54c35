/* model_bpe.c - rank-BPE and merge-list BPE as models (see model_bpe.h).
 * The merging itself is bpe.c's, shared by both. */
#include <stdlib.h>
#include <string.h>

#include "bpe.h"
#include "model_bpe.h"
#include "utf8.h"

/* ---- rank-BPE ------------------------------------------------------------ */

static int rank_encode(const void *self, const uint8_t *p, size_t n, tokd__sink *k)
{
    return tokd__bpe_piece(self, p, n, k);
}

static const tokd__model_ops rank_bpe_ops = {"rank-bpe", rank_encode, free};

int tokd__model_rank_bpe(const tokd__vocab *vocab, tokd__model *out)
{
    tokd__bpe_model *m = malloc(sizeof *m);
    if (!m)
        return TOKD_ENOMEM;
    *m = (tokd__bpe_model){&vocab->map, NULL, 1, 0};
    *out = (tokd__model){&rank_bpe_ops, m};
    return 0;
}

/* ---- merge-list BPE ------------------------------------------------------ */

typedef struct merge_bpe {
    tokd__bpe_model bpe;
    tokd__pairmap merges;
    tokd__merge_bpe_options o;
} merge_bpe;

/* Characters as initial symbols: the vocabulary's token for each, else its
 * bytes' <0xXX> tokens, else unk (consecutive unks fused if fuse_unk). */
static int char_symbols(const merge_bpe *m, const uint8_t *p, size_t n, uint32_t *start, uint32_t *tok,
                        size_t *n_sym)
{
    size_t k = 0, len;
    for (size_t i = 0; i < n; i += len) {
        tokd__utf8_next(p, i, &len);
        uint32_t id = tokd__rankmap_get(m->bpe.ranks, p + i, len);
        if (id != TOKD__NO_RANK) {
            start[k] = (uint32_t)i;
            tok[k++] = id;
        } else if (m->o.byte_fallback) {
            for (size_t b = 0; b < len; b++) {
                start[k] = (uint32_t)(i + b);
                tok[k++] = m->o.fallback_id[p[i + b]];
            }
        } else if (m->o.unk_id < 0) {
            return TOKD_EUNSUPPORTED;
        } else if (!(m->o.fuse_unk && k > 0 && tok[k - 1] == (uint32_t)m->o.unk_id)) {
            start[k] = (uint32_t)i;
            tok[k++] = (uint32_t)m->o.unk_id;
        }
    }
    start[k] = (uint32_t)n;
    *n_sym = k;
    return 0;
}

static int merge_encode(const void *self, const uint8_t *p, size_t n, tokd__sink *sink)
{
    const merge_bpe *m = self;
    if (m->o.byte_level)
        return tokd__bpe_piece(&m->bpe, p, n, sink);
    uint32_t small[2 * 65], *start = small, *tok = small + 65;
    if (n > 64) {
        start = malloc((2 * n + 2) * sizeof *start);
        if (!start)
            return TOKD_ENOMEM;
        tok = start + n + 1;
    }
    size_t n_sym;
    int rc = char_symbols(m, p, n, start, tok, &n_sym);
    if (rc == 0)
        rc = tokd__bpe_symbols(&m->bpe, p, n, start, tok, n_sym, sink);
    if (start != small)
        free(start);
    return rc;
}

static void merge_free(void *self)
{
    merge_bpe *m = self;
    tokd__pairmap_release(&m->merges);
    free(m);
}

static const tokd__model_ops merge_bpe_ops = {"merge-bpe", merge_encode, merge_free};

int tokd__model_merge_bpe(const tokd__vocab *vocab, tokd__pairmap *merges, const tokd__merge_bpe_options *o,
                          tokd__model *out)
{
    merge_bpe *m = malloc(sizeof *m);
    if (!m) {
        tokd__pairmap_release(merges);
        return TOKD_ENOMEM;
    }
    m->merges = *merges;
    *merges = (tokd__pairmap){0};
    m->o = *o;
    m->bpe = (tokd__bpe_model){&vocab->map, &m->merges, o->ignore_merges, 0};
    m->bpe.split_words = !o->byte_level && tokd__bpe_words_apart(&m->bpe);
    *out = (tokd__model){&merge_bpe_ops, m};
    return 0;
}
