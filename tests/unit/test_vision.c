/* test_vision.c - the vision guide's worked examples, as the guide states
 * them (Images and vision, Calculating costs), and the rules' edges. */
#include "testutil.h"
#include "vision.h"

static long tokens(const char *rule, long base, long tile, double mult, long w, long h, enum image_detail d,
                   const char **caveat)
{
    image_format f = {.rule = vision_rule(rule), .base = base, .tile = tile, .budget = 1536, .multiplier = mult};
    ck_assert_ptr_nonnull(f.rule);
    return f.rule->tokens(&f, w, h, d, caveat);
}

/* "1024 x 1024 square image in detail: high mode costs 765 tokens";
 * "2048 x 4096 ... 1105 tokens"; "4096 x 8192 in detail: low most costs 85". */
START_TEST(tile_examples)
{
    const char *caveat;
    ck_assert_int_eq(tokens("tile", 85, 170, 1, 1024, 1024, DETAIL_HIGH, &caveat), 765);
    ck_assert_str_eq(caveat, "");
    ck_assert_int_eq(tokens("tile", 85, 170, 1, 2048, 4096, DETAIL_HIGH, &caveat), 1105);
    ck_assert_int_eq(tokens("tile", 85, 170, 1, 4096, 8192, DETAIL_LOW, &caveat), 85);
    ck_assert_str_eq(caveat, "");
    ck_assert(!vision_rule("tile")->needs_size(DETAIL_LOW));
    ck_assert(vision_rule("tile")->needs_size(DETAIL_HIGH));
}
END_TEST

/* "1024 x 1024 ... 1024 tokens"; "1800 x 2400 ... 1452 tokens" (gpt-4.1-mini's
 * multiplier 1.62 applied after). */
START_TEST(patch_examples)
{
    const char *caveat;
    ck_assert_int_eq(tokens("patch", 0, 0, 1.0, 1024, 1024, DETAIL_AUTO, &caveat), 1024);
    ck_assert_str_eq(caveat, "");
    ck_assert_int_eq(tokens("patch", 0, 0, 1.0, 1800, 2400, DETAIL_HIGH, &caveat), 1452);
    ck_assert_int_eq(tokens("patch", 0, 0, 1.62, 1024, 1024, DETAIL_LOW, &caveat), 1659); /* 1658.88 up */
    ck_assert_str_ne(caveat, "");
    ck_assert_int_eq(tokens("patch", 0, 0, 1.0, 100000, 1, DETAIL_HIGH, &caveat), 1536); /* capped */
}
END_TEST

START_TEST(tile_edges)
{
    const char *caveat;
    /* small images are not scaled up: one tile */
    ck_assert_int_eq(tokens("tile", 85, 170, 1, 512, 512, DETAIL_HIGH, &caveat), 255);
    ck_assert_int_eq(tokens("tile", 85, 170, 1, 513, 512, DETAIL_HIGH, &caveat), 425);
    /* auto is counted as high, and says so */
    ck_assert_int_eq(tokens("tile", 85, 170, 1, 1024, 1024, DETAIL_AUTO, &caveat), 765);
    ck_assert_str_ne(caveat, "");
    /* an extreme aspect ratio keeps at least one pixel */
    ck_assert_int_eq(tokens("tile", 85, 170, 1, 1000000, 1, DETAIL_HIGH, &caveat), 85 + 170 * 4);
    enum image_detail d;
    ck_assert_int_eq(vision_detail("low", &d), 0);
    ck_assert_int_eq(d, DETAIL_LOW);
    ck_assert_int_eq(vision_detail(NULL, &d), 0);
    ck_assert_int_eq(d, DETAIL_AUTO);
    ck_assert_int_eq(vision_detail("medium", &d), -1);
    ck_assert_ptr_null(vision_rule("pixels"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vision");
    TCase *tc = tcase_create("vision");
    tcase_add_test(tc, tile_examples);
    tcase_add_test(tc, patch_examples);
    tcase_add_test(tc, tile_edges);
    suite_add_tcase(s, tc);
    return test_run(s);
}
