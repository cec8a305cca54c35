/* fuzz_spm.c - the sentencepiece .model loader on arbitrary bytes; a model
 * that loads then encodes and decodes a short mixed text (normalizer,
 * model and decoder on whatever pieces, types and scores the input has). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "spm_load.h"
#include "tokd/tokd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char text[] = "  Hello  w\xc3\xb6rld\t<s>12345 \xe2\x96\x81x \xef\xbc\xa1\xcc\x81 \xf0\x9f\x98\x80  ";
    tokd_tokenizer *t = NULL;
    tokd_error err;
    if (tokd__spm_parse(data, size, "fuzz.model", "fuzz", &t, &err) != 0)
        return 0;
    tokd_ids ids = {0};
    tokd_bytes out = {0};
    static const tokd_specials plain = {.disallowed_mode = TOKD_DISALLOW_NONE};
    if (tokd_encode(t, text, sizeof text - 1, &plain, &ids, &err) == 0)
        tokd_decode_text(t, ids.ids, ids.len, &out, &err);
    tokd_bytes_release(&out);
    tokd_ids_release(&ids);
    tokd_tokenizer_unref(t);
    return 0;
}
