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

/* The unit's bytes (with its affixes, as Hugging Face spells it) as
 * <0xXX> tokens, if the vocabulary has all of them. 1 if added. */
static int sym_fallback(const merge_bpe *m, symbols *s, const uint8_t *unit, size_t n)
{
    for (size_t b = 0; b < n; b++)
        if (m->o.fallback_id[unit[b]] == TOKD__NO_RANK)
            return 0;
    for (size_t b = 0; b < n; b++)
        sym_add(s, m->o.fallback_id[unit[b]], 1);
    return 1;
}

/* A unit outside the vocabulary (n bytes; `key`, its spelling with the
 * affixes): byte fallback, else unk (fused with a pending one if
 * fuse_unk), else dropped. As in Hugging Face, a pending unk waits for the
 * next known unit, so fallback tokens may come first. */
static int sym_unknown(const merge_bpe *m, symbols *s, const uint8_t *key, size_t n_key, size_t n)
{
    if (m->o.byte_fallback && sym_fallback(m, s, key, n_key))
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
    if (i > 0 && m->o.prefix.n) {
        memcpy(key, m->o.prefix.s, m->o.prefix.n);
        k = m->o.prefix.n;
    }
    memcpy(key + k, p + i, len);
    k += len;
    if (i + len == n && m->o.suffix.n) {
        memcpy(key + k, m->o.suffix.s, m->o.suffix.n);
        k += m->o.suffix.n;
    }
    return k;
}

/* key: room for the longest unit (4 bytes) with both affixes. */
static int piece_symbols(const merge_bpe *m, const uint8_t *p, size_t n, uint8_t *key, symbols *s)
{
    size_t len;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i += len) {
        len = 1;
        if (!m->o.byte_level)
            tokd__utf8_next(p, i, &len);
        size_t n_key = unit_key(m, p, i, len, n, key);
        uint32_t id = tokd__rankmap_get(m->bpe.ranks, key, n_key);
        if (id == TOKD__NO_RANK) {
            rc = sym_unknown(m, s, key, n_key, len);
        } else {
            sym_flush_unk(s);
            sym_add(s, id, (uint32_t)len);
        }
    }
    sym_flush_unk(s);
    s->start[s->n] = s->at;
    return rc;
}

/* Byte fallback spelled a unit's affixes out, so the word is longer than
 * the piece (n_word > n). A token past the piece's end has no place in it:
 * Hugging Face then gives the token's place in the word as a place in the
 * caller's text, and so does tokd (tokd_encode_offsets keeps it inside
 * the text). The tokens are merged into a sink of their own first. */
static int merge_spelled(const tokd__bpe_model *bpe, const uint8_t *p, size_t n, const symbols *s,
                         tokd__sink *sink)
{
    tokd_ids ids = {0};
    tokd_offsets offs = {0};
    tokd__ntext word = tokd__ntext_view((const char *)p, s->at, 0, 0);
    tokd__sink mine = {.ids = &ids, .offsets = &offs, .text = &word};
    int rc = tokd__bpe_symbols(bpe, p, s->at, s->start, s->tok, s->n, &mine);
    for (size_t i = 0; i < ids.len && rc == 0; i++) {
        tokd_offset o = offs.v[i];
        rc = o.end <= n ? tokd__sink_token(sink, ids.ids[i], o.start, o.end)
                        : tokd__sink_token_at(sink, ids.ids[i], o.start, o.end);
    }
    tokd_ids_release(&ids);
    tokd_offsets_release(&offs);
    return rc;
}

static int merge_encode(const void *self, const uint8_t *p, size_t n, tokd__sink *sink)
{
    const merge_bpe *m = self;
    size_t n_affixes = m->o.prefix.n + m->o.suffix.n;
    if (m->o.byte_level && !n_affixes)
        return tokd__bpe_piece(&m->bpe, p, n, sink);
    uint32_t whole = m->o.ignore_merges ? tokd__rankmap_get(m->bpe.ranks, p, n) : TOKD__NO_RANK;
    if (whole != TOKD__NO_RANK)
        return tokd__sink_token(sink, whole, 0, n);
    /* each unit gives at most one symbol per byte of its key */
    size_t cap = n * (1 + n_affixes) + 1, n_key = n_affixes + 4;
    uint32_t small[2 * 65];
    uint8_t small_key[64];
    symbols s = {small, small + 65, 0, 0, -1, 0};
    uint8_t *key = small_key;
    if (cap > 65 || n_key > sizeof small_key) {
        if (!(s.start = malloc(2 * cap * sizeof *s.start + n_key)))
            return TOKD_ENOMEM;
        s.tok = s.start + cap;
        key = (uint8_t *)(s.tok + cap);
    }
    /* symbols end at s.at, short of n where characters were dropped */
    tokd__bpe_model merging = m->bpe;
    merging.whole_first = 0;
    int rc = piece_symbols(m, p, n, key, &s);
    if (rc == 0 && sink->offsets && s.at > n)
        rc = merge_spelled(&merging, p, n, &s, sink);
    else if (rc == 0)
        rc = tokd__bpe_symbols(&merging, p, s.at, s.start, s.tok, s.n, sink);
    if (s.start != small)
        free(s.start);
    return rc;
}

void tokd__merge_bpe_options_release(tokd__merge_bpe_options *o)
{
    free(o->prefix.s);
    free(o->suffix.s);
    o->prefix = o->suffix = (tokd__affix){0};
}

static void merge_free(void *self)
{
    merge_bpe *m = self;
    tokd__pairmap_release(&m->merges);
    tokd__merge_bpe_options_release(&m->o);
    free(m);
}

static const tokd__model_ops merge_bpe_ops = {"merge-bpe", merge_encode, merge_free};

int tokd__model_merge_bpe(const tokd__vocab *vocab, tokd__pairmap *merges, tokd__merge_bpe_options *o,
                          tokd__model *out)
{
    merge_bpe *m = malloc(sizeof *m);
    if (!m) {
        tokd__pairmap_release(merges);
        tokd__merge_bpe_options_release(o);
        return TOKD_ENOMEM;
    }
    m->merges = *merges;
    *merges = (tokd__pairmap){0};
    m->o = *o;
    o->prefix = o->suffix = (tokd__affix){0};
    m->bpe = (tokd__bpe_model){&vocab->map, &m->merges, o->ignore_merges, 0};
    m->bpe.split_words = !o->byte_level && tokd__bpe_words_apart(&m->bpe);
    *out = (tokd__model){&merge_bpe_ops, m};
    return 0;
}
