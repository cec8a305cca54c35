/* spm_model_bpe.c - sentencepiece's BPE model (bpe_model.cc) behind
 * model.h (spm.h).
 *
 * The text starts as one symbol per code point, a user-defined symbol
 * being one symbol that never merges. Every adjacent pair whose
 * concatenation is a piece (normal, user-defined or unused) is a candidate
 * scored by that piece's score; the best candidate (higher score, then the
 * leftmost) merges, its neighbours' new pairs become candidates, until none
 * is left. Candidates are kept in a binary heap and checked when taken
 * (a stale one no longer spans two live symbols of the right size), so a
 * text of n characters costs O(n log n), and the text is merged one stretch
 * at a time where no piece can span the cut (cut_rule), which keeps the
 * heap small. A symbol that ends as an unused
 * piece is split back into the pair that made it, recursively; a symbol
 * that is no piece is unknown (fused with its unknown neighbours, or byte
 * fallback, as the Unigram model does for sentencepiece). */
#include <stdlib.h>
#include <string.h>

#include "spm.h"
#include "utf8.h"

/* Where a text can be cut into stretches that merge independently: before
 * a "▁" that follows another character (CUT_BEFORE_META) when no piece has
 * "▁" right after another character, or after a "▁" that precedes another
 * character (CUT_AFTER_META) when no piece has "▁" right before another
 * character (whitespace as suffix); no piece then spans a cut, so merging
 * each stretch alone gives what merging the whole text gives. */
enum cut_rule { CUT_NONE, CUT_BEFORE_META, CUT_AFTER_META };

typedef struct spm_bpe {
    const tokd__rankmap *map;
    float *score;
    uint8_t *kind;
    tokd__trie user;
    tokd__unigram_options o;
    enum cut_rule cut;
} spm_bpe;

#define META "\xe2\x96\x81"

typedef struct symbol {
    uint32_t start, len;
    int32_t prev, next;
    uint8_t freeze;
} symbol;

typedef struct candidate {
    float score;
    uint32_t left, right, size;
} candidate;

/* The unused pieces made while merging: the length of the left side of the
 * pair that made each, the last one recorded winning (as rev_merge). */
typedef struct unmerge {
    uint32_t id, left_len;
} unmerge;

typedef struct bpe_call {
    const spm_bpe *m;
    const uint8_t *p;
    symbol *sym;
    candidate *heap;
    size_t n_heap, cap_heap;
    unmerge *un;
    size_t n_un, cap_un;
} bpe_call;

/* The id of p[0..n) as sentencepiece's pieces_ (normal, user-defined,
 * unused) has it, or TOKD__NO_RANK. */
static uint32_t mergeable(const spm_bpe *m, const uint8_t *p, size_t n)
{
    uint32_t id = tokd__rankmap_get(m->map, p, n);
    return id != TOKD__NO_RANK && m->kind[id] <= TOKD__PIECE_UNUSED ? id : TOKD__NO_RANK;
}

/* a comes out of the heap before b. */
static int before(const candidate *a, const candidate *b)
{
    return a->score != b->score ? a->score > b->score : a->left < b->left;
}

static int heap_push(bpe_call *c, candidate x)
{
    if (c->n_heap == c->cap_heap && tokd__reserve((void **)&c->heap, &c->cap_heap, c->n_heap + 1, sizeof x) != 0)
        return TOKD_ENOMEM;
    size_t i = c->n_heap++;
    while (i > 0 && before(&x, &c->heap[(i - 1) / 2])) {
        c->heap[i] = c->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    c->heap[i] = x;
    return 0;
}

static candidate heap_pop(bpe_call *c)
{
    candidate top = c->heap[0], last = c->heap[--c->n_heap];
    size_t i = 0;
    for (;;) {
        size_t k = 2 * i + 1;
        if (k >= c->n_heap)
            break;
        if (k + 1 < c->n_heap && before(&c->heap[k + 1], &c->heap[k]))
            k++;
        if (!before(&c->heap[k], &last))
            break;
        c->heap[i] = c->heap[k];
        i = k;
    }
    if (c->n_heap)
        c->heap[i] = last;
    return top;
}

/* MaybeAddNewSymbolPair: the pair (l, r) as a candidate if it makes a piece. */
static int offer_pair(bpe_call *c, int32_t l, int32_t r)
{
    if (l < 0 || r < 0 || c->sym[l].freeze || c->sym[r].freeze)
        return 0;
    uint32_t size = c->sym[l].len + c->sym[r].len;
    uint32_t id = mergeable(c->m, c->p + c->sym[l].start, size);
    if (id == TOKD__NO_RANK)
        return 0;
    if (c->m->kind[id] == TOKD__PIECE_UNUSED) {
        if (c->n_un == c->cap_un && tokd__reserve((void **)&c->un, &c->cap_un, c->n_un + 1, sizeof *c->un) != 0)
            return TOKD_ENOMEM;
        c->un[c->n_un++] = (unmerge){id, c->sym[l].len};
    }
    return heap_push(c, (candidate){c->m->score[id], (uint32_t)l, (uint32_t)r, size});
}

/* The symbols of p[a..b), from sym[0]. */
static size_t initial_symbols(bpe_call *c, size_t a, size_t b)
{
    size_t k = 0, len;
    for (size_t i = a; i < b; i += len, k++) {
        len = tokd__trie_longest(&c->m->user, c->p + i, b - i);
        c->sym[k].freeze = len > 0;
        if (!len)
            tokd__utf8_next(c->p, i, &len);
        c->sym[k].start = (uint32_t)i;
        c->sym[k].len = (uint32_t)len;
        c->sym[k].prev = (int32_t)k - 1;
        c->sym[k].next = i + len < b ? (int32_t)k + 1 : -1;
    }
    return k;
}

static int merge_all(bpe_call *c, size_t n_sym)
{
    int rc = 0;
    for (size_t i = 1; i < n_sym && rc == 0; i++)
        rc = offer_pair(c, (int32_t)i - 1, (int32_t)i);
    while (rc == 0 && c->n_heap) {
        candidate top = heap_pop(c);
        symbol *l = &c->sym[top.left], *r = &c->sym[top.right];
        if (!l->len || !r->len || l->len + r->len != top.size)
            continue;
        l->len += r->len;
        l->next = r->next;
        if (r->next >= 0)
            c->sym[r->next].prev = (int32_t)top.left;
        r->len = 0;
        rc = offer_pair(c, l->prev, (int32_t)top.left);
        if (rc == 0)
            rc = offer_pair(c, (int32_t)top.left, l->next);
    }
    return rc;
}

/* The left side's length of the pair that made unused piece `id`. */
static uint32_t unmerge_left(const bpe_call *c, uint32_t id)
{
    for (size_t i = c->n_un; i > 0; i--)
        if (c->un[i - 1].id == id)
            return c->un[i - 1].left_len;
    return 0;
}

typedef struct emitter {
    size_t unk_from, unk_to; /* a run of unknown text not yet written; from == to: none */
} emitter;

static int flush_unknown(const bpe_call *c, emitter *e, tokd__sink *k)
{
    if (e->unk_from == e->unk_to)
        return 0;
    int rc = tokd__unigram_emit_unknown(&c->m->o, NULL, c->p, e->unk_from, e->unk_to, k);
    e->unk_from = e->unk_to = 0;
    return rc;
}

/* resegment: the piece p[a..a+n) to the sink, unused pieces split back. */
static int emit_piece(const bpe_call *c, emitter *e, size_t a, size_t n, tokd__sink *k)
{
    uint32_t id = tokd__rankmap_get(c->m->map, c->p + a, n), left;
    if (id != TOKD__NO_RANK && c->m->kind[id] == TOKD__PIECE_UNUSED && (left = unmerge_left(c, id)) > 0) {
        int rc = emit_piece(c, e, a, left, k);
        return rc ? rc : emit_piece(c, e, a + left, n - left, k);
    }
    if (id == TOKD__NO_RANK || c->m->kind[id] == TOKD__PIECE_UNKNOWN) {
        if (e->unk_from == e->unk_to)
            e->unk_from = a;
        e->unk_to = a + n;
        return 0;
    }
    int rc = flush_unknown(c, e, k);
    return rc ? rc : tokd__sink_token(k, id, a, a + n);
}

static int is_meta(const uint8_t *p, size_t n, size_t i)
{
    return i + 3 <= n && !memcmp(p + i, META, 3);
}

/* The end of the stretch of p[0..n) that starts at a. */
static size_t stretch_end(const spm_bpe *m, const uint8_t *p, size_t n, size_t a)
{
    if (m->cut == CUT_NONE)
        return n;
    for (size_t i = a + 1; i < n; i++) {
        if (m->cut == CUT_BEFORE_META && is_meta(p, n, i) && (i < 3 || !is_meta(p, n, i - 3)))
            return i;
        if (m->cut == CUT_AFTER_META && i >= 3 && is_meta(p, n, i - 3) && !is_meta(p, n, i))
            return i;
    }
    return n;
}

static int spm_bpe_encode(const void *self, const uint8_t *p, size_t n, tokd__sink *sink)
{
    bpe_call c = {.m = self, .p = p, .sym = malloc(n * sizeof *c.sym)};
    if (!c.sym)
        return TOKD_ENOMEM;
    emitter e = {0, 0};
    int rc = 0;
    for (size_t a = 0, b; a < n && rc == 0; a = b) {
        b = stretch_end(c.m, p, n, a);
        c.n_heap = c.n_un = 0;
        rc = merge_all(&c, initial_symbols(&c, a, b));
        for (int32_t i = 0; rc == 0 && i >= 0; i = c.sym[i].next)
            rc = emit_piece(&c, &e, c.sym[i].start, c.sym[i].len, sink);
    }
    if (rc == 0)
        rc = flush_unknown(&c, &e, sink);
    free(c.sym);
    free(c.heap);
    free(c.un);
    return rc;
}

/* Which cut rule the pieces allow (see cut_rule). */
static enum cut_rule cut_rule_of(const spm_bpe *m, uint32_t n)
{
    int before = 1, after = 1;
    for (uint32_t id = 0; id < n; id++) {
        uint32_t len = tokd__rankmap_len(m->map, id);
        const uint8_t *s = m->map->bytes + m->map->offset[id];
        if (m->kind[id] > TOKD__PIECE_UNUSED)
            continue;
        for (uint32_t i = 0; i < len; i++) {
            if (!is_meta(s, len, i))
                continue;
            before &= i == 0 || (i >= 3 && is_meta(s, len, i - 3));
            after &= i + 3 == len || is_meta(s, len, i + 3);
        }
    }
    return before ? CUT_BEFORE_META : after ? CUT_AFTER_META : CUT_NONE;
}

static void spm_bpe_free(void *self)
{
    spm_bpe *m = self;
    if (!m)
        return;
    free(m->score);
    free(m->kind);
    tokd__trie_release(&m->user);
    free(m);
}

static const tokd__model_ops spm_bpe_ops = {"sentencepiece-bpe", spm_bpe_encode, spm_bpe_free};

int tokd__model_spm_bpe(const tokd__vocab *vocab, const double *score, const uint8_t *kind, tokd__trie *user,
                        const tokd__unigram_options *o, tokd__model *out)
{
    uint32_t n = vocab->map.n_ranks;
    spm_bpe *m = calloc(1, sizeof *m);
    if (m && (!(m->score = malloc(n * sizeof *m->score)) || !(m->kind = malloc(n)))) {
        spm_bpe_free(m);
        m = NULL;
    }
    if (!m) {
        tokd__trie_release(user);
        return TOKD_ENOMEM;
    }
    for (uint32_t i = 0; i < n; i++)
        m->score[i] = (float)score[i];
    memcpy(m->kind, kind, n);
    m->map = &vocab->map;
    m->user = *user;
    *user = (tokd__trie){0};
    m->o = *o;
    m->cut = cut_rule_of(m, n);
    *out = (tokd__model){&spm_bpe_ops, m};
    return 0;
}
