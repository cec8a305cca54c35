/* decoders.c - the decoder steps (see decoder.h), each Hugging Face's
 * decode_chain for that decoder. Each step writes a new list of token
 * strings; tokens are short, so copying is cheap. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "bytelevel.h"
#include "buf.h"
#include "decoder.h"
#include "pretok.h"
#include "utf8.h"

/* Append p[0..n) to out as a new token (empty ones are kept out). */
static int put_token(tokd__splits *out, const char *p, size_t n)
{
    size_t begin = out->text.own.len;
    if (tokd_bytes_append(&out->text.own, p, n) != 0)
        return TOKD_ENOMEM;
    out->text.s = out->text.own.data ? out->text.own.data : "";
    out->text.n = out->text.own.len;
    return tokd__splits_push(out, begin, out->text.n);
}

static void replace_list(tokd__splits *tokens, tokd__splits *next)
{
    tokd__splits_release(tokens);
    *tokens = *next;
}

/* Append s[0..n) with every `from` replaced by `to` to b. */
static int replace_into(tokd_bytes *b, const char *s, size_t n, const char *from, const char *to)
{
    size_t fl = strlen(from), tl = strlen(to), run = 0;
    const char *hit;
    int rc = 0;
    while (rc == 0 && (hit = memmem(s + run, n - run, from, fl))) {
        rc = tokd_bytes_append(b, s + run, (size_t)(hit - s) - run);
        if (rc == 0)
            rc = tokd_bytes_append(b, to, tl);
        run = (size_t)(hit - s) + fl;
    }
    return rc ? rc : tokd_bytes_append(b, s + run, n - run);
}

/* ---- Replace and Metaspace ------------------------------------------------- */

typedef struct replace_step {
    char *from, *to;
    pcre2_code *re; /* a Regex pattern, else NULL (from is the String) */
    int drop_first;
} replace_step;

/* Append s[0..n) with every match of re replaced by `to` to b, Hugging
 * Face's find_matches: an empty match inserts `to` and the scan moves on
 * one character. */
static int regex_replace_into(tokd_bytes *b, const char *s, size_t n, pcre2_code *re, const char *to)
{
    pcre2_match_data *md = tokd__rx_match_data(re);
    size_t at = 0, tl = strlen(to);
    int rc = md ? 0 : TOKD_ENOMEM;
    while (rc == 0 && at <= n && pcre2_match(re, (PCRE2_SPTR)s, n, at, 0, md, NULL) >= 0) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        rc = tokd_bytes_append(b, s + at, ov[0] - at);
        if (rc == 0)
            rc = tokd_bytes_append(b, to, tl);
        at = ov[1];
        if (rc == 0 && ov[1] == ov[0]) {
            size_t len = 1;
            while (at + len < n && ((unsigned char)s[at + len] & 0xC0) == 0x80)
                len++;
            if (at >= n)
                break;
            rc = tokd_bytes_append(b, s + at, len);
            at += len;
        }
    }
    pcre2_match_data_free(md);
    return rc || at >= n ? rc : tokd_bytes_append(b, s + at, n - at);
}

static int replace_decode(const void *self, tokd__splits *tokens, int raw)
{
    const replace_step *r = self;
    tokd__splits next = {0};
    tokd_bytes one = {0};
    int rc = 0;
    (void)raw;
    for (size_t i = 0; i < tokens->n && rc == 0; i++) {
        const char *t = tokens->text.s + tokens->v[i].start, *to = r->drop_first && i == 0 ? "" : r->to;
        size_t n = tokens->v[i].end - tokens->v[i].start;
        one.len = 0;
        rc = r->re ? regex_replace_into(&one, t, n, r->re, to) : replace_into(&one, t, n, r->from, to);
        if (rc == 0)
            rc = put_token(&next, one.data ? one.data : "", one.len);
    }
    tokd_bytes_release(&one);
    replace_list(tokens, &next);
    return rc;
}

static void replace_free(void *self)
{
    replace_step *r = self;
    if (!r)
        return;
    free(r->from);
    free(r->to);
    pcre2_code_free(r->re);
    free(r);
}

static const tokd__decoder_ops replace_ops = {"Replace", replace_decode, replace_free};

static int make_replace(const char *from, const char *to, int drop_first, tokd__decoder *out)
{
    replace_step *r = calloc(1, sizeof *r);
    if (r && (!(r->from = strdup(from)) || !(r->to = strdup(to)))) {
        replace_free(r);
        r = NULL;
    }
    if (!r)
        return TOKD_ENOMEM;
    r->drop_first = drop_first;
    *out = (tokd__decoder){&replace_ops, r};
    return 0;
}

int tokd__decoder_replace(const char *from, const char *to, tokd__decoder *out)
{
    return make_replace(from, to, 0, out);
}

int tokd__decoder_replace_regex(const char *pattern, const char *to, tokd__decoder *out)
{
    int ecode;
    size_t eoff;
    pcre2_code *re = tokd__rx_compile(pattern, 0, &ecode, &eoff);
    if (!re)
        return ecode == PCRE2_ERROR_HEAP_FAILED ? TOKD_ENOMEM : TOKD_EINVAL;
    int rc = make_replace("", to, 0, out);
    if (rc != 0) {
        pcre2_code_free(re);
        return rc;
    }
    ((replace_step *)out->self)->re = re;
    return 0;
}

int tokd__decoder_metaspace(const char *replacement, int drop_first, tokd__decoder *out)
{
    return make_replace(replacement, " ", drop_first, out);
}

/* ---- ByteFallback ------------------------------------------------------------ */

static int fallback_byte(const char *b, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    if (len != 6 || memcmp(b, "<0x", 3) != 0 || b[5] != '>')
        return -1;
    const char *hi = memchr(hex, b[3], 16), *lo = memchr(hex, b[4], 16);
    return hi && lo ? (int)((hi - hex) << 4 | (lo - hex)) : -1;
}

/* Pending bytes as one token: as they are if valid UTF-8 (or raw), else one
 * U+FFFD each (Hugging Face's ByteFallback). */
static int flush(tokd_bytes *pending, int raw, tokd__splits *out)
{
    int rc = 0;
    if (pending->len == 0)
        return 0;
    if (raw || tokd_utf8_valid(pending->data, pending->len)) {
        rc = put_token(out, pending->data, pending->len);
    } else {
        tokd_bytes r = {0};
        for (size_t i = 0; i < pending->len && rc == 0; i++)
            rc = tokd_bytes_append(&r, "\xef\xbf\xbd", 3);
        rc = rc ? rc : put_token(out, r.data, r.len);
        tokd_bytes_release(&r);
    }
    pending->len = 0;
    return rc;
}

static int byte_fallback_decode(const void *self, tokd__splits *tokens, int raw)
{
    tokd__splits next = {0};
    tokd_bytes pending = {0};
    int rc = 0;
    (void)self;
    for (size_t i = 0; i < tokens->n && rc == 0; i++) {
        const char *b = tokens->text.s + tokens->v[i].start;
        size_t len = tokens->v[i].end - tokens->v[i].start;
        int byte = fallback_byte(b, len);
        char c = (char)byte;
        if (byte >= 0) {
            rc = tokd_bytes_append(&pending, &c, 1);
            continue;
        }
        rc = flush(&pending, raw, &next);
        if (rc == 0)
            rc = put_token(&next, b, len);
    }
    if (rc == 0)
        rc = flush(&pending, raw, &next);
    tokd_bytes_release(&pending);
    replace_list(tokens, &next);
    return rc;
}

static const tokd__decoder_ops byte_fallback_ops = {"ByteFallback", byte_fallback_decode, NULL};

int tokd__decoder_byte_fallback(tokd__decoder *out)
{
    *out = (tokd__decoder){&byte_fallback_ops, NULL};
    return 0;
}

/* ---- Fuse and Strip ---------------------------------------------------------- */

/* All tokens as one, `sep` between them. */
static int join_tokens(tokd__splits *tokens, const char *sep)
{
    tokd__splits next = {0};
    tokd_bytes all = {0};
    int rc = 0;
    for (size_t i = 0; i < tokens->n && rc == 0; i++) {
        if (i)
            rc = tokd_bytes_append(&all, sep, strlen(sep));
        if (rc == 0)
            rc = tokd_bytes_append(&all, tokens->text.s + tokens->v[i].start, tokens->v[i].end - tokens->v[i].start);
    }
    if (rc == 0)
        rc = put_token(&next, all.data ? all.data : "", all.len);
    tokd_bytes_release(&all);
    replace_list(tokens, &next);
    return rc;
}

static int fuse_decode(const void *self, tokd__splits *tokens, int raw)
{
    (void)self;
    (void)raw;
    return join_tokens(tokens, "");
}

static const tokd__decoder_ops fuse_ops = {"Fuse", fuse_decode, NULL};

int tokd__decoder_fuse(tokd__decoder *out)
{
    *out = (tokd__decoder){&fuse_ops, NULL};
    return 0;
}

typedef struct strip_step {
    char content[5]; /* one character */
    size_t len;
    int start, stop;
} strip_step;

/* Up to `start` leading and `stop` trailing copies of the character
 * removed from each token (a token they would cross becomes empty). */
static int strip_decode(const void *self, tokd__splits *tokens, int raw)
{
    const strip_step *st = self;
    (void)raw;
    for (size_t i = 0; i < tokens->n; i++) {
        tokd__span *v = &tokens->v[i];
        const char *s = tokens->text.s;
        for (int k = 0; k < st->start && v->end - v->start >= st->len && !memcmp(s + v->start, st->content, st->len);
             k++)
            v->start += st->len;
        for (int k = 0; k < st->stop && v->end - v->start >= st->len &&
                        !memcmp(s + v->end - st->len, st->content, st->len);
             k++)
            v->end -= st->len;
    }
    return 0;
}

static const tokd__decoder_ops strip_ops = {"Strip", strip_decode, free};

int tokd__decoder_strip(const char *content, int start, int stop, tokd__decoder *out)
{
    size_t len = strlen(content), one = 0;
    if (len > 0 && len <= 4)
        tokd__utf8_next((const uint8_t *)content, 0, &one);
    if (len == 0 || one != len)
        return TOKD_EINVAL;
    strip_step *st = malloc(sizeof *st);
    if (!st)
        return TOKD_ENOMEM;
    *st = (strip_step){.len = len, .start = start, .stop = stop};
    memcpy(st->content, content, len + 1);
    *out = (tokd__decoder){&strip_ops, st};
    return 0;
}

/* ---- ByteLevel ------------------------------------------------------------- */

/* A token written in the alphabet as its bytes, else (a character outside
 * it) as it is, as Hugging Face's ByteLevel decoder does. */
static int unspell_into(tokd_bytes *b, const char *s, size_t n)
{
    if (tokd__bytes_reserve(b, n) != 0)
        return TOKD_ENOMEM;
    long got = tokd__bytelevel_decode(s, n, (uint8_t *)b->data + b->len);
    if (got < 0)
        return tokd_bytes_append(b, s, n);
    b->len += (size_t)got;
    b->data[b->len] = '\0';
    return 0;
}

/* All tokens' bytes as one token, with U+FFFD for invalid UTF-8 unless raw
 * (String::from_utf8_lossy). `from_bytes`: the tokens are already bytes
 * (a byte-level vocabulary, this step first). */
static int bytelevel_decode(const void *self, tokd__splits *tokens, int raw)
{
    const int *from_bytes = self;
    tokd__splits next = {0};
    tokd_bytes all = {0}, clean = {0};
    int rc = 0;
    for (size_t i = 0; i < tokens->n && rc == 0; i++) {
        const char *s = tokens->text.s + tokens->v[i].start;
        size_t n = tokens->v[i].end - tokens->v[i].start;
        rc = *from_bytes ? tokd_bytes_append(&all, s, n) : unspell_into(&all, s, n);
    }
    if (rc == 0 && !raw)
        rc = tokd_utf8_sanitize(all.data ? all.data : "", all.len, &clean);
    if (rc == 0)
        rc = raw ? put_token(&next, all.data ? all.data : "", all.len) : put_token(&next, clean.data ? clean.data : "", clean.len);
    tokd_bytes_release(&all);
    tokd_bytes_release(&clean);
    replace_list(tokens, &next);
    return rc;
}

static const tokd__decoder_ops bytelevel_ops = {"ByteLevel", bytelevel_decode, free};

int tokd__decoder_bytelevel(int from_bytes, tokd__decoder *out)
{
    int *b = malloc(sizeof *b);
    if (!b)
        return TOKD_ENOMEM;
    *b = from_bytes;
    *out = (tokd__decoder){&bytelevel_ops, b};
    return 0;
}

/* Each token's bytes written in the alphabet again. */
static int spell_decode(const void *self, tokd__splits *tokens, int raw)
{
    tokd__splits next = {0};
    tokd_bytes one = {0};
    int rc = 0;
    (void)self;
    (void)raw;
    for (size_t i = 0; i < tokens->n && rc == 0; i++) {
        one.len = 0;
        rc = tokd__bytelevel_encode((const uint8_t *)tokens->text.s + tokens->v[i].start,
                                    tokens->v[i].end - tokens->v[i].start, &one);
        if (rc == 0)
            rc = put_token(&next, one.data ? one.data : "", one.len);
    }
    tokd_bytes_release(&one);
    replace_list(tokens, &next);
    return rc;
}

static const tokd__decoder_ops spell_ops = {"ByteLevel spelling", spell_decode, NULL};

int tokd__decoder_bytelevel_spell(tokd__decoder *out)
{
    *out = (tokd__decoder){&spell_ops, NULL};
    return 0;
}

/* ---- per-token rewrites: WordPiece, BPEDecoder, CTC ------------------------ */

/* Hugging Face's wordpiece::cleanup, replacement after replacement. */
static int cleanup_into(tokd_bytes *out, const char *s, size_t n)
{
    static const char *const rules[][2] = {{" .", "."},     {" ?", "?"},     {" !", "!"},
                                           {" ,", ","},     {" ' ", "'"},    {" n't", "n't"},
                                           {" 'm", "'m"},   {" do not", " don't"}, {" 's", "'s"},
                                           {" 've", "'ve"}, {" 're", "'re"}};
    tokd_bytes a = {0}, b = {0};
    int rc = tokd_bytes_append(&a, s, n);
    for (size_t r = 0; r < sizeof rules / sizeof rules[0] && rc == 0; r++) {
        b.len = 0;
        rc = replace_into(&b, a.data ? a.data : "", a.len, rules[r][0], rules[r][1]);
        tokd_bytes swap = a;
        a = b;
        b = swap;
    }
    if (rc == 0)
        rc = tokd_bytes_append(out, a.data ? a.data : "", a.len);
    tokd_bytes_release(&a);
    tokd_bytes_release(&b);
    return rc;
}

typedef struct word_step {
    char *prefix; /* WordPiece: continuing prefix; BPEDecoder: suffix; CTC: pad token */
    char *delim;  /* CTC: word delimiter */
    int cleanup;
} word_step;

static void word_free(void *self)
{
    word_step *w = self;
    if (!w)
        return;
    free(w->prefix);
    free(w->delim);
    free(w);
}

static int make_word(const tokd__decoder_ops *ops, const char *prefix, const char *delim, int cleanup,
                     tokd__decoder *out)
{
    word_step *w = calloc(1, sizeof *w);
    if (w && (!(w->prefix = strdup(prefix)) || !(w->delim = strdup(delim ? delim : "")))) {
        word_free(w);
        w = NULL;
    }
    if (!w)
        return TOKD_ENOMEM;
    w->cleanup = cleanup;
    *out = (tokd__decoder){ops, w};
    return 0;
}

/* Each token rewritten by `one` into a new list (empty results dropped
 * only when `drop_empty`). */
typedef int (*rewrite_fn)(const word_step *w, size_t i, size_t n, const char *s, size_t len, tokd_bytes *out);

static int rewrite_each(const word_step *w, tokd__splits *tokens, rewrite_fn one, int drop_empty)
{
    tokd__splits next = {0};
    tokd_bytes b = {0};
    int rc = 0;
    for (size_t i = 0; i < tokens->n && rc == 0; i++) {
        b.len = 0;
        rc = one(w, i, tokens->n, tokens->text.s + tokens->v[i].start, tokens->v[i].end - tokens->v[i].start, &b);
        if (rc == 0 && (b.len || !drop_empty))
            rc = put_token(&next, b.data ? b.data : "", b.len);
    }
    tokd_bytes_release(&b);
    replace_list(tokens, &next);
    return rc;
}

static int wordpiece_one(const word_step *w, size_t i, size_t n, const char *s, size_t len, tokd_bytes *out)
{
    size_t pl = strlen(w->prefix);
    tokd_bytes t = {0};
    int rc = 0;
    (void)n;
    if (i > 0 && len >= pl && memcmp(s, w->prefix, pl) == 0) {
        s += pl;
        len -= pl;
    } else if (i > 0) {
        rc = tokd_bytes_append(&t, " ", 1);
    }
    if (rc == 0)
        rc = tokd_bytes_append(&t, s, len);
    if (rc == 0)
        rc = w->cleanup ? cleanup_into(out, t.data, t.len) : tokd_bytes_append(out, t.data, t.len);
    tokd_bytes_release(&t);
    return rc;
}

static int wordpiece_decode(const void *self, tokd__splits *tokens, int raw)
{
    (void)raw;
    return rewrite_each(self, tokens, wordpiece_one, 0);
}

static const tokd__decoder_ops wordpiece_ops = {"WordPiece", wordpiece_decode, word_free};

int tokd__decoder_wordpiece(const char *prefix, int cleanup, tokd__decoder *out)
{
    return make_word(&wordpiece_ops, prefix, NULL, cleanup, out);
}

static int bpe_one(const word_step *w, size_t i, size_t n, const char *s, size_t len, tokd_bytes *out)
{
    return replace_into(out, s, len, w->prefix, i + 1 == n ? "" : " ");
}

static int bpe_decode(const void *self, tokd__splits *tokens, int raw)
{
    (void)raw;
    return rewrite_each(self, tokens, bpe_one, 0);
}

static const tokd__decoder_ops bpe_ops = {"BPEDecoder", bpe_decode, word_free};

int tokd__decoder_bpe(const char *suffix, tokd__decoder *out)
{
    return make_word(&bpe_ops, suffix, NULL, 0, out);
}

static int ctc_one(const word_step *w, size_t i, size_t n, const char *s, size_t len, tokd_bytes *out)
{
    tokd_bytes a = {0}, b = {0};
    (void)i;
    (void)n;
    int rc = replace_into(&a, s, len, w->prefix, "");
    if (rc == 0 && w->cleanup) {
        rc = cleanup_into(&b, a.data ? a.data : "", a.len);
        if (rc == 0)
            rc = replace_into(out, b.data ? b.data : "", b.len, w->delim, " ");
    } else if (rc == 0) {
        rc = tokd_bytes_append(out, a.data ? a.data : "", a.len);
    }
    tokd_bytes_release(&a);
    tokd_bytes_release(&b);
    return rc;
}

/* Consecutive equal tokens as one, then each rewritten; empty ones dropped. */
static int ctc_decode(const void *self, tokd__splits *tokens, int raw)
{
    size_t k = 0;
    (void)raw;
    for (size_t i = 0; i < tokens->n; i++) {
        size_t len = tokens->v[i].end - tokens->v[i].start;
        if (k && tokens->v[k - 1].end - tokens->v[k - 1].start == len &&
            memcmp(tokens->text.s + tokens->v[k - 1].start, tokens->text.s + tokens->v[i].start, len) == 0)
            continue;
        tokens->v[k++] = tokens->v[i];
    }
    tokens->n = k;
    return rewrite_each(self, tokens, ctc_one, 1);
}

static const tokd__decoder_ops ctc_ops = {"CTC", ctc_decode, word_free};

int tokd__decoder_ctc(const char *pad, const char *delimiter, int cleanup, tokd__decoder *out)
{
    return make_word(&ctc_ops, pad, delimiter, cleanup, out);
}

/* ---- joining ---------------------------------------------------------------- */

/* With no decoder, Hugging Face joins the tokens with spaces. */
static int join_decode(const void *self, tokd__splits *tokens, int raw)
{
    (void)self;
    (void)raw;
    return join_tokens(tokens, " ");
}

static const tokd__decoder_ops join_ops = {"join", join_decode, NULL};

int tokd__decoder_join(tokd__decoder *out)
{
    *out = (tokd__decoder){&join_ops, NULL};
    return 0;
}
