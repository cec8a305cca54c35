/* stream.c - counting a text that arrives in parts, in a bounded window
 * (tokd_count_stream, tokd/tokenizer.h).
 *
 * The window holds the text read so far that is not yet counted. After
 * each read the window is cut at the last place where the text provably
 * may be cut, the part before it counted on its own and dropped, the rest
 * kept for the next read. A place is provable when every step the counted
 * part passes through gives the same answer cut there as whole:
 * - the pre-tokenizer (its `cut` op; for the built-in scanners, after a
 *   letter and before an ASCII non-letter, scanner.c);
 * - invalid UTF-8 replacement: the cut is before an ASCII byte, which no
 *   maximal invalid subsequence crosses;
 * - added tokens: no occurrence of any added token's text spans the cut,
 *   so leftmost-longest matching finds the same matches on both sides (and
 *   a disallowed token lies wholly in one part);
 * - no normalizer, no added token with options that look at its
 *   neighbours (lstrip, rstrip, single_word) or at normalized text, and no
 *   post-processor tokens (they would be added to each part).
 * Where that is not so, the whole input is read into the window first.
 *
 * Ownership: the window is this module's and freed before returning. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "pipeline.h"
#include "stream.h"

#define DEFAULT_CHUNK ((size_t)4 << 20)

static int plain_tokens(const tokd__token_set *set)
{
    for (size_t i = 0; i < set->n; i++)
        if (set->items[i].lstrip || set->items[i].rstrip || set->items[i].single_word || set->items[i].normalized)
            return 0;
    return 1;
}

int tokd_count_streams(const tokd_tokenizer *tok, const tokd_specials *sp)
{
    size_t at;
    if (tok->n_norms || tok->n_pres != 1 || !tok->pres[0].ops->cut ||
        tok->pres[0].ops->cut(tok->pres[0].self, (const uint8_t *)"", 0, &at) != 0)
        return 0;
    if (tok->added.normalized.n || !plain_tokens(&tok->added.specials) || !plain_tokens(&tok->added.plain))
        return 0;
    return !(sp && sp->add_special_tokens && (tok->n_prefix || tok->n_suffix));
}

/* 1 if an occurrence of a token of `set` in s[0..n) starts before c and
 * ends after it. */
static int spans(const tokd__token_set *set, const uint8_t *s, size_t n, size_t c)
{
    if (set->n == 0)
        return 0;
    size_t longest = set->lens[0], pos = c >= longest ? c - longest + 1 : 0, at, index;
    size_t end = n - c > longest ? c + longest : n;
    const tokd__token_filter all = {.all = 1};
    while (tokd__token_set_find(set, all, s, end, pos, &at, &index) && at < c) {
        if (at + set->items[index].len > c)
            return 1;
        pos = at + 1;
    }
    return 0;
}

static size_t longest(const tokd__token_set *set)
{
    return set->n ? set->lens[0] : 0;
}

/* The largest added token, in bytes. */
static size_t ahead_of(const tokd_tokenizer *tok)
{
    size_t a = longest(&tok->added.specials), b = longest(&tok->added.plain);
    return a > b ? a : b;
}

/* The last provable cut c in s[0..n), lo < c < n - ahead, into *cut (0:
 * none). `ahead` (ahead_of) bytes must follow a place for it to count, so
 * that spans() sees every added token that could cross it. The places up
 * to lo were looked at before (the pre-tokenizer's test at a place reads
 * only the bytes just before and at it). */
static int find_cut(const tokd_tokenizer *tok, const uint8_t *s, size_t n, size_t ahead, size_t lo, size_t *cut)
{
    const tokd__pretokenizer *p = &tok->pres[0];
    size_t c = n > ahead ? n - ahead : 0;
    *cut = 0;
    while (c > lo + 1) {
        size_t at;
        int rc = p->ops->cut(p->self, s + lo, c - lo, &at);
        if (rc != 0 || at == 0)
            return rc;
        c = lo + at;
        if (!spans(&tok->added.specials, s, n, c) && !spans(&tok->added.plain, s, n, c)) {
            *cut = c;
            return 0;
        }
    }
    return 0;
}

typedef struct window {
    tokd_bytes b;
    size_t searched; /* places in b below this were looked at for a cut */
    size_t before; /* input bytes counted and dropped */
    size_t total;
} window;

/* Count b[0..n) and drop it. */
static int count_front(const tokd_tokenizer *tok, const tokd_specials *sp, const tokd_limits *lim, window *w,
                       size_t n, tokd_error *err)
{
    size_t k;
    int rc = tokd__count_part(tok, w->b.data ? w->b.data : "", n, sp, lim, w->before, &k, err);
    if (rc != 0)
        return rc;
    w->total += k;
    memmove(w->b.data, w->b.data + n, w->b.len - n);
    w->b.len -= n;
    w->before += n;
    return 0;
}

/* Read one chunk onto the window: the bytes read (0 at the end) or a
 * negative code. */
static long fill(window *w, size_t chunk, tokd_read_fn read, void *arg, tokd_error *err)
{
    if (tokd__bytes_reserve(&w->b, chunk) != 0)
        return tokd_error_set(err, TOKD_ENOMEM, "out of memory for a %zu-byte window of the input", w->b.len + chunk);
    long got = read(arg, w->b.data + w->b.len, chunk);
    if (got < 0)
        return tokd_error_set(err, (int)got, "reading the input failed after %zu bytes", w->before + w->b.len);
    w->b.len += (size_t)got;
    return got;
}

int tokd_count_stream(const tokd_tokenizer *tok, const tokd_specials *sp, unsigned max_threads, size_t chunk,
                      tokd_read_fn read, void *arg, size_t *count, tokd_error *err)
{
    const tokd_limits lim = {.max_threads = max_threads};
    int streams = tokd_count_streams(tok, sp);
    size_t ahead = ahead_of(tok);
    window w = {0};
    long got = 0;
    int rc = 0;
    chunk = chunk ? chunk : DEFAULT_CHUNK;
    *count = 0;
    while (rc == 0 && (got = fill(&w, chunk, read, arg, err)) > 0) {
        size_t cut = 0, lo = w.searched > 4 ? w.searched - 4 : 0; /* a code point's bytes again */
        if (streams)
            rc = find_cut(tok, (const uint8_t *)w.b.data, w.b.len, ahead, lo, &cut);
        w.searched = (w.b.len > ahead ? w.b.len - ahead : 0) - cut;
        if (rc == 0 && cut > 0)
            rc = count_front(tok, sp, &lim, &w, cut, err);
    }
    if (rc == 0 && got < 0)
        rc = (int)got;
    if (rc == 0)
        rc = count_front(tok, sp, &lim, &w, w.b.len, err);
    if (rc == 0)
        *count = w.total;
    tokd_bytes_release(&w.b);
    return rc;
}
