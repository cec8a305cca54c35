/* builtins.c - what templates call: jinja2's filters and tests, the
 * globals transformers adds (raise_exception, strftime_now) besides
 * jinja2's (range, namespace, dict), the Python str and dict methods
 * templates use, the loop object, and attribute/item access.
 *
 * Each kind of builtin is one table of {name, function}; lookup is by
 * name, so adding a filter is adding a row. Semantics follow Python:
 * strip() and split() use Python's whitespace set, lengths and slices
 * count code points, `first` of an empty list is undefined, `length` of
 * undefined is 0, an attribute of undefined is an error. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tpl.h"

/* ---- argument helpers */

/* Argument `i` or keyword `name` of a call, or NULL. */
static const value *arg(const call_args *a, size_t i, const char *name)
{
    if (i < a->n_pos)
        return &a->pos[i];
    for (size_t k = 0; k < a->n_kw; k++)
        if (!strcmp(a->kw_names[k], name))
            return &a->kw[k];
    return NULL;
}

static int str_arg(render *r, const value *v, const char *what, size_t line, const char **s, size_t *n)
{
    if (!v || v->kind != V_STR)
        return r_fail(r, TOKD_EINVAL, line, "%s must be a string", what);
    *s = json_string_value(v->j);
    *n = json_string_length(v->j);
    return 0;
}

static int new_str(render *r, const char *s, size_t n, size_t line, value *out)
{
    json_t *j = json_stringn_nocheck(s ? s : "", n);
    if (!j)
        return r_fail(r, TOKD_ENOMEM, line, "out of memory");
    *out = v_json(j);
    return 0;
}

static int bytes_str(render *r, tokd_bytes *b, size_t line, value *out)
{
    int rc = new_str(r, b->data, b->len, line, out);
    tokd_bytes_release(b);
    return rc;
}

/* str(v) as a new string value */
static int to_str(render *r, const value *v, size_t line, value *out)
{
    if (v->kind == V_STR) {
        *out = v_copy(v);
        return 0;
    }
    tokd_bytes b = {0};
    if (v_str(v, &b)) {
        tokd_bytes_release(&b);
        return r_fail(r, TOKD_ENOMEM, line, "out of memory");
    }
    return bytes_str(r, &b, line, out);
}

/* ---- Python whitespace and code points */
static uint32_t cp_at(const char *s, size_t n, size_t i, size_t *len)
{
    unsigned char c = (unsigned char)s[i];
    size_t k = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (i + k > n)
        k = 1;
    uint32_t cp = k == 1 ? c : c & (0xFF >> (k + 1));
    for (size_t j = 1; j < k; j++)
        cp = (cp << 6) | ((unsigned char)s[i + j] & 0x3F);
    *len = k;
    return cp;
}

static int py_space(uint32_t c)
{
    return (c >= 9 && c <= 13) || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
}

/* Is the code point at s[i] one of `chars` (NULL: Python whitespace)? */
static int strip_match(const char *s, size_t n, size_t i, size_t *len, const char *chars, size_t n_chars)
{
    uint32_t c = cp_at(s, n, i, len);
    if (!chars)
        return py_space(c);
    for (size_t k = 0; k < n_chars;) {
        size_t l;
        if (cp_at(chars, n_chars, k, &l) == c)
            return 1;
        k += l;
    }
    return 0;
}

/* s.strip(chars) / lstrip / rstrip: which 1 left, 2 right, 3 both. */
static void strip_bounds(const char *s, size_t n, const char *chars, size_t n_chars, int which, size_t *b, size_t *e)
{
    size_t i = 0, j = n, len;
    while ((which & 1) && i < j && strip_match(s, n, i, &len, chars, n_chars))
        i += len;
    while ((which & 2) && j > i) {
        size_t k = j - 1;
        while (k > i && ((unsigned char)s[k] & 0xC0) == 0x80)
            k--;
        if (!strip_match(s, n, k, &len, chars, n_chars))
            break;
        j = k;
    }
    *b = i;
    *e = j;
}

static int do_strip(render *r, const value *self, const value *chars, int which, size_t line, value *out)
{
    value s;
    if (to_str(r, self, line, &s))
        return -1;
    const char *c = NULL;
    size_t nc = 0, b, e;
    if (chars && chars->kind != V_NONE && str_arg(r, chars, "strip's chars", line, &c, &nc)) {
        v_release(&s);
        return -1;
    }
    strip_bounds(json_string_value(s.j), json_string_length(s.j), c, nc, which, &b, &e);
    int rc = new_str(r, json_string_value(s.j) + b, e - b, line, out);
    v_release(&s);
    return rc;
}

static int case_map(render *r, const value *self, int mode, size_t line, value *out)
{
    value s;
    if (to_str(r, self, line, &s))
        return -1;
    size_t n = json_string_length(s.j);
    char *buf = malloc(n + 1);
    if (!buf) {
        v_release(&s);
        return r_fail(r, TOKD_ENOMEM, line, "out of memory");
    }
    memcpy(buf, json_string_value(s.j), n);
    int word_start = 1;
    for (size_t i = 0; i < n; i++) {
        char c = buf[i];
        int up = mode == 'U' || ((mode == 'C' && i == 0) || (mode == 'T' && word_start));
        if (c >= 'a' && c <= 'z' && up)
            buf[i] = (char)(c - 32);
        else if (c >= 'A' && c <= 'Z' && !up)
            buf[i] = (char)(c + 32);
        int alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || ((unsigned char)c >= 0x80);
        word_start = !alpha;
    }
    int rc = new_str(r, buf, n, line, out);
    free(buf);
    v_release(&s);
    return rc;
}

/* s.split(sep=None, maxsplit=-1) and rsplit (from the right). */
static int do_split(render *r, const value *self, const call_args *a, int right, size_t line, value *out)
{
    const value *sepv = arg(a, 0, "sep"), *maxv = arg(a, 1, "maxsplit");
    const char *s = json_string_value(self->j), *sep = NULL;
    size_t n = json_string_length(self->j), ns = 0;
    long long max = maxv && maxv->kind == V_INT ? maxv->i : -1;
    if (sepv && sepv->kind != V_NONE && str_arg(r, sepv, "split's separator", line, &sep, &ns))
        return -1;
    if (sep && ns == 0)
        return r_fail(r, TOKD_EINVAL, line, "empty separator");
    json_t *list = json_array();
    if (!list)
        return r_fail(r, TOKD_ENOMEM, line, "out of memory");
    if (right && sep) {
        size_t end = n;
        for (long long k = 0; max < 0 || k < max; k++) {
            size_t i = end;
            int found = 0;
            while (i >= ns && !found) {
                if (!memcmp(s + i - ns, sep, ns))
                    found = 1;
                else
                    i--;
            }
            if (!found)
                break;
            json_array_insert_new(list, 0, json_stringn_nocheck(s + i, end - i));
            end = i - ns;
        }
        json_array_insert_new(list, 0, json_stringn_nocheck(s, end));
    } else if (sep) {
        size_t i = 0;
        for (long long k = 0; max < 0 || k < max; k++) {
            const char *hit = memmem(s + i, n - i, sep, ns);
            if (!hit)
                break;
            json_array_append_new(list, json_stringn_nocheck(s + i, (size_t)(hit - (s + i))));
            i = (size_t)(hit - s) + ns;
        }
        json_array_append_new(list, json_stringn_nocheck(s + i, n - i));
    } else {
        size_t i = 0, len;
        long long k = 0;
        for (;;) {
            while (i < n && py_space(cp_at(s, n, i, &len)))
                i += len;
            if (i >= n)
                break;
            size_t j = i;
            if (max >= 0 && k >= max) {
                size_t b, e;
                strip_bounds(s + i, n - i, NULL, 0, 2, &b, &e);
                json_array_append_new(list, json_stringn_nocheck(s + i, e));
                break;
            }
            while (j < n && !py_space(cp_at(s, n, j, &len)))
                j += len;
            json_array_append_new(list, json_stringn_nocheck(s + i, j - i));
            k++;
            i = j;
        }
    }
    *out = v_json(list);
    return 0;
}

static int do_replace(render *r, const value *self, const call_args *a, size_t line, value *out)
{
    const char *old = NULL, *new_ = NULL;
    size_t no = 0, nn = 0;
    const value *countv = arg(a, 2, "count");
    long long count = countv && countv->kind == V_INT ? countv->i : -1;
    value s;
    if (str_arg(r, arg(a, 0, "old"), "replace's old", line, &old, &no) ||
        str_arg(r, arg(a, 1, "new"), "replace's new", line, &new_, &nn) || to_str(r, self, line, &s))
        return -1;
    const char *p = json_string_value(s.j);
    size_t n = json_string_length(s.j), i = 0;
    tokd_bytes b = {0};
    for (long long k = 0; (count < 0 || k < count) && i <= n; k++) {
        const char *hit = no ? memmem(p + i, n - i, old, no) : (k == 0 || i < n ? p + i : NULL);
        if (!hit)
            break;
        tokd_bytes_append(&b, p + i, (size_t)(hit - (p + i)));
        tokd_bytes_append(&b, new_, nn);
        i = (size_t)(hit - p) + no;
        if (!no && i < n) { /* "" matches between characters */
            size_t len;
            cp_at(p, n, i, &len);
            tokd_bytes_append(&b, p + i, len);
            i += len;
        } else if (!no) {
            i = n + 1;
        }
    }
    if (i < n)
        tokd_bytes_append(&b, p + i, n - i);
    v_release(&s);
    return bytes_str(r, &b, line, out);
}

static int affix(render *r, const value *self, const value *x, int end, size_t line, int *yes)
{
    const char *s = json_string_value(self->j);
    size_t n = json_string_length(self->j);
    *yes = 0;
    if (x && x->kind == V_LIST) {
        for (size_t i = 0; i < json_array_size(x->j) && !*yes; i++) {
            value e = v_borrow(json_array_get(x->j, i));
            int rc = affix(r, self, &e, end, line, yes);
            v_release(&e);
            if (rc)
                return -1;
        }
        return 0;
    }
    const char *p = NULL;
    size_t np = 0;
    if (str_arg(r, x, end ? "endswith's argument" : "startswith's argument", line, &p, &np))
        return -1;
    *yes = np <= n && !memcmp(end ? s + n - np : s, p, np);
    return 0;
}

static int do_find(render *r, const value *self, const call_args *a, int count, size_t line, value *out)
{
    const char *sub = NULL, *s = json_string_value(self->j);
    size_t ns = 0, n = json_string_length(self->j);
    if (str_arg(r, arg(a, 0, "sub"), "the substring", line, &sub, &ns))
        return -1;
    if (!count) {
        const char *hit = memmem(s, n, sub, ns);
        *out = v_int(hit ? (long long)utf8_count(s, (size_t)(hit - s)) : -1);
        return 0;
    }
    long long k = 0;
    for (size_t i = 0; i <= n;) {
        const char *hit = memmem(s + i, n - i, sub, ns);
        if (!hit)
            break;
        k++;
        i = (size_t)(hit - s) + (ns ? ns : 1);
    }
    *out = v_int(ns ? k : (long long)utf8_count(s, n) + 1);
    return 0;
}

/* ---- sequences */

json_t *tpl_items(render *r, const value *v, size_t line)
{
    if (v->kind == V_LIST)
        return json_incref(v->j);
    json_t *a = json_array();
    if (v->kind == V_DICT || v->kind == V_NS) {
        const char *k;
        json_t *x;
        json_object_foreach(v->j, k, x) json_array_append_new(a, json_string(k));
    } else if (v->kind == V_STR) {
        const char *s = json_string_value(v->j);
        size_t n = json_string_length(v->j), len;
        for (size_t i = 0; i < n; i += len) {
            cp_at(s, n, i, &len);
            json_array_append_new(a, json_stringn_nocheck(s + i, len));
        }
    } else if (v->kind != V_UNDEF) {
        json_decref(a);
        r_fail(r, TOKD_EINVAL, line, "'%s' object is not iterable", v_type_name(v));
        return NULL;
    }
    return a;
}

static int do_join(render *r, const value *v, const call_args *a, size_t line, value *out)
{
    const value *dv = arg(a, 0, "d"), *attr = arg(a, 1, "attribute");
    const char *d = "";
    size_t nd = 0;
    if (dv && str_arg(r, dv, "join's separator", line, &d, &nd))
        return -1;
    json_t *items = tpl_items(r, v, line);
    if (!items)
        return -1;
    tokd_bytes b = {0};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < json_array_size(items); i++) {
        value e = v_borrow(json_array_get(items, i)), x;
        if (i)
            tokd_bytes_append(&b, d, nd);
        if (attr && attr->kind == V_STR) {
            rc = get_attr(r, &e, json_string_value(attr->j), line, &x);
            v_release(&e);
            e = x;
        }
        if (rc == 0 && v_str(&e, &b))
            rc = r_fail(r, TOKD_ENOMEM, line, "out of memory");
        v_release(&e);
    }
    json_decref(items);
    if (rc) {
        tokd_bytes_release(&b);
        return -1;
    }
    return bytes_str(r, &b, line, out);
}

static int length(render *r, const value *v, size_t line, value *out)
{
    switch (v->kind) {
    case V_STR:
        *out = v_int((long long)utf8_count(json_string_value(v->j), json_string_length(v->j)));
        return 0;
    case V_LIST:
        *out = v_int((long long)json_array_size(v->j));
        return 0;
    case V_DICT:
    case V_NS:
        *out = v_int((long long)json_object_size(v->j));
        return 0;
    case V_UNDEF:
        *out = v_int(0);
        return 0;
    default:
        return r_fail(r, TOKD_EINVAL, line, "object of type '%s' has no len()", v_type_name(v));
    }
}

/* select / reject / selectattr / rejectattr / map: `attr` set for the
 * attribute forms; a test named by the first remaining argument. */
static int filter_seq(render *r, const value *v, const call_args *a, int by_attr, int keep, size_t line, value *out)
{
    json_t *items = tpl_items(r, v, line), *res = json_array();
    const value *attr = by_attr ? arg(a, 0, "attribute") : NULL;
    size_t first = by_attr ? 1 : 0;
    if (!items || !res || (by_attr && (!attr || attr->kind != V_STR))) {
        json_decref(items);
        json_decref(res);
        return items && res ? r_fail(r, TOKD_EINVAL, line, "selectattr and rejectattr need an attribute name") : -1;
    }
    const value *test = first < a->n_pos ? &a->pos[first] : NULL;
    call_args rest = {.pos = a->pos + (first + 1 < a->n_pos ? first + 1 : a->n_pos),
                      .n_pos = first + 1 < a->n_pos ? a->n_pos - first - 1 : 0};
    int rc = 0;
    if (test && test->kind != V_STR)
        rc = r_fail(r, TOKD_EINVAL, line, "a test name must be a string");
    for (size_t i = 0; rc == 0 && i < json_array_size(items); i++) {
        value e = v_borrow(json_array_get(items, i)), x = v_undef(NULL);
        int yes;
        rc = attr ? get_attr(r, &e, json_string_value(attr->j), line, &x) : (x = v_copy(&e), 0);
        if (rc == 0)
            rc = test ? builtin_test(r, json_string_value(test->j), &x, &rest, line, &yes) : (yes = v_truthy(&x), 0);
        if (rc == 0 && yes == keep)
            json_array_append(res, json_array_get(items, i));
        v_release(&e);
        v_release(&x);
    }
    json_decref(items);
    if (rc) {
        json_decref(res);
        return -1;
    }
    *out = v_json(res);
    return 0;
}

static int do_map(render *r, const value *v, const call_args *a, size_t line, value *out)
{
    const value *attr = arg(a, SIZE_MAX, "attribute"), *def = arg(a, SIZE_MAX, "default");
    const value *fname = a->n_pos ? &a->pos[0] : NULL;
    json_t *items = tpl_items(r, v, line), *res = json_array();
    int rc = items && res ? 0 : -1;
    if (rc == 0 && !(attr && attr->kind == V_STR) && !(fname && fname->kind == V_STR))
        rc = r_fail(r, TOKD_EINVAL, line, "map needs attribute= or a filter name");
    call_args rest = {.pos = a->pos + (a->n_pos ? 1 : 0), .n_pos = a->n_pos ? a->n_pos - 1 : 0};
    for (size_t i = 0; rc == 0 && i < json_array_size(items); i++) {
        value e = v_borrow(json_array_get(items, i)), x;
        if (attr && attr->kind == V_STR) {
            rc = get_attr(r, &e, json_string_value(attr->j), line, &x);
            if (rc == 0 && x.kind == V_UNDEF && def) {
                v_release(&x);
                x = v_copy(def);
            }
        } else {
            rc = builtin_filter(r, json_string_value(fname->j), &e, &rest, line, &x);
        }
        if (rc == 0) {
            json_array_append_new(res, v_to_json(&x));
            v_release(&x);
        }
        v_release(&e);
    }
    json_decref(items);
    if (rc) {
        json_decref(res);
        return -1;
    }
    *out = v_json(res);
    return 0;
}

static int do_tojson(render *r, const value *v, const call_args *a, size_t line, value *out)
{
    const value *indent = arg(a, 0, "indent"), *sort = arg(a, SIZE_MAX, "sort_keys"),
                *seps = arg(a, SIZE_MAX, "separators");
    if (v->kind == V_UNDEF || v->kind == V_MACRO || v->kind == V_FUNC || v->kind == V_METHOD || v->kind == V_LOOP)
        return r_fail(r, TOKD_EINVAL, line, "Object of type %s is not JSON serializable", v_type_name(v));
    if (seps && seps->kind != V_NONE)
        return r_fail(r, TOKD_EINVAL, line, "tojson: separators are not supported");
    json_t *j = v_to_json(v);
    tokd_bytes b = {0};
    int rc = v_tojson(j, indent && indent->kind == V_INT ? (int)indent->i : -1, sort && v_truthy(sort), &b);
    json_decref(j);
    if (rc) {
        tokd_bytes_release(&b);
        return r_fail(r, TOKD_ENOMEM, line, "out of memory");
    }
    return bytes_str(r, &b, line, out);
}

static int do_items(render *r, const value *v, size_t line, value *out)
{
    if (v->kind == V_UNDEF) {
        *out = v_json(json_array());
        return 0;
    }
    if (v->kind != V_DICT && v->kind != V_NS)
        return r_fail(r, TOKD_EINVAL, line, "Can only get item pairs from a mapping.");
    json_t *res = json_array();
    const char *k;
    json_t *x;
    json_object_foreach(v->j, k, x) json_array_append_new(res, json_pack("[sO]", k, x));
    *out = v_json(res);
    return 0;
}

static int do_indent(render *r, const value *v, const call_args *a, size_t line, value *out)
{
    const value *w = arg(a, 0, "width"), *first = arg(a, 1, "first"), *blank = arg(a, 2, "blank");
    tokd_bytes pad = {0}, b = {0};
    if (w && w->kind == V_STR)
        tokd_bytes_append(&pad, json_string_value(w->j), json_string_length(w->j));
    else
        for (long long i = 0; i < (w && w->kind == V_INT ? w->i : 4); i++)
            tokd_bytes_append(&pad, " ", 1);
    value s;
    if (to_str(r, v, line, &s)) {
        tokd_bytes_release(&pad);
        return -1;
    }
    const char *p = json_string_value(s.j);
    size_t n = json_string_length(s.j);
    for (size_t i = 0, lineno = 0; i <= n; lineno++) {
        const char *nl = memchr(p + i, '\n', n - i);
        size_t end = nl ? (size_t)(nl - p) : n;
        int empty = end == i;
        if ((lineno > 0 || (first && v_truthy(first))) && (!empty || (blank && v_truthy(blank))))
            tokd_bytes_append(&b, pad.data ? pad.data : "", pad.len);
        tokd_bytes_append(&b, p + i, end - i);
        if (!nl)
            break;
        tokd_bytes_append(&b, "\n", 1);
        i = end + 1;
    }
    tokd_bytes_release(&pad);
    v_release(&s);
    return bytes_str(r, &b, line, out);
}

static int first_last(render *r, const value *v, int last, size_t line, value *out)
{
    json_t *items = tpl_items(r, v, line);
    if (!items)
        return -1;
    size_t n = json_array_size(items);
    *out = n ? v_borrow(json_array_get(items, last ? n - 1 : 0)) : v_undef("first");
    json_decref(items);
    return 0;
}

static int do_reverse(render *r, const value *v, size_t line, value *out)
{
    json_t *items = tpl_items(r, v, line), *res = json_array();
    if (!items || !res) {
        json_decref(items);
        json_decref(res);
        return -1;
    }
    for (size_t i = json_array_size(items); i-- > 0;)
        json_array_append(res, json_array_get(items, i));
    json_decref(items);
    if (v->kind != V_STR) {
        *out = v_json(res);
        return 0;
    }
    tokd_bytes b = {0};
    for (size_t i = 0; i < json_array_size(res); i++)
        tokd_bytes_append(&b, json_string_value(json_array_get(res, i)), json_string_length(json_array_get(res, i)));
    json_decref(res);
    return bytes_str(r, &b, line, out);
}

static int do_number(render *r, const value *v, int to_float, size_t line, value *out)
{
    double f = 0;
    int ok = 1;
    if (v->kind == V_INT || v->kind == V_BOOL)
        f = (double)v->i;
    else if (v->kind == V_FLOAT)
        f = v->f;
    else if (v->kind == V_STR) {
        char *end;
        f = strtod(json_string_value(v->j), &end);
        ok = end != json_string_value(v->j) && *end == 0;
    } else
        ok = 0;
    if (!ok)
        f = 0;
    (void)r;
    (void)line;
    *out = to_float ? v_float(f) : (v->kind == V_INT ? v_int(v->i) : v_int((long long)f));
    return 0;
}

/* ---- filters */
typedef int (*filter_fn)(render *r, value *v, call_args *a, size_t line, value *out);

static int f_trim(render *r, value *v, call_args *a, size_t line, value *out)
{
    return do_strip(r, v, arg(a, 0, "chars"), 3, line, out);
}
static int f_length(render *r, value *v, call_args *a, size_t line, value *out)
{
    (void)a;
    return length(r, v, line, out);
}
static int f_tojson(render *r, value *v, call_args *a, size_t line, value *out)
{
    return do_tojson(r, v, a, line, out);
}
static int f_items(render *r, value *v, call_args *a, size_t line, value *out)
{
    (void)a;
    return do_items(r, v, line, out);
}
static int f_join(render *r, value *v, call_args *a, size_t line, value *out)
{
    return do_join(r, v, a, line, out);
}
static int f_lower(render *r, value *v, call_args *a, size_t line, value *out)
{
    (void)a;
    return case_map(r, v, 'L', line, out);
}
static int f_upper(render *r, value *v, call_args *a, size_t line, value *out)
{
    (void)a;
    return case_map(r, v, 'U', line, out);
}
static int f_capitalize(render *r, value *v, call_args *a, size_t line, value *out)
{
    (void)a;
    return case_map(r, v, 'C', line, out);
}
static int f_title(render *r, value *v, call_args *a, size_t line, value *out)
{
    (void)a;
    return case_map(r, v, 'T', line, out);
}
static int f_string(render *r, value *v, call_args *a, size_t line, value *out)
{
    (void)a;
    return to_str(r, v, line, out);
}
static int f_default(render *r, value *v, call_args *a, size_t line, value *out)
{
    const value *d = arg(a, 0, "default_value"), *boolean = arg(a, 1, "boolean");
    (void)r;
    (void)line;
    if (v->kind == V_UNDEF || (boolean && v_truthy(boolean) && !v_truthy(v)))
        *out = d ? v_copy(d) : v_json(json_string(""));
    else
        *out = v_copy(v);
    return 0;
}
static int f_first(render *r, value *v, call_args *a, size_t line, value *out)
{
    (void)a;
    return first_last(r, v, 0, line, out);
}
static int f_last(render *r, value *v, call_args *a, size_t line, value *out)
{
    (void)a;
    return first_last(r, v, 1, line, out);
}
static int f_replace(render *r, value *v, call_args *a, size_t line, value *out)
{
    return do_replace(r, v, a, line, out);
}
static int f_list(render *r, value *v, call_args *a, size_t line, value *out)
{
    (void)a;
    json_t *items = tpl_items(r, v, line);
    if (!items)
        return -1;
    *out = v_json(items);
    return 0;
}
static int f_reverse(render *r, value *v, call_args *a, size_t line, value *out)
{
    (void)a;
    return do_reverse(r, v, line, out);
}
static int f_select(render *r, value *v, call_args *a, size_t line, value *out)
{
    return filter_seq(r, v, a, 0, 1, line, out);
}
static int f_reject(render *r, value *v, call_args *a, size_t line, value *out)
{
    return filter_seq(r, v, a, 0, 0, line, out);
}
static int f_selectattr(render *r, value *v, call_args *a, size_t line, value *out)
{
    return filter_seq(r, v, a, 1, 1, line, out);
}
static int f_rejectattr(render *r, value *v, call_args *a, size_t line, value *out)
{
    return filter_seq(r, v, a, 1, 0, line, out);
}
static int f_map(render *r, value *v, call_args *a, size_t line, value *out)
{
    return do_map(r, v, a, line, out);
}
static int f_safe(render *r, value *v, call_args *a, size_t line, value *out)
{
    (void)a;
    (void)r;
    (void)line;
    *out = v_copy(v);
    return 0;
}
static int f_int(render *r, value *v, call_args *a, size_t line, value *out)
{
    (void)a;
    return do_number(r, v, 0, line, out);
}
static int f_float(render *r, value *v, call_args *a, size_t line, value *out)
{
    (void)a;
    return do_number(r, v, 1, line, out);
}
static int f_abs(render *r, value *v, call_args *a, size_t line, value *out)
{
    (void)a;
    if (v->kind == V_INT || v->kind == V_BOOL)
        *out = v_int(v->i < 0 ? -v->i : v->i);
    else if (v->kind == V_FLOAT)
        *out = v_float(fabs(v->f));
    else
        return r_fail(r, TOKD_EINVAL, line, "bad operand type for abs(): '%s'", v_type_name(v));
    return 0;
}
static int f_indent(render *r, value *v, call_args *a, size_t line, value *out)
{
    return do_indent(r, v, a, line, out);
}
static int f_unique(render *r, value *v, call_args *a, size_t line, value *out)
{
    (void)a;
    json_t *items = tpl_items(r, v, line), *res = json_array();
    for (size_t i = 0; items && res && i < json_array_size(items); i++) {
        int seen = 0;
        for (size_t k = 0; k < json_array_size(res) && !seen; k++)
            seen = json_equal(json_array_get(res, k), json_array_get(items, i));
        if (!seen)
            json_array_append(res, json_array_get(items, i));
    }
    json_decref(items);
    if (!items) {
        json_decref(res);
        return -1;
    }
    *out = v_json(res);
    return 0;
}

static const struct {
    const char *name;
    filter_fn fn;
} filters[] = {
    {"trim", f_trim},         {"length", f_length},   {"count", f_length},         {"tojson", f_tojson},
    {"items", f_items},       {"join", f_join},       {"lower", f_lower},          {"upper", f_upper},
    {"capitalize", f_capitalize}, {"title", f_title}, {"string", f_string},        {"default", f_default},
    {"d", f_default},         {"first", f_first},     {"last", f_last},            {"replace", f_replace},
    {"list", f_list},         {"reverse", f_reverse}, {"select", f_select},        {"reject", f_reject},
    {"selectattr", f_selectattr}, {"rejectattr", f_rejectattr}, {"map", f_map},    {"safe", f_safe},
    {"int", f_int},           {"float", f_float},     {"abs", f_abs},              {"indent", f_indent},
    {"unique", f_unique},
};

int builtin_filter(render *r, const char *name, value *v, call_args *args, size_t line, value *out)
{
    for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++)
        if (!strcmp(filters[i].name, name))
            return filters[i].fn(r, v, args, line, out);
    return r_fail(r, TOKD_EINVAL, line, "no filter named '%s'", name);
}

/* ---- tests */
static int is_int_kind(const value *v)
{
    return v->kind == V_INT;
}

int builtin_test(render *r, const char *name, value *v, call_args *a, size_t line, int *out)
{
    const value *x = arg(a, 0, "value");
    enum vkind k = v->kind;
    static const char *const cmp[][2] = {{"eq", "=="}, {"equalto", "=="}, {"==", "=="}, {"ne", "!="},
                                         {"!=", "!="}, {"lt", "<"},       {"<", "<"},   {"le", "<="},
                                         {"<=", "<="}, {"gt", ">"},       {">", ">"},   {"ge", ">="},
                                         {">=", ">="}, {"sameas", "=="}};
    if (!strcmp(name, "defined"))
        *out = k != V_UNDEF;
    else if (!strcmp(name, "undefined"))
        *out = k == V_UNDEF;
    else if (!strcmp(name, "none"))
        *out = k == V_NONE;
    else if (!strcmp(name, "string"))
        *out = k == V_STR;
    else if (!strcmp(name, "number"))
        *out = k == V_INT || k == V_FLOAT || k == V_BOOL;
    else if (!strcmp(name, "integer"))
        *out = is_int_kind(v);
    else if (!strcmp(name, "float"))
        *out = k == V_FLOAT;
    else if (!strcmp(name, "boolean"))
        *out = k == V_BOOL;
    else if (!strcmp(name, "true") || !strcmp(name, "false"))
        *out = k == V_BOOL && v->i == (name[0] == 't');
    else if (!strcmp(name, "mapping"))
        *out = k == V_DICT;
    else if (!strcmp(name, "sequence") || !strcmp(name, "iterable"))
        *out = k == V_STR || k == V_LIST || k == V_DICT || (name[0] == 'i' && k == V_NS);
    else if (!strcmp(name, "callable"))
        *out = k == V_MACRO || k == V_FUNC || k == V_METHOD;
    else if (!strcmp(name, "odd") || !strcmp(name, "even")) {
        if (k != V_INT && k != V_BOOL)
            return r_fail(r, TOKD_EINVAL, line, "the %s test needs an integer", name);
        *out = (v->i % 2 != 0) == (name[0] == 'o');
    } else if (!strcmp(name, "divisibleby")) {
        if ((k != V_INT && k != V_BOOL) || !x || x->kind != V_INT || x->i == 0)
            return r_fail(r, TOKD_EINVAL, line, "divisibleby needs integers");
        *out = v->i % x->i == 0;
    } else if (!strcmp(name, "in")) {
        value yes;
        if (!x)
            return r_fail(r, TOKD_EINVAL, line, "the in test needs a container");
        json_t *items = x->kind == V_STR ? NULL : tpl_items(r, x, line);
        if (x->kind == V_STR)
            *out = k == V_STR && memmem(json_string_value(x->j), json_string_length(x->j), json_string_value(v->j),
                                        json_string_length(v->j));
        else if (!items)
            return -1;
        else {
            *out = 0;
            for (size_t i = 0; i < json_array_size(items) && !*out; i++) {
                yes = v_borrow(json_array_get(items, i));
                *out = v_equal(v, &yes);
                v_release(&yes);
            }
            json_decref(items);
        }
    } else if (!strcmp(name, "lower") || !strcmp(name, "upper")) {
        value m;
        if (k != V_STR)
            *out = 0;
        else if (case_map(r, v, name[0] == 'l' ? 'L' : 'U', line, &m))
            return -1;
        else {
            *out = v_equal(v, &m);
            v_release(&m);
        }
    } else {
        for (size_t i = 0; i < sizeof cmp / sizeof cmp[0]; i++)
            if (!strcmp(cmp[i][0], name)) {
                if (!x)
                    return r_fail(r, TOKD_EINVAL, line, "the %s test needs a value to compare with", name);
                const char *op = cmp[i][1];
                if (op[0] == '=' || op[0] == '!') {
                    *out = v_equal(v, x) == (op[0] == '=');
                    return 0;
                }
                double p = k == V_FLOAT ? v->f : (double)v->i, q = x->kind == V_FLOAT ? x->f : (double)x->i;
                if (!((k == V_INT || k == V_FLOAT) && (x->kind == V_INT || x->kind == V_FLOAT)))
                    return r_fail(r, TOKD_EINVAL, line, "the %s test compares numbers", name);
                *out = op[0] == '<' ? (op[1] ? p <= q : p < q) : (op[1] ? p >= q : p > q);
                return 0;
            }
        return r_fail(r, TOKD_EINVAL, line, "no test named '%s'", name);
    }
    return 0;
}

/* ---- globals and methods */
static const char *const globals[] = {"range", "namespace", "dict", "raise_exception", "strftime_now"};
static const char *const str_methods[] = {"startswith", "endswith", "split", "rsplit", "strip", "lstrip",
                                          "rstrip", "lower", "upper", "title", "capitalize", "replace",
                                          "find", "count", "join", "isdigit", "isspace"};
static const char *const dict_methods[] = {"items", "keys", "values", "get"};

static const char *find_name(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(names[i], name))
            return names[i];
    return NULL;
}

value builtin_global(const char *name)
{
    const char *g = find_name(globals, sizeof globals / sizeof globals[0], name);
    return g ? (value){.kind = V_FUNC, .name = g} : v_undef(name);
}

value builtin_method(const value *obj, const char *name)
{
    const char *m = NULL;
    if (obj->kind == V_STR)
        m = find_name(str_methods, sizeof str_methods / sizeof str_methods[0], name);
    else if (obj->kind == V_DICT)
        m = find_name(dict_methods, sizeof dict_methods / sizeof dict_methods[0], name);
    else if (obj->kind == V_LOOP && !strcmp(name, "cycle"))
        m = "cycle";
    if (!m)
        return v_undef(name);
    value v = {.kind = V_METHOD, .name = m, .j = json_incref(obj->j), .p = obj->p};
    return v;
}

static int g_range(render *r, call_args *a, size_t line, value *out)
{
    long long v[3] = {0, 0, 1};
    if (a->n_pos < 1 || a->n_pos > 3)
        return r_fail(r, TOKD_EINVAL, line, "range expects 1 to 3 integers");
    for (size_t i = 0; i < a->n_pos; i++) {
        if (a->pos[i].kind != V_INT && a->pos[i].kind != V_BOOL)
            return r_fail(r, TOKD_EINVAL, line, "range expects integers");
        v[a->n_pos == 1 ? 1 : i] = a->pos[i].i;
    }
    if (v[2] == 0)
        return r_fail(r, TOKD_EINVAL, line, "range() arg 3 must not be zero");
    json_t *list = json_array();
    for (long long i = v[0]; list && (v[2] > 0 ? i < v[1] : i > v[1]); i += v[2]) {
        if (r_step(r, line)) {
            json_decref(list);
            return -1;
        }
        json_array_append_new(list, json_integer(i));
    }
    *out = v_json(list);
    return list ? 0 : r_fail(r, TOKD_ENOMEM, line, "out of memory");
}

static int g_object(render *r, call_args *a, enum vkind kind, size_t line, value *out)
{
    json_t *o = a->n_pos && (a->pos[0].kind == V_DICT || a->pos[0].kind == V_NS) ? json_deep_copy(a->pos[0].j)
                                                                                  : json_object();
    if (!o)
        return r_fail(r, TOKD_ENOMEM, line, "out of memory");
    for (size_t i = 0; i < a->n_kw; i++)
        json_object_set_new(o, a->kw_names[i], v_to_json(&a->kw[i]));
    *out = (value){.kind = kind, .j = o};
    return 0;
}

static int g_raise(render *r, call_args *a, size_t line)
{
    tokd_bytes msg = {0};
    for (size_t i = 0; i < a->n_pos; i++)
        v_str(&a->pos[i], &msg);
    r_fail(r, TOKD_EINVAL, line, "%.*s", (int)(msg.len > 300 ? 300 : msg.len), msg.data ? msg.data : "");
    if (r->err)
        r->err->raised = 1;
    tokd_bytes_release(&msg);
    return -1;
}

static int g_strftime(render *r, call_args *a, size_t line, value *out)
{
    const char *fmt = NULL;
    size_t n = 0;
    char buf[256];
    if (str_arg(r, arg(a, 0, "format"), "strftime_now's format", line, &fmt, &n))
        return -1;
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    size_t len = strftime(buf, sizeof buf, fmt, &tm);
    return new_str(r, buf, len, line, out);
}

static int call_global(render *r, const value *fn, call_args *a, size_t line, value *out)
{
    if (!strcmp(fn->name, "range"))
        return g_range(r, a, line, out);
    if (!strcmp(fn->name, "namespace") || !strcmp(fn->name, "dict"))
        return g_object(r, a, fn->name[0] == 'n' ? V_NS : V_DICT, line, out);
    if (!strcmp(fn->name, "raise_exception"))
        return g_raise(r, a, line);
    return g_strftime(r, a, line, out);
}

static int dict_method(render *r, const value *self, call_args *a, size_t line, value *out)
{
    const char *m = self->name;
    if (!strcmp(m, "get")) {
        const value *k = arg(a, 0, "key"), *d = arg(a, 1, "default");
        json_t *v = k && k->kind == V_STR ? json_object_getn(self->j, json_string_value(k->j), json_string_length(k->j))
                                          : NULL;
        *out = v ? v_borrow(v) : d ? v_copy(d) : v_none();
        return 0;
    }
    if (!strcmp(m, "items")) {
        value d = {.kind = V_DICT, .j = self->j};
        return do_items(r, &d, line, out);
    }
    json_t *res = json_array();
    const char *k;
    json_t *x;
    json_object_foreach(self->j, k, x) json_array_append_new(res, m[0] == 'k' ? json_string(k) : json_incref(x));
    *out = v_json(res);
    return 0;
}

static int str_method(render *r, const value *self, call_args *a, size_t line, value *out)
{
    const char *m = self->name;
    value s = {.kind = V_STR, .j = self->j};
    int yes;
    if (!strcmp(m, "startswith") || !strcmp(m, "endswith")) {
        if (affix(r, &s, arg(a, 0, "prefix"), m[0] == 'e', line, &yes))
            return -1;
        *out = v_bool(yes);
        return 0;
    }
    if (!strcmp(m, "split") || !strcmp(m, "rsplit"))
        return do_split(r, &s, a, m[0] == 'r', line, out);
    if (!strcmp(m, "strip") || !strcmp(m, "lstrip") || !strcmp(m, "rstrip"))
        return do_strip(r, &s, arg(a, 0, "chars"), m[0] == 'l' ? 1 : m[0] == 'r' ? 2 : 3, line, out);
    if (!strcmp(m, "lower") || !strcmp(m, "upper") || !strcmp(m, "title") || !strcmp(m, "capitalize"))
        return case_map(r, &s, m[0] == 'l' ? 'L' : m[0] == 'u' ? 'U' : m[0] == 't' ? 'T' : 'C', line, out);
    if (!strcmp(m, "replace"))
        return do_replace(r, &s, a, line, out);
    if (!strcmp(m, "find") || !strcmp(m, "count"))
        return do_find(r, &s, a, m[0] == 'c', line, out);
    if (!strcmp(m, "join")) {
        call_args j = {.pos = &s, .n_pos = 1};
        const value *seq = arg(a, 0, "iterable");
        if (!seq)
            return r_fail(r, TOKD_EINVAL, line, "join() takes exactly one argument");
        return do_join(r, seq, &j, line, out);
    }
    const char *p = json_string_value(self->j);
    size_t n = json_string_length(self->j), len;
    yes = n > 0;
    for (size_t i = 0; i < n && yes; i += len) {
        uint32_t c = cp_at(p, n, i, &len);
        yes = m[2] == 'd' ? c >= '0' && c <= '9' : py_space(c);
    }
    *out = v_bool(yes);
    return 0;
}

int builtin_call(render *r, const value *fn, call_args *args, size_t line, value *out)
{
    if (fn->kind == V_FUNC)
        return call_global(r, fn, args, line, out);
    if (fn->p && !strcmp(fn->name, "cycle")) {
        const loop_state *ls = fn->p;
        if (!args->n_pos)
            return r_fail(r, TOKD_EINVAL, line, "no items for cycling given");
        *out = v_copy(&args->pos[ls->index0 % args->n_pos]);
        return 0;
    }
    if (json_is_object(fn->j))
        return dict_method(r, fn, args, line, out);
    return str_method(r, fn, args, line, out);
}

/* ---- attribute and item access */
static int loop_attr(const loop_state *ls, const char *name, value *out)
{
    size_t i = ls->index0, n = ls->length;
    static const char *const names[] = {"index", "index0", "revindex", "revindex0", "first",
                                        "last",  "length", "depth",    "depth0"};
    long long vals[] = {(long long)i + 1, (long long)i, (long long)(n - i), (long long)(n - i - 1),
                        i == 0,           i + 1 == n,   (long long)n,       1, 0};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (!strcmp(names[k], name)) {
            *out = k == 4 || k == 5 ? v_bool((int)vals[k]) : v_int(vals[k]);
            return 1;
        }
    if (!strcmp(name, "previtem") || !strcmp(name, "nextitem")) {
        int prev = name[0] == 'p';
        *out = prev ? (i > 0 ? v_borrow(json_array_get(ls->items, i - 1)) : v_undef(name))
                    : (i + 1 < n ? v_borrow(json_array_get(ls->items, i + 1)) : v_undef(name));
        return 1;
    }
    return 0;
}

int get_attr(render *r, const value *obj, const char *name, size_t line, value *out)
{
    if (obj->kind == V_UNDEF)
        return r_fail(r, TOKD_EINVAL, line, "'%s' is undefined", obj->name ? obj->name : "value");
    if (obj->kind == V_LOOP && loop_attr(obj->p, name, out))
        return 0;
    *out = builtin_method(obj, name);
    if (out->kind != V_UNDEF)
        return 0;
    if (obj->kind == V_DICT || obj->kind == V_NS) {
        json_t *v = json_object_get(obj->j, name);
        *out = v ? v_borrow(v) : v_undef(name);
    }
    return 0;
}

int get_item(render *r, const value *obj, const value *key, size_t line, value *out)
{
    if (obj->kind == V_UNDEF)
        return r_fail(r, TOKD_EINVAL, line, "'%s' is undefined", obj->name ? obj->name : "value");
    if ((obj->kind == V_DICT || obj->kind == V_NS) && key->kind == V_STR) {
        json_t *v = json_object_getn(obj->j, json_string_value(key->j), json_string_length(key->j));
        if (v) {
            *out = v_borrow(v);
            return 0;
        }
    }
    if ((obj->kind == V_LIST || obj->kind == V_STR) && (key->kind == V_INT || key->kind == V_BOOL)) {
        long long n = obj->kind == V_LIST ? (long long)json_array_size(obj->j)
                                          : (long long)utf8_count(json_string_value(obj->j), json_string_length(obj->j));
        long long i = key->i < 0 ? key->i + n : key->i;
        *out = v_undef("item");
        if (i < 0 || i >= n)
            return 0;
        if (obj->kind == V_LIST) {
            *out = v_borrow(json_array_get(obj->j, (size_t)i));
            return 0;
        }
        const char *s = json_string_value(obj->j);
        size_t b = 0, len, total = json_string_length(obj->j);
        for (long long k = 0; k < i; k++) {
            cp_at(s, total, b, &len);
            b += len;
        }
        cp_at(s, total, b, &len);
        return new_str(r, s + b, len, line, out);
    }
    if (key->kind == V_STR)
        return get_attr(r, obj, json_string_value(key->j), line, out);
    *out = v_undef("item");
    return 0;
}
