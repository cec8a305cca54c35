/* test_tokenizer.c - the public tokenizer API: loading, special tokens,
 * decoding, model names and properties over random text. */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

static uint32_t next_rand(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static const char *const encodings[] = {"gpt2",       "r50k_base",  "p50k_base",     "p50k_edit",
                                        "cl100k_base", "o200k_base", "o200k_harmony"};

START_TEST(test_n_vocab_and_specials)
{
    static const uint32_t n_vocab[] = {50257, 50257, 50281, 50284, 100277, 200019, 201088};
    static const size_t n_specials[] = {1, 1, 1, 4, 5, 2, 16 + 201088 - 200013};
    tokd_tokenizer *t = test_tokenizer(encodings[_i]);
    ck_assert_uint_eq(tokd_tokenizer_n_vocab(t), n_vocab[_i]);
    ck_assert_uint_eq(tokd_tokenizer_n_specials(t), n_specials[_i]);
    ck_assert_str_eq(tokd_tokenizer_name(t), encodings[_i]);
    ck_assert_uint_eq(strlen(tokd_tokenizer_sha256(t)), 64);
    tokd_tokenizer_unref(t);
}
END_TEST

START_TEST(test_hello_world)
{
    tokd_tokenizer *t = test_tokenizer("cl100k_base");
    tokd_ids ids = {0};
    ck_assert_int_eq(tokd_encode(t, "hello world", 11, NULL, &ids, NULL), 0);
    ck_assert_uint_eq(ids.len, 2);
    ck_assert_uint_eq(ids.ids[0], 15339);
    ck_assert_uint_eq(ids.ids[1], 1917);
    tokd_bytes out = {0};
    ck_assert_int_eq(tokd_decode_text(t, ids.ids, ids.len, &out, NULL), 0);
    ck_assert_str_eq(out.data, "hello world");
    tokd_bytes_release(&out);
    tokd_ids_release(&ids);
    tokd_tokenizer_unref(t);
}
END_TEST

START_TEST(test_special_token_policy)
{
    tokd_tokenizer *t = test_tokenizer("cl100k_base");
    const char *text = "a<|endoftext|>b<|fim_prefix|>";
    tokd_ids ids = {0};
    tokd_error err = {0};
    ck_assert_int_eq(tokd_encode(t, text, strlen(text), NULL, &ids, &err), TOKD_ESPECIAL);
    ck_assert_msg(strstr(err.text, "'<|endoftext|>'") && strstr(err.text, "byte 1"), "%s", err.text);
    ck_assert_uint_eq(err.position, 2);
    ck_assert_uint_eq(ids.len, 0);

    const char *only_eot[] = {"<|endoftext|>"};
    tokd_specials sp = {.allowed_mode = TOKD_ALLOW_LIST, .allowed = only_eot, .n_allowed = 1};
    ck_assert_int_eq(tokd_encode(t, text, strlen(text), &sp, &ids, &err), TOKD_ESPECIAL);
    ck_assert_msg(strstr(err.text, "'<|fim_prefix|>'"), "%s", err.text);

    sp.disallowed_mode = TOKD_DISALLOW_NONE; /* fim_prefix becomes text */
    ck_assert_int_eq(tokd_encode(t, text, strlen(text), &sp, &ids, &err), 0);
    ck_assert_uint_eq(ids.ids[1], 100257);
    ck_assert_uint_gt(ids.len, 4);
    ids.len = 0;

    sp = (tokd_specials){.allowed_mode = TOKD_ALLOW_ALL};
    ck_assert_int_eq(tokd_encode(t, text, strlen(text), &sp, &ids, &err), 0);
    uint32_t want[] = {64, 100257, 65, 100258};
    ck_assert_uint_eq(ids.len, 4);
    ck_assert_mem_eq(ids.ids, want, sizeof want);
    ids.len = 0;

    const char *typo[] = {"<|endoftxt|>"};
    sp = (tokd_specials){.allowed_mode = TOKD_ALLOW_LIST, .allowed = typo, .n_allowed = 1};
    ck_assert_int_eq(tokd_encode(t, text, strlen(text), &sp, &ids, &err), TOKD_EINVAL);
    ck_assert_msg(strstr(err.text, "<|endoftxt|>") != NULL, "%s", err.text);

    size_t count = 99;
    ck_assert_int_eq(tokd_count(t, text, strlen(text), NULL, &count, NULL), TOKD_ESPECIAL);
    ck_assert_uint_eq(count, 0);
    ck_assert_int_eq(tokd_encode_ordinary(t, text, strlen(text), &ids, NULL), 0);
    ck_assert_uint_gt(ids.len, 4);
    tokd_ids_release(&ids);
    tokd_tokenizer_unref(t);
}
END_TEST

START_TEST(test_decode_errors_and_replacement)
{
    tokd_tokenizer *t = test_tokenizer("cl100k_base");
    tokd_bytes out = {0};
    tokd_error err = {0};
    uint32_t bad[] = {15339, 100261};
    ck_assert_int_eq(tokd_decode_bytes(t, bad, 2, &out, &err), TOKD_ERANGE);
    ck_assert_msg(strstr(err.text, "100261") && strstr(err.text, "index 1"), "%s", err.text);
    ck_assert_uint_eq(out.len, 0);
    uint32_t huge[] = {4000000000u};
    ck_assert_int_eq(tokd_decode_text(t, huge, 1, &out, &err), TOKD_ERANGE);
    /* ids 94 and 246 are the single bytes 0xff... of a split emoji */
    const char *s = "\xf0\x9f\x98\x80";
    tokd_ids ids = {0};
    ck_assert_int_eq(tokd_encode(t, s, 4, NULL, &ids, NULL), 0);
    ck_assert_uint_gt(ids.len, 1); /* the emoji is more than one token */
    ck_assert_int_eq(tokd_decode_text(t, ids.ids, 1, &out, NULL), 0);
    ck_assert_str_eq(out.data, "\xef\xbf\xbd"); /* a lone fragment: one U+FFFD */
    tokd_bytes_release(&out);
    ck_assert_int_eq(tokd_decode_bytes(t, ids.ids, 1, &out, NULL), 0);
    ck_assert_uint_lt(out.len, 4);
    tokd_bytes_release(&out);
    const char *b;
    size_t len;
    ck_assert_int_eq(tokd_token_bytes(t, 100257, &b, &len), 0);
    ck_assert_uint_eq(len, 13);
    ck_assert_mem_eq(b, "<|endoftext|>", 13);
    ck_assert_int_eq(tokd_token_bytes(t, 100256, &b, &len), TOKD_ERANGE); /* unused id */
    tokd_ids_release(&ids);
    tokd_tokenizer_unref(t);
}
END_TEST

START_TEST(test_harmony_specials)
{
    tokd_tokenizer *t = test_tokenizer("o200k_harmony");
    tokd_specials all = {.allowed_mode = TOKD_ALLOW_ALL};
    const char *text = "<|start|>user<|message|>hi<|end|><|reserved_201087|>";
    tokd_ids ids = {0};
    ck_assert_int_eq(tokd_encode(t, text, strlen(text), &all, &ids, NULL), 0);
    ck_assert_uint_eq(ids.ids[0], 200006);
    ck_assert_uint_eq(ids.ids[ids.len - 1], 201087);
    const char *b;
    size_t len;
    ck_assert_int_eq(tokd_token_bytes(t, 200018, &b, &len), 0);
    ck_assert_mem_eq(b, "<|endofprompt|>", len);
    ck_assert_int_eq(tokd_token_bytes(t, 201088, &b, &len), TOKD_ERANGE);
    tokd_ids_release(&ids);
    tokd_tokenizer_unref(t);
}
END_TEST

/* Random valid UTF-8 over a palette with every kind of character. */
static size_t random_utf8(uint32_t *seed, char *buf, size_t max)
{
    static const char *const palette[] = {"a", "Z", " ", "  ", "\n", "\r\n", "\t", "'s", "'LL", "7", "123",
                                          "!", "/", "é", "ß", "中", "の", "😀", "👨‍👩‍👧", "\xcc\x81",
                                          "\xe2\x80\x8b", "\xc2\xa0", "\xe3\x80\x80", "ſ", "ǅ", "٣", "\x01",
                                          "<|endoftext|>", "\xf4\x8f\xbf\xbf", "\xef\xbf\xbd"};
    size_t n = 0, k = next_rand(seed) % max;
    for (size_t i = 0; i < k; i++) {
        const char *p = palette[next_rand(seed) % (sizeof palette / sizeof palette[0])];
        memcpy(buf + n, p, strlen(p));
        n += strlen(p);
    }
    return n;
}

START_TEST(test_roundtrip_and_count)
{
    tokd_tokenizer *t = test_tokenizer(encodings[_i]);
    tokd_specials ordinary = {.disallowed_mode = TOKD_DISALLOW_NONE};
    uint32_t seed = 2024u + (uint32_t)_i;
    static char buf[200 * 20];
    int failures = 0;
    for (int trial = 0; trial < 3000; trial++) {
        size_t n = random_utf8(&seed, buf, 200), count = 0;
        tokd_ids ids = {0};
        tokd_bytes out = {0};
        failures += tokd_encode(t, buf, n, &ordinary, &ids, NULL) != 0;
        failures += tokd_count(t, buf, n, &ordinary, &count, NULL) != 0 || count != ids.len;
        failures += tokd_decode_bytes(t, ids.ids, ids.len, &out, NULL) != 0 || out.len != n ||
                    (n && memcmp(out.data, buf, n) != 0);
        tokd_bytes_release(&out);
        tokd_ids_release(&ids);
    }
    ck_assert_int_eq(failures, 0);
    tokd_tokenizer_unref(t);
}
END_TEST

/* A megabyte of one character (the inputs that make naive BPE quadratic):
 * encodes, round-trips and counts alike. Ids of 40 000-long runs are
 * checked against tiktoken in test_conformance; time is measured in bench/. */
/* One tokenizer shared by several threads gives each the ids it gives one. */
enum { THREADS = 4, TEXTS = 500 };
static tokd_tokenizer *shared_tok;
static char thread_text[TEXTS][200 * 20];
static size_t thread_len[TEXTS];
static tokd_ids thread_want[TEXTS];

static void *encode_worker(void *arg)
{
    size_t bad = 0;
    tokd_specials ordinary = {.disallowed_mode = TOKD_DISALLOW_NONE};
    for (size_t i = (size_t)(uintptr_t)arg; i < TEXTS; i++) {
        tokd_ids ids = {0};
        bad += tokd_encode(shared_tok, thread_text[i], thread_len[i], &ordinary, &ids, NULL) != 0 ||
               ids.len != thread_want[i].len ||
               (ids.len && memcmp(ids.ids, thread_want[i].ids, ids.len * sizeof *ids.ids) != 0);
        tokd_ids_release(&ids);
    }
    return (void *)(uintptr_t)bad;
}

START_TEST(test_shared_between_threads)
{
    shared_tok = test_tokenizer(encodings[_i]);
    tokd_specials ordinary = {.disallowed_mode = TOKD_DISALLOW_NONE};
    uint32_t seed = 31337;
    for (size_t i = 0; i < TEXTS; i++) {
        thread_len[i] = random_utf8(&seed, thread_text[i], 200);
        thread_want[i] = (tokd_ids){0};
        ck_assert_int_eq(tokd_encode(shared_tok, thread_text[i], thread_len[i], &ordinary, &thread_want[i], NULL), 0);
    }
    ck_assert_uint_eq(test_threads(encode_worker, THREADS), 0);
    for (size_t i = 0; i < TEXTS; i++)
        tokd_ids_release(&thread_want[i]);
    tokd_tokenizer_unref(shared_tok);
}
END_TEST

START_TEST(test_megabyte_runs)
{
    static const char *const units[] = {"a", "_", "^", " ", "1234567890", "\xe4\xb8\xad"};
    tokd_tokenizer *t = test_tokenizer("cl100k_base");
    size_t n = 1 << 20;
    char *s = malloc(n);
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
        size_t ul = strlen(units[u]), len = n / ul * ul, count = 0;
        for (size_t i = 0; i < len; i++)
            s[i] = units[u][i % ul];
        tokd_ids ids = {0};
        tokd_bytes out = {0};
        ck_assert_int_eq(tokd_encode(t, s, len, NULL, &ids, NULL), 0);
        ck_assert_int_eq(tokd_count(t, s, len, NULL, &count, NULL), 0);
        ck_assert_uint_eq(count, ids.len);
        ck_assert_int_eq(tokd_decode_bytes(t, ids.ids, ids.len, &out, NULL), 0);
        ck_assert_uint_eq(out.len, len);
        ck_assert_int_eq(memcmp(out.data, s, len), 0);
        tokd_bytes_release(&out);
        tokd_ids_release(&ids);
    }
    free(s);
    tokd_tokenizer_unref(t);
}
END_TEST

START_TEST(test_model_names_match_tiktoken)
{
    json_t *m = test_load_json("model_to_encoding.json"), *v;
    const char *model;
    size_t n = 0;
    json_object_foreach(m, model, v)
    {
        const char *got = tokd_encoding_for_model(model);
        ck_assert_msg(got && strcmp(got, json_string_value(v)) == 0, "%s: %s, tiktoken says %s", model,
                      got ? got : "(none)", json_string_value(v));
        n++;
    }
    ck_assert_uint_gt(n, 80);
    json_decref(m);
    static const char *const prefixed[][2] = {
        {"gpt-4o-2099-01-01", "o200k_base"}, {"gpt-4-0314", "cl100k_base"}, {"gpt-5-pro", "o200k_base"},
        {"o3-mini", "o200k_base"}, {"o1", "o200k_base"}, {"gpt-4.1-nano", "o200k_base"},
        {"gpt-oss-120b", "o200k_harmony"}, {"ft:gpt-4o-mini:org::id", "o200k_base"},
        {"ft:gpt-3.5-turbo:org::id", "cl100k_base"}, {"text-davinci-003", "p50k_base"},
        {"davinci", "r50k_base"}, {"gpt-3.5-turbo-0125", "cl100k_base"}};
    for (size_t i = 0; i < sizeof prefixed / sizeof prefixed[0]; i++)
        ck_assert_str_eq(tokd_encoding_for_model(prefixed[i][0]), prefixed[i][1]);
    ck_assert_ptr_null(tokd_encoding_for_model("llama-3"));
    tokd_tokenizer *t = NULL;
    tokd_error err = {0};
    ck_assert_int_eq(tokd_tokenizer_load_for_model("no-such-model", NULL, &t, &err), TOKD_ENOENT);
    ck_assert_msg(strstr(err.text, "no-such-model") != NULL, "%s", err.text);
}
END_TEST

/* Write `len` bytes of `data` to dir/name. */
static void write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    fclose(f);
}

START_TEST(test_load_refuses_changed_or_broken_files)
{
    char dir[] = "/tmp/tokd-test-XXXXXX", path[256];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char src[4096];
    snprintf(src, sizeof src, "%s/r50k_base.tiktoken", tokd_default_data_dir());
    FILE *f = fopen(src, "rb");
    ck_assert_ptr_nonnull(f);
    static char data[1 << 20];
    size_t len = fread(data, 1, sizeof data, f);
    fclose(f);
    snprintf(path, sizeof path, "%s/r50k_base.tiktoken", dir);
    write_file(path, data, len / 2); /* truncated */
    tokd_tokenizer *t = NULL;
    tokd_error err = {0};
    ck_assert_int_eq(tokd_tokenizer_load("r50k_base", dir, &t, &err), TOKD_EHASH);
    ck_assert_msg(strstr(err.text, path) &&
                      strstr(err.text, "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930"),
                  "%s", err.text);
    ck_assert_ptr_null(t);
    unlink(path);
    ck_assert_int_eq(tokd_tokenizer_load("r50k_base", dir, &t, &err), TOKD_ENOENT);
    ck_assert_msg(strstr(err.text, path) != NULL, "%s", err.text);

    snprintf(path, sizeof path, "%s/custom.tiktoken", dir);
    write_file(path, "IQ== 0\nIg== 1\nnot base64! 2\n", 29);
    ck_assert_int_eq(tokd_tokenizer_load(path, NULL, &t, &err), TOKD_EFORMAT);
    ck_assert_msg(strstr(err.text, "line 3: token is not valid base64") != NULL, "%s", err.text);
    ck_assert_uint_eq(err.line, 3);
    write_file(path, "IQ== 0\nIg== 1\n", 14); /* valid, but whose? */
    ck_assert_int_eq(tokd_tokenizer_load(path, NULL, &t, &err), TOKD_EFORMAT);
    ck_assert_msg(strstr(err.text, "not one of OpenAI's") != NULL, "%s", err.text);
    unlink(path);
    rmdir(dir);
    ck_assert_int_eq(tokd_tokenizer_load("cl100k", NULL, &t, &err), TOKD_ENOENT);
    ck_assert_msg(strstr(err.text, "unknown tokenizer 'cl100k'") != NULL, "%s", err.text);
}
END_TEST

/* A custom .tiktoken with its metadata JSON: all 256 bytes plus merges. */
START_TEST(test_load_custom_with_metadata)
{
    char dir[] = "/tmp/tokd-test-XXXXXX", path[256], meta[256];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/tiny.tiktoken", dir);
    snprintf(meta, sizeof meta, "%s/tiny.json", dir);
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    static char text[256 * 16];
    size_t n = 0;
    for (int b = 0; b < 256; b++)
        n += (size_t)sprintf(text + n, "%c%c==%s%d\n", b64[b >> 2], b64[(b & 3) << 4], " ", b);
    n += (size_t)sprintf(text + n, "YWI= 256\nYWJj 257\n"); /* "ab", "abc" */
    write_file(path, text, n);
    const char *m = "{\"pattern\": \"\\\\p{L}+|\\\\s+|[^\\\\s\\\\p{L}]+\", \"special_tokens\": {\"<|end|>\": 258}}";
    write_file(meta, m, strlen(m));
    tokd_tokenizer *t = NULL;
    tokd_error err = {0};
    ck_assert_msg(tokd_tokenizer_load(path, NULL, &t, &err) == 0, "%s", err.text);
    ck_assert_str_eq(tokd_tokenizer_name(t), "tiny");
    ck_assert_uint_eq(tokd_tokenizer_n_vocab(t), 259);
    tokd_specials all = {.allowed_mode = TOKD_ALLOW_ALL};
    tokd_ids ids = {0};
    ck_assert_int_eq(tokd_encode(t, "abc ab<|end|>", 13, &all, &ids, NULL), 0);
    uint32_t want[] = {257, 32, 256, 258};
    ck_assert_uint_eq(ids.len, 4);
    ck_assert_mem_eq(ids.ids, want, sizeof want);
    tokd_ids_release(&ids);
    tokd_tokenizer_unref(t);
    write_file(meta, "{\"pattern\": \"(\"}", 16);
    ck_assert_int_eq(tokd_tokenizer_load(path, NULL, &t, &err), TOKD_EPATTERN);
    write_file(meta, "{\"pattern\": 3}", 14);
    ck_assert_int_eq(tokd_tokenizer_load(path, NULL, &t, &err), TOKD_EFORMAT);
    ck_assert_msg(strstr(err.text, "\"pattern\" must be a string") != NULL, "%s", err.text);
    write_file(meta, m, strlen(m));
    n += (size_t)sprintf(text + n, "eHl6 5000\n"); /* "xyz" at a rank that leaves mostly gaps (found by fuzzing) */
    write_file(path, text, n);
    ck_assert_int_eq(tokd_tokenizer_load(path, NULL, &t, &err), TOKD_EFORMAT);
    ck_assert_msg(strstr(err.text, "rank 5000 is too large for 259 tokens (ranks must be nearly dense") != NULL, "%s",
                  err.text);
    unlink(path);
    unlink(meta);
    rmdir(dir);
}
END_TEST

START_TEST(test_load_builtins_shares_files)
{
    tokd_tokenizer *all[7];
    tokd_error err = {0};
    ck_assert_msg(tokd_tokenizer_load_builtins(NULL, all, &err) == 0, "%s", err.text);
    for (int i = 0; i < 7; i++) {
        ck_assert_str_eq(tokd_tokenizer_name(all[i]), encodings[i]);
        tokd_ids ids = {0};
        ck_assert_int_eq(tokd_encode(all[i], "hello", 5, NULL, &ids, NULL), 0);
        ck_assert_uint_eq(ids.len, 1);
        tokd_ids_release(&ids);
    }
    ck_assert_str_eq(tokd_tokenizer_sha256(all[0]), tokd_tokenizer_sha256(all[1]));
    ck_assert_str_eq(tokd_tokenizer_sha256(all[5]),
                     "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d");
    ck_assert_str_eq(tokd_tokenizer_sha256(all[6]), tokd_tokenizer_sha256(all[5]));
    for (int i = 0; i < 7; i++)
        tokd_tokenizer_unref(all[i]);
    ck_assert_int_eq(tokd_tokenizer_load_builtins("/nonexistent", all, &err), TOKD_ENOENT);
    ck_assert_msg(strstr(err.text, "/nonexistent/r50k_base.tiktoken") != NULL, "%s", err.text);
}
END_TEST

/* A check that stops the call on its n-th poll. */
static int stop_on_poll(void *arg)
{
    int *left = arg;
    return --*left == 0 ? TOKD_ECANCELLED : 0;
}

START_TEST(test_bounded_calls)
{
    static const char *const names[] = {"cl100k_base", "llama3", "mistral"};
    tokd_tokenizer *t = test_tokenizer(names[_i]);
    char text[4096];
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = "ab c.de  f"[i % 10];
    size_t full = 0, n = 0;
    tokd_error err = {0};
    ck_assert_int_eq(tokd_count(t, text, sizeof text, NULL, &full, NULL), 0);
    ck_assert_uint_gt(full, 100);
    /* a limit at or above the count changes nothing */
    tokd_limits lim = {.max_tokens = full};
    ck_assert_int_eq(tokd_count_bounded(t, text, sizeof text, NULL, &lim, &n, NULL), 0);
    ck_assert_uint_eq(n, full);
    /* below it, the call stops just past the limit and says so */
    lim.max_tokens = 50;
    ck_assert_int_eq(tokd_count_bounded(t, text, sizeof text, NULL, &lim, &n, &err), TOKD_ELIMIT);
    ck_assert_uint_gt(n, 50);
    /* it checks between pre-tokenizer pieces: mistral has none, so its one
     * piece (the whole text) is counted in full */
    ck_assert_uint_le(n, _i == 2 ? full : 60);
    ck_assert_msg(strstr(err.text, "limit of 50") != NULL, "%s", err.text);
    tokd_ids ids = {0};
    ck_assert_int_eq(tokd_encode_bounded(t, text, sizeof text, NULL, &lim, &ids, NULL), TOKD_ELIMIT);
    ck_assert_uint_eq(ids.len, 0);
    /* the caller's check stops the call with its own code */
    int left = _i == 2 ? 1 : 3; /* mistral's text is one piece: one poll */
    tokd_limits stop = {.check = stop_on_poll, .arg = &left};
    ck_assert_int_eq(tokd_encode_bounded(t, text, sizeof text, NULL, &stop, &ids, &err), TOKD_ECANCELLED);
    ck_assert_uint_eq(ids.len, 0);
    ck_assert_int_eq(left, 0);
    tokd_ids_release(&ids);
    tokd_tokenizer_unref(t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("tokenizer");
    TCase *tc = tcase_create("api");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test_n_vocab_and_specials, 0, 7);
    tcase_add_test(tc, test_hello_world);
    tcase_add_test(tc, test_special_token_policy);
    tcase_add_test(tc, test_decode_errors_and_replacement);
    tcase_add_test(tc, test_harmony_specials);
    tcase_add_loop_test(tc, test_roundtrip_and_count, 0, 7);
    tcase_add_loop_test(tc, test_shared_between_threads, 4, 6);
    tcase_add_test(tc, test_megabyte_runs);
    tcase_add_test(tc, test_model_names_match_tiktoken);
    tcase_add_test(tc, test_load_refuses_changed_or_broken_files);
    tcase_add_test(tc, test_load_custom_with_metadata);
    tcase_add_test(tc, test_load_builtins_shares_files);
    tcase_add_loop_test(tc, test_bounded_calls, 0, 3);
    suite_add_tcase(s, tc);
    return test_run(s);
}
