/* decoders.c - the decoder steps (see decoder.h). Each step writes a new
 * list of token strings; tokens are short, so copying is cheap. */
#include <stdlib.h>
#include <string.h>

#include "decoder.h"

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
    int drop_first;
} replace_step;

static int replace_decode(const void *self, tokd__splits *tokens, int raw)
{
    const replace_step *r = self;
    tokd__splits next = {0};
    tokd_bytes one = {0};
    int rc = 0;
    (void)raw;
    for (size_t i = 0; i < tokens->n && rc == 0; i++) {
        one.len = 0;
        rc = replace_into(&one, tokens->text.s + tokens->v[i].start, tokens->v[i].end - tokens->v[i].start, r->from,
                          r->drop_first && i == 0 ? "" : r->to);
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

static int fuse_decode(const void *self, tokd__splits *tokens, int raw)
{
    tokd__splits next = {0};
    tokd_bytes all = {0};
    int rc = 0;
    (void)self;
    (void)raw;
    for (size_t i = 0; i < tokens->n && rc == 0; i++)
        rc = tokd_bytes_append(&all, tokens->text.s + tokens->v[i].start, tokens->v[i].end - tokens->v[i].start);
    if (rc == 0)
        rc = put_token(&next, all.data ? all.data : "", all.len);
    tokd_bytes_release(&all);
    replace_list(tokens, &next);
    return rc;
}

static const tokd__decoder_ops fuse_ops = {"Fuse", fuse_decode, NULL};

int tokd__decoder_fuse(tokd__decoder *out)
{
    *out = (tokd__decoder){&fuse_ops, NULL};
    return 0;
}

typedef struct strip_step {
    int start;
} strip_step;

static int strip_decode(const void *self, tokd__splits *tokens, int raw)
{
    const strip_step *st = self;
    (void)raw;
    for (size_t i = 0; i < tokens->n; i++)
        for (int k = 0; k < st->start && tokens->v[i].start < tokens->v[i].end &&
                        tokens->text.s[tokens->v[i].start] == ' ';
             k++)
            tokens->v[i].start++;
    return 0;
}

static const tokd__decoder_ops strip_ops = {"Strip", strip_decode, free};

int tokd__decoder_strip(int start, tokd__decoder *out)
{
    strip_step *st = malloc(sizeof *st);
    if (!st)
        return TOKD_ENOMEM;
    st->start = start;
    *out = (tokd__decoder){&strip_ops, st};
    return 0;
}
