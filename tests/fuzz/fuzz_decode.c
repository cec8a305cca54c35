/* fuzz_decode.c - decode arbitrary ids (4 bytes each) with a tiktoken
 * encoding and a Hugging Face tokenizer: errors are fine, crashes not. */
#include <string.h>

#include "tokd/tokd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static tokd_tokenizer *toks[3];
    if (!toks[0]) {
        tokd_tokenizer_load("o200k_harmony", NULL, &toks[0], NULL);
        tokd_tokenizer_load("llama3", NULL, &toks[1], NULL);
        tokd_tokenizer_load("mistral", NULL, &toks[2], NULL);
    }
    uint32_t ids[1024];
    size_t n = size / 4 < 1024 ? size / 4 : 1024;
    memcpy(ids, data, n * 4);
    for (int i = 0; i < 3; i++) {
        tokd_bytes a = {0}, b = {0};
        tokd_decode_bytes(toks[i], ids, n, &a, NULL);
        tokd_decode_text(toks[i], ids, n, &b, NULL);
        tokd_bytes_release(&a);
        tokd_bytes_release(&b);
    }
    return 0;
}
