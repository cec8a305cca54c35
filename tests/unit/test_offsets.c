/* test_offsets.c - tokd_encode_offsets: the [start, end) bytes of the
 * caller's text each token comes from.
 *
 * tests/data/hf_offsets.json holds Hugging Face tokenizers' offsets
 * (tokenizers 0.23.2, in code points) for Llama 3 and Mistral on every text
 * of hf_fixtures.json: tokd's byte offsets, converted to code points, must
 * equal them, through Mistral's normalizers (Prepend, Replace) too. The
 * tiktoken encodings have no normalizer: there each token's bytes are
 * exactly the text's bytes at its offsets. */
#include <string.h>

#include "testutil.h"

static json_t *hf, *offsets;

/* 1 if tokd's offsets of `text` under `tok` equal `want` (flat code point
 * pairs) and its ids equal `ids` (when given). */
static int same(tokd_tokenizer *tok, const char *text, size_t len, int add_special, json_t *want, json_t *ids)
{
    tokd_specials all = {.allowed_mode = TOKD_ALLOW_ALL, .add_special_tokens = add_special};
    tokd_ids got = {0};
    tokd_offsets off = {0};
    tokd_error err = {0};
    int ok = tokd_encode_offsets(tok, text, len, &all, NULL, &got, &off, &err) == 0 && off.len == got.len &&
             2 * off.len == json_array_size(want) && (!ids || json_array_size(ids) == got.len);
    size_t *cp = test_code_points(text, len);
    for (size_t i = 0; ok && i < off.len; i++) {
        size_t start = off.v[i].end > off.v[i].start ? cp[off.v[i].start] : 0;
        size_t end = off.v[i].end > off.v[i].start ? cp[off.v[i].end - 1] + 1 : 0;
        ok = start == (size_t)json_integer_value(json_array_get(want, 2 * i)) &&
             end == (size_t)json_integer_value(json_array_get(want, 2 * i + 1)) &&
             (!ids || got.ids[i] == (uint32_t)json_integer_value(json_array_get(ids, i)));
    }
    free(cp);
    tokd_ids_release(&got);
    tokd_offsets_release(&off);
    return ok;
}

START_TEST(test_offsets_equal_hugging_face)
{
    const char *model = json_string_value(json_array_get(json_object_get(offsets, "models"), (size_t)_i));
    tokd_tokenizer *tok = test_tokenizer(model);
    json_t *cases = json_object_get(hf, "cases"), *mine = json_object_get(offsets, "cases"), *c;
    size_t i, failed = 0, checked = 0;
    ck_assert_uint_eq(json_array_size(cases), json_array_size(mine));
    json_array_foreach(cases, i, c)
    {
        json_t *o = json_object_get(json_array_get(mine, i), model), *text = json_object_get(c, "text");
        json_t *special = json_object_get(o, "special");
        ck_assert_str_eq(json_string_value(json_object_get(c, "name")),
                         json_string_value(json_object_get(json_array_get(mine, i), "name")));
        int ok = same(tok, json_string_value(text), json_string_length(text), 0,
                      json_object_get(json_object_get(o, "plain"), "offsets"),
                      json_object_get(json_object_get(json_object_get(c, "ids"), model), "plain"));
        if (special)
            ok &= same(tok, json_string_value(text), json_string_length(text), 1, json_object_get(special, "offsets"),
                       json_object_get(special, "ids"));
        if (!ok)
            fprintf(stderr, "[%s] %s: offsets differ from Hugging Face's\n", model,
                    json_string_value(json_object_get(c, "name")));
        failed += !ok;
        checked += 1 + (special != NULL);
    }
    tokd_tokenizer_unref(tok);
    ck_assert_uint_ge(checked, 1400);
    ck_assert_msg(failed == 0, "%s: %zu of %zu texts differ", model, failed, checked);
}
END_TEST

/* Without normalizers a token's bytes are the text's bytes at its offsets,
 * and the offsets tile the text (specials allowed, so they are tokens too). */
START_TEST(test_tiktoken_offsets_tile_the_text)
{
    const char *name = tokd_builtin_encodings()[_i];
    tokd_tokenizer *tok = test_tokenizer(name);
    json_t *cases = json_object_get(hf, "cases"), *c;
    size_t i;
    tokd_specials all = {.allowed_mode = TOKD_ALLOW_ALL};
    json_array_foreach(cases, i, c)
    {
        const char *text = json_string_value(json_object_get(c, "text"));
        size_t len = json_string_length(json_object_get(c, "text")), at = 0;
        tokd_ids ids = {0};
        tokd_offsets off = {0};
        ck_assert_int_eq(tokd_encode_offsets(tok, text, len, &all, NULL, &ids, &off, NULL), 0);
        ck_assert_uint_eq(off.len, ids.len);
        for (size_t k = 0; k < off.len; k++) {
            const char *b;
            size_t n;
            ck_assert_int_eq(tokd_token_bytes(tok, ids.ids[k], &b, &n), 0);
            ck_assert_uint_eq(off.v[k].start, at);
            ck_assert_uint_eq(off.v[k].end - off.v[k].start, n);
            ck_assert_int_eq(memcmp(text + at, b, n), 0);
            at = off.v[k].end;
        }
        ck_assert_uint_eq(at, len);
        tokd_ids_release(&ids);
        tokd_offsets_release(&off);
    }
    tokd_tokenizer_unref(tok);
}
END_TEST

/* Each U+FFFD that replaced invalid bytes covers those bytes: the offsets
 * stay in order, never empty, and reach the end of the caller's text. */
START_TEST(test_invalid_utf8_offsets)
{
    static const char text[] = "ab\xff\xfe" "cd\xe2\x82";
    const char *names[] = {"cl100k_base", "llama3", "mistral"};
    tokd_tokenizer *tok = test_tokenizer(names[_i]);
    tokd_ids ids = {0};
    tokd_offsets off = {0};
    ck_assert_int_eq(tokd_encode_offsets(tok, text, sizeof text - 1, NULL, NULL, &ids, &off, NULL), 0);
    ck_assert_uint_eq(off.len, ids.len);
    ck_assert_uint_eq(off.v[0].start, 0);
    for (size_t k = 0; k < off.len; k++) {
        ck_assert_uint_lt(off.v[k].start, off.v[k].end);
        ck_assert_uint_ge(off.v[k].start, k ? off.v[k - 1].start : 0);
        ck_assert_uint_ge(off.v[k].end, k ? off.v[k - 1].end : 0);
    }
    ck_assert_uint_eq(off.v[off.len - 1].end, sizeof text - 1);
    /* the last token holds (part of) the U+FFFD for e2 82: it covers both bytes */
    ck_assert_uint_le(off.v[off.len - 1].start, 6);
    tokd_ids_release(&ids);
    tokd_offsets_release(&off);
    tokd_tokenizer_unref(tok);
}
END_TEST

/* A failed call leaves both arrays as they were. */
START_TEST(test_error_keeps_arrays)
{
    tokd_tokenizer *tok = test_tokenizer("cl100k_base");
    tokd_ids ids = {0};
    tokd_offsets off = {0};
    ck_assert_int_eq(tokd_encode_offsets(tok, "hello", 5, NULL, NULL, &ids, &off, NULL), 0);
    ck_assert_uint_eq(ids.len, 1);
    ck_assert_uint_eq(off.len, 1);
    tokd_limits lim = {.max_tokens = 2};
    tokd_error err = {0};
    ck_assert_int_eq(tokd_encode_offsets(tok, "one two three four", 18, NULL, &lim, &ids, &off, &err), TOKD_ELIMIT);
    ck_assert_uint_eq(ids.len, 1);
    ck_assert_uint_eq(off.len, 1);
    ck_assert_int_eq(tokd_encode_offsets(tok, "<|endoftext|>", 13, NULL, NULL, &ids, &off, &err), TOKD_ESPECIAL);
    ck_assert_uint_eq(off.len, 1);
    tokd_ids_release(&ids);
    tokd_offsets_release(&off);
    tokd_tokenizer_unref(tok);
}
END_TEST

int main(void)
{
    hf = test_load_json("hf_fixtures.json");
    offsets = test_load_json("hf_offsets.json");
    Suite *s = suite_create("offsets");
    TCase *tc = tcase_create("offsets");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test_offsets_equal_hugging_face, 0, (int)json_array_size(json_object_get(offsets, "models")));
    tcase_add_loop_test(tc, test_tiktoken_offsets_tile_the_text, 0, 7);
    tcase_add_loop_test(tc, test_invalid_utf8_offsets, 0, 3);
    tcase_add_test(tc, test_error_keeps_arrays);
    suite_add_tcase(s, tc);
    int rc = test_run(s);
    json_decref(hf);
    json_decref(offsets);
    return rc;
}
