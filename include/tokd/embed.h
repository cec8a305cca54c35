/* tokd/embed.h - embedding tables read from safetensors files.
 *
 * A table is a token embedding matrix (rows x dim: row i is token i's
 * vector) and optionally a learned position matrix (context x dim), as in
 * GPT-style checkpoints (`transformer.wte.weight`, `transformer.wpe.weight`).
 * The file is memory-mapped, never copied; its header is validated in full
 * (dtypes, shapes, offsets inside the file, no overlaps) before any use.
 * F32, F16 and BF16 tensors are converted exactly to float (subnormals,
 * infinities and NaN included).
 *
 * Ownership: a tokd_embedding owns its mapping; tokd_embedding_free unmaps.
 * Thread-safety: immutable after opening; any thread may read it. */
#ifndef TOKD_EMBED_H
#define TOKD_EMBED_H

#include <stddef.h>
#include <stdint.h>

#include "tokd/error.h"
#include "tokd/export.h"

TOKD_BEGIN_DECLS

typedef struct tokd_embedding tokd_embedding;

/* Open `tensor` (and `positional`, NULL for none) of the safetensors file at
 * `path`. Both must be 2-D F32/F16/BF16 with the same dim. With
 * `expect_sha256` (hex) the whole file must have that hash (TOKD_EHASH).
 * TOKD_EFORMAT names the problem of a malformed file; TOKD_ENOENT a
 * missing file or tensor. */
int tokd_embedding_open(const char *path, const char *tensor, const char *positional, const char *expect_sha256,
                        tokd_embedding **out, tokd_error *err);
void tokd_embedding_free(tokd_embedding *e);

size_t tokd_embedding_rows(const tokd_embedding *e);
size_t tokd_embedding_dim(const tokd_embedding *e);
/* Rows of the position table (the context length), 0 without one. */
size_t tokd_embedding_context(const tokd_embedding *e);
/* "F32", "F16" or "BF16" (of the token table). */
const char *tokd_embedding_dtype(const tokd_embedding *e);

/* Token row `id` into out[0..dim); with pos >= 0 the position row `pos` is
 * added. TOKD_ERANGE for an id or position past the table. */
int tokd_embedding_lookup(const tokd_embedding *e, uint32_t id, long pos, float *out);

/* One neighbour of a similarity search. */
typedef struct tokd_neighbor {
    uint32_t id;
    float score;
} tokd_neighbor;

/* The k rows among [0, rows) most similar by cosine to `query` (dim
 * floats), best first (ties: smaller id), skipping `exclude`, rows for
 * which skip(arg, id) is true (skip may be NULL) and rows whose score is
 * NaN (infinite values). A zero row scores 0. Fills out[0..*n). */
int tokd_embedding_similar(const tokd_embedding *e, const float *query, size_t rows, size_t k, uint32_t exclude,
                           int (*skip)(void *arg, uint32_t id), void *arg, tokd_neighbor *out, size_t *n);

/* Write a new safetensors file with a token table (rows x dim) named
 * "wte.weight" and, if context > 0, a position table "wpe.weight", both
 * drawn from the standard normal distribution as torch.nn.Embedding
 * initialises them, reproducibly from `seed` (xoshiro256** and the polar
 * method: the same distribution as torch, not the same numbers). `dtype` is
 * "F32", "F16" or "BF16". The file is written to a temporary name, fsynced
 * and renamed. `tokenizer` is recorded in the header's __metadata__. */
int tokd_embedding_init_file(const char *path, const char *tokenizer, size_t rows, size_t dim, size_t context,
                             uint64_t seed, const char *dtype, tokd_error *err);

/* float from an IEEE half / bfloat16 bit pattern, exactly. */
float tokd_f16_to_float(uint16_t h);
float tokd_bf16_to_float(uint16_t b);

TOKD_END_DECLS

#endif
