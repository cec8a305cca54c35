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
    json_t *pat = json_object_get(json_object_get(n, "pattern"), "String"), *c = json_object_get(n, "content");
    if (!json_is_string(pat) || !json_is_string(c) || !json_string_length(pat))
        return tokd__hf_unsupported(l, "normalizer Replace", "a pattern other than a non-empty String");
    return tokd__normalizer_replace(json_string_value(pat), json_string_value(c), out);
}

static int build_nfc(tokd__hf_loader *l, json_t *n, tokd__normalizer *out)
{
    (void)l;
    (void)n;
    return tokd__normalizer_nfc(out);
}

static const struct {
    const char *type;
    tokd__hf_normalizer_builder build;
} builders[] = {
    {"Prepend", build_prepend},
    {"Replace", build_replace},
    {"NFC", build_nfc},
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
