/* eval.c - runs a template's AST: statements write to the render's
 * output, expressions yield values (tpl.h).
 *
 * Scopes follow jinja2's: a for loop's body is a new scope each iteration
 * (a `set` inside it does not leak out; namespaces are how templates carry
 * state out of a loop), if blocks are not scopes, and a macro body sees its
 * parameters and the template's top level. Bindings are one vector, the
 * innermost scope last; `scope`, `macro_base` and `n_root` mark where the
 * current scope, the current macro call and the top level end.
 *
 * Every node evaluated is a step; steps, output bytes, call depth and the
 * clock are bounded (tokd_template_limits). Errors unwind as -1 with
 * r->err filled. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpl.h"

int r_fail(render *r, int code, size_t line, const char *fmt, ...)
{
    if (r->err && !r->err->code) {
        va_list ap;
        va_start(ap, fmt);
        r->err->code = code;
        r->err->line = line;
        vsnprintf(r->err->text, sizeof r->err->text, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static int past_deadline(const render *r)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec > r->deadline.tv_sec || (now.tv_sec == r->deadline.tv_sec && now.tv_nsec > r->deadline.tv_nsec);
}

int r_step(render *r, size_t line)
{
    if (++r->steps > r->lim->max_steps)
        return r_fail(r, TOKD_ELIMIT, line, "the template needed more than %zu steps (max_template_steps)",
                      r->lim->max_steps);
    if (r->lim->max_ms > 0 && (r->steps & 1023) == 0 && past_deadline(r))
        return r_fail(r, TOKD_ELIMIT, line, "the template ran longer than %ld ms (max_template_ms)", r->lim->max_ms);
    return 0;
}

static int emit(render *r, const char *s, size_t n, size_t line)
{
    if (r->out->len + n > r->lim->max_output)
        return r_fail(r, TOKD_ELIMIT, line, "the template's output passed %zu bytes (max_template_output)",
                      r->lim->max_output);
    return tokd_bytes_append(r->out, s, n) ? r_fail(r, TOKD_ENOMEM, line, "out of memory") : 0;
}

/* ---- scopes */
static value lookup(render *r, const char *name)
{
    for (size_t i = r->n_vars; i-- > r->macro_base;)
        if (!strcmp(r->vars[i].name, name))
            return v_copy(&r->vars[i].v);
    if (r->macro_base)
        for (size_t i = r->n_root; i-- > 0;)
            if (!strcmp(r->vars[i].name, name))
                return v_copy(&r->vars[i].v);
    json_t *g = json_object_get(r->globals, name);
    if (g)
        return v_borrow(g);
    return builtin_global(name);
}

/* Bind `name` in the innermost scope, taking `v`. */
static int bind(render *r, const char *name, value v, size_t line)
{
    for (size_t i = r->scope; i < r->n_vars; i++)
        if (!strcmp(r->vars[i].name, name)) {
            v_release(&r->vars[i].v);
            r->vars[i].v = v;
            return 0;
        }
    if (r->n_vars == r->cap_vars) {
        size_t cap = r->cap_vars ? 2 * r->cap_vars : 32;
        binding *b = realloc(r->vars, cap * sizeof *b);
        if (!b) {
            v_release(&v);
            return r_fail(r, TOKD_ENOMEM, line, "out of memory");
        }
        r->vars = b;
        r->cap_vars = cap;
    }
    r->vars[r->n_vars++] = (binding){name, v};
    if (r->scope == 0)
        r->n_root = r->n_vars;
    return 0;
}

static size_t push_scope(render *r)
{
    size_t saved = r->scope;
    r->scope = r->n_vars;
    return saved;
}

static void pop_scope(render *r, size_t saved)
{
    while (r->n_vars > r->scope)
        v_release(&r->vars[--r->n_vars].v);
    r->scope = saved;
}

/* ---- expressions */
static int eval_list(render *r, node *const *items, size_t n, value *out, size_t line)
{
    json_t *a = json_array();
    if (!a)
        return r_fail(r, TOKD_ENOMEM, line, "out of memory");
    for (size_t i = 0; i < n; i++) {
        value v;
        if (eval_expr(r, items[i], &v)) {
            json_decref(a);
            return -1;
        }
        json_array_append_new(a, v_to_json(&v));
        v_release(&v);
    }
    *out = v_json(a);
    out->kind = V_LIST;
    return 0;
}

static int eval_dict(render *r, const node *n, value *out)
{
    json_t *d = json_object();
    if (!d)
        return r_fail(r, TOKD_ENOMEM, n->line, "out of memory");
    for (size_t i = 0; i < n->n; i++) {
        value k, v;
        if (eval_expr(r, n->kw[i], &k))
            goto fail;
        if (k.kind != V_STR) {
            v_release(&k);
            r_fail(r, TOKD_EINVAL, n->line, "dict keys in a template must be strings");
            goto fail;
        }
        if (eval_expr(r, n->list[i], &v)) {
            v_release(&k);
            goto fail;
        }
        json_object_setn_new(d, json_string_value(k.j), json_string_length(k.j), v_to_json(&v));
        v_release(&k);
        v_release(&v);
    }
    *out = v_json(d);
    return 0;
fail:
    json_decref(d);
    return -1;
}

/* Python's slice.indices for a sequence of `len`. */
static int slice_bounds(render *r, const node *n, long long len, long long *start, long long *stop, long long *step)
{
    value parts[3] = {{0}, {0}, {0}};
    node *nodes[3] = {n->b, n->c, n->d};
    long long got[3] = {0, 0, 1};
    int present[3] = {0};
    for (int i = 0; i < 3; i++) {
        if (!nodes[i])
            continue;
        if (eval_expr(r, nodes[i], &parts[i]))
            return -1;
        if (parts[i].kind == V_NONE)
            continue;
        if (parts[i].kind != V_INT && parts[i].kind != V_BOOL)
            return r_fail(r, TOKD_EINVAL, n->line, "slice indices must be integers or None");
        got[i] = parts[i].i;
        present[i] = 1;
    }
    *step = got[2];
    if (*step == 0)
        return r_fail(r, TOKD_EINVAL, n->line, "slice step cannot be zero");
    long long lo = *step < 0 ? -1 : 0, hi = *step < 0 ? len - 1 : len;
    for (int i = 0; i < 2; i++) {
        long long v = got[i];
        if (!present[i]) {
            v = (i == 0) == (*step > 0) ? lo : hi;
            if (i == 0 && *step < 0)
                v = hi;
            if (i == 1 && *step < 0)
                v = lo;
        } else {
            if (v < 0)
                v += len;
            if (v < lo)
                v = lo;
            if (v > hi)
                v = hi;
        }
        *(i == 0 ? start : stop) = v;
    }
    return 0;
}

static int eval_slice(render *r, const node *n, value *out)
{
    value obj;
    long long start = 0, stop = 0, step = 1;
    if (eval_expr(r, n->a, &obj))
        return -1;
    int is_str = obj.kind == V_STR;
    if (!is_str && obj.kind != V_LIST) {
        int rc = r_fail(r, TOKD_EINVAL, n->line, "'%s' object is not subscriptable", v_type_name(&obj));
        v_release(&obj);
        return rc;
    }
    const char *s = is_str ? json_string_value(obj.j) : NULL;
    size_t bytes = is_str ? json_string_length(obj.j) : 0, n_cp = is_str ? utf8_count(s, bytes) : 0;
    size_t *at = NULL;
    long long len = is_str ? (long long)n_cp : (long long)json_array_size(obj.j);
    if (slice_bounds(r, n, len, &start, &stop, &step)) {
        v_release(&obj);
        return -1;
    }
    if (is_str && !(at = malloc((n_cp + 1) * sizeof *at))) {
        v_release(&obj);
        return r_fail(r, TOKD_ENOMEM, n->line, "out of memory");
    }
    for (size_t i = 0, k = 0; is_str && i <= bytes; i++)
        if (i == bytes || ((unsigned char)s[i] & 0xC0) != 0x80)
            at[k++] = i;
    json_t *list = is_str ? NULL : json_array();
    tokd_bytes str = {0};
    for (long long i = start; step > 0 ? i < stop : i > stop; i += step) {
        if (is_str)
            tokd_bytes_append(&str, s + at[i], at[i + 1] - at[i]);
        else
            json_array_append(list, json_array_get(obj.j, (size_t)i));
    }
    *out = is_str ? v_json(json_stringn_nocheck(str.data ? str.data : "", str.len)) : v_json(list);
    free(at);
    tokd_bytes_release(&str);
    v_release(&obj);
    return 0;
}

static int eval_args(render *r, const node *n, call_args *a)
{
    *a = (call_args){.n_pos = n->n, .n_kw = n->n_kw, .kw_names = n->names};
    a->pos = calloc(n->n + 1, sizeof *a->pos);
    a->kw = calloc(n->n_kw + 1, sizeof *a->kw);
    if (!a->pos || !a->kw)
        return r_fail(r, TOKD_ENOMEM, n->line, "out of memory");
    for (size_t i = 0; i < n->n; i++)
        if (eval_expr(r, n->list[i], &a->pos[i]))
            return -1;
    for (size_t i = 0; i < n->n_kw; i++)
        if (eval_expr(r, n->kw[i], &a->kw[i]))
            return -1;
    return 0;
}

static void release_args(call_args *a)
{
    for (size_t i = 0; a->pos && i < a->n_pos; i++)
        v_release(&a->pos[i]);
    for (size_t i = 0; a->kw && i < a->n_kw; i++)
        v_release(&a->kw[i]);
    free(a->pos);
    free(a->kw);
}

static int call_value(render *r, const value *fn, call_args *a, size_t line, value *out)
{
    if (fn->kind == V_MACRO)
        return call_macro(r, fn->p, NULL, a->pos, a->n_pos, a->kw_names, a->kw, a->n_kw, line, out);
    if (fn->kind == V_FUNC || fn->kind == V_METHOD)
        return builtin_call(r, fn, a, line, out);
    if (fn->kind == V_UNDEF)
        return r_fail(r, TOKD_EINVAL, line, "'%s' is undefined", fn->name ? fn->name : "value");
    return r_fail(r, TOKD_EINVAL, line, "'%s' object is not callable", v_type_name(fn));
}

static int eval_call(render *r, const node *n, value *out)
{
    value fn;
    call_args a;
    if (eval_expr(r, n->a, &fn))
        return -1;
    int rc = eval_args(r, n, &a);
    if (rc == 0)
        rc = call_value(r, &fn, &a, n->line, out);
    release_args(&a);
    v_release(&fn);
    return rc;
}

static int eval_filter_or_test(render *r, const node *n, value *out)
{
    value v;
    call_args a;
    if (eval_expr(r, n->a, &v))
        return -1;
    int rc = eval_args(r, n, &a), yes = 0;
    if (rc == 0 && n->type == N_FILTER)
        rc = builtin_filter(r, n->str, &v, &a, n->line, out);
    else if (rc == 0) {
        rc = builtin_test(r, n->str, &v, &a, n->line, &yes);
        *out = v_bool(n->negate ? !yes : yes);
    }
    release_args(&a);
    v_release(&v);
    return rc;
}

static int num_op(render *r, const char *op, const value *x, const value *y, size_t line, value *out)
{
    int fl = x->kind == V_FLOAT || y->kind == V_FLOAT;
    double a = x->kind == V_FLOAT ? x->f : (double)x->i, b = y->kind == V_FLOAT ? y->f : (double)y->i;
    long long i = x->i, j = y->i;
    switch (op[0]) {
    case '+':
        *out = fl ? v_float(a + b) : v_int(i + j);
        return 0;
    case '-':
        *out = fl ? v_float(a - b) : v_int(i - j);
        return 0;
    case '*':
        if (op[1] == '*') {
            *out = fl || j < 0 ? v_float(pow(a, b)) : v_int((long long)llround(pow(a, b)));
            return 0;
        }
        *out = fl ? v_float(a * b) : v_int(i * j);
        return 0;
    default:
        break;
    }
    if (fl ? b == 0.0 : j == 0)
        return r_fail(r, TOKD_EINVAL, line, "division by zero");
    if (op[0] == '/' && op[1] == 0) {
        *out = v_float(a / b);
    } else if (op[0] == '/') {
        *out = fl ? v_float(floor(a / b)) : v_int(i / j - ((i % j != 0) && ((i < 0) != (j < 0))));
    } else {
        double m = fmod(a, b);
        long long k = i % j;
        *out = fl ? v_float(m != 0 && (m < 0) != (b < 0) ? m + b : m) : v_int(k != 0 && (k < 0) != (j < 0) ? k + j : k);
    }
    return 0;
}

static int concat_json(render *r, const value *x, const value *y, size_t line, value *out)
{
    if (x->kind == V_STR) {
        tokd_bytes s = {0};
        tokd_bytes_append(&s, json_string_value(x->j), json_string_length(x->j));
        tokd_bytes_append(&s, json_string_value(y->j), json_string_length(y->j));
        *out = v_json(json_stringn_nocheck(s.data ? s.data : "", s.len));
        tokd_bytes_release(&s);
    } else {
        json_t *a = json_copy(x->j);
        if (a)
            json_array_extend(a, y->j);
        *out = v_json(a);
    }
    return out->j ? 0 : r_fail(r, TOKD_ENOMEM, line, "out of memory");
}

static int tilde(render *r, const value *x, const value *y, size_t line, value *out)
{
    tokd_bytes s = {0};
    int rc = v_str(x, &s) || v_str(y, &s);
    *out = rc ? v_none() : v_json(json_stringn_nocheck(s.data ? s.data : "", s.len));
    tokd_bytes_release(&s);
    return rc ? r_fail(r, TOKD_ENOMEM, line, "out of memory") : 0;
}

static int repeat(render *r, const value *seq, long long times, size_t line, value *out)
{
    tokd_bytes s = {0};
    json_t *a = seq->kind == V_LIST ? json_array() : NULL;
    for (long long k = 0; k < times; k++) {
        if (r_step(r, line)) {
            tokd_bytes_release(&s);
            json_decref(a);
            return -1;
        }
        if (a)
            json_array_extend(a, seq->j);
        else
            tokd_bytes_append(&s, json_string_value(seq->j), json_string_length(seq->j));
    }
    *out = a ? v_json(a) : v_json(json_stringn_nocheck(s.data ? s.data : "", s.len));
    tokd_bytes_release(&s);
    return 0;
}

static int is_num(const value *v)
{
    return v->kind == V_INT || v->kind == V_FLOAT || v->kind == V_BOOL;
}

static int binary(render *r, const char *op, const value *x, const value *y, size_t line, value *out)
{
    if (op[0] == '~')
        return tilde(r, x, y, line, out);
    if (is_num(x) && is_num(y))
        return num_op(r, op, x, y, line, out);
    if (op[0] == '+' && x->kind == y->kind && (x->kind == V_STR || x->kind == V_LIST))
        return concat_json(r, x, y, line, out);
    if (op[0] == '*' && op[1] == 0 && (x->kind == V_STR || x->kind == V_LIST) && (y->kind == V_INT))
        return repeat(r, x, y->i, line, out);
    if (op[0] == '+' && x->kind == V_STR)
        return r_fail(r, TOKD_EINVAL, line, "can only concatenate str (not \"%s\") to str", v_type_name(y));
    return r_fail(r, TOKD_EINVAL, line, "unsupported operand type(s) for %s: '%s' and '%s'", op, v_type_name(x),
                  v_type_name(y));
}

static int contains(render *r, const value *item, const value *seq, size_t line, int *out)
{
    *out = 0;
    if (seq->kind == V_STR) {
        if (item->kind != V_STR)
            return r_fail(r, TOKD_EINVAL, line, "'in <string>' requires string as left operand, not %s",
                          v_type_name(item));
        *out = memmem(json_string_value(seq->j), json_string_length(seq->j), json_string_value(item->j),
                      json_string_length(item->j)) != NULL;
    } else if (seq->kind == V_LIST) {
        for (size_t i = 0; i < json_array_size(seq->j) && !*out; i++) {
            value e = v_borrow(json_array_get(seq->j, i));
            *out = v_equal(item, &e);
            v_release(&e);
        }
    } else if (seq->kind == V_DICT || seq->kind == V_NS) {
        *out = item->kind == V_STR && json_object_getn(seq->j, json_string_value(item->j), json_string_length(item->j));
    } else if (seq->kind != V_UNDEF) {
        return r_fail(r, TOKD_EINVAL, line, "argument of type '%s' is not iterable", v_type_name(seq));
    }
    return 0;
}

static int order(render *r, const char *op, const value *x, const value *y, size_t line, int *out)
{
    int c;
    if (is_num(x) && is_num(y)) {
        double a = x->kind == V_FLOAT ? x->f : (double)x->i, b = y->kind == V_FLOAT ? y->f : (double)y->i;
        c = (a > b) - (a < b);
    } else if (x->kind == V_STR && y->kind == V_STR) {
        size_t n = json_string_length(x->j), m = json_string_length(y->j);
        c = memcmp(json_string_value(x->j), json_string_value(y->j), n < m ? n : m);
        c = c ? c : (n > m) - (n < m);
    } else {
        return r_fail(r, TOKD_EINVAL, line, "'%s' not supported between instances of '%s' and '%s'", op,
                      v_type_name(x), v_type_name(y));
    }
    *out = op[0] == '<' ? (op[1] ? c <= 0 : c < 0) : (op[1] ? c >= 0 : c > 0);
    return 0;
}

static int compare_one(render *r, const char *op, const value *x, const value *y, size_t line, int *out)
{
    if (!strcmp(op, "=="))
        *out = v_equal(x, y);
    else if (!strcmp(op, "!="))
        *out = !v_equal(x, y);
    else if (!strcmp(op, "in") || !strcmp(op, "notin")) {
        if (contains(r, x, y, line, out))
            return -1;
        *out = op[0] == 'n' ? !*out : *out;
    } else
        return order(r, op, x, y, line, out);
    return 0;
}

static int eval_compare(render *r, const node *n, value *out)
{
    value left, right;
    int yes = 1;
    if (eval_expr(r, n->list[0], &left))
        return -1;
    for (size_t i = 1; i < n->n && yes; i++) {
        if (eval_expr(r, n->list[i], &right)) {
            v_release(&left);
            return -1;
        }
        int rc = compare_one(r, n->names[i], &left, &right, n->line, &yes);
        v_release(&left);
        left = right;
        if (rc) {
            v_release(&left);
            return -1;
        }
    }
    v_release(&left);
    *out = v_bool(yes);
    return 0;
}

static int eval_binop(render *r, const node *n, value *out)
{
    value x, y;
    if (eval_expr(r, n->a, &x))
        return -1;
    if (eval_expr(r, n->b, &y)) {
        v_release(&x);
        return -1;
    }
    int rc = binary(r, n->str, &x, &y, n->line, out);
    v_release(&x);
    v_release(&y);
    return rc;
}

static int eval_logic(render *r, const node *n, value *out)
{
    if (eval_expr(r, n->a, out))
        return -1;
    int t = v_truthy(out);
    if (n->type == N_AND ? !t : t)
        return 0;
    v_release(out);
    return eval_expr(r, n->b, out);
}

static int eval_unary(render *r, const node *n, value *out)
{
    value v;
    if (eval_expr(r, n->a, &v))
        return -1;
    if (n->type == N_NOT) {
        *out = v_bool(!v_truthy(&v));
    } else if (v.kind == V_INT || v.kind == V_BOOL) {
        *out = v_int(n->type == N_NEG ? -v.i : v.i);
    } else if (v.kind == V_FLOAT) {
        *out = v_float(n->type == N_NEG ? -v.f : v.f);
    } else {
        int rc = r_fail(r, TOKD_EINVAL, n->line, "bad operand type for unary %c: '%s'", n->type == N_NEG ? '-' : '+',
                        v_type_name(&v));
        v_release(&v);
        return rc;
    }
    v_release(&v);
    return 0;
}

static int eval_access(render *r, const node *n, value *out)
{
    value obj, key;
    if (eval_expr(r, n->a, &obj))
        return -1;
    if (n->type == N_ATTR) {
        int rc = get_attr(r, &obj, n->str, n->line, out);
        v_release(&obj);
        return rc;
    }
    if (eval_expr(r, n->b, &key)) {
        v_release(&obj);
        return -1;
    }
    int rc = get_item(r, &obj, &key, n->line, out);
    v_release(&obj);
    v_release(&key);
    return rc;
}

int eval_expr(render *r, const node *n, value *out)
{
    *out = v_undef(NULL);
    if (r_step(r, n->line))
        return -1;
    switch (n->type) {
    case N_LIT:
        *out = v_borrow(n->lit);
        return 0;
    case N_NAME:
        *out = lookup(r, n->str);
        if (out->kind == V_UNDEF)
            out->name = n->str;
        return 0;
    case N_ATTR:
    case N_ITEM:
        return eval_access(r, n, out);
    case N_SLICE:
        return eval_slice(r, n, out);
    case N_CALL:
        return eval_call(r, n, out);
    case N_FILTER:
    case N_TEST:
        return eval_filter_or_test(r, n, out);
    case N_BINOP:
        return eval_binop(r, n, out);
    case N_NEG:
    case N_POS:
    case N_NOT:
        return eval_unary(r, n, out);
    case N_AND:
    case N_OR:
        return eval_logic(r, n, out);
    case N_COMPARE:
        return eval_compare(r, n, out);
    case N_COND: {
        value c;
        if (eval_expr(r, n->a, &c))
            return -1;
        int t = v_truthy(&c);
        v_release(&c);
        if (t)
            return eval_expr(r, n->b, out);
        return n->c ? eval_expr(r, n->c, out) : 0;
    }
    case N_LIST:
        return eval_list(r, n->list, n->n, out, n->line);
    case N_DICT:
        return eval_dict(r, n, out);
    default:
        return r_fail(r, TOKD_EINVAL, n->line, "not an expression");
    }
}

/* ---- statements */

/* Render `body` into a new string value (set blocks, macro calls). */
static int capture(render *r, const node *body, value *out)
{
    tokd_bytes buf = {0}, *saved = r->out;
    size_t used = saved->len;
    r->out = &buf;
    buf.len = 0;
    int rc = 0;
    if (used > r->lim->max_output)
        rc = r_fail(r, TOKD_ELIMIT, body->line, "the template's output passed %zu bytes", r->lim->max_output);
    if (rc == 0)
        rc = exec_body(r, body);
    r->out = saved;
    if (rc == 0)
        *out = v_json(json_stringn_nocheck(buf.data ? buf.data : "", buf.len));
    tokd_bytes_release(&buf);
    return rc;
}

/* Bind for-loop or set targets to `item`, unpacking a list for several. */
static int bind_targets(render *r, const node *n, const value *item)
{
    if (n->n_kw == 1)
        return bind(r, n->names[0], v_copy(item), n->line);
    if (item->kind != V_LIST || json_array_size(item->j) != n->n_kw)
        return r_fail(r, TOKD_EINVAL, n->line, "cannot unpack a %s into %zu names", v_type_name(item), n->n_kw);
    for (size_t i = 0; i < n->n_kw; i++)
        if (bind(r, n->names[i], v_borrow(json_array_get(item->j, i)), n->line))
            return -1;
    return 0;
}

/* The items that pass the loop's `if` filter (new reference). */
static json_t *filter_items(render *r, const node *n, json_t *items)
{
    json_t *kept = json_array();
    for (size_t i = 0; kept && i < json_array_size(items); i++) {
        size_t saved = push_scope(r);
        value item = v_borrow(json_array_get(items, i)), c;
        int rc = bind_targets(r, n, &item) || eval_expr(r, n->d, &c);
        v_release(&item);
        if (rc == 0 && v_truthy(&c))
            json_array_append(kept, json_array_get(items, i));
        if (rc == 0)
            v_release(&c);
        pop_scope(r, saved);
        if (rc) {
            json_decref(kept);
            return NULL;
        }
    }
    return kept;
}

static int exec_for(render *r, const node *n)
{
    value seq;
    if (eval_expr(r, n->a, &seq))
        return -1;
    json_t *items = tpl_items(r, &seq, n->line);
    v_release(&seq);
    if (items && n->d) {
        json_t *kept = filter_items(r, n, items);
        json_decref(items);
        items = kept;
    }
    if (!items)
        return -1;
    loop_state ls = {.items = items, .length = json_array_size(items)};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < ls.length; i++) {
        size_t saved = push_scope(r);
        value item = v_borrow(json_array_get(items, i));
        ls.index0 = i;
        rc = bind_targets(r, n, &item) || bind(r, "loop", (value){.kind = V_LOOP, .p = &ls}, n->line) ||
             exec_body(r, n->b);
        v_release(&item);
        pop_scope(r, saved);
        if (r->loop_ctl == 1)
            i = ls.length;
        r->loop_ctl = 0;
    }
    if (rc == 0 && ls.length == 0 && n->c)
        rc = exec_body(r, n->c);
    json_decref(items);
    return rc;
}

static int exec_set(render *r, const node *n)
{
    value v;
    if (n->type == N_SET_BLOCK ? capture(r, n->b, &v) : eval_expr(r, n->a, &v))
        return -1;
    if (n->type != N_SET_ATTR) {
        int rc = bind_targets(r, n, &v);
        v_release(&v);
        return rc;
    }
    value ns = lookup(r, n->str);
    int rc = 0;
    if (ns.kind != V_NS)
        rc = r_fail(r, TOKD_EINVAL, n->line, "cannot assign attribute on non-namespace object '%s'", n->str);
    else
        json_object_set_new(ns.j, n->names[0], v_to_json(&v));
    v_release(&ns);
    v_release(&v);
    return rc;
}

static int exec_call_block(render *r, const node *n)
{
    const node *call = n->a;
    value fn, out;
    call_args a;
    if (eval_expr(r, call->a, &fn))
        return -1;
    int rc = eval_args(r, call, &a);
    if (rc == 0 && fn.kind != V_MACRO)
        rc = r_fail(r, TOKD_EINVAL, n->line, "a call block must call a macro");
    if (rc == 0)
        rc = call_macro(r, fn.p, n, a.pos, a.n_pos, a.kw_names, a.kw, a.n_kw, n->line, &out);
    if (rc == 0) {
        rc = emit(r, json_string_value(out.j), json_string_length(out.j), n->line);
        v_release(&out);
    }
    release_args(&a);
    v_release(&fn);
    return rc;
}

static int exec_print(render *r, const node *n)
{
    value v;
    tokd_bytes s = {0};
    if (eval_expr(r, n->a, &v))
        return -1;
    int rc = 0;
    if (v.kind == V_STR)
        rc = emit(r, json_string_value(v.j), json_string_length(v.j), n->line);
    else if (v_str(&v, &s))
        rc = r_fail(r, TOKD_ENOMEM, n->line, "out of memory");
    else
        rc = emit(r, s.data ? s.data : "", s.len, n->line);
    tokd_bytes_release(&s);
    v_release(&v);
    return rc;
}

static int exec_stmt(render *r, const node *n)
{
    if (r_step(r, n->line))
        return -1;
    switch (n->type) {
    case N_TEXT:
        return emit(r, n->str, n->len, n->line);
    case N_PRINT:
        return exec_print(r, n);
    case N_IF: {
        value c;
        if (eval_expr(r, n->a, &c))
            return -1;
        int t = v_truthy(&c);
        v_release(&c);
        const node *next = t ? n->b : n->c;
        if (!next)
            return 0;
        return next->type == N_IF ? exec_stmt(r, next) : exec_body(r, next);
    }
    case N_FOR:
        return exec_for(r, n);
    case N_SET:
    case N_SET_ATTR:
    case N_SET_BLOCK:
        return exec_set(r, n);
    case N_MACRO:
        return bind(r, n->str, (value){.kind = V_MACRO, .p = n}, n->line);
    case N_CALL_BLOCK:
        return exec_call_block(r, n);
    case N_BREAK:
    case N_CONTINUE:
        r->loop_ctl = n->type == N_BREAK ? 1 : 2;
        return 0;
    case N_BODY:
        return exec_body(r, n);
    default:
        return r_fail(r, TOKD_EINVAL, n->line, "not a statement");
    }
}

int exec_body(render *r, const node *body)
{
    for (size_t i = 0; i < body->n && !r->loop_ctl; i++)
        if (exec_stmt(r, body->list[i]))
            return -1;
    return 0;
}

/* The value of parameter i of `m`: positional, keyword, default. */
static int param_value(render *r, const node *m, size_t i, value *args, size_t n_args, const char **kw_names,
                       value *kw, size_t n_kw, value *out)
{
    if (i < n_args) {
        *out = v_copy(&args[i]);
        return 0;
    }
    for (size_t k = 0; k < n_kw; k++)
        if (!strcmp(kw_names[k], m->names[i])) {
            *out = v_copy(&kw[k]);
            return 0;
        }
    if (m->kw[i])
        return eval_expr(r, m->kw[i], out);
    *out = v_undef(m->names[i]);
    return 0;
}

int call_macro(render *r, const node *m, const node *caller, value *args, size_t n_args, const char **kw_names,
               value *kw, size_t n_kw, size_t line, value *out)
{
    if (r->depth >= r->lim->max_depth)
        return r_fail(r, TOKD_ELIMIT, line, "macro calls nested deeper than %zu (max_template_depth)",
                      r->lim->max_depth);
    if (n_args > m->n_kw)
        return r_fail(r, TOKD_EINVAL, line, "macro '%s' takes %zu arguments, got %zu", m->str ? m->str : "caller",
                      m->n_kw, n_args);
    size_t saved_base = r->macro_base, saved_scope = r->scope, start = r->n_vars;
    int saved_ctl = r->loop_ctl, rc = 0;
    value *params = calloc(m->n_kw + 1, sizeof *params);
    if (!params)
        return r_fail(r, TOKD_ENOMEM, line, "out of memory");
    for (size_t i = 0; rc == 0 && i < m->n_kw; i++)
        rc = param_value(r, m, i, args, n_args, kw_names, kw, n_kw, &params[i]);
    r->depth++;
    r->macro_base = r->scope = start;
    r->loop_ctl = 0;
    for (size_t i = 0; i < m->n_kw; i++)
        if (rc == 0)
            rc = bind(r, m->names[i], params[i], line);
        else
            v_release(&params[i]);
    free(params);
    if (rc == 0 && caller)
        rc = bind(r, "caller", (value){.kind = V_MACRO, .p = caller}, line);
    if (rc == 0)
        rc = capture(r, m->b, out);
    pop_scope(r, saved_scope);
    r->macro_base = saved_base;
    r->loop_ctl = saved_ctl;
    r->depth--;
    return rc;
}
