/* tpl.h - the template interpreter's internals: tokens, the AST, values
 * and the render state shared by lexer.c, parser.c, value.c, eval.c and
 * builtins.c.
 *
 * Ownership: every node and string of a compiled template lives in its
 * arena (freed at once with the template). A `value` owns one reference
 * on its json_t (strings, lists, dicts, namespaces); v_release drops it.
 *
 * Thread-safety: a compiled template is read-only; a `render` is one
 * thread's. */
#ifndef TOKD_TPL_H
#define TOKD_TPL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "template.h"

/* ---- arena */
typedef struct arena_block arena_block;
typedef struct arena {
    arena_block *head;
} arena;
void *arena_alloc(arena *a, size_t size);
char *arena_strndup(arena *a, const char *s, size_t n);
void arena_release(arena *a);

/* ---- tokens */
enum tok_type {
    T_EOF, T_TEXT, T_VAR_BEGIN, T_VAR_END, T_BLOCK_BEGIN, T_BLOCK_END,
    T_NAME, T_STRING, T_INT, T_FLOAT, T_OP
};

typedef struct token {
    enum tok_type type;
    const char *s; /* T_TEXT, T_NAME, T_STRING (unescaped), T_OP: arena text */
    size_t len;
    long long i;
    double f;
    size_t line;
} token;

typedef struct token_list {
    token *v;
    size_t n, cap;
} token_list;

/* Split source into tokens, applying trim_blocks, lstrip_blocks, the
 * "-" whitespace control and the final-newline rule. */
int tpl_lex(const char *src, size_t len, arena *a, token_list *out, tokd_template_error *err);

/* ---- AST */
enum node_type {
    /* statements */
    N_BODY, N_TEXT, N_PRINT, N_IF, N_FOR, N_SET, N_SET_ATTR, N_SET_BLOCK, N_MACRO, N_CALL_BLOCK, N_BREAK,
    N_CONTINUE,
    /* expressions */
    N_LIT, N_NAME, N_ATTR, N_ITEM, N_SLICE, N_CALL, N_FILTER, N_TEST, N_BINOP, N_NEG, N_POS, N_NOT, N_AND, N_OR,
    N_COMPARE, N_COND, N_LIST, N_DICT
};

typedef struct node node;
struct node {
    enum node_type type;
    size_t line;
    const char *str; /* names, text, operators */
    size_t len;
    node *a, *b, *c, *d;    /* children: per type */
    node **list;            /* body, items, positional args, compare operands */
    size_t n;
    const char **names;     /* keyword names / targets / params / compare ops */
    node **kw;              /* keyword values / param defaults / else body */
    size_t n_kw;
    int negate;             /* "is not", "not in" */
    json_t *lit;            /* N_LIT: a constant (owned by the template) */
};

typedef struct tpl_parsed {
    node *root;
    json_t *literals; /* array holding every N_LIT's constant */
} tpl_parsed;

int tpl_parse(const token_list *toks, arena *a, tpl_parsed *out, tokd_template_error *err);

/* 1 if the template loops over a message's "content" (inspect.c). */
int tpl_loops_over_content(const node *root);

/* ---- values */
enum vkind { V_UNDEF, V_NONE, V_BOOL, V_INT, V_FLOAT, V_STR, V_LIST, V_DICT, V_NS, V_MACRO, V_FUNC, V_METHOD, V_LOOP };

struct loop_state;
typedef struct value {
    enum vkind kind;
    long long i;         /* V_BOOL, V_INT */
    double f;            /* V_FLOAT */
    json_t *j;           /* V_STR, V_LIST, V_DICT, V_NS; V_METHOD: its object */
    const void *p;       /* V_MACRO: node; V_FUNC/V_METHOD: builtin; V_LOOP: loop_state */
    const char *name;    /* V_UNDEF: what was missing (for messages); V_METHOD: method name */
} value;

value v_undef(const char *name);
value v_none(void);
value v_bool(int b);
value v_int(long long i);
value v_float(double f);
value v_json(json_t *j);   /* takes the reference; scalars become native */
value v_borrow(json_t *j); /* adds a reference */
value v_copy(const value *v);
void v_release(value *v);
/* A new JSON value (undefined as null); NULL when out of memory. */
json_t *v_to_json(const value *v);
int v_truthy(const value *v);
int v_equal(const value *x, const value *y);
const char *v_type_name(const value *v);
/* Python's str(v) appended to `out`; -1 when out of memory. */
int v_str(const value *v, tokd_bytes *out);
/* Python's repr(v) */
int v_repr(const value *v, tokd_bytes *out);
/* json.dumps(j, ensure_ascii=False, indent, sort_keys) with Python's
 * separators; indent < 0 is None. */
int v_tojson(json_t *j, int indent, int sort_keys, tokd_bytes *out);
/* Python's repr of a float */
int v_float_repr(double f, tokd_bytes *out);
/* The code-point length of UTF-8 s[0..n) */
size_t utf8_count(const char *s, size_t n);

/* ---- render state */
typedef struct binding {
    const char *name;
    value v;
} binding;

typedef struct loop_state {
    json_t *items; /* the (filtered) sequence */
    size_t index0, length;
} loop_state;

typedef struct render {
    json_t *globals;            /* borrowed: the caller's variables */
    binding *vars;              /* scopes: innermost last */
    size_t n_vars, cap_vars;
    size_t scope;               /* where the innermost scope starts */
    size_t macro_base;          /* a macro body sees [macro_base, n) and then the top level */
    size_t n_root;              /* top-level bindings: [0, n_root) */
    tokd_bytes *out;
    const tokd_template_limits *lim;
    size_t steps, depth;
    struct timespec deadline;
    int loop_ctl;               /* 1 break, 2 continue */
    tokd_template_error *err;
} render;

/* Fail the render: code, line and a message; returns -1. */
int r_fail(render *r, int code, size_t line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
int r_step(render *r, size_t line);

int eval_expr(render *r, const node *n, value *out);
int exec_body(render *r, const node *body);
/* Call a macro value with evaluated arguments. */
int call_macro(render *r, const node *macro, const node *caller, value *args, size_t n_args, const char **kw_names,
               value *kw, size_t n_kw, size_t line, value *out);

/* ---- builtins (builtins.c) */
typedef struct call_args {
    value *pos;
    size_t n_pos;
    const char **kw_names;
    value *kw;
    size_t n_kw;
} call_args;

/* The items of an iterable as a list (new reference): a list itself, a
 * dict's keys, a string's characters; undefined is empty; NULL (r failed)
 * for what is not iterable. */
json_t *tpl_items(render *r, const value *v, size_t line);

/* `name` as a global function (range, namespace, raise_exception, ...):
 * a V_FUNC value, or undefined. */
value builtin_global(const char *name);
int builtin_call(render *r, const value *fn, call_args *args, size_t line, value *out);
int builtin_filter(render *r, const char *name, value *v, call_args *args, size_t line, value *out);
int builtin_test(render *r, const char *name, value *v, call_args *args, size_t line, int *out);
/* obj.name: a method bound to obj, or undefined. */
value builtin_method(const value *obj, const char *name);
/* Attribute / item access by Jinja's rules. */
int get_attr(render *r, const value *obj, const char *name, size_t line, value *out);
int get_item(render *r, const value *obj, const value *key, size_t line, value *out);

#endif
