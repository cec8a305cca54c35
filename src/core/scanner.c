/* scanner.c - hand-written scanners for tiktoken's built-in regexes.
 *
 * Each function returns the end of the piece its regex finds at s[i], with
 * the regex's exact backtracking semantics (leftmost alternative first,
 * greedy quantifiers). The patterns, with U = [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]
 * and W = [\p{Ll}\p{Lm}\p{Lo}\p{M}], C = contraction ('s 't 're 've 'm 'll 'd):
 *
 * r50k   C | ' '?L+ | ' '?N+ | ' '?[^\s L N]+ | \s+(?!\S) | \s+
 * cl100k (?i:C) | [^\r\n L N]?L+ | N{1,3} | ' '?[^\s L N]+[\r\n]* | \s*[\r\n]+
 *        | \s+(?!\S) | \s+
 * o200k  [^\r\n L N]?U*W+(?i:C)? | [^\r\n L N]?U+W*(?i:C)? | N{1,3}
 *        | ' '?[^\s L N]+[\r\n/]* | \s*[\r\n]+ | \s+(?!\S) | \s+
 *
 * Worked-out consequences used below:
 * - \s*[\r\n]+ over a whitespace run ends just after the run's last CR/LF.
 * - \s+(?!\S) over a run of k >= 2 whitespace followed by a non-space drops
 *   the last whitespace code point; a single one falls through to \s+.
 * - U*W+ backtracks U* until W+ can start: at the end of the U-run if a W
 *   follows, else at the last W inside the run (Lm, Lo and M are in both).
 * - Under (?i), 's' also matches U+017F LATIN SMALL LETTER LONG S in the
 *   reference; gen_unicode_tables.cjs checks that no other fold matters. */
#include <string.h>

#include "pretok.h"
#include "tokd/tokenizer.h"
#include "unicode.h"
#include "utf8.h"

#define UC_LNW (TOKD__UC_L | TOKD__UC_N | TOKD__UC_WS)

/* ASCII's classes: block 0 of the table (the generator numbers blocks in
 * code point order, so U+0000..U+00FF is always block 0). */
#define ASCII_CLASS tokd__uc_stage2[0]

static inline uint8_t class_at(const uint8_t *s, size_t i, size_t *len)
{
    if (s[i] < 0x80) {
        *len = 1;
        return ASCII_CLASS[s[i]];
    }
    return tokd__uc_class(tokd__utf8_next(s, i, len));
}

#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/* Skip whole words of eight ASCII bytes that all lie in [lo, hi] once
 * OR-ed with `fold` (0x20 folds A-Z onto a-z): per byte, x + (0x80 - lo)
 * has its high bit set iff x >= lo, and x + (0x7F - hi) iff x > hi. A
 * non-ASCII byte may carry into the bytes after it, but it fails the test
 * itself, and the first failing byte is where the span ends. */
static inline size_t ascii_span(const uint8_t *s, size_t n, size_t i, uint8_t fold, uint8_t lo, uint8_t hi)
{
    while (n - i >= 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        uint64_t x = w | fold * ONES;
        uint64_t in = (x + (0x80u - lo) * ONES) & ~(x + (0x7Fu - hi) * ONES) & ~w & HIGHS;
        if (in != HIGHS)
            return i + (size_t)__builtin_ctzll(~in & HIGHS) / 8;
        i += 8;
    }
    return i;
}

/* End of the run of code points whose class has a bit of `mask` (`want`
 * 1) or none (`want` 0); ASCII bytes take one table load each, and runs of
 * ASCII letters (the only ASCII code points of \p{L}; of Ll, a-z) a word
 * at a time. */
static inline size_t run(const uint8_t *s, size_t n, size_t i, uint8_t mask, int want)
{
    size_t len;
    if (want && mask == TOKD__UC_L)
        i = ascii_span(s, n, i, 0x20, 'a', 'z');
    else if (want && mask == TOKD__UC_LOWERISH)
        i = ascii_span(s, n, i, 0, 'a', 'z');
    for (;;) {
        while (i < n && s[i] < 0x80 && ((ASCII_CLASS[s[i]] & mask) != 0) == want)
            i++;
        if (i == n || s[i] < 0x80 || ((class_at(s, i, &len) & mask) != 0) != want)
            return i;
        i += len;
    }
}

static inline size_t run_any(const uint8_t *s, size_t n, size_t i, uint8_t mask)
{
    return run(s, n, i, mask, 1);
}

static inline size_t run_none(const uint8_t *s, size_t n, size_t i, uint8_t mask)
{
    return run(s, n, i, mask, 0);
}

static size_t digits_upto3(const uint8_t *s, size_t n, size_t i)
{
    size_t len;
    for (int k = 0; k < 3 && i < n && (class_at(s, i, &len) & TOKD__UC_N); k++)
        i += len;
    return i;
}

/* Length of the contraction starting with the apostrophe at s[i], or 0. */
static size_t contraction(const uint8_t *s, size_t n, size_t i, int caseless)
{
    if (i + 1 >= n)
        return 0;
    uint8_t a = s[i + 1], b = i + 2 < n ? s[i + 2] : 0;
    if (caseless) {
        if (a == 0xC5 && b == 0xBF) /* U+017F folds to 's' */
            return 3;
        a |= 0x20;
        b |= 0x20;
    }
    if (a == 's' || a == 't' || a == 'm' || a == 'd')
        return 2;
    if (((a == 'r' || a == 'v') && b == 'e') || (a == 'l' && b == 'l'))
        return 3;
    return 0;
}

static int is_crlf(uint8_t c)
{
    return c == '\r' || c == '\n';
}

/* The whitespace alternatives, at a whitespace code point s[i]. With
 * `newlines`, \s*[\r\n]+ comes first (cl100k, o200k). */
static size_t whitespace(const uint8_t *s, size_t n, size_t i, int newlines)
{
    size_t j = i, last = i, nl_end = 0, count = 0, len;
    while (j < n && (class_at(s, j, &len) & TOKD__UC_WS)) {
        if (newlines && is_crlf(s[j]))
            nl_end = j + 1;
        last = j;
        j += len;
        count++;
    }
    if (nl_end)
        return nl_end;
    return j == n || count == 1 ? j : last;
}

/* ' '?[^\s L N]+ followed by [\r\n]* (cl100k) or [\r\n/]* (o200k: with
 * `slash`), at s[i]; 0 if that alternative does not match here. */
static size_t punctuation(const uint8_t *s, size_t n, size_t i, int slash)
{
    size_t len, j = i;
    if (s[i] == ' ' && i + 1 < n && !(class_at(s, i + 1, &len) & UC_LNW))
        j = i + 1;
    if (class_at(s, j, &len) & UC_LNW)
        return 0;
    j = run_none(s, n, j, UC_LNW);
    while (j < n && (is_crlf(s[j]) || (slash && s[j] == '/')))
        j++;
    return j;
}

static size_t scan_r50k(const uint8_t *s, size_t n, size_t i)
{
    size_t len, k;
    if (s[i] == '\'' && (k = contraction(s, n, i, 0)))
        return i + k;
    size_t j = i;
    uint8_t c = class_at(s, i, &len);
    if (s[i] == ' ' && i + 1 < n && !(class_at(s, i + 1, &len) & TOKD__UC_WS)) {
        j = i + 1;
        c = class_at(s, j, &len);
    }
    if (c & TOKD__UC_L)
        return run_any(s, n, j, TOKD__UC_L);
    if (c & TOKD__UC_N)
        return run_any(s, n, j, TOKD__UC_N);
    if (!(c & TOKD__UC_WS))
        return run_none(s, n, j, UC_LNW);
    return whitespace(s, n, i, 0);
}

static size_t scan_cl100k(const uint8_t *s, size_t n, size_t i)
{
    size_t len, len2, k;
    if (s[i] == '\'' && (k = contraction(s, n, i, 1)))
        return i + k;
    uint8_t c = class_at(s, i, &len);
    if (c & TOKD__UC_L)
        return run_any(s, n, i, TOKD__UC_L);
    if (!(c & TOKD__UC_N) && !is_crlf(s[i]) && i + len < n &&
        (class_at(s, i + len, &len2) & TOKD__UC_L))
        return run_any(s, n, i + len, TOKD__UC_L);
    if (c & TOKD__UC_N)
        return digits_upto3(s, n, i);
    if ((k = punctuation(s, n, i, 0)))
        return k;
    return whitespace(s, n, i, 1);
}

/* U*W+ at p: 0 if it does not match. */
static size_t upper_then_lower(const uint8_t *s, size_t n, size_t p)
{
    size_t q = p, last_w = SIZE_MAX, len;
    while (q < n) {
        uint8_t c = class_at(s, q, &len);
        if (!(c & TOKD__UC_UPPERISH))
            break;
        if (c & TOKD__UC_LOWERISH)
            last_w = q;
        q += len;
    }
    if (q < n && (class_at(s, q, &len) & TOKD__UC_LOWERISH))
        return run_any(s, n, q, TOKD__UC_LOWERISH);
    if (last_w == SIZE_MAX)
        return 0;
    class_at(s, last_w, &len);
    return last_w + len;
}

/* U+W* at p: 0 if it does not match. */
static size_t upper_run(const uint8_t *s, size_t n, size_t p)
{
    size_t q = run_any(s, n, p, TOKD__UC_UPPERISH);
    return q == p ? 0 : run_any(s, n, q, TOKD__UC_LOWERISH);
}

static size_t with_contraction(const uint8_t *s, size_t n, size_t e)
{
    return e < n && s[e] == '\'' ? e + contraction(s, n, e, 1) : e;
}

/* The two letter alternatives of o200k, each tried with the optional
 * prefix taken first and then without it, as the regex backtracks. */
static size_t o200k_letters(const uint8_t *s, size_t n, size_t i, size_t plen)
{
    size_t (*const body[2])(const uint8_t *, size_t, size_t) = {upper_then_lower, upper_run};
    for (int b = 0; b < 2; b++) {
        size_t e;
        if (plen && i + plen < n && (e = body[b](s, n, i + plen)))
            return with_contraction(s, n, e);
        if ((e = body[b](s, n, i)))
            return with_contraction(s, n, e);
    }
    return 0;
}

static size_t scan_o200k(const uint8_t *s, size_t n, size_t i)
{
    size_t len, k;
    uint8_t c = class_at(s, i, &len);
    size_t plen = (c & (TOKD__UC_L | TOKD__UC_N)) || is_crlf(s[i]) ? 0 : len;
    if ((c & (TOKD__UC_UPPERISH | TOKD__UC_LOWERISH)) || plen) {
        if ((k = o200k_letters(s, n, i, plen)))
            return k;
    }
    if (c & TOKD__UC_N)
        return digits_upto3(s, n, i);
    if ((k = punctuation(s, n, i, 1)))
        return k;
    return whitespace(s, n, i, 1);
}

size_t tokd__scan(enum tokd__scanner sc, const uint8_t *s, size_t n, size_t i)
{
    switch (sc) {
    case TOKD__SCAN_R50K:
        return scan_r50k(s, n, i);
    case TOKD__SCAN_CL100K:
        return scan_cl100k(s, n, i);
    case TOKD__SCAN_O200K:
        return scan_o200k(s, n, i);
    case TOKD__SCAN_PCRE2:
        break;
    }
    return n;
}

/* Where a text may be cut for streaming (tokd__scan_cut, pretok.h): at c
 * with s[c-1] ending a letter (\p{L}, valid UTF-8) and s[c] an ASCII byte
 * that is neither a letter nor an apostrophe. Why the pieces before c are
 * the same whatever follows s[c]:
 * - the piece holding the letter at c-1 ends at c. Only a letter
 *   alternative or a contraction can hold a letter: r50k's ' ?L+', cl100k's
 *   '[^\r\n L N]?L+' and o200k's U*W+ / U+W* runs stop at the first code
 *   point outside L (U and W hold no ASCII non-letter), o200k's optional
 *   contraction after them needs an apostrophe at c, and a contraction
 *   ending at c-1 is complete ('s, 't, 'm, 'd; 're, 've, 'll end in a
 *   letter that a letter at c would have to continue);
 * - every decision for a piece before c reads at most up to s[c]: each run
 *   (letters, digits, whitespace, punctuation) ends at the first code point
 *   outside its class and reads that one, and no class other than the
 *   letters' holds the letter at c-1; o200k's U-run backtracking reads the
 *   run, which ends at c; a contraction reads two bytes past its
 *   apostrophe, which is before c-1.
 * s[c] being ASCII also makes c a boundary of the invalid-UTF-8 replacement
 * (no maximal invalid subsequence crosses an ASCII byte). */
static int cut_here(const uint8_t *s, size_t c)
{
    uint8_t b = s[c];
    if (b >= 0x80 || b == '\'' || (ASCII_CLASS[b] & TOKD__UC_L))
        return 0;
    size_t lead = c - 1, len;
    while (lead > 0 && c - lead < 4 && (s[lead] & 0xC0) == 0x80)
        lead--;
    if (!tokd_utf8_valid((const char *)s + lead, c - lead))
        return 0;
    return (class_at(s, lead, &len) & TOKD__UC_L) && lead + len == c;
}

size_t tokd__scan_cut(const uint8_t *s, size_t n)
{
    for (size_t c = n ? n - 1 : 0; c > 0; c--)
        if (cut_here(s, c))
            return c;
    return 0;
}

