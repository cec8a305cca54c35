/* compat.h - what the drop-in endpoints of other servers share (TEI,
 * vLLM, llama.cpp): which tokenizer a request means, and each family's
 * error body.
 *
 * A compat handler builds its errors with the usual reply_error helpers
 * (tokd's {"error": {"code", "message", "field"}}) and, before it returns,
 * hands the reply to its family's `error_body`, which rewrites an error
 * reply into the body and status that server answers with. So every error
 * path is written once, and each family's shape lives in one function.
 *
 * Thread-safety: stateless; handlers run on any thread. */
#ifndef TOKD_SERVER_COMPAT_H
#define TOKD_SERVER_COMPAT_H

#include "app.h"

typedef struct compat_family {
    const char *name;
    /* Rewrite r (status >= 400, tokd's error body) into the family's. */
    void (*error_body)(reply *r);
} compat_family;

extern const compat_family compat_tei, compat_vllm, compat_llamacpp;

/* Finish a compat reply: an error is rewritten into `f`'s shape. */
void compat_finish(const compat_family *f, reply *r);

/* The tokenizer a request means: body["model"] when `model_field` is
 * present there (a registry model or a tokenizer name), else the
 * configured default_model. *model is the registry entry, or NULL. 0, or
 * -1 with `r` filled (400 none given, 404 unknown). */
int compat_tokenizer(app *a, json_t *body, reply *r, const tokd_tokenizer **tok, const model_info **model);

/* The optional boolean `key` of `body` into *out (left as is when absent
 * or null). 0, or -1 with `r` filled naming the field. */
int compat_bool(json_t *body, const char *key, int *out, reply *r);

/* The sorted ids of tok's special tokens (malloc'd, caller frees) and
 * whether `id` is one of them. */
uint32_t *compat_special_ids(const tokd_tokenizer *tok, size_t *n);
int compat_is_special(const uint32_t *ids, size_t n, uint32_t id);

/* 1 if tok's vocabulary is sentencepiece-style (a space is written U+2581,
 * unknown bytes <0xNN>), 0 if its tokens are raw bytes. */
int compat_sentencepiece(const tokd_tokenizer *tok);

/* The bytes of token `id` as llama.cpp's token_to_piece gives them (a
 * sentencepiece "▁the" as " the", "<0x0A>" as a newline; `sp` from
 * compat_sentencepiece), appended to `out`. */
int compat_piece(const tokd_tokenizer *tok, int sp, uint32_t id, tokd_bytes *out);

/* Handlers: the family endpoints and the shared paths that dispatch on the
 * body's fields (POST /tokenize: "inputs" TEI, "prompt"/"messages" vLLM,
 * "content" llama.cpp; POST /detokenize: "model" vLLM, else llama.cpp). */
void api_tei_tokenize(app *a, json_t *body, reply *r);
void api_tei_decode(app *a, json_t *body, reply *r);
void api_vllm_tokenize(app *a, json_t *body, reply *r);
void api_vllm_detokenize(app *a, json_t *body, reply *r);
void api_llamacpp_tokenize(app *a, json_t *body, reply *r);
void api_llamacpp_detokenize(app *a, json_t *body, reply *r);
void api_llamacpp_apply_template(app *a, json_t *body, reply *r);
void api_compat_tokenize(app *a, json_t *body, reply *r);
void api_compat_detokenize(app *a, json_t *body, reply *r);

#endif
