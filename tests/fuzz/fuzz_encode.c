/* fuzz_encode.c - encode arbitrary bytes with every byte-level tokenizer;
 * the ids must decode back to the input (invalid UTF-8 replaced first, as
 * encode does) and count must equal the number of ids. */
#include <stdlib.h>
#include <string.h>

#include "tokd/tokd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {"gpt2", "p50k_edit", "cl100k_base", "o200k_base", "llama3"};
#define N (sizeof names / sizeof names[0])

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static tokd_tokenizer *toks[N];
    for (size_t i = 0; i < N; i++)
        if (!toks[i] && tokd_tokenizer_load(names[i], NULL, &toks[i], NULL) != 0)
            abort();
    tokd_bytes clean = {0};
    if (tokd_utf8_sanitize((const char *)data, size, &clean) != 0)
        return 0;
    tokd_specials plain = {.disallowed_mode = TOKD_DISALLOW_NONE};
    for (size_t i = 0; i < N; i++) {
        tokd_ids ids = {0};
        tokd_bytes back = {0};
        size_t count = 0;
        if (tokd_encode(toks[i], (const char *)data, size, &plain, &ids, NULL) != 0 ||
            tokd_count(toks[i], (const char *)data, size, &plain, &count, NULL) != 0 || count != ids.len ||
            tokd_decode_bytes(toks[i], ids.ids, ids.len, &back, NULL) != 0 || back.len != clean.len ||
            (clean.len && memcmp(back.data, clean.data, clean.len) != 0))
            abort();
        tokd_ids_release(&ids);
        tokd_bytes_release(&back);
    }
    tokd_bytes_release(&clean);
    return 0;
}
