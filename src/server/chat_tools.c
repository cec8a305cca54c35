/* chat_tools.c - the cookbook's rule for function definitions
 * (num_tokens_for_tools):
 * per function func_init + tokens of "name:description" (a final '.'
 * dropped); with properties prop_init, and per property prop_key + tokens
 * of "name:type:description" (a final '.' dropped), with an enum enum_init
 * + per item enum_item + the item's tokens; func_end once after all.
 *
 * The cookbook stops at a property's type, description and enum. A
 * property that nests a schema (an object's "properties", an array's
 * "items" with properties) has its nested properties counted by the same
 * per-property rule, and the count is marked an estimate. */
#include <stdio.h>
#include <string.h>

#include "chat.h"

typedef struct tools_walk {
    counter *c;
    const chat_format *cf;
    reply *r;
} tools_walk;

/* "name:desc" / "name:type:desc" with one final '.' of desc dropped. */
static int line_count(tools_walk *t, const char *a, const char *b, json_t *desc, const char *field)
{
    const char *d = json_is_string(desc) ? json_string_value(desc) : "";
    size_t dl = strlen(d);
    if (dl && d[dl - 1] == '.')
        dl--;
    tokd_bytes line = {0};
    tokd_error err = {0};
    int rc = tokd_bytes_append(&line, a, strlen(a));
    if (rc == 0 && b)
        rc = tokd_bytes_append(&line, ":", 1) || tokd_bytes_append(&line, b, strlen(b));
    if (rc == 0)
        rc = tokd_bytes_append(&line, ":", 1) || tokd_bytes_append(&line, d, dl);
    if (rc == 0)
        rc = counter_text(t->c, line.data, line.len, &err);
    tokd_bytes_release(&line);
    if (rc != 0)
        reply_tokd_error(t->r, rc < 0 ? rc : TOKD_ENOMEM, &err, field);
    return rc ? -1 : 0;
}

static int properties_count(tools_walk *t, json_t *props, const char *field);

/* The schema nested in a property: its own "properties", or its array
 * items' properties; NULL if none. */
static json_t *nested_properties(json_t *p)
{
    json_t *own = json_object_get(p, "properties"), *items = json_object_get(p, "items");
    if (json_object_size(own))
        return own;
    return json_object_size(json_object_get(items, "properties")) ? json_object_get(items, "properties") : NULL;
}

static int enum_count(tools_walk *t, json_t *en, const char *field)
{
    size_t i;
    json_t *item;
    counter_add(t->c, t->cf->enum_init);
    json_array_foreach(en, i, item)
    {
        tokd_error err = {0};
        int rc;
        if (!json_is_string(item)) {
            reply_error(t->r, 400, "invalid_type", field, "%s: enum items must be strings", field);
            return -1;
        }
        counter_add(t->c, t->cf->enum_item);
        if ((rc = counter_text(t->c, json_string_value(item), json_string_length(item), &err)) != 0) {
            reply_tokd_error(t->r, rc, &err, field);
            return -1;
        }
    }
    return 0;
}

static int property_count(tools_walk *t, const char *name, json_t *p, const char *field)
{
    json_t *type = json_object_get(p, "type"), *en = json_object_get(p, "enum");
    if (!json_is_object(p) || (type && !json_is_string(type)) || (en && !json_is_array(en))) {
        reply_error(t->r, 400, "invalid_type", field,
                    "%s must be an object with a string \"type\" and optional \"enum\" array", field);
        return -1;
    }
    counter_add(t->c, t->cf->prop_key);
    if (en && enum_count(t, en, field) != 0)
        return -1;
    if (line_count(t, name, type ? json_string_value(type) : "", json_object_get(p, "description"), field) != 0)
        return -1;
    json_t *nested = nested_properties(p);
    if (!nested)
        return 0;
    counter_estimate(t->c, "the cookbook's tool rule stops at a property's type, description and enum; nested "
                           "object properties are counted with the same per-property rule");
    return properties_count(t, nested, field);
}

static int properties_count(tools_walk *t, json_t *props, const char *field)
{
    const char *key;
    json_t *p;
    json_object_foreach(props, key, p)
    {
        char sub[200];
        snprintf(sub, sizeof sub, "%.120s.properties.%.60s", field, key);
        if (property_count(t, key, p, sub) != 0)
            return -1;
        if (t->c->exceeded)
            return 0;
    }
    return 0;
}

static int function_count(tools_walk *t, json_t *tool, size_t i)
{
    char field[64];
    json_t *f = json_object_get(tool, "function");
    json_t *name = json_object_get(f, "name"), *params = json_object_get(f, "parameters");
    json_t *props = json_object_get(params, "properties"), *type = json_object_get(tool, "type");
    snprintf(field, sizeof field, "tools[%zu].function", i);
    if ((type && !(json_is_string(type) && !strcmp(json_string_value(type), "function"))) || !json_is_string(name) ||
        (params && !json_is_object(params)) || (props && !json_is_object(props))) {
        reply_error(t->r, 400, "invalid_type", field,
                    "tools[%zu] must be {\"type\": \"function\", \"function\": {\"name\": string, \"description\"?: "
                    "string, \"parameters\"?: {\"properties\": {...}}}} (the cookbook's rules cover function tools)",
                    i);
        return -1;
    }
    counter_add(t->c, t->cf->func_init);
    if (line_count(t, json_string_value(name), NULL, json_object_get(f, "description"), field) != 0)
        return -1;
    if (json_object_size(props) == 0)
        return 0;
    counter_add(t->c, t->cf->prop_init);
    snprintf(field, sizeof field, "tools[%zu].function.parameters", i);
    return properties_count(t, props, field);
}

int chat_tools_count(counter *c, const model_info *model, json_t *tools, reply *r)
{
    tools_walk t = {.c = c, .cf = model->chat, .r = r};
    if (!json_is_array(tools)) {
        reply_error(r, 400, "invalid_type", "tools", "\"tools\" must be an array of {\"type\": \"function\", ...}");
        return -1;
    }
    if (json_array_size(tools) == 0)
        return 0;
    if (!t.cf->has_tools) {
        reply_error(r, 400, "unsupported", "tools", "the chat format '%s' has no rules for counting tools", t.cf->name);
        return -1;
    }
    if (!name_list_has(&t.cf->tools_published, model->name))
        counter_estimate(c, "tool overhead for %s is not published; the cookbook's constants for %s are used",
                         model->name, t.cf->name);
    size_t i;
    json_t *tool;
    json_array_foreach(tools, i, tool)
    {
        if (function_count(&t, tool, i) != 0)
            return -1;
        if (c->exceeded)
            return 0;
    }
    counter_add(c, t.cf->func_end);
    return 0;
}
