/* chat_template.h - open-weight models' chat templates: loaded from the
 * tokenizer_config.json beside a tokenizer.json (or configured with
 * "chat_templates": NAME=PATH, PATH a tokenizer_config.json or a Jinja
 * file), rendered as transformers' apply_chat_template does.
 *
 * The variables a template sees are transformers': the special tokens of
 * tokenizer_config.json (bos_token, eos_token), then the request's
 * chat_template_kwargs, then messages, tools (None when absent), documents
 * (None) and add_generation_prompt. continue_final_message renders without
 * the generation prompt and cuts the text after the last message's
 * content, as transformers does. A template's raise_exception reaches the
 * client as 400 template_error with the template's own message.
 *
 * Request-supplied templates ("chat_template" in a body) are refused
 * unless allow_request_templates is on; every render is bounded
 * (template_limits).
 *
 * Thread-safety: loaded once at startup, then read-only; renders are
 * independent. */
#ifndef TOKD_SERVER_CHAT_TEMPLATE_H
#define TOKD_SERVER_CHAT_TEMPLATE_H

#include "app.h"
#include "counter.h"
#include "template.h"

typedef struct chat_render_opts {
    int add_generation_prompt;
    int continue_final_message;
    json_t *tools;        /* borrowed; NULL: none */
    json_t *kwargs;       /* borrowed chat_template_kwargs; NULL: none */
    json_t *template_src; /* borrowed request "chat_template"; NULL: the model's */
    /* What a server family does to the messages before rendering, given the
     * template that renders them (vllm_messages): *out a new array. NULL:
     * rendered as sent, as transformers does. */
    int (*rewrite)(const tokd_template *t, json_t *messages, json_t **out, reply *r);
} chat_render_opts;

/* Load the templates of the served tokenizers and the configured ones into
 * a->templates. A missing file is no template; a malformed one is logged
 * and skipped. 0, or -1 when out of memory. */
int chat_templates_load(app *a, const char *data_dir);
void chat_templates_release(app *a);

/* 1 if `model` (may be NULL) or `tok` has a chat template. */
int chat_has_template(app *a, const tokd_tokenizer *tok, const model_info *model);

/* The body's add_generation_prompt, continue_final_message, tools,
 * chat_template_kwargs and chat_template into `o` (defaults kept). 0, or
 * -1 with `r` filled naming the field. */
int chat_render_options(app *a, json_t *body, chat_render_opts *o, reply *r);

/* Render `messages` with the template of `model` (may be NULL), else of
 * `tok`, appending the prompt to `out`. 0, or -1 with `r` filled: 404
 * no_chat_template, 400 template_error / invalid_messages, 413
 * template_too_costly. */
int chat_render(app *a, const tokd_tokenizer *tok, const model_info *model, json_t *messages,
                const chat_render_opts *o, tokd_bytes *out, reply *r);

/* Which rules count a body's "messages": "chat_format": "template" (the
 * chat template, exact), "openai" (the cookbook's rules, chat.h); absent,
 * the template when the model or tokenizer has one, else the cookbook.
 * *use_template set; 0, or -1 with `r` filled (400 bad value, 404
 * no_chat_template, 400 not_a_chat_model). */
int chat_format_choice(app *a, const tokd_tokenizer *tok, const model_info *model, json_t *body, int *use_template,
                       reply *r);

/* Count the body's "messages" into `c` by the chosen rules. By the
 * template, as transformers' apply_chat_template(tokenize=True): the
 * prompt rendered (add_generation_prompt default false, as there) and
 * tokenized with special-token text as its tokens and no post-processor
 * tokens (the template writes its own BOS). 0, or -1 with `r` filled. */
int chat_messages_count(app *a, counter *c, const model_info *model, json_t *body, reply *r);

#endif
