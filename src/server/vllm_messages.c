/* vllm_messages.c - vLLM's rewriting of chat messages before the template
 * renders them (vllm_messages.h), as vllm/entrypoints/chat_utils.py does
 * it (commit 001eadcf295d90aa0664963cd6a9d93f38a2f3da):
 *
 *   _parse_chat_message_content: content null is no parts, a string is one
 *     text part; each part's text (text/input_text/output_text: "text",
 *     refusal: "refusal", thinking: "thinking"; a text or refusal part
 *     without it is skipped; a plain string is text; tool_reference gives
 *     its name) is joined by "\n" for "string" templates, or kept as
 *     {"type": "text", "text"} parts for "openai" ones. The new message has
 *     role and content, then: an assistant's tool_calls (unless null) and
 *     reasoning (also as reasoning_content); a tool's tool_call_id and its
 *     all-text parts joined into a string; name and task when strings; a
 *     developer's tools. Every other field is dropped.
 *   _postprocess_messages: an assistant's empty tool_calls is removed; each
 *     call's string "arguments" is JSON-decoded ({} when it is not JSON),
 *     and arguments that are neither an object nor a list become {}.
 *
 * Media parts (image_url, input_audio, ...) need the model's multimodal
 * processor, whose placeholder tokens vLLM inserts; tokd has none and
 * refuses them naming the part. */
#include <string.h>

#include "vllm_messages.h"

static const struct {
    const char *type, *key;
    int skip_if_missing;
} text_parts[] = {{"text", "text", 1},       {"input_text", "text", 0}, {"output_text", "text", 0},
                  {"refusal", "refusal", 1}, {"thinking", "thinking", 0}};

static const char *const media_parts[] = {"image_url", "input_image", "image_embeds", "audio_embeds", "prompt_embeds",
                                          "image_pil", "audio_url",   "input_audio",  "video_url"};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static int is_media(const char *type)
{
    for (size_t i = 0; i < N_OF(media_parts); i++)
        if (!strcmp(type, media_parts[i]))
            return 1;
    return 0;
}

/* The media key of a part without a type (vLLM reads those too), or NULL. */
static const char *media_key(json_t *part)
{
    for (size_t i = 0; i < N_OF(media_parts); i++)
        if (json_object_get(part, media_parts[i]))
            return media_parts[i];
    return NULL;
}

static void refuse_media(reply *r, const char *field, const char *type)
{
    reply_error(r, 400, "unsupported_content", field,
                "%s: a '%s' part needs the model's multimodal processor (vLLM puts its placeholder tokens in the "
                "prompt), which tokd does not have; send text parts only",
                field, type);
}

/* The text of a typed part: 0 with *text (borrowed, NULL: skip the part),
 * or -1 with r filled. */
static int typed_text(json_t *part, const char *type, const char *field, const char **text, reply *r)
{
    for (size_t i = 0; i < N_OF(text_parts); i++) {
        if (strcmp(type, text_parts[i].type))
            continue;
        json_t *t = json_object_get(part, text_parts[i].key);
        *text = json_string_value(t);
        if (*text || ((!t || json_is_null(t)) && text_parts[i].skip_if_missing))
            return 0;
        reply_error(r, 400, "invalid_messages", field, "%s: \"%s\" must be a string", field, text_parts[i].key);
        return -1;
    }
    if (!strcmp(type, "tool_reference")) {
        *text = json_string_value(json_object_get(part, "name"));
        if (*text)
            return 0;
        reply_error(r, 400, "invalid_messages", field, "%s: \"name\" must be a string", field);
        return -1;
    }
    if (is_media(type)) {
        refuse_media(r, field, type);
        return -1;
    }
    reply_error(r, 400, "invalid_messages", field,
                "Unsupported chat content part type: '%s'. Supported types: audio_embeds, audio_url, "
                "image_embeds, image_pil, image_url, input_audio, input_image, input_text, output_text, "
                "prompt_embeds, refusal, text, thinking, tool_reference, video_url.",
                type);
    return -1;
}

/* One part in the chosen form: a new string ("string" templates) or a new
 * {"type", ...} object ("openai"); NULL with *failed 0 to skip it. */
static json_t *parse_part(json_t *part, int openai, const char *field, int *failed, reply *r)
{
    const char *text = json_string_value(part), *type = "text";
    json_t *t = json_object_get(part, "type");
    *failed = 0;
    if (!text && json_is_object(part)) {
        const char *why = NULL, *media = NULL;
        if (!t || json_is_null(t) || json_object_get(part, "uuid"))
            why = (media = media_key(part)) ? "" : "Missing 'type' field in multimodal part.";
        else if (!json_is_string(t))
            why = "Invalid 'type' field in multimodal part.";
        if (media)
            refuse_media(r, field, media);
        else if (why)
            reply_error(r, 400, "invalid_messages", field, "%s", why);
        type = json_string_value(t);
        if (why || typed_text(part, type, field, &text, r)) {
            *failed = 1;
            return NULL;
        }
        if (!text)
            return NULL;
    } else if (!text) {
        reply_error(r, 400, "invalid_messages", field, "%s must be a string or a content part object", field);
        *failed = 1;
        return NULL;
    }
    if (!openai)
        return json_string(text);
    if (!strcmp(type, "tool_reference"))
        return json_pack("{s:s, s:s}", "type", "tool_reference", "name", text);
    return json_pack("{s:s, s:s}", "type", "text", "text", text);
}

/* The content's parts: a borrowed array, or a new one for a string or null
 * (*own set); NULL with r filled for any other content. */
static json_t *content_parts(json_t *content, const char *field, int *own, reply *r)
{
    *own = !json_is_array(content);
    if (!content || json_is_null(content))
        return json_array();
    if (json_is_string(content))
        return json_pack("[{s:s, s:O}]", "type", "text", "text", content);
    if (json_is_array(content))
        return content;
    reply_error(r, 400, "invalid_messages", field, "%s must be a string, an array of content parts or null", field);
    return NULL;
}

/* Text parts joined by "\n" into a new string. */
static json_t *join_texts(json_t *texts, const char *key)
{
    tokd_bytes s = {0};
    size_t i;
    json_t *t;
    json_array_foreach(texts, i, t)
    {
        json_t *v = key ? json_object_get(t, key) : t;
        if (i)
            tokd_bytes_append(&s, "\n", 1);
        tokd_bytes_append(&s, json_string_value(v) ? json_string_value(v) : "", json_string_length(v));
    }
    json_t *out = json_stringn(s.data ? s.data : "", s.len);
    tokd_bytes_release(&s);
    return out;
}

/* The message's content as vLLM builds it (new reference), NULL with r
 * filled. */
static json_t *message_content(json_t *m, int openai, size_t index, reply *r)
{
    char field[64];
    int own, failed = 0;
    snprintf(field, sizeof field, "messages[%zu].content", index);
    json_t *parts = content_parts(json_object_get(m, "content"), field, &own, r), *items = json_array(), *p;
    size_t i;
    json_array_foreach(parts, i, p)
    {
        char pf[96];
        snprintf(pf, sizeof pf, "%s[%zu]", field, i);
        json_t *item = parse_part(p, openai, pf, &failed, r);
        if (failed)
            break;
        if (item)
            json_array_append_new(items, item);
    }
    if (own)
        json_decref(parts);
    if (!parts || failed) {
        json_decref(items);
        return NULL;
    }
    if (openai)
        return items;
    json_t *joined = join_texts(items, NULL);
    json_decref(items);
    return joined;
}

/* A tool's all-text list of parts becomes one string, as vLLM does. */
static void tool_content(json_t *out)
{
    json_t *c = json_object_get(out, "content"), *p;
    size_t i;
    if (!json_is_array(c))
        return;
    json_array_foreach(c, i, p)
    {
        if (!json_is_string(json_object_get(p, "text")))
            return;
    }
    json_object_set_new(out, "content", join_texts(c, "text"));
}

static void copy_if(json_t *out, const char *key, json_t *v, int only_strings)
{
    if (v && (!only_strings || json_is_string(v)))
        json_object_set(out, key, v);
}

/* _parse_chat_message_content of message `index` (new reference). */
static json_t *rewrite_one(json_t *m, int openai, size_t index, reply *r)
{
    const char *role = json_string_value(json_object_get(m, "role"));
    json_t *content = message_content(m, openai, index, r);
    if (!content)
        return NULL;
    json_t *out = json_pack("{s:s, s:o}", "role", role, "content", content);
    if (!out)
        return NULL;
    if (!strcmp(role, "assistant")) {
        json_t *calls = json_object_get(m, "tool_calls"), *reasoning = json_object_get(m, "reasoning");
        if (calls && !json_is_null(calls))
            json_object_set_new(out, "tool_calls", json_deep_copy(calls));
        if (reasoning && !json_is_null(reasoning)) {
            json_object_set(out, "reasoning", reasoning);
            json_object_set(out, "reasoning_content", reasoning);
        }
    } else if (!strcmp(role, "tool")) {
        copy_if(out, "tool_call_id", json_object_get(m, "tool_call_id"), 0);
        tool_content(out);
    }
    copy_if(out, "name", json_object_get(m, "name"), 1);
    copy_if(out, "task", json_object_get(m, "task"), 1);
    if (!strcmp(role, "developer")) {
        json_t *tools = json_object_get(m, "tools");
        json_object_set(out, "tools", tools ? tools : json_null());
    }
    return out;
}

/* _postprocess_messages for one message: tool-call arguments as objects. */
static int decode_arguments(json_t *m, size_t index, reply *r)
{
    json_t *calls = json_object_get(m, "tool_calls"), *call;
    size_t i;
    if (!json_is_array(calls) || strcmp(json_string_value(json_object_get(m, "role")), "assistant"))
        return 0;
    if (json_array_size(calls) == 0)
        return json_object_del(m, "tool_calls") < 0 ? -1 : 0;
    json_array_foreach(calls, i, call)
    {
        json_t *fn = json_object_get(call, "function"), *args = json_object_get(fn, "arguments"), *decoded = NULL;
        if (!json_is_object(fn)) {
            char field[64];
            snprintf(field, sizeof field, "messages[%zu].tool_calls[%zu]", index, i);
            reply_error(r, 400, "invalid_messages", field, "%s must have a \"function\" object", field);
            return -1;
        }
        if (json_is_string(args))
            decoded = json_loadb(json_string_value(args), json_string_length(args), JSON_DECODE_ANY, NULL);
        else if (json_is_object(args) || json_is_array(args))
            continue;
        json_object_set_new(fn, "arguments", decoded ? decoded : json_object());
    }
    return 0;
}

int vllm_messages(const tokd_template *t, json_t *messages, json_t **out, reply *r)
{
    int openai = tokd_template_loops_over_content(t);
    json_t *conv = json_array(), *m;
    size_t i;
    json_array_foreach(messages, i, m)
    {
        json_t *one = rewrite_one(m, openai, i, r);
        if (!one || json_array_append_new(conv, one) || decode_arguments(one, i, r)) {
            if (r->status < 400)
                reply_error(r, 503, "out_of_memory", NULL, "out of memory rewriting the messages");
            json_decref(conv);
            return -1;
        }
    }
    *out = conv;
    return 0;
}
