/* testutil.h - helpers shared by the Check suites.
 *
 * TOKD_TEST_DATA (a compile-time define) is the source tree's tests/data;
 * the bundled encodings are found the normal way (tokd_default_data_dir). */
#ifndef TOKD_TESTUTIL_H
#define TOKD_TESTUTIL_H

#include <check.h>
#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "tokd/tokd.h"

/* Load a JSON fixture from tests/data (strings may hold NUL) or exit.
 * Caller decrefs. */
static inline json_t *test_load_json(const char *name)
{
    char path[4096];
    json_error_t je;
    snprintf(path, sizeof path, "%s/%s", TOKD_TEST_DATA, name);
    json_t *j = json_load_file(path, JSON_ALLOW_NUL, &je);
    if (!j) {
        fprintf(stderr, "cannot load %s: line %d: %s\n", path, je.line, je.text);
        exit(EXIT_FAILURE);
    }
    return j;
}

/* The whole file at `path` (NUL-terminated; caller frees), or fail the
 * test. */
static inline char *test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    ck_assert_uint_eq(fread(s, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    s[n] = '\0';
    *len = (size_t)n;
    return s;
}

/* The n-th member of JSON object obj (its key in *key), for loop tests
 * over a fixture's entries. */
static inline json_t *test_json_nth(json_t *obj, int n, const char **key)
{
    const char *k = NULL;
    json_t *v = NULL;
    int i = 0;
    json_object_foreach(obj, k, v)
    {
        if (i++ == n)
            break;
    }
    *key = k;
    return v;
}

/* The code point index of byte i of s[0..n) (i == n: the count), to
 * compare byte offsets with the reference's code point offsets. Caller
 * frees. */
static inline size_t *test_code_points(const char *s, size_t n)
{
    size_t *cp = malloc((n + 1) * sizeof *cp), k = 0;
    ck_assert_ptr_nonnull(cp);
    for (size_t i = 0; i < n; i++) {
        k += ((unsigned char)s[i] & 0xC0) != 0x80 && i > 0;
        cp[i] = k;
    }
    cp[n] = n ? k + 1 : 0;
    return cp;
}

/* Load a tokenizer by name or fail the test with libtokd's message. */
static inline tokd_tokenizer *test_tokenizer(const char *name)
{
    tokd_tokenizer *t = NULL;
    tokd_error err = {0};
    int rc = tokd_tokenizer_load(name, NULL, &t, &err);
    ck_assert_msg(rc == 0, "loading %s: %s", name, err.text);
    return t;
}

/* Run one suite; the exit status is the number of failures. */
static inline int test_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* Run one looped test as a suite of its own: fn(0) .. fn(n - 1). */
static inline int test_run_loop(const char *name, const TTest *fn, int n, double timeout)
{
    Suite *s = suite_create(name);
    TCase *tc = tcase_create(name);
    tcase_set_timeout(tc, timeout);
    tcase_add_loop_test(tc, fn, 0, n);
    suite_add_tcase(s, tc);
    return test_run(s);
}

/* Start `n` threads running fn((void *)k) for k < n, join them and return
 * the sum of what they returned (as counts of failures). */
static inline uintptr_t test_threads(void *(*fn)(void *), int n)
{
    pthread_t t[16];
    uintptr_t sum = 0;
    ck_assert_int_le(n, 16);
    for (uintptr_t k = 0; k < (uintptr_t)n; k++)
        ck_assert_int_eq(pthread_create(&t[k], NULL, fn, (void *)k), 0);
    for (int k = 0; k < n; k++) {
        void *r;
        pthread_join(t[k], &r);
        sum += (uintptr_t)r;
    }
    return sum;
}

#endif
