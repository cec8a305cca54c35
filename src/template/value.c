/* value.c - template values and how Python shows them.
 *
 * Data are jansson values: a request's messages and tools are JSON, so
 * using json_t for strings, lists and dicts avoids converting them, and
 * jansson keeps an object's keys in insertion order as Python's dict does.
 * Scalars are held natively; undefined, macros, functions, bound methods
 * and the loop object are kinds of their own.
 *
 * Output must match Python byte for byte: str() and repr() of every kind
 * (True, None, 1.0, ['a', 'b'], {'k': 1}), the shortest round-tripping
 * float repr, and json.dumps(ensure_ascii=False) with its separators,
 * which is what transformers' tojson filter calls. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpl.h"

/* ---- arena: nodes and strings of a compiled template */
struct arena_block {
    arena_block *next;
    size_t used, size;
    max_align_t data[];
};

void *arena_alloc(arena *a, size_t size)
{
    size = (size + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    arena_block *b = a->head;
    if (!b || b->size - b->used < size) {
        size_t cap = size > 65536 ? size : 65536;
        b = malloc(sizeof *b + cap);
        if (!b)
            return NULL;
        b->next = a->head;
        b->used = 0;
        b->size = cap;
        a->head = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += size;
    return p;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

void arena_release(arena *a)
{
    while (a->head) {
        arena_block *next = a->head->next;
        free(a->head);
        a->head = next;
    }
}

/* ---- constructors */
value v_undef(const char *name)
{
    return (value){.kind = V_UNDEF, .name = name};
}

value v_none(void)
{
    return (value){.kind = V_NONE};
}

value v_bool(int b)
{
    return (value){.kind = V_BOOL, .i = b != 0};
}

value v_int(long long i)
{
    return (value){.kind = V_INT, .i = i};
}

value v_float(double f)
{
    return (value){.kind = V_FLOAT, .f = f};
}

value v_json(json_t *j)
{
    value v = {.kind = V_NONE};
    switch (j ? json_typeof(j) : JSON_NULL) {
    case JSON_STRING:
        return (value){.kind = V_STR, .j = j};
    case JSON_ARRAY:
        return (value){.kind = V_LIST, .j = j};
    case JSON_OBJECT:
        return (value){.kind = V_DICT, .j = j};
    case JSON_INTEGER:
        v = v_int(json_integer_value(j));
        break;
    case JSON_REAL:
        v = v_float(json_real_value(j));
        break;
    case JSON_TRUE:
        v = v_bool(1);
        break;
    case JSON_FALSE:
        v = v_bool(0);
        break;
    default:
        break;
    }
    json_decref(j);
    return v;
}

value v_borrow(json_t *j)
{
    return v_json(json_incref(j));
}

value v_copy(const value *v)
{
    value c = *v;
    json_incref(c.j);
    return c;
}

void v_release(value *v)
{
    json_decref(v->j);
    v->j = NULL;
    v->kind = V_UNDEF;
}

json_t *v_to_json(const value *v)
{
    switch (v->kind) {
    case V_BOOL:
        return json_boolean(v->i);
    case V_INT:
        return json_integer(v->i);
    case V_FLOAT:
        return json_real(v->f);
    case V_STR:
    case V_LIST:
    case V_DICT:
    case V_NS:
        return json_incref(v->j);
    default:
        return json_null();
    }
}

int v_truthy(const value *v)
{
    switch (v->kind) {
    case V_BOOL:
    case V_INT:
        return v->i != 0;
    case V_FLOAT:
        return v->f != 0.0;
    case V_STR:
        return json_string_length(v->j) > 0;
    case V_LIST:
        return json_array_size(v->j) > 0;
    case V_DICT:
        return json_object_size(v->j) > 0;
    case V_UNDEF:
    case V_NONE:
        return 0;
    default:
        return 1;
    }
}

static int is_number(const value *v)
{
    return v->kind == V_BOOL || v->kind == V_INT || v->kind == V_FLOAT;
}

static double as_double(const value *v)
{
    return v->kind == V_FLOAT ? v->f : (double)v->i;
}

int v_equal(const value *x, const value *y)
{
    if (is_number(x) && is_number(y))
        return x->kind == V_FLOAT || y->kind == V_FLOAT ? as_double(x) == as_double(y) : x->i == y->i;
    if (x->kind != y->kind)
        return 0;
    switch (x->kind) {
    case V_UNDEF:
    case V_NONE:
        return 1;
    case V_STR:
        return json_string_length(x->j) == json_string_length(y->j) &&
               !memcmp(json_string_value(x->j), json_string_value(y->j), json_string_length(x->j));
    case V_LIST:
    case V_DICT:
    case V_NS:
        return json_equal(x->j, y->j);
    default:
        return x->p == y->p;
    }
}

const char *v_type_name(const value *v)
{
    static const char *const names[] = {"Undefined", "NoneType", "bool",  "int",      "float",           "str", "list",
                                        "dict",      "Namespace", "Macro", "function", "builtin_function", "LoopContext"};
    return names[v->kind];
}

size_t utf8_count(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += ((unsigned char)s[i] & 0xC0) != 0x80;
    return k;
}

/* ---- Python formatting */
static int put(tokd_bytes *out, const char *s, size_t n)
{
    return tokd_bytes_append(out, s, n) ? -1 : 0;
}

static int puts_(tokd_bytes *out, const char *s)
{
    return put(out, s, strlen(s));
}

/* The shortest digits that read back as f, and the decimal exponent. */
static int shortest(double f, char digits[32], int *exp10)
{
    char buf[40];
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, sizeof buf, "%.*e", p - 1, f);
        if (strtod(buf, NULL) == f || p == 17)
            break;
    }
    char *e = strchr(buf, 'e');
    *exp10 = atoi(e + 1);
    int k = 0;
    for (char *c = buf; c < e; c++)
        if (*c >= '0' && *c <= '9')
            digits[k++] = *c;
    while (k > 1 && digits[k - 1] == '0')
        k--;
    digits[k] = 0;
    return k;
}

int v_float_repr(double f, tokd_bytes *out)
{
    if (isnan(f))
        return puts_(out, "nan");
    if (isinf(f))
        return puts_(out, f < 0 ? "-inf" : "inf");
    char digits[32], buf[64];
    int e, k = shortest(fabs(f), digits, &e), n = 0;
    if (signbit(f))
        buf[n++] = '-';
    if (e >= -4 && e < 16) {
        if (e < 0) {
            n += snprintf(buf + n, sizeof buf - (size_t)n, "0.");
            for (int i = 0; i < -e - 1; i++)
                buf[n++] = '0';
            n += snprintf(buf + n, sizeof buf - (size_t)n, "%s", digits);
        } else {
            for (int i = 0; i <= e; i++)
                buf[n++] = i < k ? digits[i] : '0';
            buf[n++] = '.';
            if (k > e + 1)
                n += snprintf(buf + n, sizeof buf - (size_t)n, "%s", digits + e + 1);
            else
                buf[n++] = '0';
        }
    } else {
        buf[n++] = digits[0];
        if (k > 1)
            n += snprintf(buf + n, sizeof buf - (size_t)n, ".%s", digits + 1);
        n += snprintf(buf + n, sizeof buf - (size_t)n, "e%c%02d", e < 0 ? '-' : '+', abs(e));
    }
    return put(out, buf, (size_t)n);
}

static int repr_str(const char *s, size_t n, tokd_bytes *out)
{
    char q = memchr(s, '\'', n) && !memchr(s, '"', n) ? '"' : '\'';
    int rc = put(out, &q, 1);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        if (c == '\\' || c == (unsigned char)q)
            snprintf(esc, sizeof esc, "\\%c", c);
        else if (c == '\n' || c == '\r' || c == '\t')
            snprintf(esc, sizeof esc, "\\%c", c == '\n' ? 'n' : c == '\r' ? 'r' : 't');
        else if (c < 0x20 || c == 0x7f)
            snprintf(esc, sizeof esc, "\\x%02x", c);
        else {
            rc = put(out, (const char *)&c, 1);
            continue;
        }
        rc = puts_(out, esc);
    }
    return rc ? rc : put(out, &q, 1);
}

static int repr_json(json_t *j, tokd_bytes *out);

static int repr_list(json_t *j, tokd_bytes *out)
{
    int rc = puts_(out, "[");
    for (size_t i = 0; rc == 0 && i < json_array_size(j); i++)
        rc = (i ? puts_(out, ", ") : 0) || repr_json(json_array_get(j, i), out);
    return rc ? rc : puts_(out, "]");
}

static int repr_dict(json_t *j, tokd_bytes *out)
{
    const char *k;
    json_t *v;
    int rc = puts_(out, "{"), first = 1;
    json_object_foreach(j, k, v)
    {
        if (rc == 0 && !first)
            rc = puts_(out, ", ");
        first = 0;
        if (rc == 0)
            rc = repr_str(k, strlen(k), out) || puts_(out, ": ") || repr_json(v, out);
    }
    return rc ? rc : puts_(out, "}");
}

static int repr_json(json_t *j, tokd_bytes *out)
{
    value v = v_borrow(j);
    int rc = v_repr(&v, out);
    v_release(&v);
    return rc;
}

int v_repr(const value *v, tokd_bytes *out)
{
    if (v->kind == V_STR)
        return repr_str(json_string_value(v->j), json_string_length(v->j), out);
    return v_str(v, out);
}

int v_str(const value *v, tokd_bytes *out)
{
    char buf[32];
    switch (v->kind) {
    case V_UNDEF:
        return 0;
    case V_NONE:
        return puts_(out, "None");
    case V_BOOL:
        return puts_(out, v->i ? "True" : "False");
    case V_INT:
        snprintf(buf, sizeof buf, "%lld", v->i);
        return puts_(out, buf);
    case V_FLOAT:
        return v_float_repr(v->f, out);
    case V_STR:
        return put(out, json_string_value(v->j), json_string_length(v->j));
    case V_LIST:
        return repr_list(v->j, out);
    case V_DICT:
        return repr_dict(v->j, out);
    case V_NS:
        return puts_(out, "<Namespace ") || repr_dict(v->j, out) || puts_(out, ">");
    default:
        snprintf(buf, sizeof buf, "<%s>", v_type_name(v));
        return puts_(out, buf);
    }
}

/* ---- json.dumps(ensure_ascii=False) */
static int json_str(const char *s, size_t n, tokd_bytes *out)
{
    int rc = puts_(out, "\"");
    size_t run = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        char esc[8];
        const char *named = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\n' ? "\\n" : c == '\r' ? "\\r"
                            : c == '\t' ? "\\t" : c == '\b' ? "\\b" : c == '\f' ? "\\f" : NULL;
        if (!named)
            snprintf(esc, sizeof esc, "\\u%04x", c);
        rc = put(out, s + run, i - run) || puts_(out, named ? named : esc);
        run = i + 1;
    }
    return rc ? rc : put(out, s + run, n - run) || puts_(out, "\"");
}

static int newline(tokd_bytes *out, int indent, int level)
{
    if (indent < 0)
        return 0;
    int rc = puts_(out, "\n");
    for (int i = 0; rc == 0 && i < indent * level; i++)
        rc = puts_(out, " ");
    return rc;
}

static int cmp_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int dump(json_t *j, int indent, int sort, int level, tokd_bytes *out);

static int dump_object(json_t *j, int indent, int sort, int level, tokd_bytes *out)
{
    size_t n = json_object_size(j), k = 0;
    if (n == 0)
        return puts_(out, "{}");
    const char **keys = malloc(n * sizeof *keys), *key;
    json_t *v;
    if (!keys)
        return -1;
    json_object_foreach(j, key, v) keys[k++] = key;
    if (sort)
        qsort(keys, n, sizeof *keys, cmp_keys);
    int rc = puts_(out, "{");
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = (i ? puts_(out, indent < 0 ? ", " : ",") : 0) || newline(out, indent, level + 1) ||
             json_str(keys[i], strlen(keys[i]), out) || puts_(out, ": ") ||
             dump(json_object_get(j, keys[i]), indent, sort, level + 1, out);
    free(keys);
    return rc ? rc : newline(out, indent, level) || puts_(out, "}");
}

static int dump(json_t *j, int indent, int sort, int level, tokd_bytes *out)
{
    char buf[32];
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        return dump_object(j, indent, sort, level, out);
    case JSON_ARRAY: {
        size_t n = json_array_size(j);
        if (n == 0)
            return puts_(out, "[]");
        int rc = puts_(out, "[");
        for (size_t i = 0; rc == 0 && i < n; i++)
            rc = (i ? puts_(out, indent < 0 ? ", " : ",") : 0) || newline(out, indent, level + 1) ||
                 dump(json_array_get(j, i), indent, sort, level + 1, out);
        return rc ? rc : newline(out, indent, level) || puts_(out, "]");
    }
    case JSON_STRING:
        return json_str(json_string_value(j), json_string_length(j), out);
    case JSON_INTEGER:
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(j));
        return puts_(out, buf);
    case JSON_REAL: {
        double f = json_real_value(j);
        if (isnan(f) || isinf(f))
            return puts_(out, isnan(f) ? "NaN" : f < 0 ? "-Infinity" : "Infinity");
        return v_float_repr(f, out);
    }
    case JSON_TRUE:
        return puts_(out, "true");
    case JSON_FALSE:
        return puts_(out, "false");
    default:
        return puts_(out, "null");
    }
}

int v_tojson(json_t *j, int indent, int sort_keys, tokd_bytes *out)
{
    return dump(j, indent, sort_keys, 0, out);
}
