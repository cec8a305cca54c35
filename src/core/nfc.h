/* nfc.h - Unicode Normalization Form C, for tokenizer.json's NFC normalizer.
 *
 * Thread-safety: pure functions over constant tables. */
#ifndef TOKD_NFC_H
#define TOKD_NFC_H

#include <stddef.h>
#include <stdint.h>

#include "tokd/tokenizer.h"

typedef struct tokd__nfc_decomp {
    uint32_t cp;
    uint32_t offset, len; /* into tokd__nfc_pool */
} tokd__nfc_decomp;

typedef struct tokd__nfc_class {
    uint32_t cp;
    uint8_t ccc;
} tokd__nfc_class;

typedef struct tokd__nfc_comp {
    uint64_t pair; /* first << 21 | second */
    uint32_t cp;
} tokd__nfc_comp;

extern const uint32_t tokd__nfc_pool[];
extern const tokd__nfc_decomp tokd__nfc_decomps[];
extern const size_t tokd__nfc_n_decomps;
extern const tokd__nfc_class tokd__nfc_classes[];
extern const size_t tokd__nfc_n_classes;
extern const tokd__nfc_comp tokd__nfc_comps[];
extern const size_t tokd__nfc_n_comps;

/* Append the NFC form of the valid UTF-8 s[0..n) to out. */
int tokd__nfc(const uint8_t *s, size_t n, tokd_bytes *out);

#endif
