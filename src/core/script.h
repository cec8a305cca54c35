/* script.h - the script classes of Hugging Face's UnicodeScripts
 * pre-tokenizer (internal).
 *
 * UnicodeScripts cuts a piece where the script changes, with the
 * reference's own script data (sentencepiece's table of Unicode 9 scripts,
 * Hiragana and Katakana counted as Han). tests/gen/gen_script_tables.cjs
 * reads the classes back from the reference into script_tables.c: one
 * number per code point, equal for code points of one script; 0 is "Any"
 * (' ' and code points the table lacks), which never cuts.
 *
 * Thread-safety: constant tables. */
#ifndef TOKD_SCRIPT_H
#define TOKD_SCRIPT_H

#include <stdint.h>

enum { TOKD__SCRIPT_ANY = 0 };

extern const uint16_t tokd__script_stage1[0x1100];
extern const uint8_t tokd__script_stage2[][256];

/* cp's class (cp < 0x110000). */
static inline uint8_t tokd__script_class(uint32_t cp)
{
    return tokd__script_stage2[tokd__script_stage1[cp >> 8]][cp & 0xFF];
}

#endif
