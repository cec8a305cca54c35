/* test_hf_variants.c - tokenizer.json pipeline steps the shipped files do
 * not use, against Hugging Face's tokenizers, and features tokd refuses.
 *
 * tests/data/hf_variants.json describes variants of the shipped files
 * (Metaspace with each prepend scheme, Digits, ByteLevel with its regex and
 * prefix space); hf_fixtures.json holds the reference's ids and decoded
 * text for each. This test builds the same variant files with jansson. */
#include <string.h>
#include <unistd.h>

#include "testutil.h"

static json_t *spec, *fixtures;

/* Merges "a b" as ["a", "b"]. */
static void merges_as_pairs(json_t *model)
{
    json_t *merges = json_object_get(model, "merges"), *m;
    size_t i;
    json_array_foreach(merges, i, m)
    {
        if (!json_is_string(m))
            continue;
        const char *s = json_string_value(m), *sp = strchr(s, ' ');
        json_array_set_new(merges, i, json_pack("[s#, s]", s, (int)(sp - s), sp + 1));
    }
}

/* Write `base`'s tokenizer.json changed as variant `v` says; returns the
 * temporary path (static storage). */
static const char *variant_file(const char *base, json_t *v)
{
    static char out[64];
    char in[4096];
    snprintf(in, sizeof in, "%s/%s/tokenizer.json", tokd_default_data_dir(), base);
    json_error_t je;
    json_t *root = json_load_file(in, 0, &je);
    ck_assert_msg(root != NULL, "%s: %s", in, je.text);
    json_object_update(root, json_object_get(v, "set"));
    if (json_object_get(v, "set_model"))
        json_object_update(json_object_get(root, "model"), json_object_get(v, "set_model"));
    if (json_is_true(json_object_get(v, "merges_as_pairs")))
        merges_as_pairs(json_object_get(root, "model"));
    snprintf(out, sizeof out, "/tmp/tokd-variant-%d.json", (int)getpid());
    ck_assert_int_eq(json_dump_file(root, out, JSON_COMPACT), 0);
    json_decref(root);
    return out;
}

static tokd_tokenizer *load_variant(const char *base, json_t *v, int *rc, tokd_error *err)
{
    tokd_tokenizer *t = NULL;
    const char *path = variant_file(base, v);
    *rc = tokd_tokenizer_load(path, NULL, &t, err);
    unlink(path);
    return t;
}

START_TEST(test_variant_matches_reference)
{
    json_t *variants = json_object_get(spec, "variants"), *v = NULL;
    const char *name = NULL;
    int i = 0;
    json_object_foreach(variants, name, v)
    {
        if (i++ == _i)
            break;
    }
    int rc;
    tokd_error err = {0};
    tokd_tokenizer *t = load_variant(json_string_value(json_object_get(v, "base")), v, &rc, &err);
    ck_assert_msg(rc == 0, "%s: %s", name, err.text);
    json_t *cases = json_object_get(json_object_get(fixtures, "variants"), name), *c;
    size_t k, failed = 0;
    ck_assert_uint_ge(json_array_size(cases), 10);
    json_array_foreach(cases, k, c)
    {
        json_t *text = json_object_get(c, "text"), *want = json_object_get(c, "plain");
        tokd_specials all = {.allowed_mode = TOKD_ALLOW_ALL};
        tokd_ids ids = {0};
        tokd_bytes out = {0};
        int bad = tokd_encode(t, json_string_value(text), json_string_length(text), &all, &ids, NULL) != 0 ||
                  ids.len != json_array_size(want);
        for (size_t j = 0; !bad && j < ids.len; j++)
            bad = ids.ids[j] != (uint32_t)json_integer_value(json_array_get(want, j));
        bad |= tokd_decode_text(t, ids.ids, ids.len, &out, NULL) != 0 ||
               strcmp(out.data ? out.data : "", json_string_value(json_object_get(c, "decoded"))) != 0;
        if (bad)
            fprintf(stderr, "[%s] \"%s\": %zu ids, decoded \"%s\"\n", name, json_string_value(text), ids.len,
                    out.data ? out.data : "");
        failed += bad;
        tokd_ids_release(&ids);
        tokd_bytes_release(&out);
    }
    tokd_tokenizer_unref(t);
    ck_assert_msg(failed == 0, "%s: %zu texts differ from Hugging Face tokenizers", name, failed);
}
END_TEST

/* Each: base file, JSON of keys to set, expected error, words the message
 * must contain. */
static const char *const refused[][4] = {
    {"mistral", "{\"normalizer\": {\"type\": \"Unheard\"}}", "EUNSUPPORTED", "normalizer: Unheard"},
    {"mistral", "{\"pre_tokenizer\": {\"type\": \"Unheard\"}}", "EUNSUPPORTED", "pre_tokenizer: Unheard"},
    {"llama3", "{\"pre_tokenizer\": {\"type\": \"Split\", \"pattern\": {\"Regex\": \"[a[b]]\"}, \"behavior\": "
               "\"Isolated\", \"invert\": true}}",
     "EPATTERN", "a nested class"},
    {"llama3", "{\"pre_tokenizer\": {\"type\": \"Split\", \"pattern\": {\"Regex\": \"a\"}, \"behavior\": \"Sideways\"}}",
     "EUNSUPPORTED", "this behavior"},
    {"mistral", "{\"decoder\": {\"type\": \"Strip\", \"content\": \"ab\", \"start\": 1, \"stop\": 0}}", "EFORMAT",
     "decoder Strip: content must be one character"},
    {"mistral", "{\"decoder\": {\"type\": \"Unheard\"}}", "EUNSUPPORTED", "decoder: Unheard"},
    {"mistral", "{\"post_processor\": {\"type\": \"RobertaProcessing\"}}", "EFORMAT", "cls and sep"},
    {"llama3",
     "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": [], \"continuing_subword_prefix\": "
     "\"\u4e00\"}}",
     "EUNSUPPORTED", "model.continuing_subword_prefix: an affix outside the ByteLevel alphabet"},
    {"mistral", "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"a\": 0}, \"continuing_subword_prefix\": 7}}",
     "EFORMAT", "model.continuing_subword_prefix: must be a string or null"},
    {"mistral", "{\"model\": {\"type\": \"Lookup\", \"vocab\": {\"a\": 0}}}", "EUNSUPPORTED", "model: Lookup"},
    {"mistral", "{\"model\": {\"type\": \"Unigram\", \"vocab\": []}}", "EFORMAT", "model.vocab: must be a non-empty array"},
    {"mistral", "{\"model\": {\"type\": \"BPE\", \"dropout\": 0.1, \"vocab\": {\"a\": 0}, \"merges\": []}}",
     "EUNSUPPORTED", "dropout"},
    {"mistral", "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 1}, \"merges\": [\"a c\"]}}", "EFORMAT",
     "model.merges[0]"},
    {"mistral", "{\"padding\": {\"strategy\": \"BatchLongest\"}}", "EUNSUPPORTED", "padding"},
};

START_TEST(test_unsupported_refused)
{
    json_error_t je;
    json_t *set = json_loads(refused[_i][1], 0, &je);
    ck_assert_ptr_nonnull(set);
    json_t *v = json_pack("{s:o}", "set", set);
    int rc;
    tokd_error err = {0};
    tokd_tokenizer *t = load_variant(refused[_i][0], v, &rc, &err);
    json_decref(v);
    ck_assert_ptr_null(t);
    ck_assert_str_eq(tokd_err_name(rc), refused[_i][2]);
    ck_assert_msg(strstr(err.text, refused[_i][3]) != NULL, "message \"%s\" lacks \"%s\"", err.text, refused[_i][3]);
}
END_TEST

int main(void)
{
    spec = test_load_json("hf_variants.json");
    fixtures = test_load_json("hf_fixtures.json");
    Suite *s = suite_create("hf_variants");
    TCase *tc = tcase_create("hf_variants");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test_variant_matches_reference, 0, (int)json_object_size(json_object_get(spec, "variants")));
    tcase_add_loop_test(tc, test_unsupported_refused, 0, (int)(sizeof refused / sizeof refused[0]));
    suite_add_tcase(s, tc);
    int rc = test_run(s);
    json_decref(spec);
    json_decref(fixtures);
    return rc;
}
