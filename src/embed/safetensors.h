/* safetensors.h - the safetensors header: parsed and validated (internal).
 *
 * Format: an 8-byte little-endian header length N, N bytes of JSON
 * {"NAME": {"dtype", "shape", "data_offsets": [begin, end]}, ...,
 * "__metadata__": {string: string}}, then the data; offsets are relative to
 * the data's start. Validation: the header fits in the file, every tensor
 * has a known dtype, a shape whose size matches its offsets, offsets inside
 * the data, and no two tensors overlap.
 *
 * Ownership: a tokd__safetensors owns its tensor list and names.
 * Thread-safety: immutable after parsing. */
#ifndef TOKD_SAFETENSORS_H
#define TOKD_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "tokd/error.h"

#define TOKD__ST_MAX_DIMS 8

typedef struct tokd__st_tensor {
    char *name;
    const char *dtype; /* static: "F32", "BF16", ... */
    size_t elem_size;
    size_t ndim;
    uint64_t shape[TOKD__ST_MAX_DIMS];
    uint64_t begin, end; /* within the data */
} tokd__st_tensor;

typedef struct tokd__safetensors {
    tokd__st_tensor *t;
    size_t n;
    uint64_t data_start; /* 8 + header length */
} tokd__safetensors;

/* Parse the first `len` bytes of a file. TOKD_EFORMAT with err->text
 * saying what is wrong (without the file name). */
int tokd__safetensors_parse(const uint8_t *buf, size_t len, tokd__safetensors *out, tokd_error *err);
void tokd__safetensors_release(tokd__safetensors *st);
const tokd__st_tensor *tokd__safetensors_find(const tokd__safetensors *st, const char *name);

#endif
