/* normalizers.c - the normalizer steps (see normalizer.h).
 *
 * Alignment follows Hugging Face's NormalizedString exactly, so offsets
 * equal the reference's:
 *   - Prepend's text stands for the first character;
 *   - a Replace's content stands for the last character it replaced;
 *   - Strip and the filters (StripAccents, clean_text) drop characters, the
 *     kept ones keep their own alignment;
 *   - character-by-character rewrites (NFx, Lowercase, handle_chinese_chars,
 *     ByteLevel) go through tokd__ntext_transform with the reference's
 *     (character, change) pairs.
 * A step that changes nothing leaves the text as it was (a view stays a
 * view). */
#include <stdlib.h>
#include <string.h>

#include "bytelevel.h"
#include "normalizer.h"
#include "rxclass.h"
#include "unorm.h"
#include "utf8.h"

/* Replace *t by the text `next` (released), unless next failed (rc). */
static int replace_text(tokd__ntext *t, tokd__ntext *next, int rc)
{
    if (rc == 0)
        tokd__ntext_swap(t, next);
    tokd__ntext_release(next);
    return rc;
}

/* ---- Prepend, Replace (a string) -------------------------------------------- */

typedef struct strings {
    char *a, *b;
} strings;

static void strings_free(void *self)
{
    strings *s = self;
    if (!s)
        return;
    free(s->a);
    free(s->b);
    free(s);
}

static int make_strings(const char *a, const char *b, const tokd__normalizer_ops *ops, tokd__normalizer *out)
{
    strings *s = calloc(1, sizeof *s);
    if (s && (!(s->a = strdup(a)) || (b && !(s->b = strdup(b))))) {
        strings_free(s);
        s = NULL;
    }
    if (!s)
        return TOKD_ENOMEM;
    *out = (tokd__normalizer){ops, s};
    return 0;
}

/* Length of the character at s[i]. */
static size_t char_len(const char *s, size_t i)
{
    size_t len;
    tokd__utf8_next((const uint8_t *)s, i, &len);
    return len;
}

/* Start of the last character of s[a..b) (a < b). */
static size_t last_char(const char *s, size_t a, size_t b)
{
    size_t i = b - 1;
    while (i > a && ((uint8_t)s[i] & 0xC0) == 0x80)
        i--;
    return i;
}

static int prepend_apply(const void *self, tokd__ntext *t)
{
    const strings *s = self;
    if (t->n == 0)
        return 0;
    tokd__ntext next = tokd__ntext_empty(t);
    int rc = tokd__ntext_put(&next, s->a, strlen(s->a), t, 0, char_len(t->s, 0));
    if (rc == 0)
        rc = tokd__ntext_copy(&next, t, 0, t->n);
    return replace_text(t, &next, rc);
}

static const tokd__normalizer_ops prepend_ops = {"Prepend", prepend_apply, strings_free};

int tokd__normalizer_prepend(const char *text, tokd__normalizer *out)
{
    return make_strings(text, NULL, &prepend_ops, out);
}

/* Write t with each [start, end) that `next_match` finds replaced by
 * `content`, which stands for the last character it replaced. */
typedef int (*match_fn)(const void *self, const tokd__ntext *t, size_t pos, size_t *start, size_t *end);

static int replace_matches(const void *self, match_fn next_match, const char *content, tokd__ntext *t)
{
    size_t start, end, run = 0, cl = strlen(content);
    int found = next_match(self, t, 0, &start, &end), rc = 0;
    if (found <= 0)
        return found; /* unchanged: the text (a view stays a view) */
    tokd__ntext next = tokd__ntext_empty(t);
    while (rc == 0 && found == 1) {
        rc = tokd__ntext_copy(&next, t, run, start);
        if (rc == 0)
            rc = tokd__ntext_put(&next, content, cl, t, last_char(t->s, start, end), end);
        run = end;
        if (rc == 0 && (found = next_match(self, t, run, &start, &end)) < 0)
            rc = found;
    }
    if (rc == 0)
        rc = tokd__ntext_copy(&next, t, run, t->n);
    return replace_text(t, &next, rc);
}

static int string_match(const void *self, const tokd__ntext *t, size_t pos, size_t *start, size_t *end)
{
    const strings *s = self;
    size_t fl = strlen(s->a);
    const char *hit = pos < t->n ? memmem(t->s + pos, t->n - pos, s->a, fl) : NULL;
    if (!hit)
        return 0;
    *start = (size_t)(hit - t->s);
    *end = *start + fl;
    return 1;
}

static int replace_apply(const void *self, tokd__ntext *t)
{
    return replace_matches(self, string_match, ((const strings *)self)->b, t);
}

static const tokd__normalizer_ops replace_ops = {"Replace", replace_apply, strings_free};

int tokd__normalizer_replace(const char *from, const char *to, tokd__normalizer *out)
{
    return make_strings(from, to, &replace_ops, out);
}

/* ---- Replace (a regex) ------------------------------------------------------ */

typedef struct regex_replace {
    tokd__pretok re;
    char *content;
} regex_replace;

static void regex_replace_free(void *self)
{
    regex_replace *r = self;
    if (!r)
        return;
    tokd__pretok_release(&r->re);
    free(r->content);
    free(r);
}

static int regex_match(const void *self, const tokd__ntext *t, size_t pos, size_t *start, size_t *end)
{
    const regex_replace *r = self;
    return tokd__pretok_next(&r->re, (const uint8_t *)t->s, t->n, pos, start, end);
}

static int regex_replace_apply(const void *self, tokd__ntext *t)
{
    return replace_matches(self, regex_match, ((const regex_replace *)self)->content, t);
}

static const tokd__normalizer_ops regex_replace_ops = {"Replace", regex_replace_apply, regex_replace_free};

int tokd__normalizer_replace_regex(const char *pattern, const char *content, tokd__normalizer *out, tokd_error *err)
{
    regex_replace *r = calloc(1, sizeof *r);
    if (!r || !(r->content = strdup(content))) {
        free(r);
        return TOKD_ENOMEM;
    }
    int rc = tokd__pretok_init_onig(&r->re, pattern, err);
    if (rc != 0) {
        free(r->content);
        free(r);
        return rc;
    }
    *out = (tokd__normalizer){&regex_replace_ops, r};
    return 0;
}

/* ---- character-by-character rewrites ---------------------------------------- */

/* Append the (character, change) pairs for t to out; 0 or TOKD_ENOMEM. */
typedef int (*rewrite_fn)(const void *self, const tokd__ntext *t, tokd__nchars *out);

/* Rewrite t by `fn`, keeping t when nothing changed. */
static int rewrite(const void *self, rewrite_fn fn, tokd__ntext *t)
{
    tokd__nchars c = {0};
    tokd__ntext next = tokd__ntext_empty(t);
    int rc = fn(self, t, &c);
    if (rc == 0)
        rc = tokd__ntext_transform(&next, t, 0, c.v, c.n);
    free(c.v);
    if (rc == 0 && next.n == t->n && memcmp(next.s, t->s, t->n) == 0) {
        tokd__ntext_release(&next);
        return 0;
    }
    return replace_text(t, &next, rc);
}

typedef struct form_step {
    enum tokd__unorm_form form;
} form_step;

static int form_chars(const void *self, const tokd__ntext *t, tokd__nchars *out)
{
    return tokd__unorm(((const form_step *)self)->form, (const uint8_t *)t->s, t->n, out);
}

static int form_apply(const void *self, tokd__ntext *t)
{
    if (tokd__unorm_quick(((const form_step *)self)->form, (const uint8_t *)t->s, t->n))
        return 0;
    return rewrite(self, form_chars, t);
}

static const form_step forms[] = {{TOKD__NFC}, {TOKD__NFD}, {TOKD__NFKC}, {TOKD__NFKD}};
static const tokd__normalizer_ops form_ops[] = {
    {"NFC", form_apply, NULL}, {"NFD", form_apply, NULL}, {"NFKC", form_apply, NULL}, {"NFKD", form_apply, NULL}};

int tokd__normalizer_unicode(enum tokd__unorm_form form, tokd__normalizer *out)
{
    *out = (tokd__normalizer){&form_ops[form], (void *)&forms[form]};
    return 0;
}

/* Each character mapped by `map` (NULL: itself) into out: the first
 * character of a mapping stands for its source, the rest are inserted. */
typedef const uint32_t *(*char_map)(uint32_t cp, size_t *len);

static int map_chars(const tokd__ntext *t, char_map map, tokd__nchars *out)
{
    int rc = 0;
    size_t len, mlen;
    for (size_t i = 0; i < t->n && rc == 0; i += len) {
        uint32_t cp = tokd__utf8_next((const uint8_t *)t->s, i, &len);
        const uint32_t *m = map(cp, &mlen);
        if (!m)
            rc = tokd__nchars_push(out, cp, 0);
        for (size_t k = 0; m && k < mlen && rc == 0; k++)
            rc = tokd__nchars_push(out, m[k], k > 0);
    }
    return rc;
}

static int lowercase_chars(const void *self, const tokd__ntext *t, tokd__nchars *out)
{
    (void)self;
    return map_chars(t, tokd__un_lowercase, out);
}

static int lowercase_apply(const void *self, tokd__ntext *t)
{
    return rewrite(self, lowercase_chars, t);
}

static const tokd__normalizer_ops lowercase_ops = {"Lowercase", lowercase_apply, NULL};

int tokd__normalizer_lowercase(tokd__normalizer *out)
{
    *out = (tokd__normalizer){&lowercase_ops, NULL};
    return 0;
}

/* BertNormalizer's handle_chinese_chars: ' ' c ' ' for each CJK ideograph. */
static int chinese_chars(const void *self, const tokd__ntext *t, tokd__nchars *out)
{
    (void)self;
    int rc = 0;
    size_t len;
    for (size_t i = 0; i < t->n && rc == 0; i += len) {
        uint32_t cp = tokd__utf8_next((const uint8_t *)t->s, i, &len);
        if (!tokd__un_in(tokd__un_bert_chinese, tokd__un_n_bert_chinese, cp)) {
            rc = tokd__nchars_push(out, cp, 0);
            continue;
        }
        rc = tokd__nchars_push(out, ' ', 0);
        if (rc == 0)
            rc = tokd__nchars_push(out, cp, 1);
        if (rc == 0)
            rc = tokd__nchars_push(out, ' ', 1);
    }
    return rc;
}

static int chinese_apply(const void *self, tokd__ntext *t)
{
    return rewrite(self, chinese_chars, t);
}

static const tokd__normalizer_ops chinese_ops = {"BertNormalizer handle_chinese_chars", chinese_apply, NULL};

/* ByteLevel: each byte as its character of GPT-2's byte alphabet. */
static int bytelevel_chars(const void *self, const tokd__ntext *t, tokd__nchars *out)
{
    (void)self;
    int rc = 0;
    size_t len;
    for (size_t i = 0; i < t->n && rc == 0; i += len) {
        tokd__utf8_next((const uint8_t *)t->s, i, &len);
        for (size_t k = 0; k < len && rc == 0; k++)
            rc = tokd__nchars_push(out, tokd__bytelevel_char((uint8_t)t->s[i + k]), k > 0);
    }
    return rc;
}

static int bytelevel_apply(const void *self, tokd__ntext *t)
{
    return rewrite(self, bytelevel_chars, t);
}

static const tokd__normalizer_ops bytelevel_ops = {"ByteLevel", bytelevel_apply, NULL};

int tokd__normalizer_bytelevel(tokd__normalizer *out)
{
    *out = (tokd__normalizer){&bytelevel_ops, NULL};
    return 0;
}

/* ---- filters ---------------------------------------------------------------- */

/* What a filter does with a character: keep it, drop it, or (clean_text)
 * make it a space standing for it. */
enum verdict { KEEP, DROP, SPACE };
typedef enum verdict (*verdict_fn)(uint32_t cp);

static int filter(verdict_fn judge, tokd__ntext *t)
{
    size_t len, run = 0, i = 0;
    tokd__ntext next = tokd__ntext_empty(t);
    int rc = 0, changed = 0;
    for (; i < t->n && rc == 0; i += len) {
        enum verdict v = judge(tokd__utf8_next((const uint8_t *)t->s, i, &len));
        if (v == KEEP)
            continue;
        changed = 1;
        rc = tokd__ntext_copy(&next, t, run, i);
        if (rc == 0 && v == SPACE)
            rc = tokd__ntext_put(&next, " ", 1, t, i, i + len);
        run = i + len;
    }
    if (!changed)
        return 0;
    if (rc == 0)
        rc = tokd__ntext_copy(&next, t, run, t->n);
    return replace_text(t, &next, rc);
}

static enum verdict accent(uint32_t cp)
{
    return cp >= 0x300 && tokd__un_in(tokd__un_accents, tokd__un_n_accents, cp) ? DROP : KEEP;
}

static enum verdict bert_accent(uint32_t cp)
{
    return cp >= 0x300 && tokd__un_in(tokd__un_bert_marks, tokd__un_n_bert_marks, cp) ? DROP : KEEP;
}

static enum verdict bert_clean(uint32_t cp)
{
    if (tokd__un_in(tokd__un_bert_removed, tokd__un_n_bert_removed, cp))
        return DROP;
    return tokd__un_in(tokd__un_bert_spaces, tokd__un_n_bert_spaces, cp) ? SPACE : KEEP;
}

static int accents_apply(const void *self, tokd__ntext *t)
{
    (void)self;
    return filter(accent, t);
}

static int bert_accents_apply(const void *self, tokd__ntext *t)
{
    (void)self;
    return filter(bert_accent, t);
}

static int bert_clean_apply(const void *self, tokd__ntext *t)
{
    (void)self;
    return filter(bert_clean, t);
}

static const tokd__normalizer_ops accents_ops = {"StripAccents", accents_apply, NULL};
static const tokd__normalizer_ops bert_accents_ops = {"BertNormalizer strip_accents", bert_accents_apply, NULL};
static const tokd__normalizer_ops bert_clean_ops = {"BertNormalizer clean_text", bert_clean_apply, NULL};

int tokd__normalizer_strip_accents(tokd__normalizer *out)
{
    *out = (tokd__normalizer){&accents_ops, NULL};
    return 0;
}

/* ---- Strip ------------------------------------------------------------------ */

typedef struct strip_step {
    int left, right;
} strip_step;

static int is_space(const char *s, size_t i, size_t *len)
{
    return (tokd__rx_class(tokd__utf8_next((const uint8_t *)s, i, len)) & TOKD__RX_SPACE) != 0;
}

static int strip_apply(const void *self, tokd__ntext *t)
{
    const strip_step *st = self;
    size_t a = 0, b = t->n, len;
    while (st->left && a < b && is_space(t->s, a, &len))
        a += len;
    for (size_t i; st->right && b > a && is_space(t->s, i = last_char(t->s, a, b), &len);)
        b = i;
    if (a == 0 && b == t->n)
        return 0;
    tokd__ntext next = tokd__ntext_empty(t);
    return replace_text(t, &next, tokd__ntext_copy(&next, t, a, b));
}

static const tokd__normalizer_ops strip_ops = {"Strip", strip_apply, free};

int tokd__normalizer_strip(int left, int right, tokd__normalizer *out)
{
    strip_step *s = malloc(sizeof *s);
    if (!s)
        return TOKD_ENOMEM;
    *s = (strip_step){left, right};
    *out = (tokd__normalizer){&strip_ops, s};
    return 0;
}

/* ---- Sequence, BertNormalizer ----------------------------------------------- */

typedef struct sequence {
    tokd__normalizer v[5];
    size_t n;
} sequence;

static int sequence_apply(const void *self, tokd__ntext *t)
{
    const sequence *s = self;
    return tokd__normalize(s->v, s->n, t);
}

static void sequence_free(void *self)
{
    sequence *s = self;
    for (size_t i = 0; s && i < s->n; i++)
        if (s->v[i].ops->free)
            s->v[i].ops->free(s->v[i].self);
    free(s);
}

static const tokd__normalizer_ops bert_ops = {"BertNormalizer", sequence_apply, sequence_free};

/* Hugging Face's order: clean_text, handle_chinese_chars, strip_accents
 * (NFD, then its marks dropped), lowercase. */
int tokd__normalizer_bert(const tokd__bert_options *o, tokd__normalizer *out)
{
    sequence *s = calloc(1, sizeof *s);
    if (!s)
        return TOKD_ENOMEM;
    if (o->clean_text)
        s->v[s->n++] = (tokd__normalizer){&bert_clean_ops, NULL};
    if (o->chinese_chars)
        s->v[s->n++] = (tokd__normalizer){&chinese_ops, NULL};
    if (o->strip_accents) {
        tokd__normalizer_unicode(TOKD__NFD, &s->v[s->n++]);
        s->v[s->n++] = (tokd__normalizer){&bert_accents_ops, NULL};
    }
    if (o->lowercase)
        tokd__normalizer_lowercase(&s->v[s->n++]);
    *out = (tokd__normalizer){&bert_ops, s};
    return 0;
}

int tokd__normalize(const tokd__normalizer *v, size_t n, tokd__ntext *t)
{
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = v[i].ops->apply(v[i].self, t);
    return rc;
}
