/* test_utf8.c - UTF-8 validation and Python-compatible replacement.
 *
 * The expected replacements are Python's bytes.decode("utf-8", "replace"),
 * recorded in the invalid-UTF-8 cases of tiktoken_fixtures.json. */
#include <string.h>

#include "testutil.h"

static size_t unhex(const char *h, char *out)
{
    size_t n = strlen(h) / 2;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(h + 2 * i, "%2x", &v);
        out[i] = (char)v;
    }
    return n;
}

START_TEST(test_matches_python_replace)
{
    json_t *fx = test_load_json("tiktoken_fixtures.json"), *c;
    size_t i, checked = 0;
    json_array_foreach(json_object_get(fx, "cases"), i, c)
    {
        json_t *hex = json_object_get(c, "hex");
        if (!hex)
            continue;
        char raw[64];
        size_t n = unhex(json_string_value(hex), raw);
        tokd_bytes out = {0};
        ck_assert_int_eq(tokd_utf8_sanitize(raw, n, &out), 0);
        ck_assert_msg(strcmp(out.data, json_string_value(json_object_get(c, "replaced"))) == 0,
                      "%s: replacement differs from Python's", json_string_value(hex));
        int unchanged = out.len == n && memcmp(out.data, raw, n) == 0;
        ck_assert_int_eq(tokd_utf8_valid(raw, n), unchanged);
        ck_assert_int_eq(tokd_utf8_valid(out.data, out.len), 1);
        tokd_bytes_release(&out);
        checked++;
    }
    ck_assert_uint_ge(checked, 20);
    json_decref(fx);
}
END_TEST

START_TEST(test_valid_text_untouched)
{
    const char *s = "a\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\xef\xbf\xbd";
    tokd_bytes out = {0};
    ck_assert_int_eq(tokd_utf8_valid(s, strlen(s)), 1);
    ck_assert_int_eq(tokd_utf8_sanitize(s, strlen(s), &out), 0);
    ck_assert_str_eq(out.data, s);
    tokd_bytes_release(&out);
    ck_assert_int_eq(tokd_utf8_valid("\xed\xa0\x80", 3), 0); /* surrogate */
    ck_assert_int_eq(tokd_utf8_valid("\xc1\xbf", 2), 0);     /* overlong */
    ck_assert_int_eq(tokd_utf8_valid("\xf4\x90\x80\x80", 4), 0);
    ck_assert_int_eq(tokd_utf8_valid("a\0b", 3), 1); /* NUL is a character */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("utf8");
    TCase *tc = tcase_create("utf8");
    tcase_add_test(tc, test_matches_python_replace);
    tcase_add_test(tc, test_valid_text_untouched);
    suite_add_tcase(s, tc);
    return test_run(s);
}
