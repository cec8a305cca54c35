/* test_hf_conformance.c - Llama 3 and Mistral tokenizer.json against
 * Hugging Face's tokenizers.
 *
 * tests/data/hf_fixtures.json (tests/gen/gen_hf_fixtures.cjs) holds the ids
 * the Rust library gives for ~1400 texts, with and without
 * add_special_tokens, and the text it decodes them to. Hugging Face always
 * treats added tokens' text as those tokens, which is tokd with
 * allowed_special "all". Every id and every decoded text must match. */
#include <string.h>

#include "testutil.h"

static json_t *fixtures;

static int same_ids(const tokd_ids *got, json_t *want)
{
    if (got->len != json_array_size(want))
        return 0;
    for (size_t i = 0; i < got->len; i++)
        if (got->ids[i] != (uint32_t)json_integer_value(json_array_get(want, i)))
            return 0;
    return 1;
}

/* 0 if tokd agrees on this case; else prints the difference. */
static int check_case(const tokd_tokenizer *tok, const char *model, json_t *c)
{
    json_t *text = json_object_get(c, "text"), *want = json_object_get(json_object_get(c, "ids"), model);
    const char *name = json_string_value(json_object_get(c, "name"));
    int bad = 0;
    for (int add = 0; add < 2; add++) {
        tokd_specials sp = {.allowed_mode = TOKD_ALLOW_ALL, .add_special_tokens = add};
        tokd_ids ids = {0};
        tokd_error err = {0};
        int rc = tokd_encode(tok, json_string_value(text), json_string_length(text), &sp, &ids, &err);
        json_t *w = json_object_get(want, add ? "special" : "plain");
        if (rc != 0 || !same_ids(&ids, w)) {
            char *ws = json_dumps(w, JSON_COMPACT);
            fprintf(stderr, "[%s] %s (add_special_tokens=%d): rc %d %s, %zu ids (first %u), want %.200s\n", model, name,
                    add, rc, err.text, ids.len, ids.len ? ids.ids[0] : 0, ws);
            free(ws);
            bad = 1;
        }
        tokd_ids_release(&ids);
    }
    json_t *plain = json_object_get(want, "plain");
    tokd_ids ids = {0};
    for (size_t i = 0; i < json_array_size(plain); i++)
        tokd_ids_push(&ids, (uint32_t)json_integer_value(json_array_get(plain, i)));
    tokd_bytes out = {0};
    json_t *decoded = json_object_get(want, "decoded");
    int rc = tokd_decode_text(tok, ids.ids, ids.len, &out, NULL);
    if (rc != 0 || out.len != json_string_length(decoded) ||
        (out.len && memcmp(out.data, json_string_value(decoded), out.len) != 0)) {
        fprintf(stderr, "[%s] %s: decodes to \"%.80s\", want \"%.80s\"\n", model, name, out.data ? out.data : "",
                json_string_value(decoded));
        bad = 1;
    }
    tokd_bytes_release(&out);
    tokd_ids_release(&ids);
    return bad;
}

START_TEST(test_model)
{
    const char *model = json_string_value(json_array_get(json_object_get(fixtures, "models"), (size_t)_i));
    tokd_tokenizer *tok = test_tokenizer(model);
    ck_assert_str_eq(tokd_tokenizer_kind(tok), "huggingface");
    json_t *c;
    size_t i, failed = 0, checked = 0;
    json_array_foreach(json_object_get(fixtures, "cases"), i, c)
    {
        failed += check_case(tok, model, c);
        checked++;
    }
    tokd_tokenizer_unref(tok);
    ck_assert_uint_gt(checked, 1400);
    ck_assert_msg(failed == 0, "%s: %zu of %zu cases differ from Hugging Face tokenizers", model, failed, checked);
}
END_TEST

int main(void)
{
    fixtures = test_load_json("hf_fixtures.json");
    int rc = test_run_loop("hf_conformance", test_model, (int)json_array_size(json_object_get(fixtures, "models")), 300);
    json_decref(fixtures);
    return rc;
}
