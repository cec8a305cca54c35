/* unicode.h - character classes of the built-in pre-tokenizer patterns.
 *
 * One byte of class bits per code point, read from tables generated out of
 * the reference tokenizer's own regex engine (unicode_tables.c, made by
 * tests/gen/gen_unicode_tables.cjs). Debian's PCRE2 carries older Unicode
 * tables (and counts U+180E as \s), so the built-in scanners use these
 * instead and agree with tiktoken on every code point.
 *
 * Thread-safety: read-only data. */
#ifndef TOKD_UNICODE_H
#define TOKD_UNICODE_H

#include <stdint.h>

enum {
    TOKD__UC_LU = 1 << 0, /* \p{Lu} */
    TOKD__UC_LL = 1 << 1, /* \p{Ll} */
    TOKD__UC_LT = 1 << 2, /* \p{Lt} */
    TOKD__UC_LM = 1 << 3, /* \p{Lm} */
    TOKD__UC_LO = 1 << 4, /* \p{Lo} */
    TOKD__UC_M = 1 << 5,  /* \p{M} */
    TOKD__UC_N = 1 << 6,  /* \p{N} */
    TOKD__UC_WS = 1 << 7, /* \s (White_Space) */
};

#define TOKD__UC_L (TOKD__UC_LU | TOKD__UC_LL | TOKD__UC_LT | TOKD__UC_LM | TOKD__UC_LO)
/* o200k's [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}] and [\p{Ll}\p{Lm}\p{Lo}\p{M}] */
#define TOKD__UC_UPPERISH (TOKD__UC_LU | TOKD__UC_LT | TOKD__UC_LM | TOKD__UC_LO | TOKD__UC_M)
#define TOKD__UC_LOWERISH (TOKD__UC_LL | TOKD__UC_LM | TOKD__UC_LO | TOKD__UC_M)

extern const uint16_t tokd__uc_stage1[0x1100];
extern const uint8_t tokd__uc_stage2[][256];

static inline uint8_t tokd__uc_class(uint32_t cp)
{
    return tokd__uc_stage2[tokd__uc_stage1[cp >> 8]][cp & 0xFF];
}

#endif
