/* rxclass.h - Hugging Face's regex classes, for tokenizer.json Split
 * patterns run on PCRE2 (internal).
 *
 * The reference runs a tokenizer.json regex on Oniguruma, whose Unicode
 * data and class syntax differ from Debian's PCRE2 (PCRE2 10.42 knows
 * Unicode 14 and puts U+180E in \s; in Oniguruma \h is a hex digit and \u
 * escapes a code point; ^ and $ are line anchors). tokd__rx_rewrite turns
 * such a pattern into a PCRE2 pattern (compiled with PCRE2_MULTILINE) whose
 * classes are the reference's: every \p{..} of a general category, a
 * script or a binary / POSIX property, \s, \d, \w, \h and their negations
 * becomes explicit code-point ranges read from rxclass_tables.c and
 * rxclass_props.c, which tests/gen/gen_rxclass_tables.cjs and
 * gen_script_tables.cjs read back from the reference itself. Under (?i)
 * they are case-folded where Oniguruma folds them (inside a bracket only)
 * with the reference's case-fold orbits (PCRE2 folds them again with its
 * older data, which adds nothing). Properties the reference has and these tables
 * lack (blocks, In_..) are left to PCRE2 (listed in the README).
 *
 * Thread-safety: pure functions over constant tables. */
#ifndef TOKD_RXCLASS_H
#define TOKD_RXCLASS_H

#include <stdint.h>

#include "tokd/error.h"
#include "unorm.h"

/* General categories, in the order of the table's low 5 bits. */
enum tokd__rx_category {
    TOKD__RX_CN, TOKD__RX_LU, TOKD__RX_LL, TOKD__RX_LT, TOKD__RX_LM, TOKD__RX_LO, TOKD__RX_MN, TOKD__RX_MC,
    TOKD__RX_ME, TOKD__RX_ND, TOKD__RX_NL, TOKD__RX_NO, TOKD__RX_PC, TOKD__RX_PD, TOKD__RX_PS, TOKD__RX_PE,
    TOKD__RX_PI, TOKD__RX_PF, TOKD__RX_PO, TOKD__RX_SM, TOKD__RX_SC, TOKD__RX_SK, TOKD__RX_SO, TOKD__RX_ZS,
    TOKD__RX_ZL, TOKD__RX_ZP, TOKD__RX_CC, TOKD__RX_CF, TOKD__RX_CS, TOKD__RX_CO
};

enum {
    TOKD__RX_CATEGORY = 0x1F, /* mask of the general category */
    TOKD__RX_SPACE = 1 << 5,  /* \s */
    TOKD__RX_DIGIT = 1 << 6,  /* \d */
    TOKD__RX_WORD = 1 << 7,   /* \w */
};

extern const uint16_t tokd__rx_stage1[0x1100];
extern const uint8_t tokd__rx_stage2[][256];

static inline uint8_t tokd__rx_class(uint32_t cp)
{
    return tokd__rx_stage2[tokd__rx_stage1[cp >> 8]][cp & 0xFF];
}

/* A property other than a general category: its name as Oniguruma
 * compares it (lower case, without ' ', '_', '-') and its code points,
 * tokd__rx_prop_ranges[first .. first + count). Sorted by name. */
typedef struct tokd__rx_prop {
    const char *name;
    uint32_t first, count;
} tokd__rx_prop;

extern const tokd__un_range tokd__rx_prop_ranges[];
extern const tokd__rx_prop tokd__rx_props[];
extern const size_t tokd__rx_n_props;

/* The reference's case folding under (?i): cp and another code point of
 * its orbit, one pair per ordered couple, sorted by cp then mate. */
typedef struct tokd__rx_fold {
    uint32_t cp, mate;
} tokd__rx_fold;

extern const tokd__rx_fold tokd__rx_folds[];
extern const size_t tokd__rx_n_folds;

/* The PCRE2 form of the Oniguruma pattern `pattern`, in *out (the caller
 * frees it). TOKD_EPATTERN (err says where) for Oniguruma syntax with no
 * PCRE2 form here (nested classes, && intersections), TOKD_ENOMEM. */
int tokd__rx_rewrite(const char *pattern, char **out, tokd_error *err);

#endif
