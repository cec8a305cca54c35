/* utf8.h - UTF-8 decoding for the pre-tokenizers (internal).
 *
 * tokd__utf8_next() assumes valid UTF-8: the encoder sanitizes input first
 * (tokd_utf8_sanitize), so the scanners never see invalid sequences.
 *
 * Thread-safety: pure functions. */
#ifndef TOKD_UTF8_H
#define TOKD_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decode the code point at s[i] of valid UTF-8; store its byte length. */
static inline uint32_t tokd__utf8_next(const uint8_t *s, size_t i, size_t *len)
{
    uint8_t c = s[i];
    if (c < 0x80) {
        *len = 1;
        return c;
    }
    if (c < 0xE0) {
        *len = 2;
        return (uint32_t)(c & 0x1F) << 6 | (s[i + 1] & 0x3F);
    }
    if (c < 0xF0) {
        *len = 3;
        return (uint32_t)(c & 0x0F) << 12 | (uint32_t)(s[i + 1] & 0x3F) << 6 | (s[i + 2] & 0x3F);
    }
    *len = 4;
    return (uint32_t)(c & 0x07) << 18 | (uint32_t)(s[i + 1] & 0x3F) << 12 |
           (uint32_t)(s[i + 2] & 0x3F) << 6 | (s[i + 3] & 0x3F);
}

/* Write code point cp (not a surrogate, <= 0x10FFFF) as UTF-8; its length. */
static inline size_t tokd__utf8_put(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18);
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Length of the longest valid UTF-8 sequence at s[0..len), or 0 if s[0]
 * starts no valid sequence; *maximal is set to the length of the maximal
 * subpart to replace (>= 1) when 0 is returned. */
size_t tokd__utf8_valid_prefix(const uint8_t *s, size_t len, size_t *maximal);

#endif
