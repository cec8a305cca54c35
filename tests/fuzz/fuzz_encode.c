/* fuzz_encode.c - encode arbitrary bytes with every byte-level tokenizer
 * and mistral; for the byte-level ones the ids must decode back to the
 * input (invalid UTF-8 replaced first, as encode does). For all: count must
 * equal the number of ids, and tokd_encode_offsets must give the same ids
 * with one offset each, starting in order, inside the input and reaching its
 * end. Ends need not be in order: text a normalizer inserts (mistral's
 * Prepend "▁") is aligned to the whole character it stands before, so it can
 * end after that character's byte-fallback tokens, which get a byte each
 * (regression seed corpus/encode/regress-prepend-byte-fallback). */
#include <stdlib.h>
#include <string.h>

#include "tokd/tokd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {"gpt2", "p50k_edit", "cl100k_base", "o200k_base", "llama3", "mistral"};
#define N (sizeof names / sizeof names[0])

/* 1 if the offsets are one per id, non-empty, starting in order and inside
 * size, the last ending at size (when there are any), and the ids are
 * `want`'s. */
static int offsets_ok(const tokd_tokenizer *t, const uint8_t *data, size_t size, const tokd_specials *sp,
                      const tokd_ids *want)
{
    tokd_ids ids = {0};
    tokd_offsets off = {0};
    int ok = tokd_encode_offsets(t, (const char *)data, size, sp, NULL, &ids, &off, NULL) == 0 &&
             ids.len == want->len && off.len == ids.len &&
             (!ids.len || memcmp(ids.ids, want->ids, ids.len * sizeof *ids.ids) == 0) &&
             (!off.len || off.v[off.len - 1].end == size);
    for (size_t k = 0; ok && k < off.len; k++)
        ok = off.v[k].start < off.v[k].end && off.v[k].end <= size &&
             (k == 0 || off.v[k].start >= off.v[k - 1].start);
    tokd_ids_release(&ids);
    tokd_offsets_release(&off);
    return ok;
}

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
        int byte_level = strcmp(names[i], "mistral") != 0;
        if (tokd_encode(toks[i], (const char *)data, size, &plain, &ids, NULL) != 0 ||
            tokd_count(toks[i], (const char *)data, size, &plain, &count, NULL) != 0 || count != ids.len ||
            !offsets_ok(toks[i], data, size, &plain, &ids) ||
            tokd_decode_bytes(toks[i], ids.ids, ids.len, &back, NULL) != 0 ||
            (byte_level && (back.len != clean.len || (clean.len && memcmp(back.data, clean.data, clean.len) != 0))))
            abort();
        tokd_ids_release(&ids);
        tokd_bytes_release(&back);
    }
    tokd_bytes_release(&clean);
    return 0;
}
