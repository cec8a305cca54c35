/* parser.c - tokens to an AST, with jinja2's grammar and precedence:
 *
 *   expr    := or ("if" or ["else" expr])*
 *   or      := and ("or" and)*          and := not ("and" not)*
 *   not     := "not" not | compare      compare := math1 (cmp math1)*
 *   math1   := concat (("+"|"-") concat)*   concat := math2 ("~" math2)*
 *   math2   := pow (("*"|"/"|"//"|"%") pow)*   pow := unary ("**" unary)*
 *   unary   := ("-"|"+") unary | primary postfix* ; then filters and tests
 *
 * so `x|length - 1` is (x|length) - 1 and `not a is b` is not (a is b).
 * Statements: if/elif/else, for/else (targets, an `if` filter), set (name,
 * tuple, ns.attr, block), macro, call, break, continue, generation.
 * Nesting is bounded (MAX_NEST) so a hostile template cannot overflow the
 * stack while parsing; the arena holds every node. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpl.h"

#define MAX_NEST 200

typedef struct parser {
    const token *t;
    size_t pos, n;
    arena *a;
    json_t *literals;
    int nest;
    tokd_template_error *err;
} parser;

static int fail(parser *P, const char *fmt, ...)
{
    if (P->err && !P->err->code) {
        va_list ap;
        va_start(ap, fmt);
        P->err->code = TOKD_EINVAL;
        P->err->line = P->t[P->pos < P->n ? P->pos : P->n - 1].line;
        int k = snprintf(P->err->text, sizeof P->err->text, "template syntax error: ");
        vsnprintf(P->err->text + k, sizeof P->err->text - (size_t)k, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static const token *cur(parser *P)
{
    return &P->t[P->pos];
}

static int is_op(parser *P, const char *op)
{
    const token *t = cur(P);
    return t->type == T_OP && t->len == strlen(op) && !memcmp(t->s, op, t->len);
}

static int is_name(parser *P, const char *name)
{
    const token *t = cur(P);
    return t->type == T_NAME && t->len == strlen(name) && !memcmp(t->s, name, t->len);
}

static int skip_op(parser *P, const char *op)
{
    if (!is_op(P, op))
        return 0;
    P->pos++;
    return 1;
}

static int skip_name(parser *P, const char *name)
{
    if (!is_name(P, name))
        return 0;
    P->pos++;
    return 1;
}

static int expect_op(parser *P, const char *op)
{
    return skip_op(P, op) ? 0 : fail(P, "expected '%s'", op);
}

static node *mk(parser *P, enum node_type type)
{
    node *n = arena_alloc(P->a, sizeof *n);
    if (!n) {
        fail(P, "out of memory");
        if (P->err)
            P->err->code = TOKD_ENOMEM;
        return NULL;
    }
    memset(n, 0, sizeof *n);
    n->type = type;
    n->line = cur(P)->line;
    return n;
}

static const char *take_name(parser *P)
{
    const token *t = cur(P);
    if (t->type != T_NAME) {
        fail(P, "expected a name");
        return NULL;
    }
    P->pos++;
    return arena_strndup(P->a, t->s, t->len);
}

/* A growable array of node pointers built in the heap, then moved into the
 * arena. */
typedef struct nvec {
    node **v;
    const char **names;
    size_t n, cap;
} nvec;

static int nvec_push(parser *P, nvec *v, node *x, const char *name)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? 2 * v->cap : 8;
        node **nv = realloc(v->v, cap * sizeof *nv);
        const char **nn = nv ? realloc(v->names, cap * sizeof *nn) : NULL;
        if (nv)
            v->v = nv;
        if (!nn)
            return fail(P, "out of memory");
        v->names = nn;
        v->cap = cap;
    }
    v->v[v->n] = x;
    v->names[v->n++] = name;
    return 0;
}

/* Move a vector into the arena: *list and (when `names`) *names. */
static int nvec_finish(parser *P, nvec *v, node ***list, const char ***names)
{
    int rc = 0;
    if (!list) {
        free(v->v);
        free(v->names);
        return -1;
    }
    *list = NULL;
    if (names)
        *names = NULL;
    if (v->n) {
        *list = arena_alloc(P->a, v->n * sizeof **list);
        if (names)
            *names = arena_alloc(P->a, v->n * sizeof **names);
        if (!*list || (names && !*names))
            rc = fail(P, "out of memory");
        else {
            memcpy(*list, v->v, v->n * sizeof **list);
            if (names)
                memcpy(*names, v->names, v->n * sizeof **names);
        }
    }
    free(v->v);
    free(v->names);
    return rc;
}

static node *parse_expr(parser *P);
static node *parse_or(parser *P);
static node *parse_unary(parser *P, int with_filter);
static node *parse_body(parser *P, const char *const *stops, const char **stopped);

static node *literal(parser *P, json_t *v)
{
    node *n = v ? mk(P, N_LIT) : NULL;
    if (!n || json_array_append_new(P->literals, v) != 0) {
        fail(P, "out of memory");
        return NULL;
    }
    n->lit = v;
    return n;
}

/* Call arguments after "(": positional into n->list, keywords into
 * n->names/n->kw. */
static int parse_args(parser *P, node *n)
{
    nvec pos = {0}, kw = {0};
    int rc = 0;
    while (rc == 0 && !is_op(P, ")")) {
        if (pos.n + kw.n && (rc = expect_op(P, ",")))
            break;
        if (is_op(P, ")"))
            break;
        const char *key = NULL;
        if (cur(P)->type == T_NAME && P->t[P->pos + 1].type == T_OP && P->t[P->pos + 1].len == 1 &&
            P->t[P->pos + 1].s[0] == '=') {
            key = take_name(P);
            P->pos++;
        }
        node *v = parse_expr(P);
        if (!v)
            rc = -1;
        else if (key)
            rc = nvec_push(P, &kw, v, key);
        else if (kw.n)
            rc = fail(P, "a positional argument follows a keyword argument");
        else
            rc = nvec_push(P, &pos, v, NULL);
    }
    if (rc == 0)
        rc = expect_op(P, ")");
    n->n = pos.n;
    n->n_kw = kw.n;
    int r1 = nvec_finish(P, &pos, &n->list, NULL), r2 = nvec_finish(P, &kw, &n->kw, &n->names);
    return rc ? rc : r1 ? r1 : r2;
}

static node *parse_subscript(parser *P, node *obj)
{
    node *n = mk(P, N_ITEM), *parts[3] = {0};
    int colons = 0;
    if (!n)
        return NULL;
    for (;;) {
        if (is_op(P, ":")) {
            if (++colons > 2) {
                fail(P, "too many ':' in a slice");
                return NULL;
            }
            P->pos++;
            continue;
        }
        if (is_op(P, "]"))
            break;
        if (parts[colons]) {
            fail(P, "expected ']'");
            return NULL;
        }
        if (!(parts[colons] = parse_expr(P)))
            return NULL;
    }
    P->pos++;
    n->a = obj;
    if (colons) {
        n->type = N_SLICE;
        n->b = parts[0], n->c = parts[1], n->d = parts[2];
    } else if (!(n->b = parts[0])) {
        fail(P, "expected an index");
        return NULL;
    }
    return n;
}

static node *parse_postfix(parser *P, node *n)
{
    while (n) {
        if (skip_op(P, ".")) {
            node *g = mk(P, N_ATTR);
            if (!g)
                return NULL;
            g->a = n;
            if (cur(P)->type == T_INT) {
                g->type = N_ITEM;
                g->b = literal(P, json_integer(cur(P)->i));
                P->pos++;
            } else if (!(g->str = take_name(P))) {
                return NULL;
            }
            n = g;
        } else if (skip_op(P, "[")) {
            n = parse_subscript(P, n);
        } else if (skip_op(P, "(")) {
            node *c = mk(P, N_CALL);
            if (!c)
                return NULL;
            c->a = n;
            n = parse_args(P, c) ? NULL : c;
        } else {
            break;
        }
    }
    return n;
}

static int is_keyword_stop(parser *P)
{
    return is_name(P, "else") || is_name(P, "or") || is_name(P, "and") || is_name(P, "if") || is_name(P, "in") ||
           is_name(P, "is") || is_name(P, "not");
}

/* A filter's or a test's name (dotted allowed) and its arguments. */
static node *parse_filter_or_test(parser *P, node *target, enum node_type type)
{
    node *f = mk(P, type);
    if (!f)
        return NULL;
    f->a = target;
    if (type == N_TEST && skip_name(P, "not"))
        f->negate = 1;
    const token *t = cur(P);
    if (t->type != T_NAME) {
        fail(P, "expected a %s name", type == N_TEST ? "test" : "filter");
        return NULL;
    }
    f->str = take_name(P);
    if (skip_op(P, "("))
        return parse_args(P, f) ? NULL : f;
    t = cur(P);
    if (type == N_TEST && (t->type == T_STRING || t->type == T_INT || t->type == T_FLOAT ||
                           (t->type == T_NAME && !is_keyword_stop(P)))) {
        node *arg = parse_unary(P, 0);
        if (!arg)
            return NULL;
        f->list = arena_alloc(P->a, sizeof *f->list);
        if (!f->list) {
            fail(P, "out of memory");
            return NULL;
        }
        f->list[0] = arg;
        f->n = 1;
    }
    return f;
}

static node *parse_filters(parser *P, node *n)
{
    while (n) {
        if (skip_op(P, "|"))
            n = parse_filter_or_test(P, n, N_FILTER);
        else if (skip_name(P, "is"))
            n = parse_filter_or_test(P, n, N_TEST);
        else if (is_op(P, "(")) {
            P->pos++;
            node *c = mk(P, N_CALL);
            if (!c)
                return NULL;
            c->a = n;
            n = parse_args(P, c) ? NULL : c;
        } else
            break;
    }
    return n;
}

static node *parse_seq(parser *P, enum node_type type, const char *close)
{
    node *n = mk(P, type);
    nvec items = {0}, keys = {0};
    int rc = 0;
    if (!n)
        return NULL;
    while (rc == 0 && !is_op(P, close)) {
        if (items.n && (rc = expect_op(P, ",")))
            break;
        if (is_op(P, close))
            break;
        node *k = parse_expr(P), *v = NULL;
        if (!k) {
            rc = -1;
            break;
        }
        if (type == N_DICT) {
            if ((rc = expect_op(P, ":")) || !(v = parse_expr(P))) {
                rc = -1;
                break;
            }
            rc = nvec_push(P, &keys, k, NULL);
        }
        if (rc == 0)
            rc = nvec_push(P, &items, type == N_DICT ? v : k, NULL);
    }
    if (rc == 0)
        rc = expect_op(P, close);
    n->n = items.n;
    n->n_kw = keys.n;
    int r1 = nvec_finish(P, &items, &n->list, NULL), r2 = nvec_finish(P, &keys, &n->kw, NULL);
    return rc || r1 || r2 ? NULL : n;
}

/* "(" already taken: an expression in parentheses, or a tuple. */
static node *parse_paren(parser *P)
{
    if (skip_op(P, ")"))
        return mk(P, N_LIST);
    node *first = parse_expr(P);
    if (!first)
        return NULL;
    if (skip_op(P, ")"))
        return first;
    if (!is_op(P, ",")) {
        fail(P, "expected ')'");
        return NULL;
    }
    node *t = mk(P, N_LIST);
    nvec items = {0};
    if (!t || nvec_push(P, &items, first, NULL)) {
        nvec_finish(P, &items, NULL, NULL);
        return NULL;
    }
    int rc = 0;
    while (rc == 0 && skip_op(P, ",")) {
        if (is_op(P, ")"))
            break;
        node *x = parse_expr(P);
        rc = x ? nvec_push(P, &items, x, NULL) : -1;
    }
    if (rc == 0)
        rc = expect_op(P, ")");
    t->n = items.n;
    return nvec_finish(P, &items, &t->list, NULL) || rc ? NULL : t;
}

static node *parse_primary(parser *P)
{
    const token *t = cur(P);
    if (t->type == T_NAME) {
        static const char *const lits[] = {"true", "True", "false", "False", "none", "None"};
        for (int i = 0; i < 6; i++)
            if (t->len == strlen(lits[i]) && !memcmp(t->s, lits[i], t->len)) {
                P->pos++;
                return literal(P, i < 2 ? json_true() : i < 4 ? json_false() : json_null());
            }
        node *n = mk(P, N_NAME);
        if (n)
            n->str = take_name(P);
        return n && n->str ? n : NULL;
    }
    if (t->type == T_STRING) {
        tokd_bytes s = {0};
        while (cur(P)->type == T_STRING) {
            tokd_bytes_append(&s, cur(P)->s, cur(P)->len);
            P->pos++;
        }
        node *n = literal(P, json_stringn_nocheck(s.data ? s.data : "", s.len));
        tokd_bytes_release(&s);
        return n;
    }
    if (t->type == T_INT || t->type == T_FLOAT) {
        P->pos++;
        return literal(P, t->type == T_INT ? json_integer(t->i) : json_real(t->f));
    }
    if (skip_op(P, "("))
        return parse_paren(P);
    if (skip_op(P, "["))
        return parse_seq(P, N_LIST, "]");
    if (skip_op(P, "{"))
        return parse_seq(P, N_DICT, "}");
    fail(P, t->type == T_VAR_END || t->type == T_BLOCK_END ? "expected an expression before the end of the tag"
                                                            : "unexpected '%.*s'",
         (int)(t->len > 40 ? 40 : t->len), t->s ? t->s : "");
    return NULL;
}

static node *parse_unary(parser *P, int with_filter)
{
    node *n;
    if (++P->nest > MAX_NEST) {
        fail(P, "expressions nested deeper than %d", MAX_NEST);
        return NULL;
    }
    if (is_op(P, "-") || is_op(P, "+")) {
        n = mk(P, is_op(P, "-") ? N_NEG : N_POS);
        P->pos++;
        if (n && !(n->a = parse_unary(P, 0)))
            n = NULL;
    } else {
        n = parse_primary(P);
    }
    n = parse_postfix(P, n);
    if (with_filter)
        n = parse_filters(P, n);
    P->nest--;
    return n;
}

static node *binop(parser *P, node *l, const char *op, node *(*next)(parser *))
{
    node *n = mk(P, N_BINOP);
    if (!n)
        return NULL;
    n->str = op;
    n->a = l;
    n->b = next(P);
    return n->b ? n : NULL;
}

static node *parse_pow_level(parser *P)
{
    return parse_unary(P, 1);
}

static node *parse_pow(parser *P)
{
    node *n = parse_pow_level(P);
    while (n && skip_op(P, "**"))
        n = binop(P, n, "**", parse_pow_level);
    return n;
}

static node *parse_math2(parser *P)
{
    static const char *const ops[] = {"*", "//", "/", "%"};
    node *n = parse_pow(P);
    for (int found = 1; n && found;) {
        found = 0;
        for (int i = 0; i < 4 && !found; i++)
            if (skip_op(P, ops[i])) {
                n = binop(P, n, ops[i], parse_pow);
                found = 1;
            }
    }
    return n;
}

static node *parse_concat(parser *P)
{
    node *n = parse_math2(P);
    while (n && skip_op(P, "~"))
        n = binop(P, n, "~", parse_math2);
    return n;
}

static node *parse_math1(parser *P)
{
    node *n = parse_concat(P);
    while (n && (is_op(P, "+") || is_op(P, "-"))) {
        const char *op = is_op(P, "+") ? "+" : "-";
        P->pos++;
        n = binop(P, n, op, parse_concat);
    }
    return n;
}

static const char *compare_op(parser *P)
{
    static const char *const ops[] = {"==", "!=", "<=", ">=", "<", ">"};
    for (int i = 0; i < 6; i++)
        if (skip_op(P, ops[i]))
            return ops[i];
    if (skip_name(P, "in"))
        return "in";
    if (is_name(P, "not") && P->t[P->pos + 1].type == T_NAME && P->t[P->pos + 1].len == 2 &&
        !memcmp(P->t[P->pos + 1].s, "in", 2)) {
        P->pos += 2;
        return "notin";
    }
    return NULL;
}

static node *parse_compare(parser *P)
{
    node *first = parse_math1(P);
    const char *op = first ? compare_op(P) : NULL;
    if (!op)
        return first;
    node *n = mk(P, N_COMPARE);
    nvec operands = {0};
    int rc = n ? nvec_push(P, &operands, first, NULL) : -1;
    for (; rc == 0 && op; op = compare_op(P)) {
        node *x = parse_math1(P);
        rc = x ? nvec_push(P, &operands, x, op) : -1;
    }
    if (n) {
        n->n = operands.n;
        if (nvec_finish(P, &operands, &n->list, &n->names))
            rc = -1;
    } else {
        nvec_finish(P, &operands, NULL, NULL);
    }
    return rc ? NULL : n;
}

static node *parse_not(parser *P)
{
    if (is_name(P, "not")) {
        node *n = mk(P, N_NOT);
        P->pos++;
        if (++P->nest > MAX_NEST) {
            fail(P, "expressions nested deeper than %d", MAX_NEST);
            return NULL;
        }
        if (n && !(n->a = parse_not(P)))
            n = NULL;
        P->nest--;
        return n;
    }
    return parse_compare(P);
}

static node *logic(parser *P, enum node_type type, const char *word, node *(*next)(parser *))
{
    node *n = next(P);
    while (n && skip_name(P, word)) {
        node *x = mk(P, type);
        if (!x)
            return NULL;
        x->a = n;
        if (!(x->b = next(P)))
            return NULL;
        n = x;
    }
    return n;
}

static node *parse_and(parser *P)
{
    return logic(P, N_AND, "and", parse_not);
}

static node *parse_or(parser *P)
{
    return logic(P, N_OR, "or", parse_and);
}

static node *parse_expr(parser *P)
{
    node *n = parse_or(P);
    while (n && skip_name(P, "if")) {
        node *c = mk(P, N_COND);
        if (!c)
            return NULL;
        c->b = n;
        if (!(c->a = parse_or(P)))
            return NULL;
        if (skip_name(P, "else") && !(c->c = parse_expr(P)))
            return NULL;
        n = c;
    }
    return n;
}

/* ---- statements */

static int end_tag(parser *P)
{
    if (cur(P)->type != T_BLOCK_END)
        return fail(P, "expected the end of the statement ('%%}')");
    P->pos++;
    return 0;
}

/* Assignment targets: "a" or "a, b" or "(a, b)", into n->names. */
static int parse_targets(parser *P, node *n)
{
    nvec v = {0};
    int paren = skip_op(P, "("), rc = 0;
    do {
        const char *name = take_name(P);
        rc = name ? nvec_push(P, &v, NULL, name) : -1;
    } while (rc == 0 && skip_op(P, ","));
    if (rc == 0 && paren)
        rc = expect_op(P, ")");
    n->n_kw = v.n;
    node **unused;
    int r2 = nvec_finish(P, &v, &unused, &n->names);
    return rc ? rc : r2;
}

static node *parse_if(parser *P)
{
    static const char *const stops[] = {"elif", "else", "endif", NULL};
    node *n = mk(P, N_IF);
    const char *stopped;
    if (!n || !(n->a = parse_expr(P)) || end_tag(P) || !(n->b = parse_body(P, stops, &stopped)))
        return NULL;
    if (!strcmp(stopped, "elif")) {
        if (!(n->c = parse_if(P)))
            return NULL;
        return n; /* the elif chain consumed the endif */
    }
    if (!strcmp(stopped, "else")) {
        static const char *const end[] = {"endif", NULL};
        if (end_tag(P) || !(n->c = parse_body(P, end, &stopped)))
            return NULL;
    }
    return end_tag(P) ? NULL : n;
}

static node *parse_for(parser *P)
{
    static const char *const stops[] = {"else", "endfor", NULL};
    node *n = mk(P, N_FOR);
    const char *stopped;
    if (!n || parse_targets(P, n))
        return NULL;
    if (!skip_name(P, "in")) {
        fail(P, "expected 'in' in a for loop");
        return NULL;
    }
    if (!(n->a = parse_or(P)))
        return NULL;
    if (skip_name(P, "if") && !(n->d = parse_expr(P)))
        return NULL;
    if (skip_name(P, "recursive")) {
        fail(P, "recursive loops are not supported");
        return NULL;
    }
    if (end_tag(P) || !(n->b = parse_body(P, stops, &stopped)))
        return NULL;
    if (!strcmp(stopped, "else")) {
        static const char *const end[] = {"endfor", NULL};
        if (end_tag(P) || !(n->c = parse_body(P, end, &stopped)))
            return NULL;
    }
    return end_tag(P) ? NULL : n;
}

static node *parse_set(parser *P)
{
    node *n = mk(P, N_SET);
    if (!n)
        return NULL;
    if (cur(P)->type == T_NAME && P->t[P->pos + 1].type == T_OP && P->t[P->pos + 1].len == 1 &&
        P->t[P->pos + 1].s[0] == '.') {
        n->type = N_SET_ATTR;
        if (!(n->str = take_name(P)))
            return NULL;
        P->pos++;
        const char *attr = take_name(P);
        if (!attr)
            return NULL;
        n->names = arena_alloc(P->a, sizeof *n->names);
        if (!n->names) {
            fail(P, "out of memory");
            return NULL;
        }
        n->names[0] = attr;
        n->n_kw = 1;
    } else if (parse_targets(P, n)) {
        return NULL;
    }
    if (skip_op(P, "=")) {
        node *v = parse_expr(P);
        if (v && is_op(P, ",")) { /* set a, b = x, y */
            node *t = mk(P, N_LIST);
            nvec items = {0};
            int rc = t ? nvec_push(P, &items, v, NULL) : -1;
            while (rc == 0 && skip_op(P, ",")) {
                node *x = parse_expr(P);
                rc = x ? nvec_push(P, &items, x, NULL) : -1;
            }
            if (t)
                t->n = items.n;
            if (nvec_finish(P, &items, t ? &t->list : NULL, NULL) || rc)
                return NULL;
            v = t;
        }
        if (!(n->a = v))
            return NULL;
        return end_tag(P) ? NULL : n;
    }
    if (n->type != N_SET || n->n_kw != 1) {
        fail(P, "expected '=' after the target of set");
        return NULL;
    }
    static const char *const end[] = {"endset", NULL};
    const char *stopped;
    n->type = N_SET_BLOCK;
    if (end_tag(P) || !(n->b = parse_body(P, end, &stopped)))
        return NULL;
    return end_tag(P) ? NULL : n;
}

/* Macro or caller parameters after "(": names into n->names, defaults
 * (or NULL) into n->kw. */
static int parse_params(parser *P, node *n)
{
    nvec v = {0};
    int rc = 0;
    while (rc == 0 && !is_op(P, ")")) {
        if (v.n && (rc = expect_op(P, ",")))
            break;
        const char *name = take_name(P);
        node *def = NULL;
        if (!name)
            rc = -1;
        else if (skip_op(P, "=") && !(def = parse_expr(P)))
            rc = -1;
        if (rc == 0)
            rc = nvec_push(P, &v, def, name);
    }
    if (rc == 0)
        rc = expect_op(P, ")");
    n->n_kw = v.n;
    int r2 = nvec_finish(P, &v, &n->kw, &n->names);
    return rc ? rc : r2;
}

static node *parse_macro(parser *P)
{
    static const char *const end[] = {"endmacro", NULL};
    node *n = mk(P, N_MACRO);
    const char *stopped;
    if (!n || !(n->str = take_name(P)) || expect_op(P, "(") || parse_params(P, n) || end_tag(P) ||
        !(n->b = parse_body(P, end, &stopped)))
        return NULL;
    skip_name(P, n->str);
    return end_tag(P) ? NULL : n;
}

static node *parse_call_block(parser *P)
{
    static const char *const end[] = {"endcall", NULL};
    node *n = mk(P, N_CALL_BLOCK);
    const char *stopped;
    if (!n || (skip_op(P, "(") && parse_params(P, n)) || !(n->a = parse_expr(P)))
        return NULL;
    if (n->a->type != N_CALL) {
        fail(P, "expected a call after 'call'");
        return NULL;
    }
    if (end_tag(P) || !(n->b = parse_body(P, end, &stopped)))
        return NULL;
    return end_tag(P) ? NULL : n;
}

static node *parse_wrapped(parser *P, const char *endword)
{
    const char *const end[] = {endword, NULL};
    const char *stopped;
    node *body;
    if (end_tag(P) || !(body = parse_body(P, end, &stopped)))
        return NULL;
    return end_tag(P) ? NULL : body;
}

static node *parse_statement(parser *P)
{
    if (skip_name(P, "if"))
        return parse_if(P);
    if (skip_name(P, "for"))
        return parse_for(P);
    if (skip_name(P, "set"))
        return parse_set(P);
    if (skip_name(P, "macro"))
        return parse_macro(P);
    if (skip_name(P, "call"))
        return parse_call_block(P);
    if (skip_name(P, "generation"))
        return parse_wrapped(P, "endgeneration");
    if (is_name(P, "break") || is_name(P, "continue")) {
        node *n = mk(P, is_name(P, "break") ? N_BREAK : N_CONTINUE);
        P->pos++;
        return n && !end_tag(P) ? n : NULL;
    }
    const token *t = cur(P);
    fail(P, "unknown statement '%.*s'", (int)(t->len > 40 ? 40 : t->len), t->s ? t->s : "");
    return NULL;
}

static int in_list(const token *t, const char *const *stops, const char **which)
{
    for (size_t i = 0; stops && stops[i]; i++)
        if (t->type == T_NAME && t->len == strlen(stops[i]) && !memcmp(t->s, stops[i], t->len)) {
            *which = stops[i];
            return 1;
        }
    return 0;
}

/* Statements up to a block tag whose first word is in `stops` (the tag's
 * "{%" and word consumed, *stopped = the word), or to the end. */
static node *parse_body(parser *P, const char *const *stops, const char **stopped)
{
    node *body = mk(P, N_BODY);
    nvec items = {0};
    int rc = body ? 0 : -1, done = 0;
    if (++P->nest > MAX_NEST)
        rc = fail(P, "statements nested deeper than %d", MAX_NEST);
    while (rc == 0 && !done) {
        const token *t = cur(P);
        node *x = NULL;
        if (t->type == T_EOF) {
            if (stops)
                rc = fail(P, "unexpected end of template; expected '%s'", stops[0]);
            break;
        } else if (t->type == T_TEXT) {
            if ((x = mk(P, N_TEXT))) {
                x->str = t->s;
                x->len = t->len;
            }
            P->pos++;
        } else if (t->type == T_VAR_BEGIN) {
            P->pos++;
            if ((x = mk(P, N_PRINT)) && (x->a = parse_expr(P))) {
                if (cur(P)->type != T_VAR_END)
                    rc = fail(P, "expected the end of the print statement ('}}')");
                P->pos++;
            } else {
                x = NULL;
            }
        } else if (t->type == T_BLOCK_BEGIN) {
            P->pos++;
            if (in_list(cur(P), stops, stopped)) {
                P->pos++;
                done = 1;
                continue;
            }
            x = parse_statement(P);
        } else {
            rc = fail(P, "unexpected token");
        }
        if (rc == 0)
            rc = x ? nvec_push(P, &items, x, NULL) : -1;
    }
    P->nest--;
    if (body)
        body->n = items.n;
    int r2 = nvec_finish(P, &items, body ? &body->list : NULL, NULL);
    return rc || r2 ? NULL : body;
}

int tpl_parse(const token_list *toks, arena *a, tpl_parsed *out, tokd_template_error *err)
{
    parser P = {.t = toks->v, .n = toks->n, .a = a, .literals = json_array(), .err = err};
    const char *stopped = NULL;
    if (err)
        err->code = 0;
    if (!P.literals) {
        if (err)
            *err = (tokd_template_error){.code = TOKD_ENOMEM};
        return -1;
    }
    out->literals = P.literals;
    out->root = parse_body(&P, NULL, &stopped);
    if (!out->root && err && !err->code)
        err->code = TOKD_EINVAL;
    return out->root ? 0 : -1;
}
