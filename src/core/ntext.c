/* ntext.c - text with an alignment to the original (see ntext.h). */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ntext.h"
#include "utf8.h"

tokd__ntext tokd__ntext_view(const char *s, size_t n, size_t shift, int track)
{
    return (tokd__ntext){.s = s, .n = n, .shift = shift, .track = track};
}

tokd__ntext tokd__ntext_empty(const tokd__ntext *like)
{
    return (tokd__ntext){.s = "", .track = like->track};
}

tokd__ntext tokd__ntext_sub(const tokd__ntext *t, size_t a, size_t b)
{
    tokd__ntext sub = *t;
    sub.s = t->s + a;
    sub.n = b - a;
    sub.align = t->align ? t->align + a : NULL;
    sub.shift = t->shift + a;
    sub.borrowed = 1;
    return sub;
}

void tokd__ntext_release(tokd__ntext *t)
{
    if (!t->borrowed) {
        tokd_bytes_release(&t->own);
        free(t->align);
    }
    *t = (tokd__ntext){.s = ""};
}

void tokd__ntext_origin(const tokd__ntext *t, size_t a, size_t b, size_t *start, size_t *end)
{
    if (!t->align) {
        *start = t->shift + a;
        *end = t->shift + b;
        return;
    }
    *start = t->align[a].start;
    *end = t->align[b - 1].end;
}

/* Grow out's table to its text's length; the new entries are set by the
 * caller. */
static int align_reserve(tokd__ntext *out, size_t need)
{
    return tokd__reserve((void **)&out->align, &out->align_cap, need, sizeof *out->align);
}

static int append(tokd__ntext *out, const char *p, size_t len)
{
    if (tokd__bytes_append(&out->own, p, len) != 0)
        return TOKD_ENOMEM;
    out->s = out->own.data ? out->own.data : "";
    out->n = out->own.len;
    return 0;
}

int tokd__ntext_copy(tokd__ntext *out, const tokd__ntext *in, size_t a, size_t b)
{
    size_t at = out->n;
    if (a == b)
        return 0;
    if (append(out, in->s + a, b - a) != 0 || (out->track && align_reserve(out, out->n) != 0))
        return TOKD_ENOMEM;
    for (size_t i = a; out->track && i < b; i++)
        tokd__ntext_origin(in, i, i + 1, &out->align[at + i - a].start, &out->align[at + i - a].end);
    return 0;
}

int tokd__ntext_put(tokd__ntext *out, const char *p, size_t len, const tokd__ntext *in, size_t a, size_t b)
{
    size_t at = out->n, start, end;
    if (len == 0)
        return 0;
    if (append(out, p, len) != 0 || (out->track && align_reserve(out, out->n) != 0))
        return TOKD_ENOMEM;
    if (!out->track)
        return 0;
    tokd__ntext_origin(in, a, b, &start, &end);
    for (size_t i = at; i < out->n; i++)
        out->align[i] = (tokd__origin){start, end};
    return 0;
}

int tokd__ntext_sanitize(const char *s, size_t n, int track, tokd__ntext *out)
{
    const uint8_t *p = (const uint8_t *)s;
    tokd__ntext in = tokd__ntext_view(s, n, 0, track);
    size_t i = 0, run = 0, bad;
    int rc = 0;
    *out = tokd__ntext_empty(&in);
    while (i < n && rc == 0) {
        size_t len = p[i] < 0x80 ? 1 : tokd__utf8_valid_prefix(p + i, n - i, &bad);
        if (len) {
            i += len;
            continue;
        }
        rc = tokd__ntext_copy(out, &in, run, i);
        if (rc == 0)
            rc = tokd__ntext_put(out, "\xef\xbf\xbd", 3, &in, i, i + bad);
        i += bad;
        run = i;
    }
    return rc ? rc : tokd__ntext_copy(out, &in, run, n);
}

void tokd__ntext_swap(tokd__ntext *t, tokd__ntext *next)
{
    tokd__ntext_release(t);
    *t = *next;
    *next = (tokd__ntext){.s = ""};
}

int tokd__nchars_push(tokd__nchars *c, uint32_t cp, int32_t change)
{
    if (tokd__reserve((void **)&c->v, &c->cap, c->n + 1, sizeof *c->v) != 0)
        return TOKD_ENOMEM;
    c->v[c->n++] = (tokd__nchar){cp, change};
    return 0;
}

/* The end of the character of in that starts at i (i itself at the end). */
static size_t char_end(const tokd__ntext *in, size_t i)
{
    size_t len = 0;
    if (i < in->n)
        tokd__utf8_next((const uint8_t *)in->s, i, &len);
    return i + len;
}

int tokd__ntext_transform(tokd__ntext *out, const tokd__ntext *in, size_t skip, const tokd__nchar *v, size_t n)
{
    size_t pos = 0, a = 0, b = char_end(in, 0);
    if (in->n == 0)
        return 0; /* nothing to stand for: normalizers leave empty text empty */
    for (size_t k = 0; k < skip; k++)
        pos = char_end(in, pos);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (v[i].change <= 0 && pos < in->n) {
            a = pos;
            b = pos = char_end(in, pos);
            for (int32_t k = v[i].change; k < 0; k++)
                pos = char_end(in, pos);
        }
        char buf[4];
        rc = tokd__ntext_put(out, buf, tokd__utf8_put(v[i].cp, buf), in, a, b);
    }
    return rc;
}
