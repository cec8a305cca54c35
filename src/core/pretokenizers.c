/* pretokenizers.c - the pre-tokenizer steps (see pretokenizer.h).
 *
 * Splitting steps only cut spans over the pieces' text; rewriting steps
 * (Metaspace, prefix space) write a new text with its alignment. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "pretokenizer.h"
#include "rxclass.h"
#include "script.h"
#include "unicode.h"
#include "unorm.h"
#include "utf8.h"

int tokd__splits_push(tokd__splits *p, size_t start, size_t end)
{
    if (end == start)
        return 0;
    if (tokd__reserve((void **)&p->v, &p->cap, p->n + 1, sizeof *p->v) != 0)
        return TOKD_ENOMEM;
    p->v[p->n++] = (tokd__span){start, end};
    return 0;
}

void tokd__splits_release(tokd__splits *p)
{
    tokd__ntext_release(&p->text);
    free(p->v);
    *p = (tokd__splits){.text = {.s = ""}};
}

/* Replace *p's spans by next's (same text). */
static void take_spans(tokd__splits *p, tokd__splits *next)
{
    free(p->v);
    p->v = next->v;
    p->n = next->n;
    p->cap = next->cap;
}

/* ---- regex steps ----------------------------------------------------------- */

typedef struct regex_step {
    tokd__pretok re;
    enum tokd__split_behavior behavior;
    int keep_gaps; /* Hugging Face keeps the text between matches; tiktoken drops it */
    int invert;    /* Hugging Face's invert: the text between matches is what behavior acts on */
} regex_step;

/* Pieces of one span in order, each flagged as a match or not, then
 * combined by Hugging Face's SplitDelimiterBehavior. */
typedef struct part {
    size_t start, end;
    int match;
} part;

typedef struct parts {
    part *v;
    size_t n, cap;
} parts;

/* Append a part; an empty one too (an empty regex match still takes part
 * in the behaviour, as in Hugging Face). */
static int add_part(parts *ps, size_t start, size_t end, int match)
{
    if (tokd__reserve((void **)&ps->v, &ps->cap, ps->n + 1, sizeof *ps->v) != 0)
        return TOKD_ENOMEM;
    ps->v[ps->n++] = (part){start, end, match};
    return 0;
}

/* Apply `b` to the parts in place; returns their new number. As Hugging
 * Face's NormalizedString::split: a match is merged into its neighbour
 * only when that neighbour is not a match; Contiguous joins each run of
 * parts that are all matches or all not. */
static size_t combine(part *v, size_t n, enum tokd__split_behavior b)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int match = v[i].match == 1, prev_match = i > 0 && v[i - 1].match == 1;
        int next_is_text = i + 1 < n && v[i + 1].match != 1;
        if (b == TOKD__SPLIT_REMOVED && match)
            continue;
        if (b == TOKD__SPLIT_MERGED_PREVIOUS && match && !prev_match && k > 0) {
            v[k - 1].end = v[i].end;
            continue;
        }
        if (b == TOKD__SPLIT_CONTIGUOUS && k > 0 && match == prev_match) {
            v[k - 1].end = v[i].end;
            continue;
        }
        if (b == TOKD__SPLIT_MERGED_NEXT && match && next_is_text) {
            v[i + 1].start = v[i].start;
            v[i + 1].match = 2; /* text that swallowed a match: not a match itself */
            continue;
        }
        v[k++] = v[i];
    }
    return k;
}

/* Non-empty text [start, end) as a part. */
static int add_gap(parts *ps, size_t start, size_t end, int match)
{
    return end > start ? add_part(ps, start, end, match) : 0;
}

/* Where a search for the next match goes on: Oniguruma's find_iter as
 * Hugging Face runs it, where an empty match is a match, except one right
 * where the last match ended (the search then moves one character on). */
typedef struct finder {
    size_t pos, last_end;
    int any;
} finder;

static int find_next(const regex_step *r, const uint8_t *s, size_t n, finder *f, size_t *start, size_t *end)
{
    int rc;
    while ((rc = tokd__pretok_find(&r->re, s, n, f->pos, start, end)) == 1) {
        if (*end > *start || !f->any || *end != f->last_end)
            break;
        size_t len = 1;
        if (f->pos < n)
            tokd__utf8_next(s, f->pos, &len);
        f->pos += len;
    }
    if (rc == 1) {
        f->pos = f->last_end = *end;
        f->any = 1;
    }
    return rc;
}

/* The matches (and gaps, if kept) of s[0..n) into ps. */
static int match_parts(const void *self, const uint8_t *s, size_t n, parts *ps)
{
    const regex_step *r = self;
    finder f = {0};
    size_t pos = 0, start, end;
    int rc;
    while ((rc = find_next(r, s, n, &f, &start, &end)) == 1) {
        rc = r->keep_gaps ? add_gap(ps, pos, start, r->invert) : 0;
        if (rc == 0)
            rc = add_part(ps, start, end, !r->invert);
        if (rc != 0)
            return rc;
        pos = end;
    }
    return rc == 0 && r->keep_gaps ? add_gap(ps, pos, n, r->invert) : rc;
}

/* Cut each piece of *p into the parts `find` gives, combined by `b`. */
typedef int (*parts_fn)(const void *self, const uint8_t *s, size_t n, parts *ps);

static int split_parts(const void *self, parts_fn find, enum tokd__split_behavior b, tokd__splits *p)
{
    tokd__splits next = {0};
    parts ps = {0};
    int rc = 0;
    for (size_t k = 0; k < p->n && rc == 0; k++) {
        tokd__span sp = p->v[k];
        ps.n = 0;
        rc = find(self, (const uint8_t *)p->text.s + sp.start, sp.end - sp.start, &ps);
        size_t np = rc == 0 ? combine(ps.v, ps.n, b) : 0;
        for (size_t i = 0; i < np && rc == 0; i++)
            rc = tokd__splits_push(&next, sp.start + ps.v[i].start, sp.start + ps.v[i].end);
    }
    free(ps.v);
    take_spans(p, &next);
    return rc;
}

static int regex_split(const void *self, tokd__splits *p, int at_start)
{
    (void)at_start;
    return split_parts(self, match_parts, ((const regex_step *)self)->behavior, p);
}

/* One piece at a time, for the Isolated behaviour: the text before a match
 * (if kept), then the match, from position `from` on. A scanner's pieces
 * cover the text.
 *
 * Why a scan is memoryless (each_from): a scanner's piece at i is a pure
 * function of s[i..n) (scanner.c reads nothing before i), and the next
 * piece starts at its end. With PCRE2 the loop's only state is `pos`, and
 * each search is pcre2_match over the whole s[0..n) from pos, so what it
 * finds depends on pos alone (lookbehinds and ^ see the real text before
 * pos; an empty match where a search starts yields no piece, and the one
 * right after a match, which a fresh finder keeps, yields none either, so
 * the pieces from any piece boundary are the same); after a kept
 * gap [pos, start) the pending match [start, end) is what a search from
 * `start` finds first, since an attempt at one start position does not
 * depend on where the search began, unless the pattern uses \G (the start
 * of the search), which is why such patterns do not resume. */
static int regex_each_from(const void *self, const uint8_t *s, size_t n, size_t from, tokd__piece_fn fn, void *ctx)
{
    const regex_step *r = self;
    int rc = 0;
    if (r->re.scanner != TOKD__SCAN_PCRE2) {
        for (size_t i = from, e; i < n && rc == 0; i = e) {
            e = tokd__scan(r->re.scanner, s, n, i);
            rc = fn(ctx, i, e);
        }
        return rc;
    }
    finder f = {from, 0, 0};
    size_t pos = from, start, end;
    while ((rc = find_next(r, s, n, &f, &start, &end)) == 1) {
        if (r->keep_gaps && start > pos && (rc = fn(ctx, pos, start)) != 0)
            return rc;
        if (end > start && (rc = fn(ctx, start, end)) != 0)
            return rc;
        pos = end;
    }
    return rc == 0 && r->keep_gaps && pos < n ? fn(ctx, pos, n) : rc;
}

static int regex_each(const void *self, const uint8_t *s, size_t n, tokd__piece_fn fn, void *ctx)
{
    return regex_each_from(self, s, n, 0, fn, ctx);
}

static void regex_free(void *self)
{
    regex_step *r = self;
    if (!r)
        return;
    tokd__pretok_release(&r->re);
    free(r);
}

/* The built-in scanners prove their cuts (scanner.c); PCRE2 patterns do not. */
static int regex_cut(const void *self, const uint8_t *s, size_t n, size_t *at)
{
    const regex_step *r = self;
    if (r->re.scanner == TOKD__SCAN_PCRE2)
        return TOKD_EUNSUPPORTED;
    *at = tokd__scan_cut(s, n);
    return 0;
}

static const tokd__pretokenizer_ops regex_ops = {"regex", regex_split, regex_each, regex_free, NULL, regex_cut};
static const tokd__pretokenizer_ops resumable_ops = {"regex", regex_split, regex_each, regex_free, regex_each_from,
                                                     regex_cut};
static const tokd__pretokenizer_ops split_ops = {"Split", regex_split, NULL, regex_free, NULL, NULL};

/* Hugging Face's Split with the Removed behaviour and invert is tiktoken's
 * step: only the matches are kept, each alone (and it streams). */
static int make_regex(tokd__pretok re, const tokd__split_options *o, int keep_gaps, tokd__pretokenizer *out)
{
    regex_step *r = calloc(1, sizeof *r);
    if (!r) {
        tokd__pretok_release(&re);
        return TOKD_ENOMEM;
    }
    r->re = re;
    r->behavior = o->behavior;
    r->keep_gaps = keep_gaps;
    r->invert = o->invert;
    if (keep_gaps && o->invert && o->behavior == TOKD__SPLIT_REMOVED)
        *r = (regex_step){re, TOKD__SPLIT_ISOLATED, 0, 0};
    const tokd__pretokenizer_ops *streaming = strstr(re.pattern, "\\G") ? &regex_ops : &resumable_ops;
    *out = (tokd__pretokenizer){r->behavior == TOKD__SPLIT_ISOLATED ? streaming : &split_ops, r};
    return 0;
}

int tokd__pretokenizer_regex(const char *pattern, tokd__pretokenizer *out, tokd_error *err)
{
    tokd__pretok re;
    int rc = tokd__pretok_init(&re, pattern, 1, err);
    tokd__split_options o = {pattern, 0, TOKD__SPLIT_ISOLATED, 0};
    return rc ? rc : make_regex(re, &o, 0, out);
}

/* A PCRE2 pattern matching s literally: ASCII punctuation escaped. */
static char *literal_pattern(const char *s)
{
    char *p = malloc(2 * strlen(s) + 1), *q = p;
    for (; p && *s; s++) {
        if ((unsigned char)*s < 0x80 && !((*s >= '0' && *s <= '9') || ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'z')))
            *q++ = '\\';
        *q++ = *s;
    }
    if (p)
        *q = '\0';
    return p;
}

int tokd__pretokenizer_split(const tokd__split_options *o, tokd__pretokenizer *out, tokd_error *err)
{
    tokd__pretok re;
    int rc;
    if (o->literal) {
        char *lit = literal_pattern(o->pattern);
        rc = lit ? tokd__pretok_init(&re, lit, 0, err) : TOKD_ENOMEM;
        free(lit);
    } else {
        rc = tokd__pretok_init_onig(&re, o->pattern, err);
    }
    return rc ? rc : make_regex(re, o, 1, out);
}

/* ---- Punctuation ------------------------------------------------------------ */

typedef struct punct_step {
    enum tokd__split_behavior behavior;
} punct_step;

/* Each punctuation character of s[0..n) a match of its own, the text
 * between them gaps. */
static int punct_parts(const void *self, const uint8_t *s, size_t n, parts *ps)
{
    (void)self;
    size_t len, run = 0;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i += len) {
        if (!tokd__un_in(tokd__un_punctuation, tokd__un_n_punctuation, tokd__utf8_next(s, i, &len)))
            continue;
        rc = add_gap(ps, run, i, 0);
        if (rc == 0)
            rc = add_part(ps, i, i + len, 1);
        run = i + len;
    }
    return rc ? rc : add_gap(ps, run, n, 0);
}

static int punct_split(const void *self, tokd__splits *p, int at_start)
{
    (void)at_start;
    return split_parts(self, punct_parts, ((const punct_step *)self)->behavior, p);
}

static const tokd__pretokenizer_ops punct_ops = {"Punctuation", punct_split, NULL, free, NULL, NULL};

int tokd__pretokenizer_punctuation(enum tokd__split_behavior behavior, tokd__pretokenizer *out)
{
    punct_step *st = malloc(sizeof *st);
    if (!st)
        return TOKD_ENOMEM;
    st->behavior = behavior;
    *out = (tokd__pretokenizer){&punct_ops, st};
    return 0;
}

/* ---- Whitespace ------------------------------------------------------------- */

/* Hugging Face's Whitespace: the matches of \w+|[^\w\s]+ as Rust's regex
 * crate has the classes (its \w, unorm.h, is wider than Oniguruma's): runs
 * of word characters and runs of other characters, white space removed. */
enum char_kind { WORD, SPACE, OTHER };

static enum char_kind kind_of(uint32_t cp)
{
    if (tokd__un_in(tokd__un_words, tokd__un_n_words, cp))
        return WORD;
    return tokd__rx_class(cp) & TOKD__RX_SPACE ? SPACE : OTHER;
}

static int whitespace_parts(const void *self, const uint8_t *s, size_t n, parts *ps)
{
    (void)self;
    size_t len, run = 0;
    enum char_kind run_kind = SPACE;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i += len) {
        enum char_kind k = kind_of(tokd__utf8_next(s, i, &len));
        if (i > run && k != run_kind) {
            rc = add_part(ps, run, i, run_kind == SPACE);
            run = i;
        }
        run_kind = k;
    }
    return rc ? rc : add_gap(ps, run, n, run_kind == SPACE);
}

static int whitespace_split(const void *self, tokd__splits *p, int at_start)
{
    (void)at_start;
    return split_parts(self, whitespace_parts, TOKD__SPLIT_REMOVED, p);
}

static const tokd__pretokenizer_ops whitespace_ops = {"Whitespace", whitespace_split, NULL, NULL, NULL, NULL};

int tokd__pretokenizer_whitespace(tokd__pretokenizer *out)
{
    *out = (tokd__pretokenizer){&whitespace_ops, NULL};
    return 0;
}

/* ---- FixedLength ------------------------------------------------------------ */

typedef struct fixed_step {
    size_t length;
} fixed_step;

static int fixed_split(const void *self, tokd__splits *p, int at_start)
{
    const fixed_step *st = self;
    (void)at_start;
    tokd__splits next = {0};
    int rc = 0;
    for (size_t k = 0; k < p->n && rc == 0; k++) {
        size_t i = p->v[k].start, run = i, count = 0, len;
        for (; i < p->v[k].end && rc == 0; i += len) {
            tokd__utf8_next((const uint8_t *)p->text.s, i, &len);
            if (count++ == st->length) {
                rc = tokd__splits_push(&next, run, i);
                run = i;
                count = 1;
            }
        }
        if (rc == 0)
            rc = tokd__splits_push(&next, run, p->v[k].end);
    }
    take_spans(p, &next);
    return rc;
}

static const tokd__pretokenizer_ops fixed_ops = {"FixedLength", fixed_split, NULL, free, NULL, NULL};

int tokd__pretokenizer_fixed_length(size_t length, tokd__pretokenizer *out)
{
    fixed_step *st = malloc(sizeof *st);
    if (!st)
        return TOKD_ENOMEM;
    st->length = length;
    *out = (tokd__pretokenizer){&fixed_ops, st};
    return 0;
}

/* ---- UnicodeScripts --------------------------------------------------------- */

/* Hugging Face's UnicodeScripts: a cut before each character whose script
 * class differs from the last one seen; "Any" characters never cut and
 * are not seen. Text before the first cut (leading "Any") is dropped, and
 * a piece of only "Any" characters with it, as the reference does. */
static int scripts_piece(const uint8_t *s, tokd__span sp, tokd__splits *next)
{
    size_t cut = sp.end, len;
    int last = -1, rc = 0;
    for (size_t i = sp.start; i < sp.end && rc == 0; i += len) {
        uint8_t c = tokd__script_class(tokd__utf8_next(s, i, &len));
        if (c == TOKD__SCRIPT_ANY || c == last)
            continue;
        if (last >= 0)
            rc = tokd__splits_push(next, cut, i);
        cut = i;
        last = c;
    }
    return rc ? rc : tokd__splits_push(next, cut, sp.end);
}

static int scripts_split(const void *self, tokd__splits *p, int at_start)
{
    (void)self;
    (void)at_start;
    tokd__splits next = {0};
    int rc = 0;
    for (size_t k = 0; k < p->n && rc == 0; k++)
        rc = scripts_piece((const uint8_t *)p->text.s, p->v[k], &next);
    take_spans(p, &next);
    return rc;
}

static const tokd__pretokenizer_ops scripts_ops = {"UnicodeScripts", scripts_split, NULL, NULL, NULL, NULL};

int tokd__pretokenizer_unicode_scripts(tokd__pretokenizer *out)
{
    *out = (tokd__pretokenizer){&scripts_ops, NULL};
    return 0;
}

/* ---- Digits ---------------------------------------------------------------- */

typedef struct digits_step {
    int individual;
} digits_step;

static int digits_split(const void *self, tokd__splits *p, int at_start)
{
    const digits_step *d = self;
    (void)at_start;
    tokd__splits next = {0};
    int rc = 0;
    for (size_t k = 0; k < p->n && rc == 0; k++) {
        const uint8_t *s = (const uint8_t *)p->text.s;
        size_t i = p->v[k].start, run = i, len;
        int run_digit = 0;
        while (i < p->v[k].end && rc == 0) {
            int digit = (tokd__uc_class(tokd__utf8_next(s, i, &len)) & TOKD__UC_N) != 0;
            if (i > run && (digit != run_digit || (digit && d->individual))) {
                rc = tokd__splits_push(&next, run, i);
                run = i;
            }
            run_digit = digit;
            i += len;
        }
        if (rc == 0)
            rc = tokd__splits_push(&next, run, p->v[k].end);
    }
    take_spans(p, &next);
    return rc;
}

static const tokd__pretokenizer_ops digits_ops = {"Digits", digits_split, NULL, free, NULL, NULL};

int tokd__pretokenizer_digits(int individual, tokd__pretokenizer *out)
{
    digits_step *d = malloc(sizeof *d);
    if (!d)
        return TOKD_ENOMEM;
    d->individual = individual;
    *out = (tokd__pretokenizer){&digits_ops, d};
    return 0;
}

/* ---- rewriting steps ------------------------------------------------------- */

typedef struct metaspace_step {
    char *replacement;
    int prepend; /* 0 never, 1 always, 2 first */
    int split;
} metaspace_step;

/* Length of the character at s[i]. */
static size_t char_len(const char *s, size_t i)
{
    size_t len;
    tokd__utf8_next((const uint8_t *)s, i, &len);
    return len;
}

/* One piece, Metaspace-rewritten into out (its pieces pushed). */
static int metaspace_piece(const metaspace_step *m, const tokd__ntext *in, tokd__span sp, int first,
                           tokd__splits *out)
{
    const char *s = in->s + sp.start, *rep = m->replacement;
    size_t n = sp.end - sp.start, rl = strlen(rep), begin = out->text.n, run = 0;
    /* decided after spaces become the replacement, as Hugging Face does */
    int starts = s[0] == ' ' || (n >= rl && memcmp(s, rep, rl) == 0);
    int rc = 0;
    if ((m->prepend == 1 || (m->prepend == 2 && first)) && !starts)
        rc = tokd__ntext_put(&out->text, rep, rl, in, sp.start, sp.start + char_len(in->s, sp.start));
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (s[i] != ' ')
            continue;
        rc = tokd__ntext_copy(&out->text, in, sp.start + run, sp.start + i);
        if (rc == 0)
            rc = tokd__ntext_put(&out->text, rep, rl, in, sp.start + i, sp.start + i + 1);
        run = i + 1;
    }
    if (rc == 0)
        rc = tokd__ntext_copy(&out->text, in, sp.start + run, sp.end);
    size_t end = out->text.n, cut = begin;
    for (size_t i = begin + 1; m->split && rc == 0 && i + rl <= end; i++)
        if (memcmp(out->text.s + i, rep, rl) == 0) { /* merged with next */
            rc = tokd__splits_push(out, cut, i);
            cut = i;
        }
    return rc ? rc : tokd__splits_push(out, cut, end);
}

static int metaspace_split(const void *self, tokd__splits *p, int at_start)
{
    tokd__splits next = {.text = tokd__ntext_empty(&p->text)};
    int rc = 0;
    for (size_t k = 0; k < p->n && rc == 0; k++)
        rc = metaspace_piece(self, &p->text, p->v[k], at_start && k == 0 && p->v[k].start == 0, &next);
    tokd__splits_release(p);
    *p = next;
    return rc;
}

static void metaspace_free(void *self)
{
    metaspace_step *m = self;
    if (m)
        free(m->replacement);
    free(m);
}

static const tokd__pretokenizer_ops metaspace_ops = {"Metaspace", metaspace_split, NULL, metaspace_free, NULL, NULL};

int tokd__pretokenizer_metaspace(const char *replacement, int prepend, int split, tokd__pretokenizer *out)
{
    metaspace_step *m = calloc(1, sizeof *m);
    if (!m || !(m->replacement = strdup(replacement))) {
        free(m);
        return TOKD_ENOMEM;
    }
    m->prepend = prepend;
    m->split = split;
    *out = (tokd__pretokenizer){&metaspace_ops, m};
    return 0;
}

static int prefix_space_split(const void *self, tokd__splits *p, int at_start)
{
    (void)self;
    (void)at_start;
    tokd__splits next = {.text = tokd__ntext_empty(&p->text)};
    int rc = 0;
    for (size_t k = 0; k < p->n && rc == 0; k++) {
        tokd__span sp = p->v[k];
        size_t begin = next.text.n;
        if (p->text.s[sp.start] != ' ')
            rc = tokd__ntext_put(&next.text, " ", 1, &p->text, sp.start, sp.start + char_len(p->text.s, sp.start));
        if (rc == 0)
            rc = tokd__ntext_copy(&next.text, &p->text, sp.start, sp.end);
        if (rc == 0)
            rc = tokd__splits_push(&next, begin, next.text.n);
    }
    tokd__splits_release(p);
    *p = next;
    return rc;
}

static const tokd__pretokenizer_ops prefix_space_ops = {"ByteLevel add_prefix_space", prefix_space_split, NULL, NULL, NULL, NULL};

int tokd__pretokenizer_prefix_space(tokd__pretokenizer *out)
{
    *out = (tokd__pretokenizer){&prefix_space_ops, NULL};
    return 0;
}
