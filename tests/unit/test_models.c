/* test_models.c - the model registry: config/models.json loads with its
 * formats and prefix rules; names resolve exactly, by dated suffix and by
 * prefix rule; the nearest names of a typo; malformed registries are
 * refused with a message naming the problem. */
#include <string.h>
#include <unistd.h>

#include "models.h"
#include "testutil.h"
#include "vision.h"

static model_registry shipped(void)
{
    model_registry r;
    char msg[512], path[4096];
    snprintf(path, sizeof path, "%s/../../config/models.json", TOKD_TEST_DATA);
    ck_assert_msg(models_load(&r, path, msg, sizeof msg) == 0, "%s", msg);
    return r;
}

START_TEST(lookups)
{
    model_registry r = shipped();
    int by_rule;
    const model_info *m = models_find(&r, "gpt-4o", &by_rule);
    ck_assert_str_eq(m->name, "gpt-4o");
    ck_assert_int_eq(by_rule, 0);
    ck_assert_str_eq(m->chat->name, "gpt-4o");
    ck_assert_str_eq(m->image->rule->name, "tile");
    ck_assert_int_eq(m->image->base, 85);
    ck_assert(name_list_has(&m->chat->published, "gpt-4o"));
    ck_assert_str_eq(models_find(&r, "gpt-4o-2024-11-20", &by_rule)->name, "gpt-4o");
    ck_assert_int_eq(by_rule, 0);
    ck_assert_str_eq(models_find(&r, "gpt-4o-mini-2024-07-18", NULL)->name, "gpt-4o-mini-2024-07-18");
    ck_assert_str_eq(models_find(&r, "gpt-5.1-2025-11-13", NULL)->name, "gpt-5.1");
    m = models_find(&r, "gpt-5.9", &by_rule);
    ck_assert_str_eq(m->name, "gpt-5");
    ck_assert_int_eq(by_rule, 1);
    ck_assert_str_eq(models_find(&r, "gpt-4.5-preview-2025-02-27", NULL)->name, "gpt-4.5-preview");
    ck_assert_ptr_null(models_find(&r, "gpt-50", NULL));
    ck_assert_ptr_null(models_find(&r, "claude-3", NULL));
    m = models_find(&r, "gpt-4.1-mini", NULL);
    ck_assert_str_eq(m->image->rule->name, "patch");
    ck_assert(m->image->multiplier == 1.62);
    ck_assert_int_eq(m->image->budget, 1536);
    const char *near[3];
    ck_assert_uint_eq(models_nearest(&r, "gtp-4o", near, 3), 3);
    ck_assert_str_eq(near[0], "gpt-4o");
    ck_assert_uint_eq(models_nearest(&r, "x", near, 0), 0);
    models_release(&r);
}
END_TEST

static const struct {
    const char *json, *says;
} bad[] = {
    {"{\"models\": []}", "needs an object \"models\""},
    {"{\"image_formats\": {\"x\": {\"rule\": \"pixels\"}}, \"models\": {}}", "image_formats entries need"},
    {"{\"image_formats\": {\"x\": {\"rule\": \"patch\", \"multiplier\": 0}}, \"models\": {}}", "check x"},
    {"{\"models\": {\"m\": {\"tokenizer\": \"t\", \"context_window\": 1, \"image_format\": \"nope\"}}}",
     "unknown image_format named by model m"},
    {"{\"models\": {\"m\": {\"tokenizer\": \"t\", \"context_window\": 1}}, \"prefixes\": {\"m.\": \"other\"}}",
     "a \"prefixes\" rule must name a model entry; check m."},
    {"{\"chat_formats\": {\"f\": {\"published_for\": [1]}}, \"models\": {}}", "chat_formats entry with a wrong type: f"},
    {"{\"models\": {\"m\": {\"tokenizer\": \"t\", \"context_window\": 0}}}", "check model m"},
};

START_TEST(malformed)
{
    char path[] = "/tmp/tokd-models-XXXXXX", msg[512];
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert(write(fd, bad[_i].json, strlen(bad[_i].json)) == (ssize_t)strlen(bad[_i].json));
    close(fd);
    model_registry r;
    ck_assert_int_eq(models_load(&r, path, msg, sizeof msg), -1);
    ck_assert_msg(strstr(msg, bad[_i].says) && strstr(msg, path), "case %d: %s", _i, msg);
    ck_assert_uint_eq(r.n, 0);
    unlink(path);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("models");
    TCase *tc = tcase_create("models");
    tcase_add_test(tc, lookups);
    tcase_add_loop_test(tc, malformed, 0, sizeof bad / sizeof bad[0]);
    suite_add_tcase(s, tc);
    return test_run(s);
}
