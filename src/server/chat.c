/* chat.c - the cookbook's message rule and tokd's documented extensions for
 * the message shapes the API accepts (see chat.h).
 *
 * A message is walked field by field; each field kind has its handler in
 * `fields`, each content part type its handler in `parts`. Anything not in
 * the tables is a string counted as text (an estimate unless it is role or
 * name) or a 400 naming the field. */
#include <stdio.h>
#include <string.h>

#include "chat.h"

/* What a handler sees: the request's counter and model, the field's name
 * for errors, and the reply to fill on failure. */
typedef struct walk {
    counter *c;
    const model_info *model;
    reply *r;
    char field[128];
} walk;

static int text_count(walk *w, json_t *s, const char *field)
{
    tokd_error err = {0};
    int rc = counter_text(w->c, json_string_value(s), json_string_length(s), &err);
    if (rc != 0)
        reply_tokd_error(w->r, rc, &err, field);
    return rc ? -1 : 0;
}

static int type_error(walk *w, const char *field, const char *want)
{
    reply_error(w->r, 400, "invalid_type", field, "%s must be %s", field, want);
    return -1;
}

/* ---- content parts */

static int part_text(walk *w, json_t *part, const char *field)
{
    json_t *t = json_object_get(part, "text");
    return json_is_string(t) ? text_count(w, t, field) : type_error(w, field, "{\"type\": \"text\", \"text\": string}");
}

static int part_refusal(walk *w, json_t *part, const char *field)
{
    json_t *t = json_object_get(part, "refusal");
    if (!json_is_string(t))
        return type_error(w, field, "{\"type\": \"refusal\", \"refusal\": string}");
    counter_estimate(w->c, "refusal parts have no published rule; their text is counted as content");
    return text_count(w, t, field);
}

static int part_image(walk *w, json_t *part, const char *field)
{
    return chat_image_count(w->c, w->model, part, field, w->r);
}

static int part_unsupported(walk *w, json_t *part, const char *field)
{
    reply_error(w->r, 400, "unsupported_content", field,
                "%s is a \"%s\" part: OpenAI publishes no rule for counting its tokens, so tokd cannot count it "
                "(it refuses rather than guess); count the request without it",
                field, json_string_value(json_object_get(part, "type")));
    return -1;
}

static const struct {
    const char *type;
    int (*count)(walk *w, json_t *part, const char *field);
} parts[] = {
    {"text", part_text},
    {"refusal", part_refusal},
    {"image_url", part_image},
    {"input_audio", part_unsupported},
    {"file", part_unsupported},
};

static int part_count(walk *w, json_t *part, const char *field)
{
    const char *type = json_string_value(json_object_get(part, "type"));
    for (size_t i = 0; type && i < sizeof parts / sizeof parts[0]; i++)
        if (!strcmp(parts[i].type, type))
            return parts[i].count(w, part, field);
    reply_error(w->r, 400, json_is_object(part) ? "invalid_value" : "invalid_type", w->field,
                "%s must be an array of parts {\"type\": \"text\" | \"image_url\" | \"refusal\" | \"input_audio\" | "
                "\"file\", ...}; %s is not one",
                w->field, field);
    return -1;
}

/* ---- message fields */

static int field_content(walk *w, json_t *v)
{
    if (json_is_null(v))
        return 0;
    if (json_is_string(v))
        return text_count(w, v, w->field);
    if (!json_is_array(v))
        return type_error(w, w->field, "a string, null or an array of content parts");
    if (json_array_size(v) > 1)
        counter_estimate(w->c, "how the API joins several content parts is not published; each part is counted on "
                               "its own");
    size_t i;
    json_t *part;
    json_array_foreach(v, i, part)
    {
        char field[160];
        snprintf(field, sizeof field, "%s[%zu]", w->field, i);
        if (part_count(w, part, field) != 0)
            return -1;
    }
    return 0;
}

/* One call: {"name", "arguments"} (a tool call's "function", or a legacy
 * function_call). */
static int call_count(walk *w, json_t *fn, const char *field)
{
    json_t *name = json_object_get(fn, "name"), *args = json_object_get(fn, "arguments");
    if (!json_is_string(name) || (args && !json_is_string(args)))
        return type_error(w, field, "{\"name\": string, \"arguments\": string (JSON text)}");
    counter_estimate(w->c, "tool calls have no published rule; each is counted as %ld tokens (tokens_per_message) "
                           "plus the tokens of its function name and arguments",
                     w->model->chat->per_message);
    counter_add(w->c, w->model->chat->per_message);
    if (text_count(w, name, field) != 0)
        return -1;
    return args ? text_count(w, args, field) : 0;
}

static int field_tool_calls(walk *w, json_t *v)
{
    size_t i;
    json_t *call;
    if (json_is_null(v))
        return 0;
    if (!json_is_array(v))
        return type_error(w, w->field, "an array of {\"id\", \"type\": \"function\", \"function\": {...}}");
    json_array_foreach(v, i, call)
    {
        char field[160];
        snprintf(field, sizeof field, "%s[%zu].function", w->field, i);
        if (call_count(w, json_object_get(call, "function"), field) != 0)
            return -1;
    }
    return 0;
}

static int field_function_call(walk *w, json_t *v)
{
    return json_is_null(v) ? 0 : call_count(w, v, w->field);
}

static int field_name(walk *w, json_t *v)
{
    if (!json_is_string(v))
        return type_error(w, w->field, "a string");
    counter_add(w->c, w->model->chat->per_name);
    return text_count(w, v, w->field);
}

static int field_role(walk *w, json_t *v)
{
    return text_count(w, v, w->field);
}

static int field_audio(walk *w, json_t *v)
{
    if (json_is_null(v))
        return 0;
    reply_error(w->r, 400, "unsupported_content", w->field,
                "%s: OpenAI publishes no rule for counting audio tokens, so tokd cannot count it", w->field);
    return -1;
}

/* Any other field: a string counted as text like the cookbook's values, or
 * null (the API's own replies carry "refusal": null and the like). */
static int field_other(walk *w, json_t *v, const char *key)
{
    if (json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return type_error(w, w->field, "a string (the cookbook's rules count text values)");
    counter_estimate(w->c, "the cookbook's rule covers role, content and name; \"%.40s\" is counted as text like "
                           "them",
                     key);
    return text_count(w, v, w->field);
}

static const struct {
    const char *key;
    int (*count)(walk *w, json_t *v);
} fields[] = {
    {"role", field_role},
    {"content", field_content},
    {"name", field_name},
    {"tool_calls", field_tool_calls},
    {"function_call", field_function_call},
    {"audio", field_audio},
};

static int field_count(walk *w, const char *key, json_t *v)
{
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (!strcmp(fields[i].key, key))
            return fields[i].count(w, v);
    return field_other(w, v, key);
}

static int message_count(walk *w, json_t *m, size_t i)
{
    const char *key;
    json_t *v;
    snprintf(w->field, sizeof w->field, "messages[%zu]", i);
    if (!json_is_object(m) || !json_is_string(json_object_get(m, "role")))
        return type_error(w, w->field, "an object with a string \"role\"");
    counter_add(w->c, w->model->chat->per_message);
    json_object_foreach(m, key, v)
    {
        snprintf(w->field, sizeof w->field, "messages[%zu].%.60s", i, key);
        if (field_count(w, key, v) != 0)
            return -1;
        if (w->c->exceeded)
            return 0;
    }
    return 0;
}

int chat_message_count(counter *c, const model_info *model, json_t *m, size_t i, reply *r)
{
    walk w = {.c = c, .model = model, .r = r};
    return message_count(&w, m, i);
}

int chat_count(counter *c, const model_info *model, json_t *messages, json_t *tools, reply *r)
{
    walk w = {.c = c, .model = model, .r = r};
    const chat_format *cf = model->chat;
    if (!json_is_array(messages) || json_array_size(messages) == 0) {
        reply_error(r, 400, "invalid_type", "messages",
                    "\"messages\" must be a non-empty array of {\"role\", \"content\", ...} objects");
        return -1;
    }
    if (!name_list_has(&cf->published, model->name))
        counter_estimate(c, "message overhead for %s is not published; the cookbook's constants for %s are used",
                         model->name, cf->name);
    size_t i;
    json_t *m;
    json_array_foreach(messages, i, m)
    {
        if (message_count(&w, m, i) != 0)
            return -1;
        if (c->exceeded)
            return 0;
    }
    counter_add(c, cf->reply_priming);
    return tools ? chat_tools_count(c, model, tools, r) : 0;
}
