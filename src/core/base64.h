/* base64.h - strict decoder for the standard base64 alphabet (RFC 4648).
 *
 * Used by the .tiktoken loader. None of tokd's fixed libraries (jansson,
 * libmicrohttpd, PCRE2, libuv) exposes a base64 decoder, hence this one.
 *
 * Thread-safety: pure function. */
#ifndef TOKD_BASE64_H
#define TOKD_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* Decode `len` characters of padded base64 into `out`, which must hold
 * len / 4 * 3 bytes. Returns the decoded length, or -1 if the input is not
 * canonical padded base64 (wrong length, bad character, misplaced '='). */
long tokd__base64_decode(const char *in, size_t len, uint8_t *out);

#endif
