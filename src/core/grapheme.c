/* grapheme.c - UAX #29 extended grapheme cluster boundaries (grapheme.h).
 * Binary search over the generated ranges, then the pair rules with the
 * two pieces of state the rules need: an emoji ZWJ sequence so far (GB11)
 * and the parity of a run of regional indicators (GB12, GB13). */
#include "grapheme.h"
#include "utf8.h"

/* The range of v[0..n) holding cp, or NULL. */
static const tokd__gcb_range *find(const tokd__gcb_range *v, size_t n, uint32_t cp)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cp < v[mid].lo)
            hi = mid;
        else if (cp > v[mid].hi)
            lo = mid + 1;
        else
            return &v[mid];
    }
    return NULL;
}

static enum tokd__gcb gcb(uint32_t cp)
{
    const tokd__gcb_range *r = find(tokd__gcb_ranges, tokd__gcb_n_ranges, cp);
    return r ? (enum tokd__gcb)r->cls : TOKD__GCB_OTHER;
}

static int pictographic(uint32_t cp)
{
    return find(tokd__pictographic_ranges, tokd__pictographic_n_ranges, cp) != NULL;
}

static int is_control(enum tokd__gcb c)
{
    return c == TOKD__GCB_CR || c == TOKD__GCB_LF || c == TOKD__GCB_CONTROL;
}

/* GB6-GB8: Hangul syllable sequences. */
static int hangul_joins(enum tokd__gcb a, enum tokd__gcb b)
{
    if (a == TOKD__GCB_L)
        return b == TOKD__GCB_L || b == TOKD__GCB_V || b == TOKD__GCB_LV || b == TOKD__GCB_LVT;
    if (a == TOKD__GCB_LV || a == TOKD__GCB_V)
        return b == TOKD__GCB_V || b == TOKD__GCB_T;
    return (a == TOKD__GCB_LVT || a == TOKD__GCB_T) && b == TOKD__GCB_T;
}

typedef struct gstate {
    enum tokd__gcb prev;
    int emoji;    /* 0: none; 1: ExtPict Extend*; 2: ... ZWJ */
    size_t n_ri;  /* regional indicators in a row so far */
} gstate;

/* 1 when there is no boundary between the previous character and one of
 * class c (pictographic: is it Extended_Pictographic). */
static int joins(const gstate *g, enum tokd__gcb c, int pict)
{
    if (g->prev == TOKD__GCB_CR && c == TOKD__GCB_LF)
        return 1;
    if (is_control(g->prev) || is_control(c))
        return 0;
    if (hangul_joins(g->prev, c))
        return 1;
    if (c == TOKD__GCB_EXTEND || c == TOKD__GCB_ZWJ || c == TOKD__GCB_SPACINGMARK || g->prev == TOKD__GCB_PREPEND)
        return 1;
    if (g->emoji == 2 && pict)
        return 1;
    return g->prev == TOKD__GCB_RI && c == TOKD__GCB_RI && g->n_ri % 2 == 1;
}

static void advance(gstate *g, enum tokd__gcb c, int pict)
{
    if (pict)
        g->emoji = 1;
    else if (g->emoji == 1 && c == TOKD__GCB_ZWJ)
        g->emoji = 2;
    else if (!(g->emoji == 1 && c == TOKD__GCB_EXTEND))
        g->emoji = 0;
    g->n_ri = c == TOKD__GCB_RI ? g->n_ri + 1 : 0;
    g->prev = c;
}

size_t tokd__grapheme_len(const uint8_t *s, size_t n, size_t i)
{
    size_t len, start = i;
    uint32_t cp = tokd__utf8_next(s, i, &len);
    gstate g = {TOKD__GCB_OTHER, 0, 0};
    advance(&g, gcb(cp), pictographic(cp));
    for (i += len; i < n; i += len) {
        cp = tokd__utf8_next(s, i, &len);
        enum tokd__gcb c = gcb(cp);
        int pict = pictographic(cp);
        if (!joins(&g, c, pict))
            break;
        advance(&g, c, pict);
    }
    return i - start;
}
