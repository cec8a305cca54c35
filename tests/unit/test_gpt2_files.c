/* test_gpt2_files.c - GPT-2's encoder.json + vocab.bpe (tests/data/gpt2,
 * OpenAI's files, provenance beside them) give exactly the built-in gpt2's
 * ids on every text of the tiktoken fixtures; inconsistent files are
 * refused with the line at fault. */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

static void copy_file(const char *from, const char *to, const char *find, const char *replace)
{
    FILE *f = fopen(from, "rb");
    ck_assert_ptr_nonnull(f);
    static char buf[2 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *at = find ? strstr(buf, find) : NULL;
    FILE *g = fopen(to, "wb");
    if (at) {
        fwrite(buf, 1, (size_t)(at - buf), g);
        fputs(replace, g);
        fputs(at + strlen(find), g);
    } else {
        fwrite(buf, 1, n, g);
    }
    fclose(g);
}

START_TEST(test_same_ids_as_builtin)
{
    tokd_tokenizer *files = NULL, *builtin = test_tokenizer("gpt2");
    tokd_error err = {0};
    ck_assert_msg(tokd_tokenizer_load(TOKD_TEST_DATA "/gpt2/encoder.json", NULL, &files, &err) == 0, "%s", err.text);
    ck_assert_str_eq(tokd_tokenizer_name(files), "gpt2");
    ck_assert_uint_eq(tokd_tokenizer_n_vocab(files), 50257);
    json_t *fx = test_load_json("tiktoken_fixtures.json"), *c;
    tokd_specials all = {.allowed_mode = TOKD_ALLOW_ALL};
    size_t i, differ = 0, checked = 0;
    json_array_foreach(json_object_get(fx, "cases"), i, c)
    {
        json_t *text = json_object_get(c, "text");
        if (!text)
            continue;
        tokd_ids a = {0}, b = {0};
        int ra = tokd_encode(files, json_string_value(text), json_string_length(text), &all, &a, NULL);
        int rb = tokd_encode(builtin, json_string_value(text), json_string_length(text), &all, &b, NULL);
        differ += ra != 0 || rb != 0 || a.len != b.len || (a.len && memcmp(a.ids, b.ids, a.len * 4) != 0);
        checked++;
        tokd_ids_release(&a);
        tokd_ids_release(&b);
    }
    ck_assert_uint_gt(checked, 1400);
    ck_assert_uint_eq(differ, 0);
    json_decref(fx);
    tokd_tokenizer_unref(files);
    tokd_tokenizer_unref(builtin);
}
END_TEST

START_TEST(test_directory_loads_too)
{
    tokd_tokenizer *t = NULL;
    tokd_ids ids = {0};
    ck_assert_int_eq(tokd_tokenizer_load(TOKD_TEST_DATA "/gpt2", NULL, &t, NULL), 0);
    ck_assert_int_eq(tokd_encode(t, "hello world", 11, NULL, &ids, NULL), 0);
    uint32_t want[] = {31373, 995};
    ck_assert_uint_eq(ids.len, 2);
    ck_assert_mem_eq(ids.ids, want, sizeof want);
    tokd_ids_release(&ids);
    tokd_tokenizer_unref(t);
}
END_TEST

START_TEST(test_inconsistent_files_refused)
{
    char dir[] = "/tmp/tokd-gpt2-XXXXXX", enc[128], vocab[128];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(enc, sizeof enc, "%s/encoder.json", dir);
    snprintf(vocab, sizeof vocab, "%s/vocab.bpe", dir);
    tokd_tokenizer *t = NULL;
    tokd_error err = {0};
    /* merges 0 and 1 swapped: "Ġ t" and "Ġ a" */
    copy_file(TOKD_TEST_DATA "/gpt2/encoder.json", enc, NULL, NULL);
    copy_file(TOKD_TEST_DATA "/gpt2/vocab.bpe", vocab, "\xc4\xa0 t\n\xc4\xa0 a\n", "\xc4\xa0 a\n\xc4\xa0 t\n");
    ck_assert_int_eq(tokd_tokenizer_load(dir, NULL, &t, &err), TOKD_EFORMAT);
    ck_assert_msg(strstr(err.text, "vocab.bpe line 2: this merge makes id 257") != NULL, "%s", err.text);
    /* a token outside GPT-2's byte alphabet */
    copy_file(TOKD_TEST_DATA "/gpt2/vocab.bpe", vocab, NULL, NULL);
    copy_file(TOKD_TEST_DATA "/gpt2/encoder.json", enc, "\"!\": 0", "\"\\u4e2d\": 0");
    ck_assert_int_eq(tokd_tokenizer_load(enc, NULL, &t, &err), TOKD_EFORMAT);
    ck_assert_msg(strstr(err.text, "not written in GPT-2's byte alphabet") != NULL, "%s", err.text);
    unlink(vocab);
    copy_file(TOKD_TEST_DATA "/gpt2/encoder.json", enc, NULL, NULL);
    ck_assert_int_eq(tokd_tokenizer_load(enc, NULL, &t, &err), TOKD_ENOENT);
    ck_assert_msg(strstr(err.text, "vocab.bpe") != NULL, "%s", err.text);
    unlink(enc);
    rmdir(dir);
    ck_assert_ptr_null(t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("gpt2_files");
    TCase *tc = tcase_create("gpt2_files");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_same_ids_as_builtin);
    tcase_add_test(tc, test_directory_loads_too);
    tcase_add_test(tc, test_inconsistent_files_refused);
    suite_add_tcase(s, tc);
    return test_run(s);
}
