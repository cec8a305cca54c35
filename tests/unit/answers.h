/* answers.h - checking tokd against the compact reference answers of
 * tests/data/spm/ (gen_spm_fixtures.py, gen_unigram_fixtures.cjs).
 *
 * A case names a text (inline "text", or a case of tiktoken_fixtures.json
 * by name); an answer holds the id count "n", "h" = the first 16 hex digits
 * of SHA-256 over the ids as little-endian u32s, optionally "oh" (the same
 * over the code point offsets), the ids / offsets in full for short texts,
 * and "dec" / "dh" for a decoded text that differs from the text. */
#ifndef TOKD_TEST_ANSWERS_H
#define TOKD_TEST_ANSWERS_H

#include <string.h>

#include "sha256.h"
#include "testutil.h"

/* First 16 hex digits of SHA-256 over `bytes` (n of them) when given, else
 * over v[0..n) as little-endian u32s (v may be NULL when n is 0). */
static inline void answers_digest(const uint32_t *v, const void *bytes, size_t n, char out[17])
{
    tokd__sha256 c;
    uint8_t d[32];
    tokd__sha256_init(&c);
    for (size_t i = 0; !bytes && i < n; i++) {
        uint8_t le[4] = {(uint8_t)v[i], (uint8_t)(v[i] >> 8), (uint8_t)(v[i] >> 16), (uint8_t)(v[i] >> 24)};
        tokd__sha256_update(&c, le, 4);
    }
    if (bytes)
        tokd__sha256_update(&c, bytes, n);
    tokd__sha256_final(&c, d);
    for (int i = 0; i < 8; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static inline int answers_hash_is(const uint32_t *v, const void *bytes, size_t n, json_t *want)
{
    char got[17];
    answers_digest(v, bytes, n, got);
    return json_is_string(want) && !strcmp(got, json_string_value(want));
}

/* The text of case c (borrowed from c or from `shared`, tiktoken_fixtures.json). */
static inline json_t *answers_text(json_t *c, json_t *shared)
{
    json_t *t = json_object_get(c, "text");
    if (t)
        return t;
    size_t i;
    json_t *s;
    const char *name = json_string_value(json_object_get(c, "name"));
    json_array_foreach(json_object_get(shared, "cases"), i, s)
    {
        if (!strcmp(json_string_value(json_object_get(s, "name")), name)) {
            json_t *r = json_object_get(s, "replaced");
            return r ? r : json_object_get(s, "text");
        }
    }
    ck_abort_msg("case %s is not in tiktoken_fixtures.json", name);
    return NULL;
}

/* 1 if ids[0..n) are the answer's (count, hash, and the list when stored). */
static inline int answers_ids_match(const uint32_t *ids, size_t n, json_t *a)
{
    json_t *full = json_object_get(a, "ids");
    int ok = n == (size_t)json_integer_value(json_object_get(a, "n")) && answers_hash_is(ids, NULL, n, json_object_get(a, "h"));
    for (size_t i = 0; ok && full && i < n; i++)
        ok = ids[i] == (uint32_t)json_integer_value(json_array_get(full, i));
    return ok;
}

/* 1 if `decoded` is the answer's decoded text for `text`. */
static inline int answers_decoded_match(const tokd_bytes *decoded, json_t *text, json_t *a)
{
    json_t *dec = json_object_get(a, "dec"), *dh = json_object_get(a, "dh");
    const char *s = decoded->data ? decoded->data : "";
    if (dh)
        return answers_hash_is(NULL, s, decoded->len, dh);
    json_t *want = dec ? dec : text;
    return decoded->len == json_string_length(want) && !memcmp(s, json_string_value(want), decoded->len);
}

#endif
