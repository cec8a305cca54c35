/* hf_normalizers.c - a tokenizer.json "normalizer" node into its pipeline
 * step (normalizer.h).
 *
 * One table maps each Hugging Face normalizer type to the builder that
 * reads its options; a type with no row is refused naming it. Sequence is
 * walked by the driver (hf_load.c), so every row builds exactly one step.
 * Precompiled (sentencepiece's character map) gets its row from
 * normalizer_precompiled.c. */
#include <string.h>

#include "hf_loader.h"

static int build_prepend(tokd__hf_loader *l, json_t *n, tokd__normalizer *out)
{
    json_t *p = json_object_get(n, "prepend");
    if (!json_is_string(p))
        return tokd__hf_malformed(l, "normalizer Prepend", "\"prepend\" is not a string");
    return tokd__normalizer_prepend(json_string_value(p), out);
}

static int build_replace(tokd__hf_loader *l, json_t *n, tokd__normalizer *out)
{
    json_t *pat = json_object_get(n, "pattern"), *c = json_object_get(n, "content");
    json_t *str = json_object_get(pat, "String"), *re = json_object_get(pat, "Regex");
    if (!json_is_string(c) || !(json_is_string(str) || json_is_string(re)))
        return tokd__hf_malformed(l, "normalizer Replace",
                                  "needs a string \"content\" and a \"pattern\" {\"String\": ...} or {\"Regex\": ...}");
    if (re)
        return tokd__normalizer_replace_regex(json_string_value(re), json_string_value(c), out, l->err);
    if (!json_string_length(str))
        return tokd__hf_unsupported(l, "normalizer Replace", "an empty String pattern");
    return tokd__normalizer_replace(json_string_value(str), json_string_value(c), out);
}

/* A form by its type name ("NFC", "NFD", "NFKC", "NFKD"). */
static int build_form(tokd__hf_loader *l, json_t *n, tokd__normalizer *out)
{
    static const char *const names[] = {"NFC", "NFD", "NFKC", "NFKD"};
    (void)l;
    int f = 0;
    while (strcmp(names[f], tokd__hf_type(n)) != 0)
        f++;
    return tokd__normalizer_unicode((enum tokd__unorm_form)f, out);
}

static int build_lowercase(tokd__hf_loader *l, json_t *n, tokd__normalizer *out)
{
    (void)l;
    (void)n;
    return tokd__normalizer_lowercase(out);
}

static int build_strip_accents(tokd__hf_loader *l, json_t *n, tokd__normalizer *out)
{
    (void)l;
    (void)n;
    return tokd__normalizer_strip_accents(out);
}

static int build_bytelevel(tokd__hf_loader *l, json_t *n, tokd__normalizer *out)
{
    (void)l;
    (void)n;
    return tokd__normalizer_bytelevel(out);
}

/* Strip: strip_left / strip_right, both true when absent (Hugging Face's
 * defaults). */
static int build_strip(tokd__hf_loader *l, json_t *n, tokd__normalizer *out)
{
    (void)l;
    return tokd__normalizer_strip(!json_is_false(json_object_get(n, "strip_left")),
                                  !json_is_false(json_object_get(n, "strip_right")), out);
}

/* BertNormalizer: clean_text, handle_chinese_chars and lowercase default to
 * true; strip_accents null (or absent) follows lowercase. */
static int build_bert(tokd__hf_loader *l, json_t *n, tokd__normalizer *out)
{
    (void)l;
    json_t *sa = json_object_get(n, "strip_accents");
    tokd__bert_options o = {!json_is_false(json_object_get(n, "clean_text")),
                            !json_is_false(json_object_get(n, "handle_chinese_chars")), 0,
                            !json_is_false(json_object_get(n, "lowercase"))};
    o.strip_accents = json_is_boolean(sa) ? json_is_true(sa) : o.lowercase;
    return tokd__normalizer_bert(&o, out);
}

static const struct {
    const char *type;
    tokd__hf_normalizer_builder build;
} builders[] = {
    {"Prepend", build_prepend}, {"Replace", build_replace}, {"NFC", build_form}, {"NFD", build_form},
    {"NFKC", build_form}, {"NFKD", build_form}, {"Lowercase", build_lowercase}, {"StripAccents", build_strip_accents},
    {"Strip", build_strip}, {"BertNormalizer", build_bert}, {"ByteLevel", build_bytelevel},
    {"Precompiled", tokd__hf_precompiled},
};

int tokd__hf_normalizer(tokd__hf_loader *l, json_t *n)
{
    const char *type = tokd__hf_type(n);
    for (size_t i = 0; i < sizeof builders / sizeof builders[0]; i++) {
        if (strcmp(type, builders[i].type) != 0)
            continue;
        tokd__normalizer x;
        int rc = builders[i].build(l, n, &x);
        return rc ? rc : tokd__tokenizer_add_normalizer(l->t, x);
    }
    return tokd__hf_unsupported(l, "normalizer", *type ? type : "a normalizer without a type");
}
