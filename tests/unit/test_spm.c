/* test_spm.c - sentencepiece .model files against Debian's
 * python3-sentencepiece (0.1.97).
 *
 * The models of tests/data/spm/ are trained by spm_train on the repo's corpus
 * (tests/gen/gen_spm_fixtures.py): llama_bpe (BPE with Llama 2's options:
 * byte_fallback, split_digits, identity, no whitespace squeezing, ...),
 * unigram_nmt (Unigram, defaults: nmt_nfkc), unigram_user (identity and
 * user-defined symbols), tiny_fallback (nfkc, byte fallback) and tiny_unk
 * (BPE, whitespace as suffix, unknown characters). spm_fixtures.json holds
 * EncodeAsIds and DecodeIds for every conformance case and the adversarial
 * extras; tokd must give the same, text treated as plain text (control
 * pieces never come from text, as in sentencepiece). Also: the policy for
 * control pieces, bos/eos, and malformed files refused by name. */
#include <unistd.h>

#include "answers.h"

static json_t *shared, *fixtures;

static int load_model(const char *name, tokd_tokenizer **t, tokd_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/spm/%s.model", TOKD_TEST_DATA, name);
    return tokd_tokenizer_load(path, NULL, t, err);
}

static tokd_tokenizer *model(const char *name)
{
    tokd_tokenizer *t = NULL;
    tokd_error err = {0};
    ck_assert_msg(load_model(name, &t, &err) == 0, "%s: %s", name, err.text);
    return t;
}

START_TEST(test_ids_and_decode_equal_sentencepiece)
{
    const char *name = json_string_value(json_array_get(json_object_get(fixtures, "models"), (size_t)_i));
    tokd_tokenizer *tok = model(name);
    static const tokd_specials plain = {.disallowed_mode = TOKD_DISALLOW_NONE};
    size_t i, failed = 0;
    json_t *c;
    json_array_foreach(json_object_get(fixtures, "cases"), i, c)
    {
        json_t *text = answers_text(c, shared), *a = json_object_get(json_object_get(c, "ids"), name);
        tokd_ids ids = {0};
        tokd_bytes dec = {0};
        tokd_error err = {0};
        int ok = tokd_encode(tok, json_string_value(text), json_string_length(text), &plain, &ids, &err) == 0 &&
                 answers_ids_match(ids.ids, ids.len, a);
        int dec_ok = ok && tokd_decode_text(tok, ids.ids, ids.len, &dec, &err) == 0 &&
                     answers_decoded_match(&dec, text, a);
        if (!dec_ok)
            fprintf(stderr, "[%s] %s: %s differ from sentencepiece's %s\n", name,
                    json_string_value(json_object_get(c, "name")), ok ? "decoded text" : "ids", err.text);
        failed += !dec_ok;
        tokd_ids_release(&ids);
        tokd_bytes_release(&dec);
    }
    tokd_tokenizer_unref(tok);
    ck_assert_uint_ge(i, 1400);
    ck_assert_msg(failed == 0, "%s: %zu of %zu texts differ", name, failed, i);
}
END_TEST

START_TEST(test_seed_example)
{
    /* the seed trains Llama 2's options and encodes this */
    tokd_tokenizer *t = model("llama_bpe");
    json_t *c;
    size_t i;
    json_array_foreach(json_object_get(fixtures, "cases"), i, c)
    {
        json_t *text = json_object_get(c, "text");
        if (!text || strcmp(json_string_value(text), "S\xc3\xa1" "bado y domingo") != 0)
            continue;
        json_t *want = json_object_get(json_object_get(json_object_get(c, "ids"), "llama_bpe"), "ids");
        tokd_ids ids = {0};
        tokd_error err = {0};
        ck_assert_int_eq(tokd_encode_ordinary(t, json_string_value(text), json_string_length(text), &ids, &err), 0);
        ck_assert_uint_eq(ids.len, json_array_size(want));
        for (size_t k = 0; k < ids.len; k++)
            ck_assert_uint_eq(ids.ids[k], (uint32_t)json_integer_value(json_array_get(want, k)));
        tokd_ids_release(&ids);
        tokd_tokenizer_unref(t);
        return;
    }
    ck_abort_msg("the seed text is not in spm_fixtures.json");
}
END_TEST

START_TEST(test_control_pieces_and_bos_eos)
{
    tokd_tokenizer *t = model("llama_bpe");
    tokd_ids ids = {0};
    tokd_error err = {0};
    /* by default a control piece's text is refused, as other tokenizers' special tokens */
    ck_assert_int_eq(tokd_encode(t, "a</s>", 5, NULL, &ids, &err), TOKD_ESPECIAL);
    /* allowed, it is its id; add_special_tokens puts bos (1) and eos (2) around */
    tokd_specials all = {.allowed_mode = TOKD_ALLOW_ALL, .add_special_tokens = 1};
    ck_assert_int_eq(tokd_encode(t, "</s>", 4, &all, &ids, &err), 0);
    ck_assert_uint_eq(ids.len, 3);
    ck_assert_uint_eq(ids.ids[0], 1);
    ck_assert_uint_eq(ids.ids[1], 2);
    ck_assert_uint_eq(ids.ids[2], 2);
    /* control pieces decode to nothing, the unknown piece to " \u2047 " */
    uint32_t some[] = {1, 0, 2};
    tokd_bytes out = {0};
    ck_assert_int_eq(tokd_decode_text(t, some, 3, &out, &err), 0);
    ck_assert_str_eq(out.data, " \xe2\x81\x87 ");
    tokd_bytes_release(&out);
    tokd_ids_release(&ids);
    tokd_tokenizer_unref(t);
}
END_TEST

/* Write bytes to a temporary NAME.model and load it. */
static int load_bytes(const void *b, size_t n, tokd_error *err)
{
    char path[] = "/tmp/tokd-spm-XXXXXX.model";
    int fd = mkstemps(path, 6);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, b, n), (ssize_t)n);
    close(fd);
    tokd_tokenizer *t = NULL;
    int rc = tokd_tokenizer_load(path, NULL, &t, err);
    unlink(path);
    tokd_tokenizer_unref(t);
    return rc;
}

static void refused(const void *b, size_t n, int code, const char *names)
{
    tokd_error err = {0};
    ck_assert_int_eq(load_bytes(b, n, &err), code);
    ck_assert_msg(strstr(err.text, names) != NULL, "'%s' does not name %s", err.text, names);
}

START_TEST(test_malformed_models_refused)
{
    char path[4096];
    size_t n;
    snprintf(path, sizeof path, "%s/spm/unigram_user.model", TOKD_TEST_DATA);
    char *whole = test_read_file(path, &n);
    refused(whole, n / 2, TOKD_EFORMAT, "truncated");
    refused(whole, 7, TOKD_EFORMAT, "truncated");
    free(whole);
    refused("", 0, TOKD_EFORMAT, "no pieces");
    refused("\xff\xff\xff", 3, TOKD_EFORMAT, "does not parse");
    /* pieces: "<unk>" (type 2); trainer_spec.model_type = 3 (WORD) / 4 (CHAR) */
    static const char word[] = "\x0a\x09\x0a\x05<unk>\x18\x02\x12\x02\x18\x03";
    static const char chr[] = "\x0a\x09\x0a\x05<unk>\x18\x02\x12\x02\x18\x04";
    refused(word, sizeof word - 1, TOKD_EUNSUPPORTED, "model_type WORD");
    refused(chr, sizeof chr - 1, TOKD_EUNSUPPORTED, "model_type CHAR");
    static const char no_unk[] = "\x0a\x03\x0a\x01" "a";
    refused(no_unk, sizeof no_unk - 1, TOKD_EFORMAT, "no unknown piece");
    static const char bad_type[] = "\x0a\x09\x0a\x05<unk>\x18\x02\x0a\x05\x0a\x01" "a\x18\x09";
    refused(bad_type, sizeof bad_type - 1, TOKD_EFORMAT, "piece 1 has a type");
    static const char bad_byte[] = "\x0a\x09\x0a\x05<unk>\x18\x02\x0a\x05\x0a\x01" "a\x18\x06";
    refused(bad_byte, sizeof bad_byte - 1, TOKD_EFORMAT, "piece 1 is a byte piece not spelled <0xXX>");
    static const char dup[] = "\x0a\x09\x0a\x05<unk>\x18\x02\x0a\x03\x0a\x01" "a\x0a\x03\x0a\x01" "a";
    refused(dup, sizeof dup - 1, TOKD_EFORMAT, "a");
    /* bos_id 1 is a normal piece, not a control one */
    static const char bos[] = "\x0a\x09\x0a\x05<unk>\x18\x02\x0a\x03\x0a\x01" "a\x0a\x03\x0a\x01" "b";
    refused(bos, sizeof bos - 1, TOKD_EFORMAT, "trainer_spec.bos_id is 1");
}
END_TEST

int main(void)
{
    shared = test_load_json("tiktoken_fixtures.json");
    fixtures = test_load_json("spm/spm_fixtures.json");
    Suite *s = suite_create("spm");
    TCase *tc = tcase_create("spm");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, test_ids_and_decode_equal_sentencepiece, 0,
                        (int)json_array_size(json_object_get(fixtures, "models")));
    tcase_add_test(tc, test_seed_example);
    tcase_add_test(tc, test_control_pieces_and_bos_eos);
    tcase_add_test(tc, test_malformed_models_refused);
    suite_add_tcase(s, tc);
    int rc = test_run(s);
    json_decref(shared);
    json_decref(fixtures);
    return rc;
}
