/* chat.h - counting Chat Completions requests: messages (content as a
 * string, null or an array of parts), tool calls, tool definitions and
 * images, by the rules of OpenAI's cookbook "How to count tokens with
 * tiktoken" and vision guide, each count marked exact or estimate.
 *
 * messages (the cookbook): every message costs tokens_per_message, every
 * string field its tokens, a "name" tokens_per_name more, and the reply is
 * primed with reply_priming tokens. tokd's extensions, each marking the
 * count as an estimate because nothing is published for them:
 * - string fields other than role, content and name (tool_call_id, ...)
 *   are counted as text, as the cookbook counts every value it meets;
 * - content parts: text and refusal parts count their text, image_url parts
 *   the vision guide's image tokens (chat_image.c); with more than one part
 *   the API's separator is unknown; input_audio and file parts are refused
 *   (400): no rule for them is published;
 * - tool_calls / function_call: each call costs tokens_per_message plus
 *   the tokens of its function name and arguments.
 * tools (chat_tools.c): the cookbook's function rules.
 * Text is counted as ordinary text (special-token text is not special).
 *
 * Thread-safety: reentrant. */
#ifndef TOKD_SERVER_CHAT_H
#define TOKD_SERVER_CHAT_H

#include "app.h"
#include "counter.h"

/* Count `messages` (and `tools`, may be NULL) for `model` (which has a
 * chat format) into `c`. Returns 0, or -1 with an error in `r` naming the
 * offending field. Stops early once c->exceeded. */
int chat_count(counter *c, const model_info *model, json_t *messages, json_t *tools, reply *r);

/* The tokens of one message, messages[i] in errors (tokens_per_message and
 * its fields; no reply priming); 0 or -1 with `r` filled. */
int chat_message_count(counter *c, const model_info *model, json_t *m, size_t i, reply *r);

/* Trim `messages` to fit `budget` tokens (with `tools`, may be NULL): drop
 * the oldest non-system units first, a unit being one message or an
 * assistant message with tool_calls together with the tool messages that
 * answer it; system and developer messages and the last user message are
 * always kept. *kept is a new array of the kept messages (borrowed from
 * `messages`), counted into `c`; *dropped says how many were dropped.
 * Returns 0, or -1 with `r` filled (chat_trim.c). */
int chat_trim(counter *c, const model_info *model, json_t *messages, json_t *tools, long budget, json_t **kept,
              size_t *dropped, reply *r);

/* The tokens of `tools` (an array of {"type": "function", "function": {...}})
 * into `c`; 0 or -1 with `r` filled (chat_tools.c). */
int chat_tools_count(counter *c, const model_info *model, json_t *tools, reply *r);

/* The tokens of one image_url part at `field` into `c`; 0 or -1 with `r`
 * filled (chat_image.c). */
int chat_image_count(counter *c, const model_info *model, json_t *part, const char *field, reply *r);

#endif
