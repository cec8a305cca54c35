/* stream.h - counting a text that arrives in parts (internal; the public
 * side is tokd_count_stream in tokd/tokenizer.h).
 *
 * Thread-safety: reentrant; the tokenizer is only read. */
#ifndef TOKD_STREAM_H
#define TOKD_STREAM_H

#include "tokd/tokenizer.h"

/* tokd_count_bounded of one part of a longer input, `before` bytes into it
 * (a disallowed special token is reported at its byte in the input). */
int tokd__count_part(const tokd_tokenizer *tok, const char *text, size_t len, const tokd_specials *sp,
                     const tokd_limits *lim, size_t before, size_t *count, tokd_error *err);

#endif
