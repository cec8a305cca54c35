/* hf_decoders.c - a tokenizer.json "decoder" node into its step of the
 * decoder chain (decoder.h), and what the chain needs around the file's
 * steps.
 *
 * tokd keeps a byte-level vocabulary's tokens as bytes. A ByteLevel step
 * first in the chain takes them as they are; any other first step reads
 * the tokens as Hugging Face writes them, so the chain starts by spelling
 * them in GPT-2's alphabet again. A file without a decoder joins its
 * tokens with spaces, as Hugging Face's decode does. */
#include <string.h>

#include "hf_loader.h"

/* d[key] as a string, or `dflt` when absent or not a string (borrowed). */
static const char *str_or(json_t *d, const char *key, const char *dflt)
{
    json_t *v = json_object_get(d, key);
    return json_is_string(v) ? json_string_value(v) : dflt;
}

static int replace_step(tokd__hf_loader *l, json_t *d, tokd__decoder *x)
{
    json_t *pat = json_object_get(d, "pattern"), *c = json_object_get(d, "content");
    json_t *str = json_object_get(pat, "String"), *re = json_object_get(pat, "Regex");
    if (!json_is_string(c) || !(json_is_string(str) || json_is_string(re)))
        return tokd__hf_malformed(l, "decoder Replace", "needs a pattern (String or Regex) and a content string");
    if (json_is_string(str) && !json_string_length(str))
        return tokd__hf_unsupported(l, "decoder Replace", "an empty String pattern");
    if (json_is_string(str))
        return tokd__decoder_replace(json_string_value(str), json_string_value(c), x);
    int rc = tokd__decoder_replace_regex(json_string_value(re), json_string_value(c), x);
    return rc == TOKD_EINVAL ? tokd__hf_unsupported(l, "decoder Replace", "a Regex PCRE2 cannot compile") : rc;
}

static int strip_step(tokd__hf_loader *l, json_t *d, tokd__decoder *x)
{
    json_t *start = json_object_get(d, "start"), *stop = json_object_get(d, "stop");
    const char *c = str_or(d, "content", "");
    if ((start && !json_is_integer(start)) || (stop && !json_is_integer(stop)) || json_integer_value(start) < 0 ||
        json_integer_value(stop) < 0 || json_integer_value(start) > 1 << 20 || json_integer_value(stop) > 1 << 20)
        return tokd__hf_malformed(l, "decoder Strip", "start and stop must be small integers >= 0");
    int rc = tokd__decoder_strip(c, (int)json_integer_value(start), (int)json_integer_value(stop), x);
    return rc == TOKD_EINVAL ? tokd__hf_malformed(l, "decoder Strip", "content must be one character") : rc;
}

static int decoder_step(tokd__hf_loader *l, json_t *d, const char *type, tokd__decoder *x)
{
    if (!strcmp(type, "ByteLevel"))
        return tokd__decoder_bytelevel(l->byte_level && l->t->n_decoders == 0, x);
    if (!strcmp(type, "ByteFallback"))
        return tokd__decoder_byte_fallback(x);
    if (!strcmp(type, "Fuse"))
        return tokd__decoder_fuse(x);
    if (!strcmp(type, "Replace"))
        return replace_step(l, d, x);
    if (!strcmp(type, "Strip"))
        return strip_step(l, d, x);
    if (!strcmp(type, "Metaspace"))
        return tokd__decoder_metaspace(str_or(d, "replacement", "\xe2\x96\x81"),
                                       strcmp(str_or(d, "prepend_scheme", "always"), "never") != 0, x);
    if (!strcmp(type, "WordPiece"))
        return tokd__decoder_wordpiece(str_or(d, "prefix", "##"),
                                       !json_is_false(json_object_get(d, "cleanup")), x);
    if (!strcmp(type, "BPEDecoder"))
        return tokd__decoder_bpe(str_or(d, "suffix", "</w>"), x);
    if (!strcmp(type, "CTC"))
        return tokd__decoder_ctc(str_or(d, "pad_token", "<pad>"), str_or(d, "word_delimiter_token", "|"),
                                 !json_is_false(json_object_get(d, "cleanup")), x);
    return tokd__hf_unsupported(l, "decoder", *type ? type : "a decoder without a type");
}

/* Before the first step that reads tokens as Hugging Face writes them. */
static int spell_if_first(tokd__hf_loader *l, const char *type)
{
    tokd__decoder x;
    if (!l->byte_level || l->t->n_decoders != 0 || !strcmp(type, "ByteLevel"))
        return 0;
    int rc = tokd__decoder_bytelevel_spell(&x);
    return rc ? rc : tokd__tokenizer_add_decoder(l->t, x);
}

int tokd__hf_decoder(tokd__hf_loader *l, json_t *d)
{
    const char *type = tokd__hf_type(d);
    tokd__decoder x;
    int rc = spell_if_first(l, type);
    if (rc == 0)
        rc = decoder_step(l, d, type, &x);
    return rc ? rc : tokd__tokenizer_add_decoder(l->t, x);
}

int tokd__hf_decoders_done(tokd__hf_loader *l)
{
    tokd__decoder x;
    if (l->t->n_decoders)
        return 0;
    int rc = spell_if_first(l, "");
    if (rc == 0)
        rc = tokd__decoder_join(&x);
    return rc ? rc : tokd__tokenizer_add_decoder(l->t, x);
}
