/* spm_normalizer.c - sentencepiece's Normalizer::Normalize as a pipeline
 * step (spm.h).
 *
 * The text is read one prefix at a time: the longest user-defined symbol
 * there (copied as it is), else the longest key of the character map (its
 * replacement), else one character. With remove_extra_whitespaces, leading
 * spaces are dropped, a space after a space is dropped, and trailing
 * spaces are dropped; add_dummy_prefix puts one space in front (at the end
 * with treat_whitespace_as_suffix); escape_whitespaces writes each space as
 * "▁". Each piece of output covers the input it came from; a dummy space
 * covers the character it stands next to. */
#include <stdlib.h>
#include <string.h>

#include "spm.h"
#include "utf8.h"

#define META "\xe2\x96\x81"

typedef struct spm_norm {
    tokd__charsmap map;
    tokd__trie user;
    tokd__spm_norm_options o;
    uint8_t plain[128][16]; /* bit c of plain[b]: ASCII b before ASCII c is copied as it is */
} spm_norm;

/* Fill m->plain: b (not a space) starts no user-defined symbol, is no key
 * of the map, and no key starts with b c. */
static void find_plain(spm_norm *m)
{
    memset(m->plain, 0, sizeof m->plain);
    for (int b = 0; b < 128; b++) {
        uint8_t pair[2] = {(uint8_t)b, 0};
        size_t key;
        const char *rep;
        if (b == ' ' || tokd__trie_step(&m->user, 0, (uint8_t)b) != TOKD__NO_RANK ||
            tokd__charsmap_match(&m->map, pair, 1, 1, &key, &rep))
            continue;
        for (int c = 0; c < 128; c++) {
            pair[1] = (uint8_t)c;
            if (!tokd__charsmap_starts(&m->map, pair, 2))
                m->plain[b][c >> 3] |= (uint8_t)(1u << (c & 7));
        }
    }
}

/* The end of the run of plain ASCII bytes from i (i itself if none). */
static size_t plain_run(const spm_norm *m, const uint8_t *s, size_t n, size_t i)
{
    while (i + 1 < n && s[i] < 0x80 && s[i + 1] < 0x80 && (m->plain[s[i]][s[i + 1] >> 3] >> (s[i + 1] & 7) & 1))
        i++;
    return i;
}

typedef struct prefix {
    const char *rep;
    size_t len, consumed;
} prefix;

static prefix next_prefix(const spm_norm *m, const tokd__ntext *t, size_t i)
{
    const uint8_t *s = (const uint8_t *)t->s + i;
    size_t n = t->n - i, len = tokd__trie_longest(&m->user, s, n), key;
    const char *rep;
    if (len)
        return (prefix){t->s + i, len, len};
    if (tokd__charsmap_match(&m->map, s, n, 1, &key, &rep))
        return (prefix){rep, strlen(rep), key};
    tokd__utf8_next(s, 0, &len);
    return (prefix){t->s + i, len, len};
}

/* Write p[0..n), spaces escaped as the options say, standing for in[a..b). */
static int put_escaped(const spm_norm *m, tokd__ntext *out, const char *p, size_t n, const tokd__ntext *in, size_t a,
                       size_t b)
{
    size_t run = 0;
    int rc = 0;
    for (size_t k = 0; k < n && rc == 0 && m->o.escape_whitespaces; k++) {
        if (p[k] != ' ')
            continue;
        rc = tokd__ntext_put(out, p + run, k - run, in, a, b);
        if (rc == 0)
            rc = tokd__ntext_put(out, META, 3, in, a, b);
        run = k + 1;
    }
    return rc ? rc : tokd__ntext_put(out, p + run, n - run, in, a, b);
}

static int dummy_space(const spm_norm *m, tokd__ntext *out, const tokd__ntext *in, size_t a, size_t b)
{
    return m->o.escape_whitespaces ? tokd__ntext_put(out, META, 3, in, a, b) : tokd__ntext_put(out, " ", 1, in, a, b);
}

/* Drop the trailing spaces of out (remove_extra_whitespaces). */
static void drop_trailing_spaces(const spm_norm *m, tokd__ntext *out)
{
    const char *sp = m->o.escape_whitespaces ? META : " ";
    size_t k = strlen(sp);
    while (out->n >= k && !memcmp(out->s + out->n - k, sp, k))
        out->n -= k;
    out->own.len = out->n;
    if (out->own.data)
        out->own.data[out->n] = '\0';
}

/* The body: every prefix from i on, spaces squeezed as the options say. */
static int body(const spm_norm *m, tokd__ntext *out, const tokd__ntext *t, size_t i)
{
    int prev_space = m->o.remove_extra_whitespaces, rc = 0;
    while (i < t->n && rc == 0) {
        size_t run = plain_run(m, (const uint8_t *)t->s, t->n, i);
        if (run > i) { /* copied as one prefix at a time would copy them */
            rc = tokd__ntext_copy(out, t, i, run);
            prev_space = 0;
            i = run;
            continue;
        }
        prefix p = next_prefix(m, t, i);
        while (prev_space && p.len && p.rep[0] == ' ') {
            p.rep++;
            p.len--;
        }
        if (p.len) {
            rc = put_escaped(m, out, p.rep, p.len, t, i, i + p.consumed);
            prev_space = p.rep[p.len - 1] == ' ';
        }
        i += p.consumed;
        prev_space &= m->o.remove_extra_whitespaces;
    }
    return rc;
}

static int spm_norm_apply(const void *self, tokd__ntext *t)
{
    const spm_norm *m = self;
    size_t i = 0, len;
    while (m->o.remove_extra_whitespaces && i < t->n) {
        prefix p = next_prefix(m, t, i);
        if (p.len != 1 || p.rep[0] != ' ')
            break;
        i += p.consumed;
    }
    tokd__ntext next = tokd__ntext_empty(t);
    int rc = 0;
    if (i < t->n && m->o.add_dummy_prefix && !m->o.treat_whitespace_as_suffix) {
        tokd__utf8_next((const uint8_t *)t->s, i, &len);
        rc = dummy_space(m, &next, t, i, i + len);
    }
    if (rc == 0 && i < t->n)
        rc = body(m, &next, t, i);
    if (rc == 0 && m->o.remove_extra_whitespaces)
        drop_trailing_spaces(m, &next);
    if (rc == 0 && i < t->n && m->o.add_dummy_prefix && m->o.treat_whitespace_as_suffix) {
        size_t last = t->n - 1;
        while (last > 0 && ((uint8_t)t->s[last] & 0xC0) == 0x80)
            last--;
        rc = dummy_space(m, &next, t, last, t->n);
    }
    tokd__ntext_swap(t, &next);
    tokd__ntext_release(&next);
    return rc;
}

static void spm_norm_free(void *self)
{
    spm_norm *m = self;
    if (!m)
        return;
    tokd__charsmap_release(&m->map);
    tokd__trie_release(&m->user);
    free(m);
}

static const tokd__normalizer_ops spm_norm_ops = {"sentencepiece", spm_norm_apply, spm_norm_free};

int tokd__normalizer_spm(tokd__charsmap *map, tokd__trie *user, const tokd__spm_norm_options *o,
                         tokd__normalizer *out)
{
    spm_norm *m = malloc(sizeof *m);
    if (!m) {
        tokd__charsmap_release(map);
        tokd__trie_release(user);
        return TOKD_ENOMEM;
    }
    *m = (spm_norm){*map, *user, *o, {{0}}};
    *map = (tokd__charsmap){0};
    *user = (tokd__trie){0};
    find_plain(m);
    *out = (tokd__normalizer){&spm_norm_ops, m};
    return 0;
}
