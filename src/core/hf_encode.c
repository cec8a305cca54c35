/* hf_encode.c - running a tokenizer.json pipeline on one segment of text,
 * and its decoder.
 *
 * Pieces are spans over one working buffer; a step that changes text
 * (normalizers, Metaspace, ByteLevel's prefix space) writes a new buffer,
 * the splitting steps only cut spans. Each piece then goes through BPE from
 * its initial symbols: bytes for byte-level vocabularies, else characters,
 * with byte_fallback (<0xXX> per byte) or unk for characters outside the
 * vocabulary. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "hf.h"
#include "nfc.h"
#include "tokenizer_impl.h"
#include "unicode.h"
#include "utf8.h"

typedef struct span {
    size_t start, len;
} span;

typedef struct pieces {
    tokd_bytes buf;
    span *v;
    size_t n, cap;
} pieces;

static int push(pieces *p, size_t start, size_t len)
{
    if (len == 0)
        return 0;
    if (tokd__reserve((void **)&p->v, &p->cap, p->n + 1, sizeof *p->v) != 0)
        return TOKD_ENOMEM;
    p->v[p->n++] = (span){start, len};
    return 0;
}

static void pieces_release(pieces *p)
{
    tokd_bytes_release(&p->buf);
    free(p->v);
}

/* Append s[0..n) with every `from` replaced by `to`. */
static int replace_into(tokd_bytes *out, const char *s, size_t n, const char *from, const char *to)
{
    size_t fl = strlen(from), tl = strlen(to), i = 0, run = 0;
    int rc = 0;
    while (rc == 0 && i + fl <= n) {
        if (memcmp(s + i, from, fl) == 0) {
            rc = tokd__bytes_append(out, s + run, i - run);
            if (rc == 0)
                rc = tokd__bytes_append(out, to, tl);
            i += fl;
            run = i;
        } else {
            i++;
        }
    }
    return rc ? rc : tokd__bytes_append(out, s + run, n - run);
}

int tokd__hf_normalize(const tokd__hf *hf, const uint8_t *s, size_t n, tokd_bytes *out)
{
    int rc = tokd__bytes_append(out, s, n);
    for (size_t k = 0; k < hf->n_norms && rc == 0; k++) {
        const tokd__hf_normalizer *x = &hf->norms[k];
        tokd_bytes next = {0};
        if (x->kind == TOKD__NORM_PREPEND) {
            if (out->len)
                rc = tokd__bytes_append(&next, x->a, strlen(x->a));
            if (rc == 0)
                rc = tokd__bytes_append(&next, out->data ? out->data : "", out->len);
        } else if (x->kind == TOKD__NORM_NFC) {
            rc = tokd__nfc((const uint8_t *)(out->data ? out->data : ""), out->len, &next);
        } else {
            rc = replace_into(&next, out->data ? out->data : "", out->len, x->a, x->b);
        }
        tokd_bytes_release(out);
        *out = next;
    }
    return rc;
}

/* Pieces of one span in order, each flagged as a regex match or not, then
 * combined by Hugging Face's SplitDelimiterBehavior. */
typedef struct part {
    size_t start, end;
    int match;
} part;

static int add_part(part **v, size_t *n, size_t *cap, size_t start, size_t end, int match)
{
    if (end == start)
        return 0;
    if (tokd__reserve((void **)v, cap, *n + 1, sizeof **v) != 0)
        return TOKD_ENOMEM;
    (*v)[(*n)++] = (part){start, end, match};
    return 0;
}

/* Apply `b` to the parts in place; returns their new number. A match is
 * merged into its neighbour only when that neighbour is not a match. */
static size_t combine(part *v, size_t n, enum tokd__hf_behavior b)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int prev_match = i > 0 && v[i - 1].match, next_is_text = i + 1 < n && !v[i + 1].match;
        if (b == TOKD__SPLIT_REMOVED && v[i].match)
            continue;
        if (b == TOKD__SPLIT_MERGED_PREVIOUS && v[i].match && !prev_match && k > 0) {
            v[k - 1].end = v[i].end;
            continue;
        }
        if (b == TOKD__SPLIT_CONTIGUOUS && k > 0 && v[i].match && prev_match) {
            v[k - 1].end = v[i].end;
            continue;
        }
        if (b == TOKD__SPLIT_MERGED_NEXT && v[i].match && next_is_text) {
            v[i + 1].start = v[i].start;
            v[i + 1].match = 2; /* text that swallowed a match: not a match itself */
            continue;
        }
        v[k++] = v[i];
    }
    return k;
}

/* Split every span with a regex; the text between matches is kept too. */
static int split_regex(const tokd__hf_pretokenizer *x, const pieces *in, pieces *out)
{
    int rc = 0;
    part *v = NULL;
    size_t cap = 0;
    for (size_t k = 0; k < in->n && rc == 0; k++) {
        const uint8_t *s = (const uint8_t *)in->buf.data + in->v[k].start;
        size_t n = in->v[k].len, pos = 0, start, end, np = 0;
        while (rc == 0 && (rc = tokd__pretok_next(&x->re, s, n, pos, &start, &end)) == 1) {
            rc = add_part(&v, &np, &cap, pos, start, 0);
            if (rc == 0)
                rc = add_part(&v, &np, &cap, start, end, 1);
            pos = end;
        }
        if (rc == 0)
            rc = add_part(&v, &np, &cap, pos, n, 0);
        np = rc == 0 ? combine(v, np, x->behavior) : 0;
        for (size_t i = 0; i < np && rc == 0; i++)
            rc = push(out, in->v[k].start + v[i].start, v[i].end - v[i].start);
    }
    free(v);
    return rc;
}

/* Digits: each digit alone (individual) or each run of digits, isolated. */
static int split_digits(int individual, const pieces *in, pieces *out)
{
    int rc = 0;
    for (size_t k = 0; k < in->n && rc == 0; k++) {
        const uint8_t *s = (const uint8_t *)in->buf.data + in->v[k].start;
        size_t n = in->v[k].len, i = 0, run = 0, len;
        int run_digit = 0;
        while (i < n && rc == 0) {
            int digit = (tokd__uc_class(tokd__utf8_next(s, i, &len)) & TOKD__UC_N) != 0;
            if (i > run && (digit != run_digit || (digit && individual))) {
                rc = push(out, in->v[k].start + run, i - run);
                run = i;
            }
            run_digit = digit;
            i += len;
        }
        if (rc == 0)
            rc = push(out, in->v[k].start + run, n - run);
    }
    return rc;
}

/* Rewrite every span into a new buffer: Metaspace (replace ' ', prepend,
 * split before each replacement) or ByteLevel's prefix space. */
static int rewrite(const tokd__hf_pretokenizer *x, int at_start, const pieces *in, pieces *out)
{
    int rc = 0;
    for (size_t k = 0; k < in->n && rc == 0; k++) {
        const char *s = in->buf.data + in->v[k].start;
        size_t n = in->v[k].len, begin = out->buf.len;
        if (x->kind == TOKD__PRE_BYTELEVEL) {
            if (s[0] != ' ')
                rc = tokd__bytes_append(&out->buf, " ", 1);
            rc = rc ? rc : tokd__bytes_append(&out->buf, s, n);
            rc = rc ? rc : push(out, begin, out->buf.len - begin);
            continue;
        }
        size_t rl = strlen(x->replacement);
        int first = at_start && k == 0 && in->v[k].start == 0;
        /* decided after spaces become the replacement, as Hugging Face does */
        int starts = n && (s[0] == ' ' || (n >= rl && memcmp(s, x->replacement, rl) == 0));
        if ((x->prepend == 1 || (x->prepend == 2 && first)) && !starts)
            rc = tokd__bytes_append(&out->buf, x->replacement, rl);
        rc = rc ? rc : replace_into(&out->buf, s, n, " ", x->replacement);
        size_t end = out->buf.len, cut = begin;
        for (size_t i = begin + 1; x->split && rc == 0 && i + rl <= end; i++)
            if (memcmp(out->buf.data + i, x->replacement, rl) == 0) { /* merged with next */
                rc = push(out, cut, i - cut);
                cut = i;
            }
        rc = rc ? rc : push(out, cut, end - cut);
    }
    return rc;
}

/* Replace *p by the result of one step: `rewritten` text, or new spans over
 * the same text. */
static int split_step(const tokd__hf_pretokenizer *x, pieces *p)
{
    pieces next = {0};
    int rc = x->kind == TOKD__PRE_DIGITS ? split_digits(x->individual, p, &next) : split_regex(x, p, &next);
    next.buf = p->buf;
    p->buf = (tokd_bytes){0};
    pieces_release(p);
    *p = next;
    return rc;
}

static int rewrite_step(const tokd__hf_pretokenizer *x, int at_start, pieces *p)
{
    pieces next = {0};
    int rc = rewrite(x, at_start, p, &next);
    pieces_release(p);
    *p = next;
    return rc;
}

static int pretokenize(const tokd__hf *hf, int at_start, pieces *p)
{
    int rc = 0;
    for (size_t k = 0; k < hf->n_pres && rc == 0; k++) {
        const tokd__hf_pretokenizer *x = &hf->pres[k];
        if (x->kind == TOKD__PRE_METASPACE || (x->kind == TOKD__PRE_BYTELEVEL && x->add_prefix_space))
            rc = rewrite_step(x, at_start, p);
        if (rc == 0 && (x->kind == TOKD__PRE_DIGITS || x->has_re))
            rc = split_step(x, p);
    }
    return rc;
}

/* ---- added tokens --------------------------------------------------------- */

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

static const tokd__special *earliest(const tokd__specials *a, tokd__special_filter fa, const tokd__specials *b,
                                     tokd__special_filter fb, const uint8_t *s, size_t n, size_t pos, size_t *at)
{
    size_t a1, k1, a2, k2;
    int f1 = tokd__specials_find(a, fa, s, n, pos, &a1, &k1);
    int f2 = b && tokd__specials_find(b, fb, s, n, pos, &a2, &k2);
    const tokd__special *x1 = f1 ? &a->items[k1] : NULL, *x2 = f2 ? &b->items[k2] : NULL;
    if (x1 && (!x2 || a1 < a2 || (a1 == a2 && x1->len >= x2->len))) {
        *at = a1;
        return x1;
    }
    *at = a2;
    return x2;
}

/* Hugging Face's find_matches over the tokens of a (passing fa) and b
 * (passing fb). */
static const tokd__special *scan(const tokd__specials *a, tokd__special_filter fa, const tokd__specials *b,
                                 tokd__special_filter fb, const uint8_t *s, size_t n, size_t pos, size_t seg,
                                 size_t *start, size_t *end)
{
    const tokd__special *x;
    size_t at, len;
    while ((x = earliest(a, fa, b, fb, s, n, pos, &at))) {
        if (!x->single_word || single_word_ok(s, n, at, at + x->len))
            break;
        pos = at + x->len; /* discarded; the scan goes on after it, as Hugging Face's does */
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

const tokd__special *tokd__hf_next_added(const tokd_tokenizer *t, tokd__special_filter allowed, const uint8_t *s,
                                         size_t n, size_t pos, size_t seg, size_t *start, size_t *end)
{
    return scan(&t->specials, allowed, &t->hf->added, (tokd__special_filter){1, NULL, 0}, s, n, pos, seg, start, end);
}

/* Characters as initial symbols: the vocabulary's token for each, else its
 * bytes' <0xXX> tokens, else unk (consecutive unks fused if fuse_unk). */
static int char_symbols(const tokd_tokenizer *t, const uint8_t *p, size_t n, uint32_t *start, uint32_t *tok,
                        size_t *n_sym)
{
    const tokd__hf *hf = t->hf;
    size_t k = 0, len;
    for (size_t i = 0; i < n; i += len) {
        tokd__utf8_next(p, i, &len);
        uint32_t id = tokd__rankmap_get(&t->ranks->map, p + i, len);
        if (id != TOKD__NO_RANK) {
            start[k] = (uint32_t)i;
            tok[k++] = id;
        } else if (hf->byte_fallback) {
            for (size_t b = 0; b < len; b++) {
                start[k] = (uint32_t)(i + b);
                tok[k++] = hf->fallback_id[p[i + b]];
            }
        } else if (hf->unk_id < 0) {
            return TOKD_EUNSUPPORTED;
        } else if (!(hf->fuse_unk && k > 0 && tok[k - 1] == (uint32_t)hf->unk_id)) {
            start[k] = (uint32_t)i;
            tok[k++] = (uint32_t)hf->unk_id;
        }
    }
    start[k] = (uint32_t)n;
    *n_sym = k;
    return 0;
}

static int model_piece(const tokd_tokenizer *t, const uint8_t *p, size_t n, tokd_ids *out, size_t *count)
{
    const tokd__hf *hf = t->hf;
    if (hf->byte_level)
        return tokd__bpe_piece(&hf->model, p, n, out, count);
    uint32_t small[2 * 65], *start = small, *tok = small + 65;
    if (n > 64) {
        start = malloc((2 * n + 2) * sizeof *start);
        if (!start)
            return TOKD_ENOMEM;
        tok = start + n + 1;
    }
    size_t n_sym;
    int rc = char_symbols(t, p, n, start, tok, &n_sym);
    if (rc == 0)
        rc = tokd__bpe_symbols(&hf->model, p, n, start, tok, n_sym, out, count);
    if (start != small)
        free(start);
    return rc;
}

/* Pre-tokenize and encode one piece of normalized text. */
static int encode_normalized(const tokd_tokenizer *t, const uint8_t *s, size_t n, int at_start, tokd__guard *g,
                             tokd_ids *out, size_t *count)
{
    pieces p = {0};
    int rc = tokd__bytes_append(&p.buf, s, n);
    if (rc == 0 && n)
        rc = push(&p, 0, n);
    if (rc == 0)
        rc = pretokenize(t->hf, at_start, &p);
    for (size_t k = 0; k < p.n && rc == 0; k++) {
        rc = model_piece(t, (const uint8_t *)p.buf.data + p.v[k].start, p.v[k].len, out, count);
        if (rc == 0)
            rc = tokd__guard_step(g);
    }
    pieces_release(&p);
    return rc;
}

/* Which normalized tokens this call matches: the non-special ones, and the
 * special ones the policy allows. *mask is allocated only for a list. */
static int norm_filter(const tokd__hf *hf, tokd__special_filter allowed, tokd__special_filter *f, uint8_t **mask)
{
    *mask = NULL;
    *f = (tokd__special_filter){allowed.all, NULL, 0};
    if (allowed.all)
        return 0;
    if (!(*mask = calloc(hf->norm.n + 1, 1)))
        return TOKD_ENOMEM;
    for (size_t i = 0; i < hf->norm.n; i++)
        (*mask)[i] = hf->norm_special[i] == UINT32_MAX || (allowed.mask && allowed.mask[hf->norm_special[i]]);
    f->mask = *mask;
    return 0;
}

int tokd__hf_segment(const tokd_tokenizer *t, tokd__special_filter allowed, const uint8_t *s, size_t n,
                     int at_start, tokd__guard *g, tokd_ids *out, size_t *count)
{
    const tokd__hf *hf = t->hf;
    tokd_bytes norm = {0};
    tokd__special_filter f = {0, NULL, 0};
    uint8_t *mask = NULL;
    int rc = n ? tokd__hf_normalize(hf, s, n, &norm) : 0;
    const uint8_t *ns = (const uint8_t *)(norm.data ? norm.data : "");
    size_t pos = 0, start, end;
    const tokd__special *x;
    if (rc == 0 && hf->norm.n)
        rc = norm_filter(hf, allowed, &f, &mask);
    while (rc == 0 && hf->norm.n && (x = scan(&hf->norm, f, NULL, f, ns, norm.len, pos, pos, &start, &end))) {
        rc = encode_normalized(t, ns + pos, start - pos, at_start && pos == 0, g, out, count);
        if (rc == 0)
            rc = out ? tokd__ids_push(out, x->id) : ((*count)++, 0);
        pos = end;
    }
    if (rc == 0)
        rc = encode_normalized(t, ns + pos, norm.len - pos, at_start && pos == 0, g, out, count);
    free(mask);
    tokd_bytes_release(&norm);
    return rc;
}

/* ---- decoding ------------------------------------------------------------ */

/* Pending byte-fallback bytes: as text if valid UTF-8, else one U+FFFD each
 * (Hugging Face's ByteFallback), or raw. */
static int flush(tokd_bytes *pending, int raw, tokd_bytes *out)
{
    int rc = 0;
    if (raw || tokd_utf8_valid(pending->data ? pending->data : "", pending->len))
        rc = tokd__bytes_append(out, pending->data ? pending->data : "", pending->len);
    else
        for (size_t i = 0; i < pending->len && rc == 0; i++)
            rc = tokd__bytes_append(out, "\xef\xbf\xbd", 3);
    pending->len = 0;
    return rc;
}

static int fallback_byte(const char *b, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    if (len != 6 || memcmp(b, "<0x", 3) != 0 || b[5] != '>')
        return -1;
    const char *hi = memchr(hex, b[3], 16), *lo = memchr(hex, b[4], 16);
    return hi && lo && b[3] && b[4] ? (int)((hi - hex) << 4 | (lo - hex)) : -1;
}

int tokd__hf_decode(const tokd_tokenizer *t, const uint32_t *ids, size_t n, int raw, tokd_bytes *out,
                    tokd_error *err)
{
    const tokd__hf *hf = t->hf;
    tokd_bytes text = {0}, pending = {0};
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const char *b;
        size_t len;
        int byte;
        if (tokd_token_bytes(t, ids[i], &b, &len) != 0) {
            rc = tokd_error_set(err, TOKD_ERANGE, "token id %u (at index %zu) is not in %s, whose ids are 0 to %u",
                                ids[i], i, t->name, t->n_vocab - 1);
        } else if (hf->dec_byte_fallback && (byte = fallback_byte(b, len)) >= 0) {
            char c = (char)byte;
            rc = tokd__bytes_append(&pending, &c, 1);
        } else {
            /* Metaspace drops every replacement of the first token */
            const char *to = hf->dec_first_drop && i == 0 ? "" : hf->dec_to;
            rc = flush(&pending, raw, &text);
            if (rc == 0)
                rc = hf->dec_from ? replace_into(&text, b, len, hf->dec_from, to) : tokd__bytes_append(&text, b, len);
        }
    }
    if (rc == 0)
        rc = flush(&pending, raw, &text);
    size_t skip = 0;
    while (rc == 0 && (int)skip < hf->dec_strip && skip < text.len && text.data[skip] == ' ')
        skip++;
    if (rc == 0)
        rc = tokd__bytes_append(out, text.data ? text.data + skip : "", text.len - skip);
    tokd_bytes_release(&text);
    tokd_bytes_release(&pending);
    return rc;
}
