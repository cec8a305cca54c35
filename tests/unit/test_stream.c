/* test_stream.c - counting a text that arrives in parts
 * (tokd_count_stream, stream.c, the scanners' cuts in scanner.c).
 *
 * The text is the corpus (control.txt's invalid UTF-8 included), runs of
 * spaces, letters, digits, newlines, CJK, emoji, contractions, and special
 * tokens; it is read in parts of 1 to 64 bytes (sizes varying, so part
 * borders fall inside pieces, inside UTF-8 sequences and inside special
 * tokens) and in one part, and every count must be tokd_count's of the
 * whole text, for each built-in scanner and policy. A disallowed special
 * token is reported at its byte in the whole input; tokenizers whose cuts
 * are not proven (a normalizer, a PCRE2 pattern) still count exactly. */
#include <dirent.h>
#include <string.h>

#include "testutil.h"

typedef struct reader {
    const char *s;
    size_t n, at;
    size_t most;   /* largest part to hand over */
    unsigned seed; /* part sizes vary from 1 to most */
} reader;

static long read_parts(void *arg, char *buf, size_t cap)
{
    reader *r = arg;
    r->seed = r->seed * 1103515245u + 12345u;
    size_t k = 1 + (r->seed >> 8) % r->most;
    k = k < cap ? k : cap;
    k = k < r->n - r->at ? k : r->n - r->at;
    memcpy(buf, r->s + r->at, k);
    r->at += k;
    return (long)k;
}

static void add(tokd_bytes *b, const char *s, size_t times)
{
    for (size_t i = 0; i < times; i++)
        ck_assert_int_eq(tokd_bytes_append(b, s, strlen(s)), 0);
}

static void build(tokd_bytes *b)
{
    DIR *d = opendir(TOKD_TEST_DATA "/corpus");
    struct dirent *e;
    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d))) {
        char path[4096];
        size_t len;
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/corpus/%s", TOKD_TEST_DATA, e->d_name);
        char *s = test_read_file(path, &len);
        ck_assert_int_eq(tokd_bytes_append(b, s, len), 0);
        free(s);
    }
    closedir(d);
    add(b, " ", 70);
    add(b, "word", 30);
    add(b, "1234", 20);
    add(b, "\n", 30);
    add(b, "\r\n", 10);
    add(b, "\xE4\xB8\xAD\xE6\x96\x87", 20);
    add(b, "\xF0\x9F\x98\x80", 20);
    add(b, "don't we'll ", 10);
    add(b, "x<|endoftext|>y <|endofprompt|>\n", 5);
    add(b, "end   ", 1);
}

static const char *const names[] = {"r50k_base", "cl100k_base", "o200k_base", "llama3", "mistral"};

START_TEST(parts_count_as_the_whole)
{
    tokd_tokenizer *t = NULL;
    tokd_error err = {0};
    ck_assert_int_eq(tokd_tokenizer_load(names[_i], NULL, &t, &err), 0);
    tokd_bytes text = {0};
    build(&text);
    static const tokd_specials policies[2] = {{.allowed_mode = TOKD_ALLOW_ALL},
                                              {.disallowed_mode = TOKD_DISALLOW_NONE}};
    ck_assert_int_eq(tokd_count_streams(t, &policies[0]), _i < 4);
    for (int p = 0; p < 2; p++) {
        size_t want, got;
        ck_assert_int_eq(tokd_count(t, text.data, text.len, &policies[p], &want, &err), 0);
        static const size_t most[] = {1, 2, 3, 7, 64, (size_t)1 << 20};
        for (size_t m = 0; m < sizeof most / sizeof most[0]; m++) {
            reader r = {text.data, text.len, 0, most[m], (unsigned)m + 1};
            size_t chunk = most[m] > 64 ? most[m] : 64;
            ck_assert_int_eq(tokd_count_stream(t, &policies[p], 2, chunk, read_parts, &r, &got, &err), 0);
            ck_assert_msg(got == want, "%s, policy %d, parts up to %zu: %zu tokens, whole %zu", names[_i], p,
                          most[m], got, want);
        }
    }
    tokd_bytes_release(&text);
    tokd_tokenizer_unref(t);
}
END_TEST

START_TEST(disallowed_special_at_its_byte)
{
    tokd_tokenizer *t = NULL;
    tokd_error err = {0};
    ck_assert_int_eq(tokd_tokenizer_load("cl100k_base", NULL, &t, &err), 0);
    tokd_bytes text = {0};
    add(&text, "some words and more words ", 40);
    size_t at = text.len;
    add(&text, "<|endoftext|> and after", 1);
    reader r = {text.data, text.len, 0, 5, 9};
    size_t got = 7;
    ck_assert_int_eq(tokd_count_stream(t, NULL, 1, 8, read_parts, &r, &got, &err), TOKD_ESPECIAL);
    ck_assert_uint_eq(err.position, at + 1);
    ck_assert_uint_eq(got, 0);
    tokd_bytes_release(&text);
    tokd_tokenizer_unref(t);
}
END_TEST

static long failing_read(void *arg, char *buf, size_t cap)
{
    int *calls = arg;
    if ((*calls)++ > 0)
        return TOKD_EIO;
    memcpy(buf, "hello ", cap < 6 ? cap : 6);
    return cap < 6 ? (long)cap : 6;
}

START_TEST(read_errors_are_reported)
{
    tokd_tokenizer *t = NULL;
    tokd_error err = {0};
    int calls = 0;
    size_t got;
    ck_assert_int_eq(tokd_tokenizer_load("cl100k_base", NULL, &t, &err), 0);
    ck_assert_int_eq(tokd_count_stream(t, NULL, 1, 0, failing_read, &calls, &got, &err), TOKD_EIO);
    ck_assert_str_eq(err.text, "reading the input failed after 6 bytes");
    tokd_tokenizer_unref(t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stream");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, parts_count_as_the_whole, 0, 5);
    tcase_add_test(tc, disallowed_special_at_its_byte);
    tcase_add_test(tc, read_errors_are_reported);
    suite_add_tcase(s, tc);
    return test_run(s);
}
