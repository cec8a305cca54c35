/* rxclass.c - rewriting an Oniguruma pattern for PCRE2 (see rxclass.h).
 *
 * One pass over the pattern copies it unchanged except for the escapes
 * whose meaning differs: a class escape (\p{..}, \s, \d, \w, \h and their
 * negations) becomes the reference's code points as ranges, bracketed
 * outside a class and inline inside one (a negated escape inside a class
 * becomes its complement); \uHHHH becomes \x{HHHH}. \Q..\E text is copied
 * as it is. A stack of group flags knows where (?i) is on (see
 * rewrite_class_escape) and turns Oniguruma's (?m), "dot matches newline",
 * into PCRE2's (?s). Surrogates are never members (PCRE2 rejects them in UTF
 * mode; valid UTF-8 has none). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "rxclass.h"

#define MAX_DEPTH 256 /* group nesting kept track of; deeper groups inherit */

/* A set of code points: those whose category bit is in `cats`, whose
 * flags meet `flags` or that are in `ranges` (a script or binary property,
 * rxclass_props.c), complemented when `negate`. hex: [0-9A-Fa-f]. */
typedef struct cpset {
    uint32_t cats;
    uint8_t flags;
    int negate, hex;
    const tokd__un_range *ranges;
    size_t n_ranges;
    int fold; /* closed under the reference's case folding */
} cpset;

#define CAT(c) (1u << TOKD__RX_##c)
#define GROUP_L (CAT(LU) | CAT(LL) | CAT(LT) | CAT(LM) | CAT(LO))
#define GROUP_M (CAT(MN) | CAT(MC) | CAT(ME))
#define GROUP_N (CAT(ND) | CAT(NL) | CAT(NO))
#define GROUP_P (CAT(PC) | CAT(PD) | CAT(PS) | CAT(PE) | CAT(PI) | CAT(PF) | CAT(PO))
#define GROUP_S (CAT(SM) | CAT(SC) | CAT(SK) | CAT(SO))
#define GROUP_Z (CAT(ZS) | CAT(ZL) | CAT(ZP))
#define GROUP_C (CAT(CC) | CAT(CF) | CAT(CS) | CAT(CO) | CAT(CN))

/* Property names as Oniguruma compares them: lower case, without spaces,
 * '_' and '-'. */
static const struct {
    const char *name;
    uint32_t cats;
} properties[] = {
    {"l", GROUP_L}, {"letter", GROUP_L}, {"lc", CAT(LU) | CAT(LL) | CAT(LT)},
    {"casedletter", CAT(LU) | CAT(LL) | CAT(LT)}, {"l&", CAT(LU) | CAT(LL) | CAT(LT)},
    {"lu", CAT(LU)}, {"uppercaseletter", CAT(LU)}, {"ll", CAT(LL)}, {"lowercaseletter", CAT(LL)},
    {"lt", CAT(LT)}, {"titlecaseletter", CAT(LT)}, {"lm", CAT(LM)}, {"modifierletter", CAT(LM)},
    {"lo", CAT(LO)}, {"otherletter", CAT(LO)},
    {"m", GROUP_M}, {"mark", GROUP_M}, {"combiningmark", GROUP_M}, {"mn", CAT(MN)}, {"nonspacingmark", CAT(MN)},
    {"mc", CAT(MC)}, {"spacingmark", CAT(MC)}, {"me", CAT(ME)}, {"enclosingmark", CAT(ME)},
    {"n", GROUP_N}, {"number", GROUP_N}, {"nd", CAT(ND)}, {"decimalnumber", CAT(ND)}, {"nl", CAT(NL)},
    {"letternumber", CAT(NL)}, {"no", CAT(NO)}, {"othernumber", CAT(NO)},
    {"p", GROUP_P}, {"punctuation", GROUP_P}, {"pc", CAT(PC)}, {"connectorpunctuation", CAT(PC)},
    {"pd", CAT(PD)}, {"dashpunctuation", CAT(PD)}, {"ps", CAT(PS)}, {"openpunctuation", CAT(PS)},
    {"pe", CAT(PE)}, {"closepunctuation", CAT(PE)}, {"pi", CAT(PI)}, {"initialpunctuation", CAT(PI)},
    {"pf", CAT(PF)}, {"finalpunctuation", CAT(PF)}, {"po", CAT(PO)}, {"otherpunctuation", CAT(PO)},
    {"s", GROUP_S}, {"symbol", GROUP_S}, {"sm", CAT(SM)}, {"mathsymbol", CAT(SM)}, {"sc", CAT(SC)},
    {"currencysymbol", CAT(SC)}, {"sk", CAT(SK)}, {"modifiersymbol", CAT(SK)}, {"so", CAT(SO)},
    {"othersymbol", CAT(SO)},
    {"z", GROUP_Z}, {"separator", GROUP_Z}, {"zs", CAT(ZS)}, {"spaceseparator", CAT(ZS)}, {"zl", CAT(ZL)},
    {"lineseparator", CAT(ZL)}, {"zp", CAT(ZP)}, {"paragraphseparator", CAT(ZP)},
    {"c", GROUP_C}, {"other", GROUP_C}, {"cc", CAT(CC)}, {"control", CAT(CC)}, {"cf", CAT(CF)},
    {"format", CAT(CF)}, {"cs", CAT(CS)}, {"surrogate", CAT(CS)}, {"co", CAT(CO)}, {"privateuse", CAT(CO)},
    {"cn", CAT(CN)}, {"unassigned", CAT(CN)},
    {"any", GROUP_L | GROUP_M | GROUP_N | GROUP_P | GROUP_S | GROUP_Z | GROUP_C},
};

static int member(const cpset *set, uint32_t cp)
{
    int in;
    if (set->hex)
        in = cp < 0x80 && isxdigit((int)cp);
    else if (set->ranges)
        in = tokd__un_in(set->ranges, set->n_ranges, cp);
    else {
        uint8_t v = tokd__rx_class(cp);
        in = ((set->cats >> (v & TOKD__RX_CATEGORY)) & 1) || (v & set->flags);
    }
    return in != set->negate;
}

/* The first fold pair of cp, or the end. */
static size_t first_fold(uint32_t cp)
{
    size_t lo = 0, hi = tokd__rx_n_folds;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (tokd__rx_folds[mid].cp < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* cp is in the set, or (fold) one of its orbit is. */
static int in_set(const cpset *set, uint32_t cp)
{
    if (cp >= 0xD800 && cp < 0xE000)
        return 0;
    if (member(set, cp))
        return 1;
    for (size_t i = set->fold ? first_fold(cp) : tokd__rx_n_folds; i < tokd__rx_n_folds && tokd__rx_folds[i].cp == cp;
         i++)
        if (member(set, tokd__rx_folds[i].mate))
            return 1;
    return 0;
}

/* Append `set` as PCRE2 class items (ranges of \x{..}). */
static int put_ranges(tokd_bytes *out, const cpset *set)
{
    int rc = 0;
    for (uint32_t cp = 0; cp < 0x110000 && rc == 0; cp++) {
        if (!in_set(set, cp))
            continue;
        uint32_t last = cp;
        while (last + 1 < 0x110000 && in_set(set, last + 1))
            last++;
        char buf[32];
        int len = last == cp ? snprintf(buf, sizeof buf, "\\x{%X}", (unsigned)cp)
                             : snprintf(buf, sizeof buf, "\\x{%X}-\\x{%X}", (unsigned)cp, (unsigned)last);
        rc = tokd__bytes_append(out, buf, (size_t)len);
        cp = last;
    }
    return rc;
}

static int prop_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const tokd__rx_prop *)elem)->name);
}

/* Point set at the ranges of the property named `norm` (Oniguruma's
 * spelling rules applied); 0 when neither a category nor a property. */
static int find_property(const char *norm, cpset *set)
{
    for (size_t i = 0; i < sizeof properties / sizeof properties[0]; i++)
        if (!strcmp(norm, properties[i].name))
            set->cats = properties[i].cats;
    if (set->cats)
        return 1;
    const tokd__rx_prop *p = bsearch(norm, tokd__rx_props, tokd__rx_n_props, sizeof *p, prop_cmp);
    if (!p)
        return 0;
    set->ranges = tokd__rx_prop_ranges + p->first;
    set->n_ranges = p->count;
    return 1;
}

/* The set a class escape at p (just after the backslash) names, and its
 * length in *len (from p); 0 when p is no class escape this file knows. */
static int class_escape(const char *p, cpset *set, size_t *len)
{
    *set = (cpset){0};
    *len = 1;
    switch (*p) {
    case 's': case 'S': set->flags = TOKD__RX_SPACE; break;
    case 'd': case 'D': set->flags = TOKD__RX_DIGIT; break;
    case 'w': case 'W': set->flags = TOKD__RX_WORD; break;
    case 'h': case 'H': set->hex = 1; break;
    case 'p': case 'P': {
        const char *close = p[1] == '{' ? strchr(p, '}') : NULL;
        if (!close)
            return 0;
        const char *name = p + 2;
        if (*name == '^') {
            set->negate = 1;
            name++;
        }
        char norm[64];
        size_t k = 0;
        for (const char *c = name; c < close && k + 1 < sizeof norm; c++)
            if (*c != ' ' && *c != '_' && *c != '-')
                norm[k++] = (char)tolower((unsigned char)*c);
        norm[k] = '\0';
        if (!find_property(norm, set))
            return 0;
        *len = (size_t)(close - p) + 1;
        break;
    }
    default:
        return 0;
    }
    if (isupper((unsigned char)*p))
        set->negate = !set->negate;
    return 1;
}

typedef struct rewriter {
    const char *pattern, *p;
    tokd_bytes out;
    int caseless[MAX_DEPTH]; /* per open group: (?i) in force */
    int depth, deeper;       /* deeper: groups opened past MAX_DEPTH (they inherit) */
    tokd_error *err;
} rewriter;

static int put(rewriter *w, const char *s, size_t n)
{
    return tokd__bytes_append(&w->out, s, n);
}

/* A class escape in or out of a bracket: 1 if rewritten, 0 if not one.
 * Under (?i) Oniguruma folds the case of a bracket's members but not of a
 * bare class escape: inside a bracket the ranges are the set's closure
 * under the reference's folding; outside, they are kept from folding by
 * (?-i:..). */
static int rewrite_class_escape(rewriter *w, int in_bracket, int *rc)
{
    cpset set;
    size_t len;
    if (!class_escape(w->p + 1, &set, &len))
        return 0;
    set.fold = in_bracket && w->caseless[w->depth];
    const char *open = w->caseless[w->depth] ? "(?-i:[" : "[", *close = w->caseless[w->depth] ? "])" : "]";
    *rc = in_bracket ? 0 : put(w, open, strlen(open));
    if (*rc == 0)
        *rc = put_ranges(&w->out, &set);
    if (*rc == 0 && !in_bracket)
        *rc = put(w, close, strlen(close));
    w->p += 1 + len;
    return 1;
}

/* Any other escape: \Q..\E copied whole, \uHHHH as \x{HHHH}, else the
 * backslash and the next character. */
static int copy_escape(rewriter *w)
{
    const char *p = w->p;
    if (p[1] == 'Q') {
        const char *e = strstr(p, "\\E");
        size_t n = e ? (size_t)(e - p) + 2 : strlen(p);
        w->p += n;
        return put(w, p, n);
    }
    if (p[1] == 'u' && strspn(p + 2, "0123456789abcdefABCDEF") >= 4) {
        char buf[16];
        int len = snprintf(buf, sizeof buf, "\\x{%.4s}", p + 2);
        w->p += 6;
        return put(w, buf, (size_t)len);
    }
    size_t n = p[1] ? 2 : 1;
    while (n > 1 && ((unsigned char)p[n] & 0xC0) == 0x80) /* the rest of a multi-byte character */
        n++;
    w->p += n;
    return put(w, p, n);
}

static int unsupported(rewriter *w, const char *what)
{
    size_t at = (size_t)(w->p - w->pattern);
    tokd_error_set(w->err, TOKD_EPATTERN, "pattern has %s at offset %zu, Oniguruma syntax that tokd does not translate",
                   what, at);
    if (w->err)
        w->err->position = at + 1;
    return TOKD_EPATTERN;
}

/* A bracket class from its '[' to its ']'. */
static int rewrite_bracket(rewriter *w)
{
    const char *start = w->p;
    size_t head = 1 + (start[1] == '^');
    if (start[head] == ']') /* a leading ']' is a literal */
        head++;
    int rc = put(w, start, head);
    w->p += head;
    while (rc == 0 && *w->p && *w->p != ']') {
        if (*w->p == '[' && w->p[1] == ':') {
            const char *e = strstr(w->p, ":]");
            size_t n = e ? (size_t)(e - w->p) + 2 : strlen(w->p);
            rc = put(w, w->p, n);
            w->p += n;
        } else if (*w->p == '[' || (*w->p == '&' && w->p[1] == '&')) {
            return unsupported(w, *w->p == '[' ? "a nested class" : "a class intersection (&&)");
        } else if (*w->p == '\\') {
            if (!rewrite_class_escape(w, 1, &rc))
                rc = copy_escape(w);
        } else {
            rc = put(w, w->p++, 1);
        }
    }
    if (rc == 0 && *w->p == ']')
        rc = put(w, w->p++, 1);
    return rc;
}

/* '(' and, for (?flags) and (?flags:, the flags: i sets the group's (or,
 * without ':', the enclosing group's) caseless state; m becomes s. */
static int open_group(rewriter *w)
{
    int inherited = w->caseless[w->depth], on = 1, caseless = inherited;
    int rc = put(w, w->p++, 1);
    if (*w->p == '?') {
        size_t n = strspn(w->p + 1, "imx-");
        if (w->p[1 + n] == ':' || w->p[1 + n] == ')') {
            rc = rc ? rc : put(w, "?", 1);
            for (size_t i = 1; i <= n && rc == 0; i++) {
                char f = w->p[i] == 'm' ? 's' : w->p[i];
                on = f == '-' ? 0 : on;
                caseless = f == 'i' ? on : caseless;
                rc = put(w, &f, 1);
            }
            w->p += 1 + n;
            if (*w->p == ')') { /* (?i): the rest of the enclosing group */
                w->caseless[w->depth] = caseless;
                return rc ? rc : put(w, w->p++, 1);
            }
        }
    }
    if (w->depth + 1 < MAX_DEPTH)
        w->caseless[++w->depth] = caseless;
    else
        w->deeper++;
    return rc;
}

int tokd__rx_rewrite(const char *pattern, char **out, tokd_error *err)
{
    rewriter w = {.pattern = pattern, .p = pattern, .err = err};
    int rc = 0;
    while (rc == 0 && *w.p) {
        if (*w.p == '\\') {
            if (!rewrite_class_escape(&w, 0, &rc))
                rc = copy_escape(&w);
        } else if (*w.p == '[') {
            rc = rewrite_bracket(&w);
        } else if (*w.p == '(') {
            rc = open_group(&w);
        } else {
            if (*w.p == ')' && w.deeper > 0)
                w.deeper--;
            else if (*w.p == ')' && w.depth > 0)
                w.depth--;
            rc = put(&w, w.p++, 1);
        }
    }
    if (rc == 0 && !w.out.data)
        rc = put(&w, "", 0);
    if (rc != 0) {
        tokd_bytes_release(&w.out);
        return rc;
    }
    *out = w.out.data;
    return 0;
}
