/* base64.h - the standard base64 alphabet (RFC 4648): a strict decoder
 * (internal) and the encoder (public: tokd_base64_encode in tokd/tokenizer.h).
 *
 * Used by the .tiktoken loader and for token bytes in API answers. None of tokd's fixed libraries (jansson,
 * libmicrohttpd, PCRE2, libuv) exposes a base64 decoder, hence this one.
 *
 * Thread-safety: pure function. */
#ifndef TOKD_BASE64_H
#define TOKD_BASE64_H

#include <stddef.h>
#include <stdint.h>

#include "tokd/tokenizer.h"

/* Decode `len` characters of padded base64 into `out`, which must hold
 * len / 4 * 3 bytes. Returns the decoded length, or -1 if the input is not
 * canonical padded base64 (wrong length, bad character, misplaced '='). */
long tokd__base64_decode(const char *in, size_t len, uint8_t *out);

#endif
