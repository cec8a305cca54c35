/* api_llamacpp.c - the llama.cpp server's POST /tokenize, /detokenize and
 * /apply-template (tools/server/server.cpp and its README).
 *
 * /tokenize {"content", "add_special": false, "parse_special": true,
 * "with_pieces": false} answers {"tokens": [ids]}, or with pieces
 * {"tokens": [{"id", "piece"}]}, a piece being a string when it is valid
 * UTF-8 and else its list of byte values. No "content" gives no tokens, as
 * upstream. /detokenize {"tokens"} answers {"content"}: the pieces joined,
 * invalid UTF-8 replaced. /apply-template {"messages", ...} answers
 * {"prompt"}, the conversation rendered by the model's chat template
 * (chat_template.h) with the generation prompt by default. */
#include <stdlib.h>
#include <string.h>

#include "chat_template.h"
#include "compat.h"

static json_t *piece_json(const tokd_tokenizer *tok, int sp, uint32_t id)
{
    tokd_bytes b = {0};
    json_t *v;
    compat_piece(tok, sp, id, &b);
    if (tokd_utf8_valid(b.data ? b.data : "", b.len)) {
        v = json_stringn(b.data ? b.data : "", b.len);
    } else {
        v = json_array();
        for (size_t i = 0; i < b.len; i++)
            json_array_append_new(v, json_integer((unsigned char)b.data[i]));
    }
    tokd_bytes_release(&b);
    return json_pack("{s:I, s:o}", "id", (json_int_t)id, "piece", v);
}

static void llamacpp_tokenize(app *a, json_t *body, reply *r)
{
    const tokd_tokenizer *tok;
    const model_info *model;
    int add_special = 0, parse_special = 1, pieces = 0;
    json_t *content = json_object_get(body, "content");
    tokd_ids ids = {0};
    tokd_error err = {0};
    if (compat_tokenizer(a, body, r, &tok, &model) || compat_bool(body, "add_special", &add_special, r) ||
        compat_bool(body, "parse_special", &parse_special, r) || compat_bool(body, "with_pieces", &pieces, r))
        return;
    if (content && !json_is_string(content)) {
        reply_error(r, 400, "invalid_type", "content", "\"content\" must be a string");
        return;
    }
    tokd_specials sp = {.allowed_mode = parse_special ? TOKD_ALLOW_ALL : TOKD_ALLOW_NONE,
                        .disallowed_mode = TOKD_DISALLOW_NONE,
                        .add_special_tokens = add_special};
    long limit = pieces ? a->cfg.max_token_details : a->cfg.max_answer_tokens;
    tokd_limits lim = req_limits(r, (size_t)limit);
    int rc = content ? tokd_encode_bounded(tok, json_string_value(content), json_string_length(content), &sp, &lim,
                                           &ids, &err)
                     : 0;
    if (rc != 0) {
        reply_bounded_error(r, rc, &err, "content", limit, pieces ? "max_token_details" : "max_answer_tokens");
        return;
    }
    int sentencepiece = pieces && compat_sentencepiece(tok);
    json_t *tokens = json_array();
    for (size_t i = 0; i < ids.len; i++)
        json_array_append_new(tokens, pieces ? piece_json(tok, sentencepiece, ids.ids[i]) : json_integer(ids.ids[i]));
    r->tokens = ids.len;
    reply_json(r, json_pack("{s:o}", "tokens", tokens));
    tokd_ids_release(&ids);
}

void api_llamacpp_tokenize(app *a, json_t *body, reply *r)
{
    llamacpp_tokenize(a, body, r);
    compat_finish(&compat_llamacpp, r);
}

static void llamacpp_detokenize(app *a, json_t *body, reply *r)
{
    const tokd_tokenizer *tok;
    const model_info *model;
    json_t *tokens = json_object_get(body, "tokens");
    tokd_ids ids = {0};
    tokd_bytes text = {0};
    if (compat_tokenizer(a, body, r, &tok, &model) ||
        (tokens && req_id_list(tokens, "tokens", 0, a->cfg.max_decode_ids, "max_decode_ids", &ids, r)))
        goto done;
    int sp = compat_sentencepiece(tok), rc = 0;
    for (size_t i = 0; rc == 0 && i < ids.len; i++)
        if ((rc = compat_piece(tok, sp, ids.ids[i], &text)) == TOKD_ERANGE)
            reply_error(r, 400, "invalid_token_id", "tokens", "tokens[%zu] = %u is not a token of this model", i,
                        ids.ids[i]);
        else if (rc != 0)
            reply_error(r, 503, "out_of_memory", NULL, "out of memory");
    if (rc == 0)
        reply_json(r, json_pack("{s:o}", "content", json_safe_string(text.data ? text.data : "", text.len)));
    r->tokens = ids.len;
done:
    tokd_ids_release(&ids);
    tokd_bytes_release(&text);
}

void api_llamacpp_detokenize(app *a, json_t *body, reply *r)
{
    llamacpp_detokenize(a, body, r);
    compat_finish(&compat_llamacpp, r);
}

static void llamacpp_apply_template(app *a, json_t *body, reply *r)
{
    const tokd_tokenizer *tok;
    const model_info *model;
    chat_render_opts o = {.add_generation_prompt = 1};
    tokd_bytes prompt = {0};
    if (compat_tokenizer(a, body, r, &tok, &model) || chat_render_options(a, body, &o, r))
        return;
    if (chat_render(a, tok, model, json_object_get(body, "messages"), &o, &prompt, r) == 0)
        reply_json(r, json_pack("{s:s%}", "prompt", prompt.data ? prompt.data : "", prompt.len));
    tokd_bytes_release(&prompt);
}

void api_llamacpp_apply_template(app *a, json_t *body, reply *r)
{
    llamacpp_apply_template(a, body, r);
    compat_finish(&compat_llamacpp, r);
}
