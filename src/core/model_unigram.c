/* model_unigram.c - Unigram Viterbi (see model_unigram.h).
 *
 * One pass over the piece's characters: at each character start s, every
 * vocabulary piece beginning there (a walk down the trie) offers
 * best[s] + score to the node where it ends, and a character no piece spells
 * alone offers best[s] + unk_score to the next character. A node keeps the
 * first best offer (strictly greater replaces), which gives the references'
 * tie-breaking. Walking back gives the tokens; unknown runs are then fused
 * and spelled with byte pieces as the options say.
 *
 * The pass is one Viterbi over the whole piece (sentencepiece's float sums
 * depend on everything before), but its tokens are emitted as soon as they
 * are decided: at a character start s that no offer has passed (reach <= s),
 * every path goes through s, so the best path up to s is final. The
 * segment back to the previous such point is walked back and emitted, and
 * its nodes are used again (unless it ends in an unk that the next one may
 * fuse with). Memory is one node per byte of the longest segment, on the
 * stack for short ones. */
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
    double *score;    /* what each piece adds to a path (user-defined bonus applied) */
    uint8_t *kind;
    double unk_score; /* min_score - 10 (rounded to float for sentencepiece) */
    float max_score;  /* sentencepiece's, for user-defined pieces */
    size_t ring;      /* a power of two > the longest piece's bytes (and > 4, a character) */
    tokd__unigram_options o;
} unigram;

/* The lattice of one piece of n bytes: per byte, 1 + where the best token
 * ending there starts (0: none yet; after link_path, the next token's end)
 * and its id; the best totals only for the bytes a token can still reach
 * (score[k & mask], mask = ring - 1: offers to k come from starts > k -
 * ring, and k is read before any of those starts passes it). Zeroed memory
 * is an empty lattice. */
typedef struct lattice_node {
    uint32_t from, id;
} lattice_node;

typedef struct lattice {
    lattice_node *node; /* node[k - base] for k in [base, base + cap) */
    size_t base, cap, reach; /* reach: the furthest node offered to */
    lattice_node *small;     /* the caller's stack nodes */
    double *score;
    size_t mask;
    int as_float;
} lattice;

#define SMALL_PIECE 64
#define SMALL_NODES 256

static lattice_node *node_at(const lattice *v, size_t k)
{
    return &v->node[k - v->base];
}

static void offer(lattice *v, size_t k, double cand, size_t start, uint32_t id)
{
    double *to = &v->score[k & v->mask];
    lattice_node *x = node_at(v, k);
    if (x->from == 0 || cand > *to) {
        *to = v->as_float ? (double)(float)cand : cand;
        x->from = (uint32_t)start + 1;
        x->id = id;
    }
    v->reach = k > v->reach ? k : v->reach;
}

/* Room for nodes up to base + need (zeroed). */
static int lattice_room(lattice *v, size_t need)
{
    if (need < v->cap)
        return 0;
    size_t cap = 2 * need;
    lattice_node *x = v->node == v->small ? malloc(cap * sizeof *x) : realloc(v->node, cap * sizeof *x);
    if (!x)
        return TOKD_ENOMEM;
    if (v->node == v->small)
        memcpy(x, v->small, v->cap * sizeof *x);
    memset(x + v->cap, 0, (cap - v->cap) * sizeof *x);
    v->node = x;
    v->cap = cap;
    return 0;
}

/* Relax every node reachable from character start s (of mblen bytes); 1 if
 * a piece spells that character alone. */
static int offers_from(const unigram *m, const uint8_t *p, size_t n, size_t s, size_t mblen, lattice *v)
{
    double till = s ? v->score[s & v->mask] : 0.0;
    int single = 0;
    uint32_t t = 0, id;
    for (size_t k = s; k < n && (t = tokd__trie_walk(&m->trie, t, p[k], &id)) != TOKD__NO_RANK; k++) {
        if (id == TOKD__NO_RANK)
            continue;
        offer(v, k + 1, m->score[id] + till, s, id);
        single |= k + 1 - s == mblen;
    }
    return single;
}

static int emit_segment(const unigram *m, const uint8_t *p, lattice *v, size_t end, tokd__sink *sink);

/* s, a character start, ends the segment when no offer passed it and the
 * token ending there is no unk that the next one could fuse with. */
static int segment_ends(const unigram *m, const lattice *v, size_t s)
{
    return s > v->base && v->reach <= s &&
           !(m->o.fuse_unk && m->o.unk_id >= 0 && node_at(v, s)->id == (uint32_t)m->o.unk_id);
}

static int viterbi(const unigram *m, const uint8_t *p, size_t n, lattice *v, tokd__sink *sink)
{
    size_t mblen;
    int rc = 0;
    for (size_t s = 0; s < n && rc == 0; s += mblen) {
        tokd__utf8_next(p, s, &mblen);
        if (segment_ends(m, v, s) && (rc = emit_segment(m, p, v, s, sink)) != 0)
            return rc;
        if ((rc = lattice_room(v, s - v->base + m->ring + 1)) != 0)
            return rc;
        if (offers_from(m, p, n, s, mblen, v))
            continue;
        if (m->o.unk_id < 0)
            return TOKD_EUNSUPPORTED;
        double till = s ? v->score[s & v->mask] : 0.0;
        double cand = m->o.sentencepiece ? (double)((float)m->unk_score + (float)till) : m->unk_score + till;
        offer(v, s + mblen, cand, s, (uint32_t)m->o.unk_id);
    }
    return rc ? rc : emit_segment(m, p, v, n, sink);
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

/* Turn the best path's back links from n to the segment's base into
 * forward ones: node(end).from becomes the end of the next token (0 after
 * the last); returns the first end. */
static uint32_t link_path(lattice *v, size_t n)
{
    uint32_t later = 0;
    for (size_t cur = n; cur > v->base;) {
        size_t start = node_at(v, cur)->from - 1;
        node_at(v, cur)->from = later;
        later = (uint32_t)cur;
        cur = start;
    }
    return later;
}

static int emit_path(const unigram *m, const uint8_t *p, const lattice *v, size_t n, uint32_t first, tokd__sink *sink)
{
    uint32_t unk = (uint32_t)m->o.unk_id;
    int rc = 0;
    for (size_t a = v->base, end = first; a < n && rc == 0; a = end, end = node_at(v, a)->from) {
        if (m->o.unk_id < 0 || node_at(v, end)->id != unk) {
            rc = tokd__sink_token(sink, node_at(v, end)->id, a, end);
            continue;
        }
        while (m->o.fuse_unk && end < n && node_at(v, node_at(v, end)->from)->id == unk)
            end = node_at(v, end)->from;
        rc = tokd__unigram_emit_unknown(&m->o, m->o.sentencepiece ? NULL : m->map, p, a, end, sink);
    }
    return rc;
}

/* Emit the best path from the segment's base to `end`, then start the
 * next segment at `end` with empty nodes. */
static int emit_segment(const unigram *m, const uint8_t *p, lattice *v, size_t end, tokd__sink *sink)
{
    int rc = emit_path(m, p, v, end, link_path(v, end), sink);
    if (v->reach >= v->base)
        memset(v->node, 0, (v->reach - v->base + 1) * sizeof *v->node);
    v->base = end;
    return rc;
}

static int unigram_encode(const void *self, const uint8_t *p, size_t n, tokd__sink *sink)
{
    const unigram *m = self;
    lattice_node small[SMALL_NODES] = {{0, 0}};
    double small_score[2 * SMALL_PIECE]; /* a power of two > n */
    lattice v = {small, 0, SMALL_NODES, 0, small, small_score, 2 * SMALL_PIECE - 1, m->o.sentencepiece};
    if (n > SMALL_PIECE) { /* the ring of totals */
        v.score = m->ring <= 2 * SMALL_PIECE ? small_score : malloc(m->ring * sizeof *v.score);
        if (!v.score)
            return TOKD_ENOMEM;
        v.mask = m->ring - 1;
    }
    int rc = viterbi(m, p, n, &v, sink);
    if (v.score != small_score)
        free(v.score);
    if (v.node != small)
        free(v.node);
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

/* sentencepiece's user-defined pieces score length * max_score - 0.1,
 * computed as it does (in float, then double). */
static void user_bonus(unigram *m, uint32_t n)
{
    for (uint32_t i = 0; m->o.sentencepiece && i < n; i++)
        if (m->kind[i] == TOKD__PIECE_USER)
            m->score[i] = (double)((float)tokd__rankmap_len(m->map, i) * m->max_score) - 0.1;
}

/* Index the pieces that can be matched in text (for sentencepiece, unused
 * pieces are skipped as if absent). */
static int build_trie(unigram *m, uint32_t n)
{
    int rc = tokd__trie_init(&m->trie);
    m->ring = 8;
    for (uint32_t i = 0; i < n && rc == 0; i++) {
        uint32_t len = tokd__rankmap_len(m->map, i);
        while (m->ring <= len)
            m->ring *= 2;
        if (len && (!m->o.sentencepiece || m->kind[i] < TOKD__PIECE_UNUSED))
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
        user_bonus(m, n);
        rc = build_trie(m, n);
    }
    if (rc != 0) {
        unigram_free(m);
        return rc;
    }
    *out = (tokd__model){&unigram_ops, m};
    return 0;
}
