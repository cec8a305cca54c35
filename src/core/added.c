/* added.c - added tokens: the call's policy and Hugging Face's matching
 * rules (see added.h). */
#include <stdlib.h>
#include <string.h>

#include "added.h"
#include "unicode.h"
#include "utf8.h"

/* ---- the tokens by id ------------------------------------------------------ */

static const tokd__added_token *nth(const tokd__added *a, uint32_t i)
{
    return i < a->specials.n ? &a->specials.items[i] : &a->plain.items[i - a->specials.n];
}

int tokd__added_index(tokd__added *a)
{
    size_t n = a->specials.n + a->plain.n;
    a->by_id = malloc((n ? n : 1) * sizeof *a->by_id);
    if (!a->by_id)
        return TOKD_ENOMEM;
    /* insertion sort, stable: for an id with two names, the first listed
     * one decodes (o200k_harmony's 200018 is <|endofprompt|>) */
    for (size_t i = 0; i < n; i++) {
        size_t j = i;
        while (j > 0 && nth(a, a->by_id[j - 1])->id > nth(a, (uint32_t)i)->id) {
            a->by_id[j] = a->by_id[j - 1];
            j--;
        }
        a->by_id[j] = (uint32_t)i;
    }
    return 0;
}

void tokd__added_release(tokd__added *a)
{
    tokd__token_set_release(&a->specials);
    tokd__token_set_release(&a->plain);
    tokd__token_set_release(&a->normalized);
    free(a->normalized_special);
    free(a->by_id);
    *a = (tokd__added){0};
}

const tokd__added_token *tokd__added_decode_form(const tokd__added *a, uint32_t id)
{
    const tokd__added_token *x = a->normalized.n ? tokd__added_by_id(a, id) : NULL;
    if (!x || !x->normalized)
        return NULL;
    for (size_t i = 0; i < a->normalized.n; i++)
        if (a->normalized.items[i].id == id)
            return &a->normalized.items[i];
    return NULL;
}

const tokd__added_token *tokd__added_by_id(const tokd__added *a, uint32_t id)
{
    size_t lo = 0, hi = a->specials.n + a->plain.n;
    while (lo < hi) { /* first token with id >= wanted */
        size_t mid = lo + (hi - lo) / 2;
        if (nth(a, a->by_id[mid])->id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < a->specials.n + a->plain.n && nth(a, a->by_id[lo])->id == id ? nth(a, a->by_id[lo]) : NULL;
}

static uint32_t set_max_id(const tokd__token_set *ss, uint32_t at_least)
{
    for (size_t i = 0; i < ss->n; i++)
        at_least = ss->items[i].id >= at_least ? ss->items[i].id + 1 : at_least;
    return at_least;
}

uint32_t tokd__added_max_id(const tokd__added *a, uint32_t at_least)
{
    return set_max_id(&a->plain, set_max_id(&a->specials, at_least));
}

/* ---- the policy -------------------------------------------------------------- */

static int mark_names(const tokd__added *a, const char *tok_name, const char *const *names, size_t n,
                      uint8_t *mask, const char *what, tokd_error *err)
{
    for (size_t i = 0; i < n; i++) {
        long k = tokd__token_set_index(&a->specials, names[i], strlen(names[i]));
        if (k < 0)
            return tokd_error_set(err, TOKD_EINVAL, "%s names '%s', which is not a special token of %s", what,
                                  names[i], tok_name);
        mask[k] = 1;
    }
    return 0;
}

/* Which normalized tokens this call matches: the non-special ones, and the
 * special ones the policy allows. */
static void normalized_filter(const tokd__added *a, tokd__policy *p, uint8_t *mask)
{
    p->normalized = (tokd__token_filter){p->allowed.all, NULL, 0};
    if (p->allowed.all || !a->normalized.n)
        return;
    for (size_t i = 0; i < a->normalized.n; i++) {
        uint32_t s = a->normalized_special[i];
        mask[i] = s == UINT32_MAX || (p->allowed.mask && p->allowed.mask[s]);
    }
    p->normalized.mask = mask;
}

/* Masks are allocated only when a list or normalized tokens are involved:
 * the default policy (and "all" / "none") costs nothing per call. */
int tokd__policy_resolve(const tokd__added *a, const char *name, const tokd_specials *sp, tokd__policy *p,
                         tokd_error *err)
{
    static const tokd_specials defaults;
    if (!sp)
        sp = &defaults;
    size_t n = a->specials.n;
    int allow_list = sp->allowed_mode == TOKD_ALLOW_LIST;
    int dis_list = sp->disallowed_mode == TOKD_DISALLOW_LIST ||
                   (sp->disallowed_mode == TOKD_DISALLOW_ALL && allow_list);
    int norm = a->normalized.n && sp->allowed_mode != TOKD_ALLOW_ALL;
    *p = (tokd__policy){{sp->allowed_mode == TOKD_ALLOW_ALL, NULL, 0},
                        {sp->disallowed_mode == TOKD_DISALLOW_ALL && sp->allowed_mode == TOKD_ALLOW_NONE, NULL, 1},
                        {sp->allowed_mode == TOKD_ALLOW_ALL, NULL, 0},
                        NULL};
    if (!allow_list && !dis_list && !norm)
        return 0;
    if (!(p->masks = calloc(2 * n + a->normalized.n + 1, 1)))
        return TOKD_ENOMEM;
    int rc = 0;
    if (allow_list) {
        p->allowed.mask = p->masks;
        rc = mark_names(a, name, sp->allowed, sp->n_allowed, p->masks, "allowed_special", err);
    }
    normalized_filter(a, p, p->masks + 2 * n);
    if (rc != 0 || !dis_list)
        return rc;
    uint8_t *dis = p->masks + n;
    p->disallowed.mask = dis;
    if (sp->disallowed_mode == TOKD_DISALLOW_LIST)
        return mark_names(a, name, sp->disallowed, sp->n_disallowed, dis, "disallowed_special", err);
    for (size_t i = 0; i < n; i++) /* every special that is not allowed */
        dis[i] = !p->allowed.mask[i];
    return 0;
}

void tokd__policy_release(tokd__policy *p)
{
    free(p->masks);
    p->masks = NULL;
}

int tokd__added_disallowed(const tokd__added *a, const tokd__policy *p, const uint8_t *s, size_t n, size_t *at,
                           const tokd__added_token **token)
{
    size_t k;
    if (!tokd__token_set_find(&a->specials, p->disallowed, s, n, 0, at, &k))
        return 0;
    *token = &a->specials.items[k];
    return 1;
}

/* ---- matching -------------------------------------------------------------- */

/* Rust regex's \w: alphanumeric, marks, connector punctuation, joiners. */
static int word_char(uint32_t cp)
{
    static const uint32_t pc[] = {0x5F, 0x200C, 0x200D, 0x203F, 0x2040, 0x2054, 0xFE33, 0xFE34, 0xFE4D, 0xFE4E,
                                  0xFE4F, 0xFF3F};
    if (tokd__uc_class(cp) & (TOKD__UC_L | TOKD__UC_M | TOKD__UC_N))
        return 1;
    for (size_t i = 0; i < sizeof pc / sizeof pc[0]; i++)
        if (pc[i] == cp)
            return 1;
    return 0;
}

/* The code point that ends s[0..i) (valid UTF-8, i > 0). */
static uint32_t cp_before(const uint8_t *s, size_t i, size_t *start)
{
    size_t j = i - 1, len;
    while (j > 0 && (s[j] & 0xC0) == 0x80)
        j--;
    *start = j;
    return tokd__utf8_next(s, j, &len);
}

static int single_word_ok(const uint8_t *s, size_t n, size_t start, size_t end)
{
    size_t at, len;
    return (start == 0 || !word_char(cp_before(s, start, &at))) &&
           (end == n || !word_char(tokd__utf8_next(s, end, &len)));
}

static const tokd__added_token *earliest(const tokd__token_set *a, tokd__token_filter fa, const tokd__token_set *b,
                                         tokd__token_filter fb, const uint8_t *s, size_t n, size_t pos, size_t *at)
{
    size_t a1, k1, a2, k2;
    int f1 = tokd__token_set_find(a, fa, s, n, pos, &a1, &k1);
    int f2 = b && tokd__token_set_find(b, fb, s, n, pos, &a2, &k2);
    const tokd__added_token *x1 = f1 ? &a->items[k1] : NULL, *x2 = f2 ? &b->items[k2] : NULL;
    if (x1 && (!x2 || a1 < a2 || (a1 == a2 && x1->len >= x2->len))) {
        *at = a1;
        return x1;
    }
    *at = a2;
    return x2;
}

/* Hugging Face's find_matches over the tokens of a (passing fa) and b
 * (passing fb). */
static const tokd__added_token *find_added(const tokd__token_set *a, tokd__token_filter fa, const tokd__token_set *b,
                                           tokd__token_filter fb, const uint8_t *s, size_t n, size_t pos, size_t seg,
                                           size_t *start, size_t *end)
{
    const tokd__added_token *x;
    size_t at, len;
    while ((x = earliest(a, fa, b, fb, s, n, pos, &at))) {
        if (!x->single_word || single_word_ok(s, n, at, at + x->len))
            break;
        pos = at + x->len; /* discarded; the search goes on after it, as Hugging Face's does */
    }
    if (!x)
        return NULL;
    *start = at;
    *end = at + x->len;
    while (x->lstrip && *start > seg) {
        size_t prev;
        if (!(tokd__uc_class(cp_before(s, *start, &prev)) & TOKD__UC_WS))
            break;
        *start = prev;
    }
    while (x->rstrip && *end < n && (tokd__uc_class(tokd__utf8_next(s, *end, &len)) & TOKD__UC_WS))
        *end += len;
    return x;
}

const tokd__added_token *tokd__added_next(const tokd__added *a, const tokd__policy *p, const uint8_t *s, size_t n,
                                          size_t pos, size_t seg, size_t *start, size_t *end)
{
    static const tokd__token_filter always = {1, NULL, 0};
    return find_added(&a->specials, p->allowed, a->plain.n ? &a->plain : NULL, always, s, n, pos, seg, start, end);
}

const tokd__added_token *tokd__added_next_normalized(const tokd__added *a, const tokd__policy *p, const uint8_t *s,
                                                     size_t n, size_t pos, size_t *start, size_t *end)
{
    return find_added(&a->normalized, p->normalized, NULL, p->normalized, s, n, pos, pos, start, end);
}
