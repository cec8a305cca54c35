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

/* The initial symbols of one piece, built as Hugging Face's merge_word
 * builds its word: each token with its length, offsets being the running
 * sum of the lengths (so a dropped character shifts the ones after it, as
 * there). */
typedef struct symbols {
    uint32_t *start, *tok;
    size_t n;
    uint32_t at;     /* running offset */
    long unk;        /* pending unk's token, -1 if none */
    uint32_t unk_len;
} symbols;

static void sym_add(symbols *s, uint32_t tok, uint32_t len)
{
    s->start[s->n] = s->at;
    s->tok[s->n++] = tok;
    s->at += len;
}

static void sym_flush_unk(symbols *s)
{
    if (s->unk >= 0)
        sym_add(s, (uint32_t)s->unk, s->unk_len);
    s->unk = -1;
}

/* The unit's bytes as <0xXX> tokens, if the vocabulary has all of them
 * (the loader refuses byte_fallback with affixes, whose bytes Hugging Face
 * would fall back with too). 1 if added. */
static int sym_fallback(const merge_bpe *m, symbols *s, const uint8_t *unit, size_t n)
{
    for (size_t b = 0; b < n; b++)
        if (m->o.fallback_id[unit[b]] == TOKD__NO_RANK)
            return 0;
    for (size_t b = 0; b < n; b++)
        sym_add(s, m->o.fallback_id[unit[b]], 1);
    return 1;
}

/* A unit outside the vocabulary: byte fallback, else unk (fused with a
 * pending one if fuse_unk), else dropped. As in Hugging Face, a pending
 * unk waits for the next known unit, so fallback tokens may come first. */
static int sym_unknown(const merge_bpe *m, symbols *s, const uint8_t *unit, size_t n)
{
    if (m->o.byte_fallback && sym_fallback(m, s, unit, n))
        return 0;
    if (m->o.unk_id == -1)
        return 0;
    if (m->o.unk_id == TOKD__UNK_MISSING)
        return TOKD_EUNSUPPORTED;
    if (s->unk >= 0 && m->o.fuse_unk) {
        s->unk_len += (uint32_t)n;
        return 0;
    }
    sym_flush_unk(s);
    s->unk = m->o.unk_id;
    s->unk_len = (uint32_t)n;
    return 0;
}

/* The unit p[i..i + len) of a piece of n bytes with its affixes into key;
 * returns the key's length. */
static size_t unit_key(const merge_bpe *m, const uint8_t *p, size_t i, size_t len, size_t n, uint8_t *key)
{
    size_t k = 0;
    if (i > 0) {
        memcpy(key, m->o.prefix, m->o.n_prefix);
        k = m->o.n_prefix;
    }
    memcpy(key + k, p + i, len);
    k += len;
    if (i + len == n) {
        memcpy(key + k, m->o.suffix, m->o.n_suffix);
        k += m->o.n_suffix;
    }
    return k;
}

static int piece_symbols(const merge_bpe *m, const uint8_t *p, size_t n, symbols *s)
{
    uint8_t key[2 * TOKD__AFFIX_MAX + 4];
    size_t len;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i += len) {
        len = 1;
        if (!m->o.byte_level)
            tokd__utf8_next(p, i, &len);
        uint32_t id = tokd__rankmap_get(m->bpe.ranks, key, unit_key(m, p, i, len, n, key));
        if (id == TOKD__NO_RANK) {
            rc = sym_unknown(m, s, p + i, len);
        } else {
            sym_flush_unk(s);
            sym_add(s, id, (uint32_t)len);
        }
    }
    sym_flush_unk(s);
    s->start[s->n] = s->at;
    return rc;
}

static int merge_encode(const void *self, const uint8_t *p, size_t n, tokd__sink *sink)
{
    const merge_bpe *m = self;
    if (m->o.byte_level && !m->o.n_prefix && !m->o.n_suffix)
        return tokd__bpe_piece(&m->bpe, p, n, sink);
    uint32_t whole = m->o.ignore_merges ? tokd__rankmap_get(m->bpe.ranks, p, n) : TOKD__NO_RANK;
    if (whole != TOKD__NO_RANK)
        return tokd__sink_token(sink, whole, 0, n);
    /* each unit gives at most one symbol per byte of its key */
    size_t cap = n * (1 + m->o.n_prefix + m->o.n_suffix) + 1;
    uint32_t small[2 * 65];
    symbols s = {small, small + 65, 0, 0, -1, 0};
    if (cap > 65) {
        if (!(s.start = malloc(2 * cap * sizeof *s.start)))
            return TOKD_ENOMEM;
        s.tok = s.start + cap;
    }
    /* symbols end at s.at, short of n where characters were dropped */
    tokd__bpe_model merging = m->bpe;
    merging.whole_first = 0;
    int rc = piece_symbols(m, p, n, &s);
    if (rc == 0)
        rc = tokd__bpe_symbols(&merging, p, s.at, s.start, s.tok, s.n, sink);
    if (s.start != small)
        free(s.start);
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
