/* chat.c - the cookbook's chat and tool token-counting rules. */
#include <stdio.h>
#include <string.h>

#include "chat.h"

static size_t ordinary_count(const tokd_tokenizer *tok, const char *s, size_t len)
{
    static const tokd_specials ordinary = {.disallowed_mode = TOKD_DISALLOW_NONE};
    size_t n = 0;
    tokd_count(tok, s, len, &ordinary, &n, NULL);
    return n;
}

static size_t str_count(const tokd_tokenizer *tok, json_t *s)
{
    return ordinary_count(tok, json_string_value(s), json_string_length(s));
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
            if (!json_is_string(v)) {
                snprintf(field, sizeof field, "messages[%zu].%.60s", i, key);
                reply_error(r, 400, "invalid_type", field, "%s must be a string (the cookbook's rules count text values)",
                            field);
                return -1;
            }
            *total += (long)str_count(tok, v);
            if (!strcmp(key, "name"))
                *total += cf->per_name;
        }
    }
    *total += cf->reply_priming;
    return 0;
}

/* "name:desc" / "name:type:desc" with one final '.' of desc dropped. */
static long line_count(const tokd_tokenizer *tok, const char *a, const char *b, json_t *desc)
{
    const char *d = json_is_string(desc) ? json_string_value(desc) : "";
    size_t dl = strlen(d);
    if (dl && d[dl - 1] == '.')
        dl--;
    tokd_bytes line = {0};
    tokd_bytes_append(&line, a, strlen(a));
    tokd_bytes_append(&line, ":", 1);
    if (b) {
        tokd_bytes_append(&line, b, strlen(b));
        tokd_bytes_append(&line, ":", 1);
    }
    tokd_bytes_append(&line, d, dl);
    long n = line.data ? (long)ordinary_count(tok, line.data, line.len) : 0;
    tokd_bytes_release(&line);
    return n;
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
            *total += cf->enum_item + (long)str_count(tok, item);
        }
    }
    *total += line_count(tok, name, type ? json_string_value(type) : "", json_object_get(p, "description"));
    return 0;
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
    *total += cf->func_init + line_count(tok, json_string_value(name), NULL, json_object_get(f, "description"));
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
