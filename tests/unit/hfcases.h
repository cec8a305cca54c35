/* hfcases.h - checks a tokenizer against the hashed Hugging Face records
 * that tests/gen/hfcases.cjs writes (shared by test_realfiles and
 * test_hf_components).
 *
 * A record is [h(ids), h(ids with add_special_tokens), h(offsets),
 * h(offsets with add_special_tokens), h(decode(ids)), n_ids], h being the
 * first 16 hex digits of SHA-256 over the ids or flat offsets (code points)
 * joined by ',' or over the decoded text. Hugging Face treats added-token
 * text as the token, so tokd encodes with every special token allowed. */
#ifndef TOKD_HFCASES_H
#define TOKD_HFCASES_H

#include <string.h>

#include "sha256.h"
#include "testutil.h"

enum { HF_IDS, HF_IDS_SPECIAL, HF_OFFSETS, HF_OFFSETS_SPECIAL, HF_DECODE, HF_N_FIELDS };
static const char *const hf_field_names[HF_N_FIELDS] = {"ids", "ids with special tokens", "offsets",
                                                        "offsets with special tokens", "decode"};

/* Hash of a list of numbers as "a,b,c". */
static void hf_hash_numbers(const size_t *v, size_t n, char out[17])
{
    tokd_bytes s = {0};
    char num[24], hex[65];
    for (size_t i = 0; i < n; i++) {
        int len = snprintf(num, sizeof num, i ? ",%zu" : "%zu", v[i]);
        ck_assert_int_eq(tokd_bytes_append(&s, num, (size_t)len), 0);
    }
    tokd__sha256_hex(s.data ? s.data : "", s.len, hex);
    memcpy(out, hex, 16);
    out[16] = '\0';
    tokd_bytes_release(&s);
}

/* The code point index of byte i of s[0..n) (i == n: the count); caller frees. */
static size_t *hf_code_points(const char *s, size_t n)
{
    size_t *cp = malloc((n + 1) * sizeof *cp), k = 0;
    ck_assert_ptr_nonnull(cp);
    for (size_t i = 0; i < n; i++) {
        k += ((unsigned char)s[i] & 0xC0) != 0x80 && i > 0;
        cp[i] = k;
    }
    cp[n] = n ? k + 1 : 0;
    return cp;
}

/* Ids and offsets of one encode call, hashed; *n_ids their number. */
static void hf_encode_hashes(const tokd_tokenizer *tok, const char *text, size_t len, int add_special,
                             char ids_hash[17], char off_hash[17], size_t *n_ids)
{
    tokd_specials all = {.allowed_mode = TOKD_ALLOW_ALL, .add_special_tokens = add_special};
    tokd_ids ids = {0};
    tokd_offsets off = {0};
    tokd_error err = {0};
    int rc = tokd_encode_offsets(tok, text, len, &all, NULL, &ids, &off, &err);
    size_t *v = malloc((2 * ids.len + 1) * sizeof *v), *cp = hf_code_points(text, len);
    ck_assert_ptr_nonnull(v);
    for (size_t i = 0; i < ids.len; i++)
        v[i] = ids.ids[i];
    hf_hash_numbers(v, ids.len, ids_hash);
    for (size_t i = 0; i < off.len; i++) {
        v[2 * i] = cp[off.v[i].start];
        v[2 * i + 1] = off.v[i].end > off.v[i].start ? cp[off.v[i].end - 1] + 1 : v[2 * i];
    }
    hf_hash_numbers(v, 2 * off.len, off_hash);
    *n_ids = rc == 0 ? ids.len : (size_t)-1;
    if (rc != 0)
        strcpy(ids_hash, "error");
    free(v);
    free(cp);
    tokd_ids_release(&ids);
    tokd_offsets_release(&off);
}

static void hf_decode_hash(const tokd_tokenizer *tok, const char *text, size_t len, char out[17])
{
    tokd_specials all = {.allowed_mode = TOKD_ALLOW_ALL};
    tokd_ids ids = {0};
    tokd_bytes dec = {0};
    char hex[65];
    strcpy(out, "error");
    if (tokd_encode(tok, text, len, &all, &ids, NULL) == 0 && tokd_decode_text(tok, ids.ids, ids.len, &dec, NULL) == 0) {
        tokd__sha256_hex(dec.data ? dec.data : "", dec.len, hex);
        memcpy(out, hex, 16);
        out[16] = '\0';
    }
    tokd_ids_release(&ids);
    tokd_bytes_release(&dec);
}

/* Compare `tok` on every text with its record; counts mismatches per field
 * into bad[] (reporting the first few on stderr) and returns the number of
 * texts with any mismatch. */
static size_t hf_check_cases(const tokd_tokenizer *tok, const char *name, json_t *texts, json_t *records,
                             size_t bad[HF_N_FIELDS])
{
    size_t failed = 0;
    ck_assert_uint_eq(json_array_size(texts), json_array_size(records));
    for (size_t i = 0; i < json_array_size(texts); i++) {
        json_t *t = json_array_get(texts, i), *r = json_array_get(records, i);
        const char *text = json_string_value(t);
        size_t len = json_string_length(t), n_plain, n_special;
        char got[HF_N_FIELDS][17];
        hf_encode_hashes(tok, text, len, 0, got[HF_IDS], got[HF_OFFSETS], &n_plain);
        hf_encode_hashes(tok, text, len, 1, got[HF_IDS_SPECIAL], got[HF_OFFSETS_SPECIAL], &n_special);
        hf_decode_hash(tok, text, len, got[HF_DECODE]);
        int any = 0;
        for (int f = 0; f < HF_N_FIELDS; f++) {
            if (!strcmp(got[f], json_string_value(json_array_get(r, (size_t)f))))
                continue;
            if (bad[f]++ < 3)
                fprintf(stderr, "[%s] text %zu (%.40s...): %s differ (tokd %zu ids, Hugging Face %lld)\n", name, i,
                        text, hf_field_names[f], n_plain, (long long)json_integer_value(json_array_get(r, 5)));
            any = 1;
        }
        failed += any;
    }
    return failed;
}

#endif
