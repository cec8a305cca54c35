/* grapheme.h - extended grapheme clusters (UAX #29) for the Precompiled
 * normalizer (internal).
 *
 * Hugging Face applies sentencepiece's character map one grapheme cluster
 * at a time, so tokd must cut text where the unicode-segmentation crate
 * does. The property data (grapheme_tables.c) is generated from a named
 * Unicode version by tests/gen/gen_grapheme_tables.pl; the rules are
 * UAX #29's of that version (GB3-GB13, GB999).
 *
 * Thread-safety: pure functions over constant tables. */
#ifndef TOKD_GRAPHEME_H
#define TOKD_GRAPHEME_H

#include <stddef.h>
#include <stdint.h>

enum tokd__gcb {
    TOKD__GCB_OTHER, TOKD__GCB_CR, TOKD__GCB_LF, TOKD__GCB_CONTROL, TOKD__GCB_EXTEND, TOKD__GCB_ZWJ,
    TOKD__GCB_RI, TOKD__GCB_PREPEND, TOKD__GCB_SPACINGMARK, TOKD__GCB_L, TOKD__GCB_V, TOKD__GCB_T,
    TOKD__GCB_LV, TOKD__GCB_LVT
};

typedef struct tokd__gcb_range {
    uint32_t lo, hi;
    uint8_t cls;
} tokd__gcb_range;

extern const tokd__gcb_range tokd__gcb_ranges[];
extern const size_t tokd__gcb_n_ranges;
extern const tokd__gcb_range tokd__pictographic_ranges[]; /* cls unused */
extern const size_t tokd__pictographic_n_ranges;

/* The length in bytes of the grapheme cluster starting at s[i] (valid
 * UTF-8 s[0..n), i < n). */
size_t tokd__grapheme_len(const uint8_t *s, size_t n, size_t i);

#endif
