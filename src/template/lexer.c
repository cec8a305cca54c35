/* lexer.c - template source to tokens, with jinja2's whitespace rules as
 * transformers configures them.
 *
 * Newlines are first normalised to "\n" and one trailing newline dropped
 * (keep_trailing_newline=False). Text runs between tags become T_TEXT
 * after the whitespace control: "{%-"/"{{-"/"{#-" strip all whitespace
 * before the tag and "-%}"/"-}}"/"-#}" all after it; lstrip_blocks strips
 * spaces and tabs between a line's start and a "{%" or "{#" (not after
 * "{%+"); trim_blocks drops the one newline after "%}" or "#}" (not after
 * "+%}"). Inside a tag: names, numbers, string literals (Python escapes)
 * and operators; a "}" closes the tag only when no brace is open. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpl.h"

typedef struct lexer {
    const char *s;
    size_t n, pos, line;
    int line_starting; /* the text about to be read starts a line */
    int strip_next;    /* the last tag ended with "-": strip leading whitespace */
    arena *a;
    token_list *out;
    tokd_template_error *err;
} lexer;

static int lex_fail(lexer *L, int code, const char *fmt, ...)
{
    if (L->err) {
        va_list ap;
        va_start(ap, fmt);
        L->err->code = code;
        L->err->raised = 0;
        L->err->line = L->line;
        vsnprintf(L->err->text, sizeof L->err->text, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static token *push(lexer *L, enum tok_type type)
{
    if (L->out->n == L->out->cap) {
        size_t cap = L->out->cap ? 2 * L->out->cap : 256;
        token *v = realloc(L->out->v, cap * sizeof *v);
        if (!v)
            return NULL;
        L->out->v = v;
        L->out->cap = cap;
    }
    token *t = &L->out->v[L->out->n++];
    *t = (token){.type = type, .line = L->line};
    return t;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static void count_lines(lexer *L, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        L->line += L->s[i] == '\n';
}

/* Emit s[from..to) as text, after the whitespace rules of the tag that
 * follows (its kind 'v', 'b' or 'c' and its sign '-', '+' or 0). */
static int emit_text(lexer *L, size_t from, size_t to, char kind, char sign)
{
    size_t start = from, end = to;
    if (L->strip_next)
        while (start < end && is_space(L->s[start]))
            start++;
    if (sign == '-') {
        while (end > start && is_space(L->s[end - 1]))
            end--;
    } else if (sign != '+' && kind != 'v' && kind != 0) {
        size_t l = end;
        while (l > start && (L->s[l - 1] == ' ' || L->s[l - 1] == '\t'))
            l--;
        if ((l > start && L->s[l - 1] == '\n') || (l == start && (start > from || L->line_starting || from == 0)))
            end = l;
    }
    L->strip_next = 0;
    count_lines(L, from, to);
    if (end <= start)
        return 0;
    token *t = push(L, T_TEXT);
    if (!t)
        return lex_fail(L, TOKD_ENOMEM, "out of memory");
    t->s = L->s + start;
    t->len = end - start;
    return 0;
}

/* After a block or comment end: trim_blocks' newline, or "-"'s strip. */
static void after_tag(lexer *L, char sign, int block)
{
    if (sign == '-') {
        L->strip_next = 1;
        L->line_starting = 0;
        return;
    }
    L->line_starting = 0;
    if (block && sign != '+' && L->pos < L->n && L->s[L->pos] == '\n') {
        L->pos++;
        L->line++;
        L->line_starting = 1;
    }
}

static int lex_string(lexer *L)
{
    char q = L->s[L->pos++];
    char *buf = arena_alloc(L->a, L->n - L->pos + 1);
    size_t k = 0;
    if (!buf)
        return lex_fail(L, TOKD_ENOMEM, "out of memory");
    while (L->pos < L->n && L->s[L->pos] != q) {
        char c = L->s[L->pos++];
        if (c == '\n')
            L->line++;
        if (c != '\\' || L->pos >= L->n) {
            buf[k++] = c;
            continue;
        }
        c = L->s[L->pos++];
        const char *simple = "n\nt\tr\r\\\\'\'\"\"a\ab\bf\fv\v0\0";
        const char *m = NULL;
        for (const char *p = simple; *p; p += 2)
            if (*p == c) {
                m = p;
                break;
            }
        if (m) {
            buf[k++] = m[1];
        } else if (c == 'x' || c == 'u' || c == 'U') {
            int digits = c == 'x' ? 2 : c == 'u' ? 4 : 8;
            char hex[9] = {0};
            if (L->pos + (size_t)digits > L->n)
                return lex_fail(L, TOKD_EINVAL, "template syntax error: truncated \\%c escape", c);
            memcpy(hex, L->s + L->pos, (size_t)digits);
            char *endp;
            unsigned long cp = strtoul(hex, &endp, 16);
            if (*endp || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                return lex_fail(L, TOKD_EINVAL, "template syntax error: bad \\%c escape", c);
            L->pos += (size_t)digits;
            if (cp < 0x80) {
                buf[k++] = (char)cp;
            } else if (cp < 0x800) {
                buf[k++] = (char)(0xC0 | (cp >> 6));
                buf[k++] = (char)(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                buf[k++] = (char)(0xE0 | (cp >> 12));
                buf[k++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                buf[k++] = (char)(0x80 | (cp & 0x3F));
            } else {
                buf[k++] = (char)(0xF0 | (cp >> 18));
                buf[k++] = (char)(0x80 | ((cp >> 12) & 0x3F));
                buf[k++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                buf[k++] = (char)(0x80 | (cp & 0x3F));
            }
        } else if (c == '\n') {
            L->line++; /* a backslash-newline continues the literal */
        } else {
            buf[k++] = '\\';
            buf[k++] = c;
        }
    }
    if (L->pos >= L->n)
        return lex_fail(L, TOKD_EINVAL, "template syntax error: unterminated string");
    L->pos++;
    token *t = push(L, T_STRING);
    if (!t)
        return lex_fail(L, TOKD_ENOMEM, "out of memory");
    t->s = buf;
    t->len = k;
    return 0;
}

static int lex_number(lexer *L)
{
    char buf[64];
    size_t k = 0;
    int is_float = 0;
    while (L->pos < L->n && k < sizeof buf - 1) {
        char c = L->s[L->pos];
        if (c >= '0' && c <= '9') {
            buf[k++] = c;
        } else if (c == '_') {
        } else if (c == '.' && !is_float && L->pos + 1 < L->n && L->s[L->pos + 1] >= '0' && L->s[L->pos + 1] <= '9') {
            is_float = 1;
            buf[k++] = c;
        } else if ((c == 'e' || c == 'E') && k > 0) {
            size_t p = L->pos + 1;
            if (p < L->n && (L->s[p] == '+' || L->s[p] == '-'))
                p++;
            if (p >= L->n || L->s[p] < '0' || L->s[p] > '9')
                break;
            is_float = 1;
            buf[k++] = 'e';
            if (L->s[L->pos + 1] == '+' || L->s[L->pos + 1] == '-')
                buf[k++] = L->s[++L->pos];
        } else {
            break;
        }
        L->pos++;
    }
    buf[k] = 0;
    token *t = push(L, is_float ? T_FLOAT : T_INT);
    if (!t)
        return lex_fail(L, TOKD_ENOMEM, "out of memory");
    if (is_float)
        t->f = strtod(buf, NULL);
    else
        t->i = strtoll(buf, NULL, 10);
    return 0;
}

static int lex_op(lexer *L)
{
    static const char *const two[] = {"//", "**", "==", "!=", ">=", "<="};
    size_t len = 1;
    for (size_t i = 0; i < sizeof two / sizeof two[0]; i++)
        if (L->pos + 1 < L->n && !memcmp(L->s + L->pos, two[i], 2))
            len = 2;
    if (len == 1 && !strchr("+-/*%~[](){}<>=.:|,;", L->s[L->pos]))
        return lex_fail(L, TOKD_EINVAL, "template syntax error: unexpected character '%c'", L->s[L->pos]);
    token *t = push(L, T_OP);
    if (!t)
        return lex_fail(L, TOKD_ENOMEM, "out of memory");
    t->s = L->s + L->pos;
    t->len = len;
    L->pos += len;
    return 0;
}

/* Tokens of a tag up to its end ("}}" or "%}"), which is consumed; *sign
 * gets the end's whitespace sign. */
static int lex_tag(lexer *L, char close, char *sign)
{
    int braces = 0;
    for (;;) {
        while (L->pos < L->n && is_space(L->s[L->pos]))
            L->line += L->s[L->pos++] == '\n';
        if (L->pos >= L->n)
            return lex_fail(L, TOKD_EINVAL, "template syntax error: unexpected end of template, a tag is not closed");
        const char *p = L->s + L->pos;
        size_t left = L->n - L->pos;
        if (!braces) {
            for (int k = 0; k < 2; k++) {
                char sg = k == 0 ? 0 : p[0];
                size_t off = k == 0 ? 0 : 1;
                if (k == 1 && sg != '-' && sg != '+')
                    continue;
                if (left >= off + 2 && p[off] == close && p[off + 1] == '}') {
                    *sign = sg;
                    L->pos += off + 2;
                    return 0;
                }
            }
        }
        char c = *p;
        int rc;
        if (c == '\'' || c == '"') {
            rc = lex_string(L);
        } else if (c >= '0' && c <= '9') {
            rc = lex_number(L);
        } else if (c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            size_t k = 1;
            while (k < left && (p[k] == '_' || (p[k] >= 'a' && p[k] <= 'z') || (p[k] >= 'A' && p[k] <= 'Z') ||
                                (p[k] >= '0' && p[k] <= '9')))
                k++;
            token *t = push(L, T_NAME);
            if (!t)
                return lex_fail(L, TOKD_ENOMEM, "out of memory");
            t->s = p;
            t->len = k;
            L->pos += k;
            rc = 0;
        } else {
            braces += c == '{';
            braces -= c == '}' && braces > 0;
            rc = lex_op(L);
        }
        if (rc)
            return rc;
    }
}

/* Skip a comment after its "{#"; sets *sign to its end's sign. */
static int lex_comment(lexer *L, char *sign)
{
    const char *end = NULL;
    for (size_t i = L->pos; i + 1 < L->n; i++)
        if (L->s[i] == '#' && L->s[i + 1] == '}') {
            end = L->s + i;
            break;
        }
    if (!end)
        return lex_fail(L, TOKD_EINVAL, "template syntax error: missing end of comment tag");
    size_t at = (size_t)(end - L->s);
    *sign = at > L->pos && (end[-1] == '-' || end[-1] == '+') ? end[-1] : 0;
    count_lines(L, L->pos, at);
    L->pos = at + 2;
    return 0;
}

/* Where the next tag starts at or after L->pos (L->n if none), its kind
 * and its opening sign. */
static size_t next_tag(const lexer *L, char *kind, char *sign)
{
    for (size_t i = L->pos; i + 1 < L->n; i++) {
        if (L->s[i] != '{' || (L->s[i + 1] != '{' && L->s[i + 1] != '%' && L->s[i + 1] != '#'))
            continue;
        *kind = L->s[i + 1] == '{' ? 'v' : L->s[i + 1] == '%' ? 'b' : 'c';
        *sign = i + 2 < L->n && (L->s[i + 2] == '-' || L->s[i + 2] == '+') ? L->s[i + 2] : 0;
        return i;
    }
    *kind = 0;
    *sign = 0;
    return L->n;
}

static int lex_all(lexer *L)
{
    while (L->pos < L->n) {
        char kind, sign, end_sign = 0;
        size_t at = next_tag(L, &kind, &sign);
        if (emit_text(L, L->pos, at, kind, sign))
            return -1;
        if (at >= L->n)
            break;
        L->pos = at + 2 + (sign != 0);
        if (kind == 'c') {
            if (lex_comment(L, &end_sign))
                return -1;
            after_tag(L, end_sign, 1);
            continue;
        }
        if (!push(L, kind == 'v' ? T_VAR_BEGIN : T_BLOCK_BEGIN))
            return lex_fail(L, TOKD_ENOMEM, "out of memory");
        if (lex_tag(L, kind == 'v' ? '}' : '%', &end_sign))
            return -1;
        if (!push(L, kind == 'v' ? T_VAR_END : T_BLOCK_END))
            return lex_fail(L, TOKD_ENOMEM, "out of memory");
        after_tag(L, end_sign, kind == 'b');
    }
    return push(L, T_EOF) ? 0 : lex_fail(L, TOKD_ENOMEM, "out of memory");
}

int tpl_lex(const char *src, size_t len, arena *a, token_list *out, tokd_template_error *err)
{
    char *s = arena_alloc(a, len + 1);
    size_t n = 0;
    if (!s) {
        if (err)
            *err = (tokd_template_error){.code = TOKD_ENOMEM};
        return -1;
    }
    for (size_t i = 0; i < len; i++) {
        if (src[i] == '\r') {
            s[n++] = '\n';
            i += i + 1 < len && src[i + 1] == '\n';
        } else {
            s[n++] = src[i];
        }
    }
    if (n > 0 && s[n - 1] == '\n')
        n--;
    s[n] = 0;
    lexer L = {.s = s, .n = n, .line = 1, .line_starting = 1, .a = a, .out = out, .err = err};
    return lex_all(&L);
}
