/* bytelevel.h - GPT-2's byte-to-unicode alphabet ("ByteLevel").
 *
 * Byte-level vocabularies (GPT-2's encoder.json, Hugging Face ByteLevel
 * models such as Llama 3) write each byte as one character: printable
 * Latin-1 bytes as themselves, the other 68 as U+0100..U+0143. tokd keeps
 * tokens as raw bytes, so it only ever decodes this alphabet.
 *
 * Thread-safety: pure functions over constant data. */
#ifndef TOKD_BYTELEVEL_H
#define TOKD_BYTELEVEL_H

#include <stddef.h>
#include <stdint.h>

/* The byte with single-byte id i in GPT-2's order (printable first). */
uint8_t tokd__bytelevel_order(int i);

/* The character (code point) that writes byte b in the alphabet. */
uint32_t tokd__bytelevel_char(uint8_t b);

/* Decode `len` bytes of UTF-8 written in the alphabet into raw bytes at
 * `out` (at most `len` bytes). Returns the byte count, or -1 if a
 * character is not in the alphabet. */
long tokd__bytelevel_decode(const char *s, size_t len, uint8_t *out);

#endif
