/* template.c - compile (lex + parse into an arena) and render (a fresh
 * render state over the immutable AST), the public face of the template
 * library (template.h). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tpl.h"

struct tokd_template {
    arena mem;
    tpl_parsed ast;
    int loops_over_content;
};

int tokd_template_compile(const char *src, size_t len, tokd_template **out, tokd_template_error *err)
{
    tokd_template_error local = {0};
    tokd_template *t = calloc(1, sizeof *t);
    token_list toks = {0};
    if (!err)
        err = &local;
    *err = (tokd_template_error){0};
    *out = NULL;
    if (!t) {
        err->code = TOKD_ENOMEM;
        return TOKD_ENOMEM;
    }
    int rc = tpl_lex(src, len, &t->mem, &toks, err) || tpl_parse(&toks, &t->mem, &t->ast, err);
    free(toks.v);
    if (rc) {
        tokd_template_free(t);
        return err->code ? err->code : TOKD_EINVAL;
    }
    t->loops_over_content = tpl_loops_over_content(t->ast.root);
    *out = t;
    return 0;
}

int tokd_template_loops_over_content(const tokd_template *t)
{
    return t->loops_over_content;
}

void tokd_template_free(tokd_template *t)
{
    if (!t)
        return;
    json_decref(t->ast.literals);
    arena_release(&t->mem);
    free(t);
}

int tokd_template_render(const tokd_template *t, json_t *vars, const tokd_template_limits *lim, tokd_bytes *out,
                         tokd_template_error *err)
{
    tokd_template_error local = {0};
    if (!err)
        err = &local;
    *err = (tokd_template_error){0};
    render r = {.globals = vars, .out = out, .lim = lim, .err = err};
    clock_gettime(CLOCK_MONOTONIC, &r.deadline);
    r.deadline.tv_sec += lim->max_ms / 1000;
    r.deadline.tv_nsec += (lim->max_ms % 1000) * 1000000L;
    if (r.deadline.tv_nsec >= 1000000000L) {
        r.deadline.tv_sec++;
        r.deadline.tv_nsec -= 1000000000L;
    }
    int rc = exec_body(&r, t->ast.root);
    while (r.n_vars > 0)
        v_release(&r.vars[--r.n_vars].v);
    free(r.vars);
    return rc ? (err->code ? err->code : TOKD_EINVAL) : 0;
}
