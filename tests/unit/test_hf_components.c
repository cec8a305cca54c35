/* test_hf_components.c - every normalizer and pre-tokenizer option, alone
 * and in the combinations real models use, against Hugging Face.
 *
 * tests/data/hf_components.json (tests/gen/gen_hf_components.cjs) holds
 * variants of the shipped tokenizer.json files (mistral: character BPE with
 * byte fallback; llama3: byte-level BPE) with their normalizer and
 * pre_tokenizer replaced, and for each the ids and offsets (code points)
 * the reference gives on a multilingual, whitespace- and mark-heavy set of
 * texts. tokd builds the same files and must give the same ids and
 * offsets. */
#include <string.h>
#include <unistd.h>

#include "testutil.h"

static json_t *fx;

/* The base file with the variant's keys set, written to a temporary path
 * (static storage). */
static const char *variant_file(json_t *v)
{
    static char out[64];
    char in[4096];
    snprintf(in, sizeof in, "%s/%s/tokenizer.json", tokd_default_data_dir(),
             json_string_value(json_object_get(v, "base")));
    json_error_t je;
    json_t *root = json_load_file(in, 0, &je);
    ck_assert_msg(root != NULL, "%s: %s", in, je.text);
    json_object_update(root, json_object_get(v, "set"));
    snprintf(out, sizeof out, "/tmp/tokd-component-%d.json", (int)getpid());
    ck_assert_int_eq(json_dump_file(root, out, JSON_COMPACT), 0);
    json_decref(root);
    return out;
}

/* 1 if tokd's ids and offsets (as code points) of text equal want's
 * [ids, flat offsets]. */
static int same(tokd_tokenizer *t, json_t *text, json_t *want)
{
    const char *s = json_string_value(text);
    size_t len = json_string_length(text);
    json_t *ids = json_array_get(want, 0), *offs = json_array_get(want, 1);
    tokd_specials none = {.allowed_mode = TOKD_ALLOW_NONE};
    tokd_ids got = {0};
    tokd_offsets off = {0};
    int ok = tokd_encode_offsets(t, s, len, &none, NULL, &got, &off, NULL) == 0 &&
             got.len == json_array_size(ids) && 2 * off.len == json_array_size(offs);
    size_t *cp = test_code_points(s, len);
    for (size_t i = 0; ok && i < got.len; i++) {
        size_t start = off.v[i].end > off.v[i].start ? cp[off.v[i].start] : 0;
        size_t end = off.v[i].end > off.v[i].start ? cp[off.v[i].end - 1] + 1 : 0;
        ok = got.ids[i] == (uint32_t)json_integer_value(json_array_get(ids, i)) &&
             start == (size_t)json_integer_value(json_array_get(offs, 2 * i)) &&
             end == (size_t)json_integer_value(json_array_get(offs, 2 * i + 1));
    }
    free(cp);
    tokd_ids_release(&got);
    tokd_offsets_release(&off);
    return ok;
}

START_TEST(test_variant_equals_hugging_face)
{
    const char *name;
    json_t *v = test_json_nth(json_object_get(fx, "variants"), _i, &name), *texts = json_object_get(fx, "texts"), *text;
    const char *path = variant_file(v);
    tokd_tokenizer *t = NULL;
    tokd_error err = {0};
    int rc = tokd_tokenizer_load(path, NULL, &t, &err);
    unlink(path);
    ck_assert_msg(rc == 0, "%s: %s", name, err.text);
    json_t *results = json_object_get(v, "results");
    ck_assert_uint_eq(json_array_size(results), json_array_size(texts));
    size_t k, failed = 0;
    json_array_foreach(texts, k, text)
    {
        if (same(t, text, json_array_get(results, k)))
            continue;
        failed++;
        fprintf(stderr, "[%s] \"%s\": ids or offsets differ from Hugging Face's\n", name, json_string_value(text));
    }
    tokd_tokenizer_unref(t);
    ck_assert_msg(failed == 0, "%s: %zu of %zu texts differ", name, failed, json_array_size(texts));
}
END_TEST

int main(void)
{
    fx = test_load_json("hf_components.json");
    Suite *s = suite_create("hf_components");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, test_variant_equals_hugging_face, 0, (int)json_object_size(json_object_get(fx, "variants")));
    suite_add_tcase(s, tc);
    int failed = test_run(s);
    json_decref(fx);
    return failed;
}
