/* model_unigram.c - Unigram Viterbi (see model_unigram.h).
 *
 * One pass over the piece's characters: at each character start s, every
 * vocabulary piece beginning there (a walk down the trie) offers
 * best[s] + score to the node where it ends, and a character no piece spells
 * alone offers best[s] + unk_score to the next character. A node keeps the
 * first best offer (strictly greater replaces), which gives the references'
 * tie-breaking. Walking back from the end gives the tokens; unknown runs are
 * then fused and spelled with byte pieces as the options say. Memory is one
 * node per byte of the piece (on the stack for short pieces). */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model_unigram.h"
#include "trie.h"
#include "utf8.h"

typedef struct unigram {
    tokd__trie trie;
    const tokd__rankmap *map;
    double *score;
    uint8_t *kind;
    double unk_score; /* min_score - 10 (rounded to float for sentencepiece) */
    float max_score;  /* sentencepiece's, for user-defined pieces */
    tokd__unigram_options o;
} unigram;

typedef struct lattice_node {
    double score;   /* best total ending here */
    uint32_t start; /* where that best last token starts; UINT32_MAX: none yet */
    uint32_t id;
} lattice_node;

#define SMALL_PIECE 64

static void offer(lattice_node *to, double cand, uint32_t start, uint32_t id, int as_float)
{
    if (to->start == UINT32_MAX || cand > to->score) {
        to->score = as_float ? (double)(float)cand : cand;
        to->start = start;
        to->id = id;
    }
}

/* The score piece `id` of `len` bytes adds (sentencepiece's user-defined
 * bonus is computed as it does, in float then double). */
static double piece_score(const unigram *m, uint32_t id, size_t len)
{
    if (m->o.sentencepiece && m->kind[id] == TOKD__PIECE_USER)
        return (double)((float)len * m->max_score) - 0.1;
    return m->score[id];
}

/* Relax every node reachable from character start s (of mblen bytes); 1 if
 * a piece spells that character alone. */
static int offers_from(const unigram *m, const uint8_t *p, size_t n, size_t s, size_t mblen, lattice_node *v)
{
    double till = v[s].score;
    int single = 0;
    uint32_t t = 0;
    for (size_t k = s; k < n && (t = tokd__trie_step(&m->trie, t, p[k])) != TOKD__NO_RANK; k++) {
        uint32_t id = m->trie.value[t];
        if (id == TOKD__NO_RANK || m->kind[id] == TOKD__PIECE_UNUSED)
            continue;
        offer(&v[k + 1], piece_score(m, id, k + 1 - s) + till, (uint32_t)s, id, m->o.sentencepiece);
        single |= k + 1 - s == mblen;
    }
    return single;
}

static int viterbi(const unigram *m, const uint8_t *p, size_t n, lattice_node *v)
{
    for (size_t i = 0; i <= n; i++)
        v[i] = (lattice_node){0.0, UINT32_MAX, 0};
    size_t mblen;
    for (size_t s = 0; s < n; s += mblen) {
        tokd__utf8_next(p, s, &mblen);
        if (offers_from(m, p, n, s, mblen, v))
            continue;
        if (m->o.unk_id < 0)
            return TOKD_EUNSUPPORTED;
        double cand = m->o.sentencepiece ? (double)((float)m->unk_score + (float)v[s].score) : m->unk_score + v[s].score;
        offer(&v[s + mblen], cand, (uint32_t)s, (uint32_t)m->o.unk_id, m->o.sentencepiece);
    }
    return 0;
}

int tokd__unigram_emit_unknown(const tokd__unigram_options *o, const tokd__rankmap *map, const uint8_t *p, size_t a,
                               size_t b, tokd__sink *k)
{
    int bytes = o->byte_fallback;
    for (size_t i = a; bytes && i < b; i++)
        bytes = o->fallback_id[p[i]] != TOKD__NO_RANK;
    int rc = 0;
    for (size_t i = a; bytes && i < b && rc == 0; i++)
        rc = tokd__sink_token(k, o->fallback_id[p[i]], a, b);
    if (bytes)
        return rc;
    uint32_t id = map ? tokd__rankmap_get(map, p + a, b - a) : TOKD__NO_RANK;
    return tokd__sink_token(k, id != TOKD__NO_RANK ? id : (uint32_t)o->unk_id, a, b);
}

/* The best path, front to back: starts of its tokens into `start` (reusing
 * the lattice: path[i] is the i-th token's end node). */
static size_t backtrack(const lattice_node *v, size_t n, uint32_t *path)
{
    size_t k = 0;
    for (size_t end = n; end > 0; end = v[end].start)
        path[k++] = (uint32_t)end;
    for (size_t i = 0; i < k / 2; i++) {
        uint32_t x = path[i];
        path[i] = path[k - 1 - i];
        path[k - 1 - i] = x;
    }
    return k;
}

static int emit_path(const unigram *m, const uint8_t *p, const lattice_node *v, const uint32_t *path, size_t k,
                     tokd__sink *sink)
{
    uint32_t unk = (uint32_t)m->o.unk_id;
    int rc = 0;
    for (size_t i = 0; i < k && rc == 0; i++) {
        const lattice_node *x = &v[path[i]];
        if (m->o.unk_id < 0 || x->id != unk) {
            rc = tokd__sink_token(sink, x->id, x->start, path[i]);
            continue;
        }
        size_t a = x->start;
        while (m->o.fuse_unk && i + 1 < k && v[path[i + 1]].id == unk)
            i++;
        rc = tokd__unigram_emit_unknown(&m->o, m->o.sentencepiece ? NULL : m->map, p, a, path[i], sink);
    }
    return rc;
}

static int unigram_encode(const void *self, const uint8_t *p, size_t n, tokd__sink *sink)
{
    const unigram *m = self;
    lattice_node small[SMALL_PIECE + 1], *v = small;
    uint32_t small_path[SMALL_PIECE], *path = small_path;
    if (n > SMALL_PIECE) {
        v = malloc((n + 1) * sizeof *v);
        path = malloc(n * sizeof *path);
        if (!v || !path) {
            free(v);
            free(path);
            return TOKD_ENOMEM;
        }
    }
    int rc = viterbi(m, p, n, v);
    if (rc == 0)
        rc = emit_path(m, p, v, path, backtrack(v, n, path), sink);
    if (v != small) {
        free(v);
        free(path);
    }
    return rc;
}

static void unigram_free(void *self)
{
    unigram *m = self;
    if (!m)
        return;
    tokd__trie_release(&m->trie);
    free(m->score);
    free(m->kind);
    free(m);
}

static const tokd__model_ops unigram_ops = {"unigram", unigram_encode, unigram_free};

/* min_score and max_score over the pieces that count for them: all of
 * Hugging Face's; sentencepiece's normal pieces, from FLT_MAX and FLT_MIN
 * (so its max_score is never below FLT_MIN, as there). */
static void score_range(unigram *m, uint32_t n)
{
    int spm = m->o.sentencepiece;
    double lo = spm ? FLT_MAX : HUGE_VAL, hi = spm ? FLT_MIN : -HUGE_VAL;
    for (uint32_t i = 0; i < n; i++) {
        if (spm && m->kind[i] != TOKD__PIECE_NORMAL)
            continue;
        lo = m->score[i] < lo ? m->score[i] : lo;
        hi = m->score[i] > hi ? m->score[i] : hi;
    }
    m->unk_score = spm ? (double)((float)lo - 10.0f) : lo - 10.0;
    m->max_score = (float)hi;
}

/* Index the pieces that can be matched in text. */
static int build_trie(unigram *m, uint32_t n)
{
    int rc = tokd__trie_init(&m->trie);
    for (uint32_t i = 0; i < n && rc == 0; i++) {
        uint32_t len = tokd__rankmap_len(m->map, i);
        if (len && (!m->o.sentencepiece || m->kind[i] < TOKD__PIECE_CONTROL))
            rc = tokd__trie_insert(&m->trie, m->map->bytes + m->map->offset[i], len, i) < 0 ? TOKD_ENOMEM : 0;
    }
    return rc;
}

int tokd__model_unigram(const tokd__vocab *vocab, const double *score, const uint8_t *kind,
                        const tokd__unigram_options *o, tokd__model *out, tokd_error *err)
{
    uint32_t n = vocab->map.n_ranks;
    if (n == 0)
        return tokd_error_set(err, TOKD_EFORMAT, "a Unigram model needs at least one piece");
    unigram *m = calloc(1, sizeof *m);
    if (!m)
        return TOKD_ENOMEM;
    m->map = &vocab->map;
    m->o = *o;
    m->score = malloc(n * sizeof *m->score);
    m->kind = calloc(n, 1);
    int rc = m->score && m->kind ? 0 : TOKD_ENOMEM;
    if (rc == 0) {
        memcpy(m->score, score, n * sizeof *score);
        if (kind)
            memcpy(m->kind, kind, n);
        score_range(m, n);
        rc = build_trie(m, n);
    }
    if (rc != 0) {
        unigram_free(m);
        return rc;
    }
    *out = (tokd__model){&unigram_ops, m};
    return 0;
}
