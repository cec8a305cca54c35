/* counter.c - bounded counting and the exactness of an answer (see
 * counter.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "counter.h"

static const tokd_specials ordinary = {.disallowed_mode = TOKD_DISALLOW_NONE};

int counter_init(counter *c, const tokd_tokenizer *tok, size_t limit, const tokd_limits *base)
{
    *c = (counter){.tok = tok, .sp = &ordinary, .base = base, .limit = limit, .why = json_array()};
    return c->why ? 0 : TOKD_ENOMEM;
}

void counter_release(counter *c)
{
    json_decref(c->why);
    c->why = NULL;
}

static void check_limit(counter *c)
{
    if (c->limit && c->total > (long)c->limit)
        c->exceeded = 1;
}

int counter_text(counter *c, const char *s, size_t len, tokd_error *err)
{
    if (c->exceeded || len == 0)
        return 0;
    tokd_limits lim = c->base ? *c->base : (tokd_limits){0};
    if (c->limit) {
        long room = (long)c->limit - c->total;
        lim.max_tokens = room > 0 ? (size_t)room : 1;
    }
    size_t n = 0;
    int rc = tokd_count_bounded(c->tok, s, len, c->sp, &lim, &n, err);
    if (rc == TOKD_ELIMIT && c->limit && n > lim.max_tokens)
        rc = 0;
    if (rc == 0) {
        c->total += (long)n;
        check_limit(c);
    }
    return rc;
}

void counter_add(counter *c, long n)
{
    if (c->exceeded)
        return;
    c->total += n;
    check_limit(c);
}

void counter_estimate(counter *c, const char *fmt, ...)
{
    char text[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    size_t i;
    json_t *v;
    json_array_foreach(c->why, i, v)
    {
        if (!strcmp(json_string_value(v), text))
            return;
    }
    json_array_append_new(c->why, json_string(text));
}

void counter_answer(const counter *c, json_t *out)
{
    int exact = json_array_size(c->why) == 0;
    json_object_set_new(out, "exact", json_boolean(exact));
    if (!exact)
        json_object_set(out, "why", c->why);
    if (c->limit) {
        json_object_set_new(out, "limit", json_integer((json_int_t)c->limit));
        json_object_set_new(out, "exceeds", json_boolean(c->exceeded));
    }
}

void counter_tokenizer(const counter *c, json_t *out)
{
    json_object_set_new(out, "tokenizer", json_string(tokd_tokenizer_name(c->tok)));
    json_object_set_new(out, "tokenizer_sha256", json_string(tokd_tokenizer_sha256(c->tok)));
}
