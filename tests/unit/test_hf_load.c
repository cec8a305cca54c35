/* test_hf_load.c - the tokenizer.json loader on files the shipped ones do
 * not exercise: very long merges and unk tokens, and every allocation of a
 * load failing in turn.
 *
 * Regressions: a merge side longer than 8 KiB overflowed a fixed 8192-byte
 * buffer; an unk_token longer than 1 KiB overflowed a stack buffer; a
 * strdup failing after a successful realloc of the normalizer array left a
 * dangling pointer that was freed twice. The build links this suite with
 * -Wl,--wrap for malloc, calloc, realloc and strdup, so libtokd's own
 * allocations can be made to fail one at a time (jansson's test_chaos does
 * the same with json_set_alloc_funcs). */
#include <string.h>
#include <unistd.h>

#include "testutil.h"

/* ---- allocation failure injection ---------------------------------------- */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);

/* load_json arms fail_at = arm_at around the load alone (Check itself
 * allocates in its assertions); 0: nothing fails. */
static size_t arm_at, fail_at, allocations;

static int should_fail(void)
{
    return fail_at && ++allocations == fail_at;
}

void *__wrap_malloc(size_t n)
{
    return should_fail() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return should_fail() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    return should_fail() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
    return should_fail() ? NULL : __real_strdup(s);
}

/* ---- helpers -------------------------------------------------------------- */

/* Write `root` (stolen) as a tokenizer.json and load it; the temporary file
 * is removed again. */
static int load_json(json_t *root, tokd_tokenizer **t, tokd_error *err)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/tokd-hf-load-%d.json", (int)getpid());
    ck_assert_int_eq(json_dump_file(root, path, JSON_COMPACT), 0);
    json_decref(root);
    char spec[96];
    snprintf(spec, sizeof spec, "x=%s", path);
    *t = NULL;
    allocations = 0;
    fail_at = arm_at;
    int rc = tokd_tokenizer_load(spec, NULL, t, err);
    fail_at = 0;
    unlink(path);
    return rc;
}

static char *repeat(const char *unit, size_t times)
{
    size_t n = strlen(unit);
    char *s = malloc(n * times + 1);
    ck_assert_ptr_nonnull(s);
    for (size_t i = 0; i < times; i++)
        memcpy(s + i * n, unit, n);
    s[n * times] = '\0';
    return s;
}

static void assert_ids(const tokd_tokenizer *t, const char *text, const uint32_t *want, size_t n_want)
{
    tokd_ids ids = {0};
    tokd_error err = {0};
    ck_assert_msg(tokd_encode_ordinary(t, text, strlen(text), &ids, &err) == 0, "%s", err.text);
    ck_assert_uint_eq(ids.len, n_want);
    for (size_t i = 0; i < n_want; i++)
        ck_assert_uint_eq(ids.ids[i], want[i]);
    tokd_ids_release(&ids);
}

/* A character-level BPE over U+20AC whose token k is the euro sign 2^k times
 * (k = 0..13; the last is 24,576 bytes) and whose merge k-1 joins two tokens
 * k-1: its sides reach 12,288 bytes. Merges as pairs or as "left right". */
static json_t *doubling_bpe(int as_pairs)
{
    json_t *vocab = json_object(), *merges = json_array();
    for (size_t k = 0; k < 14; k++) {
        char *tok = repeat("\xe2\x82\xac", (size_t)1 << k);
        json_object_set_new(vocab, tok, json_integer((json_int_t)k));
        if (k > 0) {
            char *half = repeat("\xe2\x82\xac", (size_t)1 << (k - 1));
            size_t len = strlen(half);
            char *both = malloc(2 * len + 2);
            ck_assert_ptr_nonnull(both);
            snprintf(both, 2 * len + 2, "%s %s", half, half);
            json_array_append_new(merges, as_pairs ? json_pack("[s, s]", half, half) : json_string(both));
            free(half);
            free(both);
        }
        free(tok);
    }
    return json_pack("{s:{s:s, s:o, s:o}}", "model", "type", "BPE", "vocab", vocab, "merges", merges);
}

/* ---- tests ---------------------------------------------------------------- */

START_TEST(test_merges_longer_than_8k)
{
    tokd_tokenizer *t;
    tokd_error err = {0};
    ck_assert_msg(load_json(doubling_bpe(_i), &t, &err) == 0, "%s", err.text);
    char *all = repeat("\xe2\x82\xac", 8192), *three = repeat("\xe2\x82\xac", 3);
    const uint32_t one[] = {13}, two[] = {1, 0};
    assert_ids(t, all, one, 1);
    assert_ids(t, three, two, 2);
    free(all);
    free(three);
    tokd_tokenizer_unref(t);
}
END_TEST

START_TEST(test_unk_token_longer_than_1k)
{
    char *unk = repeat("u", 2000);
    unk[0] = '<';
    unk[1999] = '>';
    json_t *root = json_pack("{s:{s:s, s:{s:i, s:i}, s:[], s:s}}", "model", "type", "BPE", "vocab", "a", 0, unk, 1,
                             "merges", "unk_token", unk);
    tokd_tokenizer *t;
    tokd_error err = {0};
    ck_assert_msg(load_json(root, &t, &err) == 0, "%s", err.text);
    const uint32_t want[] = {0, 1, 0};
    assert_ids(t, "aba", want, 3);
    const char *b;
    size_t len;
    ck_assert_int_eq(tokd_token_bytes(t, 1, &b, &len), 0);
    ck_assert_uint_eq(len, 2000);
    ck_assert_int_eq(memcmp(b, unk, len), 0);
    free(unk);
    tokd_tokenizer_unref(t);
}
END_TEST

START_TEST(test_unk_token_not_in_vocab)
{
    json_t *root = json_pack("{s:{s:s, s:{s:i}, s:[], s:s}}", "model", "type", "BPE", "vocab", "a", 0, "merges",
                             "unk_token", "<unk>");
    tokd_tokenizer *t;
    tokd_error err = {0};
    tokd_ids ids = {0};
    /* Hugging Face loads it and fails only the encodes that need the unk */
    ck_assert_msg(load_json(root, &t, &err) == 0, "%s", err.text);
    const uint32_t want[] = {0, 0};
    assert_ids(t, "aa", want, 2);
    ck_assert_int_eq(tokd_encode_ordinary(t, "ab", 2, &ids, &err), TOKD_EUNSUPPORTED);
    ck_assert_uint_eq(ids.len, 0);
    tokd_tokenizer_unref(t);
}
END_TEST

/* Every normalizer kind, a Sequence decoder, added tokens and a template: the parts of
 * the loader that allocate per step. */
static const char chaos_file[] =
    "{\"normalizer\": {\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"Prepend\", \"prepend\": \"\\u2581\"},"
    " {\"type\": \"Replace\", \"pattern\": {\"String\": \" \"}, \"content\": \"\\u2581\"}, {\"type\": \"NFC\"},"
    " {\"type\": \"Replace\", \"pattern\": {\"String\": \"a\"}, \"content\": \"b\"}]},"
    " \"pre_tokenizer\": {\"type\": \"Metaspace\", \"replacement\": \"\\u2581\", \"prepend_scheme\": \"never\"},"
    " \"model\": {\"type\": \"BPE\", \"vocab\": {\"\\u2581\": 0, \"a\": 1, \"b\": 2, \"\\u2581b\": 3, \"<s>\": 4},"
    " \"merges\": [\"\\u2581 b\"], \"unk_token\": \"\\u2581\"},"
    " \"added_tokens\": [{\"id\": 4, \"content\": \"<s>\", \"special\": true},"
    " {\"id\": 5, \"content\": \"xy\", \"special\": false, \"normalized\": false}],"
    " \"post_processor\": {\"type\": \"TemplateProcessing\", \"single\": [{\"SpecialToken\": {\"id\": \"<s>\"}},"
    " {\"Sequence\": {\"id\": \"A\"}}], \"special_tokens\": {\"<s>\": {\"ids\": [4]}}},"
    " \"decoder\": {\"type\": \"Sequence\", \"decoders\": [{\"type\": \"Replace\", \"pattern\": {\"String\":"
    " \"\\u2581\"}, \"content\": \" \"}, {\"type\": \"Fuse\"}, {\"type\": \"Strip\", \"content\": \" \", \"start\": 1, \"stop\": 0}]}}";

static int load_chaos(tokd_tokenizer **t, tokd_error *err)
{
    json_error_t je;
    json_t *root = json_loads(chaos_file, 0, &je);
    ck_assert_msg(root != NULL, "%s", je.text);
    return load_json(root, t, err);
}

START_TEST(test_chaos_file_encodes)
{
    tokd_tokenizer *t;
    tokd_error err = {0};
    ck_assert_msg(load_chaos(&t, &err) == 0, "%s", err.text);
    /* "ab a" -> "\u2581ab\u2581a" -> "\u2581bb\u2581b": [\u2581b, b, \u2581b]; "xy" is an added token */
    const uint32_t want[] = {3, 2, 3}, with_added[] = {3, 5};
    assert_ids(t, "ab a", want, 3);
    assert_ids(t, "axy", with_added, 2);
    tokd_bytes out = {0};
    ck_assert_int_eq(tokd_decode_text(t, want, 3, &out, &err), 0);
    ck_assert_str_eq(out.data, "bb b");
    tokd_bytes_release(&out);
    tokd_tokenizer_unref(t);
}
END_TEST

/* Allocation n fails, for n = 1, 2, ... until a load needs fewer: each load
 * ends in success or TOKD_ENOMEM, and what loads encodes as the real one
 * (no crash, no double free, no leak under ASan, no wrong id). */
START_TEST(test_each_allocation_fails)
{
    size_t enomem = 0, n;
    for (n = 1;; n++) {
        tokd_tokenizer *t;
        tokd_error err = {0};
        arm_at = n;
        int rc = load_chaos(&t, &err);
        arm_at = 0;
        ck_assert_msg(rc == 0 || rc == TOKD_ENOMEM, "allocation %zu failed: %s (%s)", n, tokd_err_name(rc), err.text);
        if (rc == 0) {
            const uint32_t want[] = {3, 2, 3};
            assert_ids(t, "ab a", want, 3);
            tokd_tokenizer_unref(t);
        }
        enomem += rc == TOKD_ENOMEM;
        if (allocations < n)
            break; /* the injected failure was never reached */
    }
    ck_assert_uint_ge(n, 20);
    ck_assert_uint_ge(enomem, 10);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hf_load");
    TCase *tc = tcase_create("hf_load");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test_merges_longer_than_8k, 0, 2);
    tcase_add_test(tc, test_unk_token_longer_than_1k);
    tcase_add_test(tc, test_unk_token_not_in_vocab);
    tcase_add_test(tc, test_chaos_file_encodes);
    tcase_add_test(tc, test_each_allocation_fails);
    suite_add_tcase(s, tc);
    return test_run(s);
}
