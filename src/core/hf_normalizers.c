/* hf_normalizers.c - a tokenizer.json "normalizer" node into its pipeline
 * step (normalizer.h). */
#include <string.h>

#include "hf_loader.h"

int tokd__hf_normalizer(tokd__hf_loader *l, json_t *n)
{
    const char *type = tokd__hf_type(n);
    tokd__normalizer x;
    int rc;
    if (!strcmp(type, "Prepend") && json_is_string(json_object_get(n, "prepend"))) {
        rc = tokd__normalizer_prepend(json_string_value(json_object_get(n, "prepend")), &x);
    } else if (!strcmp(type, "Replace")) {
        json_t *pat = json_object_get(json_object_get(n, "pattern"), "String"), *c = json_object_get(n, "content");
        if (!json_is_string(pat) || !json_is_string(c) || !json_string_length(pat))
            return tokd__hf_unsupported(l, "normalizer Replace", "a pattern other than a non-empty String");
        rc = tokd__normalizer_replace(json_string_value(pat), json_string_value(c), &x);
    } else if (!strcmp(type, "Precompiled")) {
        rc = tokd__hf_precompiled(l, n, &x);
    } else if (!strcmp(type, "NFC")) {
        rc = tokd__normalizer_nfc(&x);
    } else {
        return tokd__hf_unsupported(l, "normalizer", *type ? type : "a normalizer without a type");
    }
    return rc ? rc : tokd__tokenizer_add_normalizer(l->t, x);
}
