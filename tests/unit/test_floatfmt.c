/* test_floatfmt.c - every float32 printed by floatfmt reads back as itself,
 * through strtof and through a JSON reader's double (jansson). */
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "floatfmt.h"
#include "testutil.h"

static void round_trips(uint32_t bits)
{
    float f;
    memcpy(&f, &bits, 4);
    if (isnan(f) || isinf(f))
        return;
    char text[FLOATFMT_MAX + 1];
    size_t n = floatfmt(text, f);
    text[n] = '\0';
    float back = strtof(text, NULL);
    ck_assert_msg(memcmp(&back, &f, 4) == 0, "%08x printed as %s reads back as %a", bits, text, (double)back);
    json_t *j = json_loads(text, JSON_DECODE_ANY, NULL);
    ck_assert_msg(j && json_is_number(j), "%s is not a JSON number", text);
    float via_double = (float)json_number_value(j);
    ck_assert_msg(memcmp(&via_double, &f, 4) == 0, "%08x printed as %s reads back through double as %a", bits, text,
                  (double)via_double);
    json_decref(j);
}

START_TEST(edge_values)
{
    const uint32_t edges[] = {0x00000001, 0x007FFFFF, 0x00800000, 0x7F7FFFFF, 0x3F800000, 0x3F7FFFFF, 0x3F800001,
                              0x80000001, 0xFF7FFFFF, 0x4B7FFFFF, 0x4B800000, 0x4E6E6B28, 0x3DCCCCCD, 0x33D6BF95};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
        round_trips(edges[i]);
    for (uint32_t e = 0; e < 255; e++) /* every power of two and its neighbours */
        for (int d = -1; d <= 1; d++)
            round_trips((e << 23) + (uint32_t)d);
}
END_TEST

START_TEST(random_patterns)
{
    uint64_t x = 0x9E3779B97F4A7C15ull + (uint64_t)_i;
    for (int i = 0; i < 250000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        round_trips((uint32_t)x);
    }
}
END_TEST

START_TEST(spelling)
{
    static const struct {
        float f;
        const char *text;
    } cases[] = {{0.0f, "0.0"},     {-0.0f, "-0.0"},        {1.0f, "1.0"},
                 {104.25f, "104.25"}, {0.6f, "0.600000024"}, {-2.5e-7f, "-2.49999999e-7"},
                 {1e9f, "1.0e9"},    {123456789.0f, "123456792.0"}, {INFINITY, "\"Infinity\""},
                 {-INFINITY, "\"-Infinity\""}, {NAN, "\"NaN\""}, {0.00001f, "9.99999975e-6"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[FLOATFMT_MAX + 1];
        text[floatfmt(text, cases[i].f)] = '\0';
        ck_assert_str_eq(text, cases[i].text);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("floatfmt");
    TCase *tc = tcase_create("floatfmt");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, edge_values);
    tcase_add_loop_test(tc, random_patterns, 0, 4);
    tcase_add_test(tc, spelling);
    suite_add_tcase(s, tc);
    return test_run(s);
}
