/* test_train_hf.c - the tokenizer.json tokd train writes, against Hugging
 * Face tokenizers.
 *
 * tests/data/trained_hf.json (tests/gen/gen_trained_hf.cjs) holds what
 * npm tokenizers@0.23.2 encodes with the NAME.tokenizer.json of three
 * tokenizers tokd trained on tests/data/corpus. Here the same tokenizers
 * are trained again; each must write the very file the reference read
 * (same SHA-256), and tokd must give the reference's ids for every text,
 * both through the rank file it serves and through the tokenizer.json. */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sha256.h"
#include "testutil.h"

#define CORPUS TOKD_TEST_DATA "/corpus"
#define N_FILES 17

static const char *const files[N_FILES] = {
    "arabic_hebrew.txt", "chinese.txt", "code_c.txt", "code_js_rust_go.txt", "code_python.txt", "combining.txt",
    "control.txt", "crlf.txt", "emoji.txt", "english.txt", "french_german.txt", "hindi_indic.txt",
    "japanese.txt", "json.txt", "mixed.txt", "russian.txt", "spanish.txt"};
static const char *const patterns[] = {"gpt2", "cl100k_base", "o200k_base"};

static char *texts[N_FILES];
static size_t lens[N_FILES];

static void read_corpus(void)
{
    char path[4096];
    if (texts[0])
        return;
    for (int i = 0; i < N_FILES; i++) {
        snprintf(path, sizeof path, "%s/%s", CORPUS, files[i]);
        texts[i] = test_read_file(path, &lens[i]);
    }
}

/* Train as gen_trained_hf.cjs's `tokd train` does, into dir. */
static void train_into(const char *pattern, const char *dir)
{
    const char *specials[] = {"<|end|>"};
    tokd_train_options o = {.vocab_size = 600, .pattern = tokd_train_pattern(pattern), .special_tokens = specials,
                            .n_special_tokens = 1};
    tokd_train_text t[N_FILES];
    for (int i = 0; i < N_FILES; i++)
        t[i] = (tokd_train_text){texts[i], lens[i]};
    tokd_trained *out;
    tokd_error err = {0};
    ck_assert_msg(tokd_train(&o, t, N_FILES, NULL, &out, &err) == 0, "%s", err.text);
    ck_assert_msg(tokd_trained_write(out, dir, pattern, pattern, &err) == 0, "%s", err.text);
    tokd_trained_free(out);
}

/* The text a case names: FILE, FILE:LINE, or its own "text". */
static const char *case_text(json_t *c, size_t *len)
{
    const char *name = json_string_value(json_object_get(c, "name"));
    if (json_object_get(c, "text")) {
        *len = json_string_length(json_object_get(c, "text"));
        return json_string_value(json_object_get(c, "text"));
    }
    const char *colon = strchr(name, ':');
    size_t flen = colon ? (size_t)(colon - name) : strlen(name);
    for (int i = 0; i < N_FILES; i++) {
        if (strlen(files[i]) != flen || strncmp(files[i], name, flen))
            continue;
        if (!colon) {
            *len = lens[i];
            return texts[i];
        }
        long line = strtol(colon + 1, NULL, 10);
        const char *s = texts[i];
        for (long k = 1; k < line; k++)
            s = strchr(s, '\n') + 1;
        const char *e = strchr(s, '\n');
        *len = e ? (size_t)(e - s) : strlen(s);
        return s;
    }
    ck_abort_msg("no corpus file for case %s", name);
    return NULL;
}

static void check_case(const tokd_tokenizer *tok, json_t *c, const char *via)
{
    size_t len;
    const char *text = case_text(c, &len);
    tokd_specials all = {.allowed_mode = TOKD_ALLOW_ALL};
    tokd_ids ids = {0};
    tokd_error err = {0};
    ck_assert_msg(tokd_encode(tok, text, len, &all, &ids, &err) == 0, "%s", err.text);
    json_t *want = json_object_get(c, "ids");
    const char *name = json_string_value(json_object_get(c, "name"));
    if (want) {
        ck_assert_msg(ids.len == json_array_size(want), "%s (%s): %zu ids, reference %zu", name, via, ids.len,
                      json_array_size(want));
        for (size_t i = 0; i < ids.len; i++)
            ck_assert_msg(ids.ids[i] == json_integer_value(json_array_get(want, i)), "%s (%s): id %zu", name, via, i);
    } else {
        tokd_bytes joined = {0};
        char num[16], hex[65];
        for (size_t i = 0; i < ids.len; i++) {
            snprintf(num, sizeof num, i ? ",%u" : "%u", ids.ids[i]);
            tokd_bytes_append(&joined, num, strlen(num));
        }
        tokd__sha256_hex(joined.data ? joined.data : "", joined.len, hex);
        ck_assert_msg(!strcmp(hex, json_string_value(json_object_get(c, "ids_sha256"))),
                      "%s (%s): ids differ from the reference's", name, via);
        tokd_bytes_release(&joined);
    }
    tokd_ids_release(&ids);
}

static tokd_tokenizer *load(const char *spec)
{
    tokd_tokenizer *tok;
    tokd_error err = {0};
    ck_assert_msg(tokd_tokenizer_load(spec, NULL, &tok, &err) == 0, "%s: %s", spec, err.text);
    return tok;
}

START_TEST(reference_encodes_as_tokd)
{
    const char *pattern = patterns[_i];
    read_corpus();
    json_t *root = test_load_json("trained_hf.json");
    json_t *fx = json_object_get(json_object_get(root, "tokenizers"), pattern);
    char dir[] = "/tmp/tokd-test-trained-hf-XXXXXX", path[4200], hex[65];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    train_into(pattern, dir);
    snprintf(path, sizeof path, "%s/%s.tokenizer.json", dir, pattern);
    size_t len;
    char *json = test_read_file(path, &len);
    tokd__sha256_hex(json, len, hex);
    free(json);
    ck_assert_msg(!strcmp(hex, json_string_value(json_object_get(fx, "sha256"))),
                  "%s.tokenizer.json is not the file the fixture was made from (rerun tests/gen/gen_trained_hf.cjs)",
                  pattern);
    tokd_tokenizer *ranks = load(dir), *hf = load(path);
    json_t *cases = json_object_get(fx, "cases"), *c;
    size_t i;
    ck_assert_uint_gt(json_array_size(cases), 100);
    json_array_foreach(cases, i, c)
    {
        check_case(ranks, c, "rank file");
        check_case(hf, c, "tokenizer.json");
    }
    tokd_tokenizer_unref(ranks);
    tokd_tokenizer_unref(hf);
    json_decref(root);
    snprintf(path, sizeof path, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(path), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("train_hf");
    TCase *tc = tcase_create("train_hf");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, reference_encodes_as_tokd, 0, 3);
    suite_add_tcase(s, tc);
    int rc = test_run(s);
    for (int i = 0; i < N_FILES; i++)
        free(texts[i]);
    return rc;
}
