/* hf_decoders.c - a tokenizer.json "decoder" node into its step of the
 * decoder chain (decoder.h). */
#include <string.h>

#include "hf_loader.h"

static int decoder_step(tokd__hf_loader *l, json_t *d, const char *type, tokd__decoder *x)
{
    if (!strcmp(type, "ByteFallback"))
        return tokd__decoder_byte_fallback(x);
    if (!strcmp(type, "Fuse"))
        return tokd__decoder_fuse(x);
    if (!strcmp(type, "Replace")) {
        json_t *pat = json_object_get(json_object_get(d, "pattern"), "String"), *c = json_object_get(d, "content");
        if (!json_is_string(pat) || !json_string_length(pat) || !json_is_string(c))
            return tokd__hf_unsupported(l, "decoder Replace", "a pattern other than a non-empty String");
        return tokd__decoder_replace(json_string_value(pat), json_string_value(c), x);
    }
    if (!strcmp(type, "Strip")) {
        json_t *c = json_object_get(d, "content");
        if (!json_is_string(c) || strcmp(json_string_value(c), " ") != 0 ||
            json_integer_value(json_object_get(d, "stop")) != 0)
            return tokd__hf_unsupported(l, "decoder Strip", "stripping other than leading spaces");
        return tokd__decoder_strip((int)json_integer_value(json_object_get(d, "start")), x);
    }
    if (!strcmp(type, "Metaspace")) {
        json_t *rep = json_object_get(d, "replacement"), *scheme = json_object_get(d, "prepend_scheme");
        return tokd__decoder_metaspace(json_is_string(rep) ? json_string_value(rep) : "\xe2\x96\x81",
                                       !(json_is_string(scheme) && !strcmp(json_string_value(scheme), "never")), x);
    }
    return tokd__hf_unsupported(l, "decoder", *type ? type : "a decoder without a type");
}

int tokd__hf_decoder(tokd__hf_loader *l, json_t *d)
{
    const char *type = tokd__hf_type(d);
    tokd__decoder x;
    if (!strcmp(type, "ByteLevel")) {
        l->dec_byte_level = 1;
        return 0;
    }
    int rc = decoder_step(l, d, type, &x);
    return rc ? rc : tokd__tokenizer_add_decoder(l->t, x);
}
