/* pretok.h - pre-tokenization: splitting text into the pieces BPE sees.
 *
 * A pre-tokenizer is a regex, as in tiktoken. Every pattern is compiled with
 * PCRE2 (UTF + UCP, JIT) and PCRE2 is the reference semantics. The three
 * pattern families of OpenAI's encodings (r50k/p50k/gpt2, cl100k, o200k) are
 * recognised by their text, in both the npm and the Python tiktoken
 * spellings, and run by hand-written scanners instead: several times faster,
 * and exact on every code point because their character classes come from
 * the reference's own tables (unicode.h), where Debian's PCRE2 is older.
 * tests/unit/test_pretok.c proves scanners and PCRE2 equal wherever their
 * Unicode tables agree.
 *
 * Text must be valid UTF-8 (the encoder sanitizes it first).
 *
 * Thread-safety: a tokd__pretok is immutable after init and shared; the
 * PCRE2 match data, match context and JIT stack are per thread. */
#ifndef TOKD_PRETOK_H
#define TOKD_PRETOK_H

#include <stddef.h>
#include <stdint.h>

#include "tokd/error.h"

enum tokd__scanner { TOKD__SCAN_PCRE2 = 0, TOKD__SCAN_R50K, TOKD__SCAN_CL100K, TOKD__SCAN_O200K };

typedef struct tokd__pretok {
    enum tokd__scanner scanner;
    char *pattern;  /* owned copy of the pattern text */
    void *code;     /* pcre2_code_8 *, owned */
} tokd__pretok;

/* Compile `pattern`; with `allow_scanner`, use a built-in scanner when the
 * pattern is one of the known spellings. TOKD_EPATTERN (err->position set
 * to the 1-based offset) when PCRE2 rejects the pattern. */
int tokd__pretok_init(tokd__pretok *pt, const char *pattern, int allow_scanner, tokd_error *err);
/* The same for a tokenizer.json (Oniguruma) pattern, run as Hugging Face
 * runs it: its classes rewritten to the reference's code points
 * (rxclass.h), ^ and $ at line ends; a known OpenAI pattern still runs on
 * its scanner (whose classes equal the reference's). */
int tokd__pretok_init_onig(tokd__pretok *pt, const char *pattern, tokd_error *err);
void tokd__pretok_release(tokd__pretok *pt);

/* PCRE2 with libtokd's allocator: compile `source` (UTF and UCP on, plus
 * `options`); NULL with *ecode and *eoff set on failure, *ecode
 * PCRE2_ERROR_HEAP_FAILED when out of memory. The caller frees the code with
 * pcre2_code_free. */
struct pcre2_real_code_8;       /* pcre2_code with PCRE2_CODE_UNIT_WIDTH 8 */
struct pcre2_real_match_data_8; /* pcre2_match_data */
struct pcre2_real_code_8 *tokd__rx_compile(const char *source, uint32_t options, int *ecode, size_t *eoff);

/* Match data for `code` (NULL when out of memory); pcre2_match_data_free. */
struct pcre2_real_match_data_8 *tokd__rx_match_data(const struct pcre2_real_code_8 *code);

/* The scanner the known pattern text maps to, or TOKD__SCAN_PCRE2. */
enum tokd__scanner tokd__scanner_for(const char *pattern);

/* Find the next piece of s[0..n) at or after `pos`. Returns 1 and sets
 * [*start, *end) or returns 0 when there is none. Text between pieces (only
 * possible with custom patterns) is skipped, as tiktoken does. Returns
 * TOKD_ENOMEM / TOKD_ELIMIT (PCRE2 ran out of JIT stack) on failure. */
int tokd__pretok_next(const tokd__pretok *pt, const uint8_t *s, size_t n, size_t pos,
                      size_t *start, size_t *end);

/* The first match at or after `pos` (<= n), empty ones included, as
 * Oniguruma's search gives it to Hugging Face: 1 and [*start, *end), 0
 * for none, or TOKD_ENOMEM / TOKD_ELIMIT. */
int tokd__pretok_find(const tokd__pretok *pt, const uint8_t *s, size_t n, size_t pos, size_t *start, size_t *end);

/* The end of the piece a built-in scanner finds at s[i] (i < n). */
size_t tokd__scan(enum tokd__scanner sc, const uint8_t *s, size_t n, size_t i);

/* For every built-in scanner: the last c in [1, n-1] where any text that
 * begins with s[0..n) (raw bytes: UTF-8 not yet checked) may be cut, its
 * two sides encoded on their own giving the same pieces as the whole
 * (scanner.c proves it); 0 if there is none. */
size_t tokd__scan_cut(const uint8_t *s, size_t n);

#endif
