/* vllm_messages.h - the messages of a vLLM chat request as vLLM hands them
 * to the chat template (vllm/entrypoints/chat_utils.py,
 * _parse_chat_message_content and _postprocess_messages), for text-only
 * models.
 *
 * Thread-safety: stateless. */
#ifndef TOKD_SERVER_VLLM_MESSAGES_H
#define TOKD_SERVER_VLLM_MESSAGES_H

#include "app.h"
#include "template.h"

/* Rewrite `messages` (borrowed; an array of objects with a string "role")
 * for template `t`: content becomes one string of its text parts joined
 * by "\n", or, when the template loops over content
 * (tokd_template_loops_over_content), a list of {"type": "text", "text"}
 * parts; only vLLM's fields are kept (tool_calls, reasoning also as
 * reasoning_content, tool_call_id, name, task, a developer's tools); a
 * tool-call's string arguments are JSON-decoded ({} when not JSON).
 * *out is a new array the caller frees. 0, or -1 with `r` filled: 400
 * invalid_messages, 400 unsupported_content for media parts (they need
 * the model's multimodal processor), 503 out of memory. */
int vllm_messages(const tokd_template *t, json_t *messages, json_t **out, reply *r);

#endif
