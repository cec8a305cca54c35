/* test_conformance.c - every id of every fixture case, for every encoding.
 *
 * tests/data/tiktoken_fixtures.json holds what npm tiktoken 1.0.22 (OpenAI's
 * Rust core) returns for ~1500 texts (multilingual prose, code, runs, random
 * strings, control characters, contractions, special-token text, invalid
 * UTF-8) under the special-token modes tiktoken offers. tokd must return
 * exactly the same ids, or fail with TOKD_ESPECIAL where tiktoken raises. */
#include <string.h>

#include "testutil.h"

static json_t *fixtures;

static int hex_value(char c)
{
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* The case's input bytes (hex decoded for invalid UTF-8 cases). */
static char *case_bytes(json_t *c, size_t *len)
{
    json_t *hex = json_object_get(c, "hex");
    if (!hex) {
        *len = json_string_length(json_object_get(c, "text"));
        char *s = malloc(*len + 1);
        memcpy(s, json_string_value(json_object_get(c, "text")), *len + 1);
        return s;
    }
    const char *h = json_string_value(hex);
    *len = strlen(h) / 2;
    char *s = malloc(*len + 1);
    for (size_t i = 0; i < *len; i++)
        s[i] = (char)(hex_value(h[2 * i]) << 4 | hex_value(h[2 * i + 1]));
    return s;
}

static void case_specials(json_t *mode, tokd_specials *sp, const char **names)
{
    *sp = (tokd_specials){0};
    if (json_is_string(mode) && strcmp(json_string_value(mode), "allowed_all") == 0)
        sp->allowed_mode = TOKD_ALLOW_ALL;
    else if (json_is_string(mode) && strcmp(json_string_value(mode), "ordinary") == 0)
        sp->disallowed_mode = TOKD_DISALLOW_NONE;
    else if (json_is_object(mode)) {
        json_t *list = json_object_get(mode, "allowed");
        sp->allowed_mode = TOKD_ALLOW_LIST;
        sp->n_allowed = json_array_size(list);
        for (size_t i = 0; i < sp->n_allowed && i < 8; i++)
            names[i] = json_string_value(json_array_get(list, i));
        sp->allowed = names;
    }
}

/* 0 if tokd agrees with the expectation; else prints why and returns 1. */
static int check_case(const tokd_tokenizer *tok, json_t *c, const char *enc)
{
    size_t len;
    char *text = case_bytes(c, &len);
    const char *names[8];
    tokd_specials sp;
    case_specials(json_object_get(c, "mode"), &sp, names);
    json_t *want = json_object_get(json_object_get(c, "ids"), enc);
    tokd_ids ids = {0};
    tokd_error err = {0};
    int rc = tokd_encode(tok, text, len, &sp, &ids, &err);
    size_t count = 0;
    int crc = tokd_count(tok, text, len, &sp, &count, NULL);
    int bad = 0;
    const char *name = json_string_value(json_object_get(c, "name"));
    if (json_is_object(want)) {
        bad = rc != TOKD_ESPECIAL || crc != TOKD_ESPECIAL;
        if (bad)
            fprintf(stderr, "[%s] %s: reference raised, tokd returned %d\n", enc, name, rc);
    } else if (rc != 0 || crc != 0 || ids.len != json_array_size(want) || count != ids.len) {
        fprintf(stderr, "[%s] %s: rc %d (%s), %zu ids, count %zu, want %zu ids\n", enc, name, rc,
                err.text, ids.len, count, json_array_size(want));
        bad = 1;
    } else {
        for (size_t i = 0; i < ids.len && !bad; i++) {
            json_int_t w = json_integer_value(json_array_get(want, i));
            if (ids.ids[i] != (uint32_t)w) {
                fprintf(stderr, "[%s] %s: id %zu is %u, want %lld\n", enc, name, i, ids.ids[i], (long long)w);
                bad = 1;
            }
        }
    }
    tokd_ids_release(&ids);
    free(text);
    return bad;
}

START_TEST(test_encoding)
{
    const char *enc = json_string_value(json_array_get(json_object_get(fixtures, "encodings"), (size_t)_i));
    tokd_tokenizer *tok = test_tokenizer(enc);
    json_t *cases = json_object_get(fixtures, "cases"), *c;
    size_t i, failed = 0, checked = 0;
    json_array_foreach(cases, i, c)
    {
        failed += check_case(tok, c, enc);
        checked++;
    }
    tokd_tokenizer_unref(tok);
    ck_assert_msg(checked > 1000, "only %zu cases in the fixture", checked);
    ck_assert_msg(failed == 0, "%s: %zu of %zu cases differ from tiktoken", enc, failed, checked);
}
END_TEST

int main(void)
{
    fixtures = test_load_json("tiktoken_fixtures.json");
    int rc = test_run_loop("conformance", test_encoding,
                           (int)json_array_size(json_object_get(fixtures, "encodings")), 300);
    json_decref(fixtures);
    return rc;
}
