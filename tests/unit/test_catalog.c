/* test_catalog.c - the served-tokenizer catalog: names, replacement rules,
 * and references that outlive a replacement. */
#include <string.h>

#include "catalog.h"
#include "testutil.h"

static tokd_tokenizer *named(const char *spec)
{
    tokd_tokenizer *t = NULL;
    tokd_error err = {0};
    ck_assert_msg(tokd_tokenizer_load(spec, NULL, &t, &err) == 0, "%s", err.text);
    return t;
}

START_TEST(fixed_and_trained_names)
{
    catalog c;
    ck_assert_int_eq(catalog_init(&c), 0);
    ck_assert_int_eq(catalog_add(&c, named("cl100k_base"), 0, 0), 0);
    ck_assert_int_eq(catalog_add(&c, named("mine=r50k_base"), 1, 0), 0);
    ck_assert_int_eq(catalog_has(&c, "cl100k_base"), 2);
    ck_assert_int_eq(catalog_has(&c, "mine"), 1);
    ck_assert_int_eq(catalog_has(&c, "nope"), 0);
    ck_assert_int_eq(catalog_add(&c, named("cl100k_base=gpt2"), 1, 1), TOKD_ERESERVED);
    ck_assert_int_eq(catalog_add(&c, named("mine=gpt2"), 1, 0), TOKD_EEXIST);
    ck_assert_uint_eq(catalog_count(&c), 2);
    tokd_tokenizer **all;
    size_t n = catalog_list(&c, &all);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(tokd_tokenizer_name(all[0]), "cl100k_base");
    ck_assert_str_eq(tokd_tokenizer_name(all[1]), "mine");
    for (size_t i = 0; i < n; i++)
        tokd_tokenizer_unref(all[i]);
    free(all);
    catalog_release(&c);
}
END_TEST

START_TEST(a_held_tokenizer_survives_replacement)
{
    catalog c;
    ck_assert_int_eq(catalog_init(&c), 0);
    ck_assert_int_eq(catalog_add(&c, named("mine=r50k_base"), 1, 0), 0);
    tokd_tokenizer *held = catalog_get(&c, "mine");
    ck_assert_uint_eq(tokd_tokenizer_n_vocab(held), 50257);
    ck_assert_int_eq(catalog_add(&c, named("mine=cl100k_base"), 1, 1), 0);
    tokd_tokenizer *now = catalog_get(&c, "mine");
    ck_assert_uint_eq(tokd_tokenizer_n_vocab(now), 100277);
    size_t count = 0;
    ck_assert_int_eq(tokd_count(held, "hello world", 11, NULL, &count, NULL), 0); /* still usable */
    ck_assert_uint_eq(count, 2);
    ck_assert_uint_eq(catalog_count(&c), 1);
    tokd_tokenizer_unref(held);
    tokd_tokenizer_unref(now);
    ck_assert_ptr_null(catalog_get(&c, "other"));
    catalog_release(&c);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("catalog");
    TCase *tc = tcase_create("catalog");
    tcase_add_test(tc, fixed_and_trained_names);
    tcase_add_test(tc, a_held_tokenizer_survives_replacement);
    suite_add_tcase(s, tc);
    return test_run(s);
}
