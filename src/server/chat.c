/* chat.c - the cookbook's chat and tool token-counting rules. */
#include <stdio.h>
#include <string.h>

#include "chat.h"

/* Add the tokens of `s` (ordinary text) to *total. Returns 0, or -1 with
 * the failure (out of memory, a limit) in `r` under `field`: a failed count
 * never passes as a low one. */
static int add_count(const tokd_tokenizer *tok, const char *s, size_t len, long *total, reply *r,
                     const char *field)
{
    static const tokd_specials ordinary = {.disallowed_mode = TOKD_DISALLOW_NONE};
    size_t n = 0;
    tokd_error err = {0};
    int rc = tokd_count(tok, s, len, &ordinary, &n, &err);
    if (rc != 0) {
        reply_tokd_error(r, rc, &err, field);
        return -1;
    }
    *total += (long)n;
    return 0;
}

static int add_str_count(const tokd_tokenizer *tok, json_t *s, long *total, reply *r, const char *field)
{
    return add_count(tok, json_string_value(s), json_string_length(s), total, r, field);
}

static int messages_count(const tokd_tokenizer *tok, const chat_format *cf, json_t *messages, long *total,
                          reply *r)
{
    char field[96];
    if (!json_is_array(messages) || json_array_size(messages) == 0) {
        reply_error(r, 400, "invalid_type", "messages",
                    "\"messages\" must be a non-empty array of {\"role\", \"content\", \"name\"?} objects");
        return -1;
    }
    size_t i;
    json_t *m;
    json_array_foreach(messages, i, m)
    {
        const char *key;
        json_t *v;
        snprintf(field, sizeof field, "messages[%zu]", i);
        if (!json_is_object(m) || !json_is_string(json_object_get(m, "role"))) {
            reply_error(r, 400, "invalid_type", field, "%s must be an object with a string \"role\"", field);
            return -1;
        }
        *total += cf->per_message;
        json_object_foreach(m, key, v)
        {
            snprintf(field, sizeof field, "messages[%zu].%.60s", i, key);
            if (!json_is_string(v)) {
                reply_error(r, 400, "invalid_type", field, "%s must be a string (the cookbook's rules count text values)",
                            field);
                return -1;
            }
            if (add_str_count(tok, v, total, r, field) != 0)
                return -1;
            if (!strcmp(key, "name"))
                *total += cf->per_name;
        }
    }
    *total += cf->reply_priming;
    return 0;
}

/* "name:desc" / "name:type:desc" with one final '.' of desc dropped. */
static int add_line_count(const tokd_tokenizer *tok, const char *a, const char *b, json_t *desc, long *total,
                          reply *r, const char *field)
{
    const char *d = json_is_string(desc) ? json_string_value(desc) : "";
    size_t dl = strlen(d);
    if (dl && d[dl - 1] == '.')
        dl--;
    tokd_bytes line = {0};
    int rc = tokd_bytes_append(&line, a, strlen(a));
    rc = rc ? rc : tokd_bytes_append(&line, ":", 1);
    if (b) {
        rc = rc ? rc : tokd_bytes_append(&line, b, strlen(b));
        rc = rc ? rc : tokd_bytes_append(&line, ":", 1);
    }
    rc = rc ? rc : tokd_bytes_append(&line, d, dl);
    if (rc != 0)
        reply_tokd_error(r, rc, NULL, field);
    else
        rc = add_count(tok, line.data ? line.data : "", line.len, total, r, field);
    tokd_bytes_release(&line);
    return rc ? -1 : 0;
}

static int property_count(const tokd_tokenizer *tok, const chat_format *cf, const char *name, json_t *p,
                          long *total, reply *r, const char *field)
{
    json_t *type = json_object_get(p, "type"), *en = json_object_get(p, "enum");
    if (!json_is_object(p) || (type && !json_is_string(type)) || (en && !json_is_array(en))) {
        reply_error(r, 400, "invalid_type", field, "%s must be an object with a string \"type\" and optional \"enum\" array",
                    field);
        return -1;
    }
    *total += cf->prop_key;
    if (en) {
        size_t i;
        json_t *item;
        *total += cf->enum_init;
        json_array_foreach(en, i, item)
        {
            if (!json_is_string(item)) {
                reply_error(r, 400, "invalid_type", field, "%s: enum items must be strings", field);
                return -1;
            }
            *total += cf->enum_item;
            if (add_str_count(tok, item, total, r, field) != 0)
                return -1;
        }
    }
    return add_line_count(tok, name, type ? json_string_value(type) : "", json_object_get(p, "description"), total,
                          r, field);
}

static int function_count(const tokd_tokenizer *tok, const chat_format *cf, json_t *tool, size_t i, long *total,
                          reply *r)
{
    char field[160];
    json_t *f = json_object_get(tool, "function");
    json_t *name = json_object_get(f, "name"), *params = json_object_get(f, "parameters");
    json_t *props = json_object_get(params, "properties");
    snprintf(field, sizeof field, "tools[%zu].function", i);
    if (!json_is_string(name) || (params && !json_is_object(params)) || (props && !json_is_object(props))) {
        reply_error(r, 400, "invalid_type", field,
                    "%s must be {\"name\": string, \"description\"?: string, \"parameters\"?: {\"properties\": {...}}}",
                    field);
        return -1;
    }
    *total += cf->func_init;
    if (add_line_count(tok, json_string_value(name), NULL, json_object_get(f, "description"), total, r, field) != 0)
        return -1;
    if (json_object_size(props) == 0)
        return 0;
    *total += cf->prop_init;
    const char *key;
    json_t *p;
    json_object_foreach(props, key, p)
    {
        snprintf(field, sizeof field, "tools[%zu].function.parameters.properties.%.60s", i, key);
        if (property_count(tok, cf, key, p, total, r, field) != 0)
            return -1;
    }
    return 0;
}

int chat_count(const tokd_tokenizer *tok, const chat_format *cf, json_t *messages, json_t *tools,
               size_t *count, reply *r)
{
    long total = 0;
    if (messages_count(tok, cf, messages, &total, r) != 0)
        return -1;
    if (tools && !json_is_array(tools)) {
        reply_error(r, 400, "invalid_type", "tools", "\"tools\" must be an array of {\"type\": \"function\", ...}");
        return -1;
    }
    if (json_array_size(tools) && !cf->has_tools) {
        reply_error(r, 400, "unsupported", "tools", "the chat format '%s' has no rules for counting tools", cf->name);
        return -1;
    }
    size_t i;
    json_t *t;
    json_array_foreach(tools, i, t)
    {
        if (function_count(tok, cf, t, i, &total, r) != 0)
            return -1;
    }
    if (json_array_size(tools))
        total += cf->func_end;
    *count = total < 0 ? 0 : (size_t)total;
    return 0;
}
