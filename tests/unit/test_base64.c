/* test_base64.c - strict base64 decoding and the public encoder (RFC 4648
 * test vectors). */
#include <string.h>

#include "tokd/tokenizer.h"
#include "testutil.h"

static long dec(const char *in, uint8_t *out)
{
    return tokd_base64_decode(in, strlen(in), out);
}

START_TEST(test_rfc4648_vectors)
{
    static const char *const vec[][2] = {{"Zg==", "f"}, {"Zm8=", "fo"}, {"Zm9v", "foo"},
                                         {"Zm9vYg==", "foob"}, {"Zm9vYmE=", "fooba"}, {"Zm9vYmFy", "foobar"}};
    uint8_t out[16];
    for (size_t i = 0; i < sizeof vec / sizeof vec[0]; i++) {
        long n = dec(vec[i][0], out);
        ck_assert_int_eq(n, (long)strlen(vec[i][1]));
        ck_assert_mem_eq(out, vec[i][1], (size_t)n);
    }
    ck_assert_int_eq(dec("+/8=", out), 2);
    ck_assert_int_eq(out[0], 0xfb);
    ck_assert_int_eq(out[1], 0xff);
}
END_TEST

START_TEST(test_rejects_malformed)
{
    uint8_t out[16];
    ck_assert_int_eq(dec("", out), -1);
    ck_assert_int_eq(dec("Zg=", out), -1);   /* length not a multiple of 4 */
    ck_assert_int_eq(dec("Z*==", out), -1);  /* bad character */
    ck_assert_int_eq(dec("Zh==", out), -1);  /* bits in the padding */
    ck_assert_int_eq(dec("Z===", out), -1);  /* three pads */
    ck_assert_int_eq(dec("Zg==Zg==", out), -1); /* padding in the middle */
    ck_assert_int_eq(dec("Zm 9", out), -1);
}
END_TEST

START_TEST(test_encode_vectors)
{
    static const char *const vec[][2] = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},
                                         {"foo", "Zm9v"},   {"foob", "Zm9vYg=="},  {"fooba", "Zm9vYmE="},
                                         {"foobar", "Zm9vYmFy"}, {"\xfb\xff", "+/8="}};
    char out[16];
    for (size_t i = 0; i < sizeof vec / sizeof vec[0]; i++) {
        memset(out, 'x', sizeof out);
        tokd_base64_encode(vec[i][0], strlen(vec[i][0]), out);
        ck_assert_str_eq(out, vec[i][1]);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("base64");
    TCase *tc = tcase_create("decode");
    tcase_add_test(tc, test_rfc4648_vectors);
    tcase_add_test(tc, test_rejects_malformed);
    tcase_add_test(tc, test_encode_vectors);
    suite_add_tcase(s, tc);
    return test_run(s);
}
