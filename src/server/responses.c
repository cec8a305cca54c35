/* responses.c - POST /v1/responses/input_tokens: the input tokens of a
 * Responses API request, answered in the shape of OpenAI's endpoint
 * ({"object": "response.input_tokens", "input_tokens": N}) plus tokd's
 * exactness and tokenizer fields.
 *
 * OpenAI publishes no token rule for the Responses API, so the request is
 * mapped to the Chat Completions messages it corresponds to and counted
 * with the chat rules (chat.c); the answer is always marked an estimate.
 * The mapping:
 *   instructions                  -> a system message, first
 *   input (a string)              -> one user message
 *   message items (role, content) -> messages; input_text / output_text
 *                                    parts -> text parts, input_image ->
 *                                    image_url (image_url or file_id,
 *                                    detail, tokd_width / tokd_height),
 *                                    input_file, input_audio -> file,
 *                                    input_audio (refused: no rule)
 *   function_call items           -> one assistant message with
 *                                    tool_calls (consecutive calls merged)
 *   function_call_output items    -> tool messages
 *   tools (function)              -> chat tools {"type": "function",
 *                                    "function": {name, description,
 *                                    parameters}}
 * Other item and tool types are refused with a 400 naming them. */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "chat.h"
#include "counter.h"

static json_t *image_part(json_t *p)
{
    json_t *url = json_object_get(p, "image_url"), *file = json_object_get(p, "file_id");
    json_t *img = json_object();
    if (json_is_string(url))
        json_object_set(img, "url", url);
    else if (json_is_string(file))
        json_object_set_new(img, "url", json_sprintf("file-id:%s", json_string_value(file)));
    static const char *const keep[] = {"detail", "tokd_width", "tokd_height"};
    for (size_t i = 0; i < 3; i++)
        if (json_object_get(p, keep[i]))
            json_object_set(img, keep[i], json_object_get(p, keep[i]));
    return json_pack("{s:s, s:o}", "type", "image_url", "image_url", img);
}

static json_t *text_part(json_t *p)
{
    return json_pack("{s:s, s:O?}", "type", "text", "text", json_object_get(p, "text"));
}

static json_t *refusal_part(json_t *p)
{
    return json_pack("{s:s, s:O?}", "type", "refusal", "refusal", json_object_get(p, "refusal"));
}

static json_t *file_part(json_t *p)
{
    (void)p;
    return json_pack("{s:s}", "type", "file");
}

static json_t *audio_part(json_t *p)
{
    (void)p;
    return json_pack("{s:s}", "type", "input_audio");
}

static const struct {
    const char *type;
    json_t *(*map)(json_t *p);
} part_map[] = {
    {"input_text", text_part}, {"output_text", text_part}, {"refusal", refusal_part},
    {"input_image", image_part}, {"input_file", file_part}, {"input_audio", audio_part},
};

/* One Responses content part as a chat part; NULL for an unknown type. */
static json_t *chat_part(json_t *p)
{
    const char *type = json_string_value(json_object_get(p, "type"));
    for (size_t i = 0; type && i < sizeof part_map / sizeof part_map[0]; i++)
        if (!strcmp(part_map[i].type, type))
            return part_map[i].map(p);
    return NULL;
}

static json_t *chat_content(json_t *content, const char *field, reply *r)
{
    if (!content) {
        reply_error(r, 400, "missing_field", field, "%s needs its content (\"content\" or \"output\")", field);
        return NULL;
    }
    if (!json_is_array(content))
        return json_incref(content);
    json_t *parts = json_array(), *p;
    size_t i;
    json_array_foreach(content, i, p)
    {
        json_t *part = chat_part(p);
        if (!part) {
            reply_error(r, 400, "unsupported_content", field,
                        "%s[%zu] must be an input_text, output_text, refusal, input_image, input_file or input_audio "
                        "part",
                        field, i);
            json_decref(parts);
            return NULL;
        }
        json_array_append_new(parts, part);
    }
    return parts;
}

/* A tool call of a function_call item, appended to the assistant message
 * that ends `messages` (a new one unless the previous item was a call). */
static void add_call(json_t *messages, json_t *item, int *open_calls)
{
    json_t *call = json_pack("{s:O?, s:s, s:{s:O?, s:O?}}", "id", json_object_get(item, "call_id"), "type", "function",
                             "function", "name", json_object_get(item, "name"), "arguments",
                             json_object_get(item, "arguments"));
    if (!*open_calls)
        json_array_append_new(messages, json_pack("{s:s, s:n, s:[]}", "role", "assistant", "content", "tool_calls"));
    json_array_append_new(json_object_get(json_array_get(messages, json_array_size(messages) - 1), "tool_calls"), call);
    *open_calls = 1;
}

static int add_item(json_t *messages, json_t *item, size_t i, int *open_calls, reply *r)
{
    char field[48];
    const char *type = json_string_value(json_object_get(item, "type"));
    snprintf(field, sizeof field, "input[%zu]", i);
    if (json_is_object(item) && type && !strcmp(type, "function_call")) {
        add_call(messages, item, open_calls);
        return 0;
    }
    *open_calls = 0;
    if (json_is_object(item) && type && !strcmp(type, "function_call_output")) {
        json_t *out = chat_content(json_object_get(item, "output"), field, r);
        json_array_append_new(messages, json_pack("{s:s, s:O?, s:o?}", "role", "tool", "tool_call_id",
                                                  json_object_get(item, "call_id"), "content", out));
        return out ? 0 : -1;
    }
    if (!json_is_object(item) || (type && strcmp(type, "message")) || !json_is_string(json_object_get(item, "role"))) {
        reply_error(r, 400, "unsupported_input", field,
                    "%s must be a message ({\"role\", \"content\"}), a function_call or a function_call_output item; "
                    "tokd has no rule for %s items",
                    field, type ? type : "other");
        return -1;
    }
    json_t *content = chat_content(json_object_get(item, "content"), field, r);
    if (!content)
        return -1;
    json_array_append_new(messages, json_pack("{s:O, s:o}", "role", json_object_get(item, "role"), "content", content));
    return 0;
}

/* instructions + input as chat messages; NULL with `r` filled. */
static json_t *chat_messages(json_t *body, reply *r)
{
    json_t *instr = json_object_get(body, "instructions"), *input = json_object_get(body, "input");
    json_t *messages = json_array(), *item;
    int open_calls = 0;
    size_t i;
    if ((instr && !json_is_string(instr) && !json_is_null(instr)) || !(json_is_string(input) || json_is_array(input))) {
        reply_error(r, 400, "invalid_type", instr && !json_is_string(instr) ? "instructions" : "input",
                    "\"input\" must be a string or an array of input items, and \"instructions\" a string");
        json_decref(messages);
        return NULL;
    }
    if (json_is_string(instr))
        json_array_append_new(messages, json_pack("{s:s, s:O}", "role", "system", "content", instr));
    if (json_is_string(input))
        json_array_append_new(messages, json_pack("{s:s, s:O}", "role", "user", "content", input));
    json_array_foreach(input, i, item)
    {
        if (add_item(messages, item, i, &open_calls, r) != 0) {
            json_decref(messages);
            return NULL;
        }
    }
    return messages;
}

/* Responses function tools as chat tools; NULL with `r` filled. */
static json_t *chat_tools(json_t *tools, reply *r)
{
    json_t *out = json_array(), *t;
    size_t i;
    if (tools && !json_is_array(tools)) {
        reply_error(r, 400, "invalid_type", "tools", "\"tools\" must be an array of {\"type\": \"function\", ...}");
        json_decref(out);
        return NULL;
    }
    json_array_foreach(tools, i, t)
    {
        json_t *type = json_object_get(t, "type");
        if (!json_is_string(type) || strcmp(json_string_value(type), "function")) {
            reply_error(r, 400, "unsupported_tool", "tools",
                        "tools[%zu]: only function tools can be counted (no rule is published for built-in tools)", i);
            json_decref(out);
            return NULL;
        }
        json_array_append_new(out, json_pack("{s:s, s:{s:O?, s:O?, s:O?}}", "type", "function", "function", "name",
                                             json_object_get(t, "name"), "description",
                                             json_object_get(t, "description"), "parameters",
                                             json_object_get(t, "parameters")));
    }
    return out;
}

static void answer(counter *c, const model_info *model, reply *r)
{
    counter_estimate(c, "OpenAI publishes no token rule for the Responses API; the input is counted as the "
                        "equivalent Chat Completions messages");
    json_t *out = json_pack("{s:s, s:I, s:s}", "object", "response.input_tokens", "input_tokens",
                            (json_int_t)(c->total > 0 ? c->total : 0), "model", model->name);
    counter_tokenizer(c, out);
    counter_answer(c, out);
    r->tokens = (size_t)(c->total > 0 ? c->total : 0);
    reply_json(r, out);
}

void api_responses_input_tokens(app *a, json_t *body, reply *r)
{
    const tokd_tokenizer *tok;
    const model_info *model;
    json_t *messages = NULL, *tools = NULL;
    counter c = {0};
    tokd_limits lim = req_limits(r, 0); /* the request's budget */
    if (req_tokenizer(a, body, r, &tok, &model))
        return;
    if (!model || !model->chat) {
        reply_error(r, 400, "not_a_chat_model", "model",
                    "counting a Responses request needs a \"model\" with a chat format in the registry (GET /v1/models)");
        return;
    }
    if (!(messages = chat_messages(body, r)) || !(tools = chat_tools(json_object_get(body, "tools"), r)))
        goto done;
    if (counter_init(&c, tok, 0, &lim) != 0) {
        reply_error(r, 503, "out_of_memory", NULL, "out of memory");
        goto done;
    }
    if (chat_count(&c, model, messages, tools, r) == 0)
        answer(&c, model, r);
done:
    counter_release(&c);
    json_decref(messages);
    json_decref(tools);
}
