/* test_unigram.c - the Unigram model and the Precompiled normalizer
 * against Hugging Face tokenizers 0.23.2.
 *
 * tests/data/spm/{t5_style,fallback_style}.json are T5/XLM-R-style files
 * (Precompiled + Metaspace + Unigram, the second with byte_fallback)
 * converted from sentencepiece models trained on the repo's corpus;
 * unigram_fixtures.json holds the reference's ids, offsets (code points)
 * and decoded text for every conformance case. Also: Viterbi tie-breaking,
 * unk fusing, byte fallback and malformed files on small inline models. */
#include <unistd.h>

#include "answers.h"

static json_t *shared, *answers;

static tokd_tokenizer *load_path(const char *path)
{
    tokd_tokenizer *t = NULL;
    tokd_error err = {0};
    int rc = tokd_tokenizer_load(path, NULL, &t, &err);
    ck_assert_msg(rc == 0, "loading %s: %s", path, err.text);
    return t;
}

/* The code point offsets of tokd's byte offsets, flat, into out. */
static void code_point_offsets(const char *s, size_t n, const tokd_offsets *off, uint32_t *out)
{
    size_t *cp = malloc((n + 1) * sizeof *cp), k = 0;
    ck_assert_ptr_nonnull(cp);
    for (size_t i = 0; i < n; i++) {
        k += ((unsigned char)s[i] & 0xC0) != 0x80 && i > 0;
        cp[i] = k;
    }
    for (size_t i = 0; i < off->len; i++) {
        int empty = off->v[i].end <= off->v[i].start;
        out[2 * i] = empty ? 0 : (uint32_t)cp[off->v[i].start];
        out[2 * i + 1] = empty ? 0 : (uint32_t)cp[off->v[i].end - 1] + 1;
    }
    free(cp);
}

static int offsets_match(const char *s, size_t n, const tokd_offsets *off, json_t *a)
{
    uint32_t *flat = malloc((2 * off->len + 1) * sizeof *flat);
    ck_assert_ptr_nonnull(flat);
    code_point_offsets(s, n, off, flat);
    json_t *full = json_object_get(a, "offsets");
    int ok = answers_hash_is(flat, NULL, 2 * off->len, json_object_get(a, "oh"));
    for (size_t i = 0; ok && full && i < 2 * off->len; i++)
        ok = flat[i] == (uint32_t)json_integer_value(json_array_get(full, i));
    free(flat);
    return ok;
}

/* Every case of one file: ids and decode, or ids and offsets. */
static void check_file(int _i, int with_offsets)
{
    const char *file = json_string_value(json_array_get(json_object_get(answers, "files"), (size_t)_i));
    char path[4096];
    snprintf(path, sizeof path, "%s/spm/%s.json", TOKD_TEST_DATA, file);
    tokd_tokenizer *tok = load_path(path);
    static const tokd_specials plain = {.allowed_mode = TOKD_ALLOW_ALL}; /* as Hugging Face: added tokens always match */
    size_t i, failed = 0;
    json_t *c;
    json_array_foreach(json_object_get(answers, "cases"), i, c)
    {
        json_t *text = answers_text(c, shared), *a = json_object_get(c, file);
        const char *s = json_string_value(text);
        size_t n = json_string_length(text);
        tokd_ids ids = {0};
        tokd_offsets off = {0};
        tokd_bytes dec = {0};
        tokd_error err = {0};
        int ok = tokd_encode_offsets(tok, s, n, &plain, NULL, &ids, with_offsets ? &off : NULL, &err) == 0 &&
                 answers_ids_match(ids.ids, ids.len, a);
        if (ok && with_offsets)
            ok = offsets_match(s, n, &off, a);
        if (ok && !with_offsets)
            ok = tokd_decode_text(tok, ids.ids, ids.len, &dec, &err) == 0 && answers_decoded_match(&dec, text, a);
        if (!ok)
            fprintf(stderr, "[%s] %s: %s differ from Hugging Face's %s\n", file,
                    json_string_value(json_object_get(c, "name")), with_offsets ? "offsets" : "ids or decode", err.text);
        failed += !ok;
        tokd_ids_release(&ids);
        tokd_offsets_release(&off);
        tokd_bytes_release(&dec);
    }
    tokd_tokenizer_unref(tok);
    ck_assert_uint_ge(i, 1400);
    ck_assert_msg(failed == 0, "%s: %zu of %zu texts differ", file, failed, i);
}

START_TEST(test_ids_and_decode_equal_hugging_face)
{
    check_file(_i, 0);
}
END_TEST

START_TEST(test_offsets_equal_hugging_face)
{
    check_file(_i, 1);
}
END_TEST

/* Load a tokenizer.json written from `json` (a temporary file): 0 and *out,
 * or the error code with err filled. */
static int load_inline(const char *json, tokd_tokenizer **out, tokd_error *err)
{
    char path[] = "/tmp/tokd-unigram-XXXXXX.json";
    int fd = mkstemps(path, 5);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs(json, f);
    fclose(f);
    int rc = tokd_tokenizer_load(path, NULL, out, err);
    unlink(path);
    return rc;
}

#define UNIGRAM(vocab, rest) \
    "{\"model\": {\"type\": \"Unigram\", \"vocab\": [" vocab "]" rest "}}"

/* The ids of `text` under the inline file `json`, as a "[a,b,...]" string. */
static void ids_are(const char *json, const char *text, const char *want)
{
    tokd_tokenizer *t = NULL;
    tokd_error err = {0};
    ck_assert_msg(load_inline(json, &t, &err) == 0, "%s", err.text);
    tokd_ids ids = {0};
    ck_assert_msg(tokd_encode_ordinary(t, text, strlen(text), &ids, &err) == 0, "%s", err.text);
    char got[256] = "[";
    for (size_t i = 0; i < ids.len; i++)
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%u", i ? "," : "", ids.ids[i]);
    strcat(got, "]");
    ck_assert_str_eq(got, want);
    tokd_ids_release(&ids);
    tokd_tokenizer_unref(t);
}

START_TEST(test_viterbi_rules)
{
    /* equal scores: the piece from the earliest start wins (one "ab", not a + b) */
    ids_are(UNIGRAM("[\"<unk>\", 0], [\"a\", -1], [\"b\", -1], [\"ab\", -2]", ", \"unk_id\": 0"), "ab", "[3]");
    /* a better sum wins over a longer piece */
    ids_are(UNIGRAM("[\"<unk>\", 0], [\"a\", -1], [\"b\", -1], [\"ab\", -2.5]", ", \"unk_id\": 0"), "ab", "[1,2]");
    /* unknown characters in a row are one unk (Hugging Face fuses them) */
    ids_are(UNIGRAM("[\"<unk>\", 0], [\"a\", -1]", ", \"unk_id\": 0"), "xy\xc3\xa9" "a", "[0,1]");
    /* byte fallback: bytes when every byte has a piece, else unk */
    ids_are(UNIGRAM("[\"<unk>\", 0], [\"a\", -1], [\"<0x78>\", -5], [\"<0x79>\", -5]",
                    ", \"unk_id\": 0, \"byte_fallback\": true"),
            "xya\xc3\xa9", "[2,3,1,0]");
}
END_TEST

START_TEST(test_no_unk_fails_the_call)
{
    tokd_tokenizer *t = NULL;
    tokd_error err = {0};
    ck_assert_int_eq(load_inline(UNIGRAM("[\"a\", -1]", ", \"unk_id\": null"), &t, &err), 0);
    tokd_ids ids = {0};
    ck_assert_int_eq(tokd_encode_ordinary(t, "ax", 2, &ids, &err), TOKD_EUNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(err.text, "no unk_token"));
    tokd_ids_release(&ids);
    tokd_tokenizer_unref(t);
}
END_TEST

static void refused(const char *json, int code, const char *names)
{
    tokd_tokenizer *t = NULL;
    tokd_error err = {0};
    ck_assert_int_eq(load_inline(json, &t, &err), code);
    ck_assert_msg(strstr(err.text, names) != NULL, "'%s' does not name %s", err.text, names);
}

START_TEST(test_malformed_files_refused)
{
    refused(UNIGRAM("[\"a\", -1]", ", \"unk_id\": 5"), TOKD_EFORMAT, "model.unk_id");
    refused(UNIGRAM("[\"a\", -1], [\"b\"]", ""), TOKD_EFORMAT, "model.vocab[1]");
    refused(UNIGRAM("", ""), TOKD_EFORMAT, "model.vocab");
    refused(UNIGRAM("[\"a\", -1], [\"a\", -2]", ""), TOKD_EFORMAT, "a");
    const char *norm = "{\"normalizer\": {\"type\": \"Precompiled\", \"precompiled_charsmap\": \"%s\"},"
                       " \"model\": {\"type\": \"Unigram\", \"vocab\": [[\"a\", -1]]}}";
    char json[512];
    snprintf(json, sizeof json, norm, "!!!!");
    refused(json, TOKD_EFORMAT, "precompiled_charsmap: is not base64");
    snprintf(json, sizeof json, norm, "ZAAAAAAAAAA="); /* trie size 100 in an 8-byte map */
    refused(json, TOKD_EFORMAT, "does not fit");
    snprintf(json, sizeof json, norm, "");
    refused(json, TOKD_EFORMAT, "precompiled_charsmap");
}
END_TEST

int main(void)
{
    shared = test_load_json("tiktoken_fixtures.json");
    answers = test_load_json("spm/unigram_fixtures.json");
    Suite *s = suite_create("unigram");
    TCase *tc = tcase_create("unigram");
    int n = (int)json_array_size(json_object_get(answers, "files"));
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, test_ids_and_decode_equal_hugging_face, 0, n);
    tcase_add_loop_test(tc, test_offsets_equal_hugging_face, 0, n);
    tcase_add_test(tc, test_viterbi_rules);
    tcase_add_test(tc, test_no_unk_fails_the_call);
    tcase_add_test(tc, test_malformed_files_refused);
    suite_add_tcase(s, tc);
    int rc = test_run(s);
    json_decref(shared);
    json_decref(answers);
    return rc;
}
