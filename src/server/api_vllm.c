/* api_vllm.c - vLLM's POST /tokenize and POST /detokenize
 * (vllm/entrypoints/openai protocol.py and serving_tokenization.py).
 *
 * Completion form {"model", "prompt", "add_special_tokens": true,
 * "return_token_strs": false}; chat form {"model", "messages",
 * "add_generation_prompt": true, "continue_final_message": false,
 * "add_special_tokens": false, "return_token_strs", "chat_template",
 * "chat_template_kwargs", "tools"}: the messages rewritten as vLLM does
 * (vllm_messages.h), rendered by the model's chat template
 * (chat_template.h), then tokenized. Both answer {"count",
 * "max_model_len", "tokens", "token_strs"} (token_strs null unless asked);
 * max_model_len is the registry's context window of the model, 0 for a
 * bare tokenizer. Special-token text in the prompt is its token, as
 * Hugging Face tokenizers parse added tokens. /detokenize {"model",
 * "tokens"} answers {"prompt"}. */
#include <stdlib.h>
#include <string.h>

#include "chat_template.h"
#include "compat.h"
#include "vllm_messages.h"

/* Hugging Face's convert_ids_to_tokens: the vocabulary's own strings. A
 * sentencepiece vocabulary's are tokd's token bytes; a byte-level one
 * writes each byte in GPT-2's alphabet (printable Latin-1 as itself, the
 * other bytes from U+0100 on). */
static void bytelevel_char(uint8_t b, tokd_bytes *out)
{
    unsigned c = b;
    if (b <= 0x20)
        c = 256u + b;
    else if (b >= 0x7f && b <= 0xa0)
        c = 256u + 33 + (b - 0x7fu);
    else if (b == 0xad)
        c = 256u + 33 + 34;
    char u[2] = {(char)(0xC0 | (c >> 6)), (char)(0x80 | (c & 0x3F))};
    if (c < 0x80)
        tokd_bytes_append(out, &b, 1);
    else
        tokd_bytes_append(out, u, 2);
}

static json_t *token_strs(const tokd_tokenizer *tok, const tokd_ids *ids)
{
    size_t n_special = 0;
    uint32_t *special = compat_special_ids(tok, &n_special);
    int sp = compat_sentencepiece(tok);
    json_t *out = json_array();
    for (size_t i = 0; i < ids->len; i++) {
        const char *b;
        size_t len;
        tokd_bytes s = {0};
        tokd_token_bytes(tok, ids->ids[i], &b, &len);
        if (sp || compat_is_special(special, n_special, ids->ids[i]))
            tokd_bytes_append(&s, b, len);
        else
            for (size_t k = 0; k < len; k++)
                bytelevel_char((uint8_t)b[k], &s);
        json_array_append_new(out, json_safe_string(s.data ? s.data : "", s.len));
        tokd_bytes_release(&s);
    }
    free(special);
    return out;
}

static void vllm_answer(const tokd_tokenizer *tok, const model_info *model, const tokd_ids *ids, int strs, reply *r)
{
    json_t *tokens = json_array();
    for (size_t i = 0; i < ids->len; i++)
        json_array_append_new(tokens, json_integer(ids->ids[i]));
    r->tokens = ids->len;
    reply_json(r, json_pack("{s:I, s:I, s:o, s:o}", "count", (json_int_t)ids->len, "max_model_len",
                            (json_int_t)(model ? model->context_window : 0), "tokens", tokens, "token_strs",
                            strs ? token_strs(tok, ids) : json_null()));
}

/* Tokenize `text` as transformers' tokenizer(text) does: special-token text
 * is its token; the post-processor's tokens when add_special. */
static int vllm_encode(app *a, const tokd_tokenizer *tok, const char *text, size_t len, int add_special,
                       const char *field, tokd_ids *ids, reply *r)
{
    tokd_specials sp = {.allowed_mode = TOKD_ALLOW_ALL, .add_special_tokens = add_special};
    tokd_error err = {0};
    tokd_limits lim = req_limits(r, (size_t)a->cfg.max_answer_tokens);
    int rc = tokd_encode_bounded(tok, text, len, &sp, &lim, ids, &err);
    if (rc != 0)
        reply_bounded_error(r, rc, &err, field, a->cfg.max_answer_tokens, "max_answer_tokens");
    return rc;
}

static void vllm_completion(app *a, json_t *body, reply *r)
{
    const tokd_tokenizer *tok;
    const model_info *model;
    int add_special = 1, strs = 0;
    json_t *prompt = json_object_get(body, "prompt");
    tokd_ids ids = {0};
    if (compat_tokenizer(a, body, r, &tok, &model) || compat_bool(body, "add_special_tokens", &add_special, r) ||
        compat_bool(body, "return_token_strs", &strs, r))
        return;
    if (!json_is_string(prompt)) {
        reply_error(r, 400, "invalid_type", "prompt", "\"prompt\" must be a string");
        return;
    }
    if (vllm_encode(a, tok, json_string_value(prompt), json_string_length(prompt), add_special, "prompt", &ids, r) == 0)
        vllm_answer(tok, model, &ids, strs, r);
    tokd_ids_release(&ids);
}

static void vllm_chat(app *a, json_t *body, reply *r)
{
    const tokd_tokenizer *tok;
    const model_info *model;
    int add_special = 0, strs = 0;
    chat_render_opts o = {.add_generation_prompt = 1, .rewrite = vllm_messages};
    tokd_bytes prompt = {0};
    tokd_ids ids = {0};
    if (compat_tokenizer(a, body, r, &tok, &model) || compat_bool(body, "add_special_tokens", &add_special, r) ||
        compat_bool(body, "return_token_strs", &strs, r) ||
        chat_render_options(a, body, &o, r))
        return;
    if (chat_render(a, tok, model, json_object_get(body, "messages"), &o, &prompt, r) == 0 &&
        vllm_encode(a, tok, prompt.data ? prompt.data : "", prompt.len, add_special, "messages", &ids, r) == 0)
        vllm_answer(tok, model, &ids, strs, r);
    tokd_bytes_release(&prompt);
    tokd_ids_release(&ids);
}

void api_vllm_tokenize(app *a, json_t *body, reply *r)
{
    if (json_object_get(body, "messages"))
        vllm_chat(a, body, r);
    else
        vllm_completion(a, body, r);
    compat_finish(&compat_vllm, r);
}

static void vllm_detokenize(app *a, json_t *body, reply *r)
{
    const tokd_tokenizer *tok;
    const model_info *model;
    tokd_ids ids = {0};
    tokd_bytes text = {0};
    tokd_error err = {0};
    if (compat_tokenizer(a, body, r, &tok, &model) ||
        req_id_list(json_object_get(body, "tokens"), "tokens", 0, a->cfg.max_decode_ids, "max_decode_ids", &ids, r))
        goto done;
    int rc = tokd_decode_text(tok, ids.ids, ids.len, &text, &err);
    if (rc != 0)
        reply_tokd_error(r, rc, &err, "tokens");
    else
        reply_json(r, json_pack("{s:s%}", "prompt", text.data ? text.data : "", text.len));
    r->tokens = ids.len;
done:
    tokd_ids_release(&ids);
    tokd_bytes_release(&text);
}

void api_vllm_detokenize(app *a, json_t *body, reply *r)
{
    vllm_detokenize(a, body, r);
    compat_finish(&compat_vllm, r);
}
