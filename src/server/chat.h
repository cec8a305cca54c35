/* chat.h - counting the tokens of chat messages and tool definitions with
 * the rules of OpenAI's cookbook "How to count tokens with tiktoken".
 *
 * messages: every message costs tokens_per_message; every string value of a
 * message (role, content, name, ...) costs its tokens, and a "name" costs
 * tokens_per_name more; the reply is primed with reply_priming tokens.
 * tools: per function func_init + tokens of "name:description" (a final '.'
 * dropped); if it has properties, prop_init, and per property prop_key +
 * tokens of "name:type:description" (a final '.' dropped), and with an enum
 * enum_init + per item enum_item + the item's tokens; then func_end once.
 * Text is counted as ordinary text (special-token text is not special).
 *
 * Thread-safety: reentrant. */
#ifndef TOKD_SERVER_CHAT_H
#define TOKD_SERVER_CHAT_H

#include "app.h"

/* Count `messages` (and `tools`, may be NULL) for chat format `cf`.
 * Returns 0, or -1 with an error in `r` naming the offending field. */
int chat_count(const tokd_tokenizer *tok, const chat_format *cf, json_t *messages, json_t *tools,
               size_t *count, reply *r);

#endif
