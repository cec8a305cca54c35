/* tokd/train.h - training a byte-level BPE tokenizer on a corpus.
 *
 * The algorithm is the one GPT-2's tokenizer was made with: split the
 * corpus into pieces with a pre-tokenizer regex, start from the 256 single
 * bytes, and repeatedly merge the most frequent adjacent pair of tokens
 * (never across pieces) into a new token, until the vocabulary has
 * vocab_size tokens counting the special tokens appended after the merges.
 *
 * Ties: of equally frequent pairs the one with the smaller left token id
 * wins, then the smaller right id (ids are ranks: bytes are 0-255 in byte
 * order, merged tokens 256, 257, ... in the order they were made). When a
 * merge makes bytes that are already a token (abc from ab+c after a+bc),
 * the existing token is reused and the vocabulary does not grow.
 *
 * Text that is not valid UTF-8 is trained on as the encoder would see it:
 * each invalid sequence replaced by U+FFFD. The result is a function of the
 * texts and the options only (not of threads or timing), and written as a
 * tiktoken rank file any tokd loads.
 *
 * Ownership: a tokd_trained belongs to the caller (tokd_trained_free);
 * options and texts are borrowed for the duration of the call.
 * Thread-safety: tokd_train uses its own threads; `progress` may be read
 * and `progress->cancel` set from any thread while it runs. */
#ifndef TOKD_TRAIN_H
#define TOKD_TRAIN_H

#include <stddef.h>
#include <stdint.h>

/* The progress counters are C11 atomics; C++ sees them as std::atomic of
 * the same type, which has the same size and representation (C++23's
 * <stdatomic.h> makes the same equation). */
#ifdef __cplusplus
#include <atomic>
typedef std::atomic<int> tokd_atomic_int;
typedef std::atomic<size_t> tokd_atomic_size;
#else
#include <stdatomic.h>
typedef atomic_int tokd_atomic_int;
typedef atomic_size_t tokd_atomic_size;
#endif

#include "tokd/error.h"
#include "tokd/export.h"

TOKD_BEGIN_DECLS

#define TOKD_TRAIN_MIN_VOCAB 257u
#define TOKD_TRAIN_MAX_VOCAB 1000000u

typedef struct tokd_train_options {
    uint32_t vocab_size;      /* tokens in all: 256 bytes + merges + specials */
    const char *pattern;      /* pre-tokenizer regex (tokd_train_pattern) */
    uint64_t min_frequency;   /* stop when the best pair is rarer (default 2) */
    const char *const *special_tokens; /* appended after the merged tokens */
    size_t n_special_tokens;
    uint32_t max_token_bytes; /* never make a longer token; 0 = no limit */
    unsigned threads;         /* pre-tokenizing threads; 0 = CPU cores */
    size_t chunk_bytes;       /* work unit of a thread; 0 = automatic */
    uint64_t min_piece_count; /* leave out pieces counted fewer times before merging; 0, 1 = keep all */
} tokd_train_options;

/* One text of the corpus; pieces never cross texts. */
typedef struct tokd_train_text {
    const char *data;
    size_t len;
} tokd_train_text;

enum tokd_train_phase { TOKD_TRAIN_COUNTING = 1, TOKD_TRAIN_MERGING, TOKD_TRAIN_DONE };

/* Progress, written by the trainer with relaxed atomics. */
typedef struct tokd_train_progress {
    tokd_atomic_int phase;
    tokd_atomic_size bytes_done, bytes_total; /* counting */
    tokd_atomic_size merges_done, merges_total; /* merging */
    tokd_atomic_int cancel; /* set to 1 to stop: tokd_train returns TOKD_ECANCELLED */
    /* Optional: called every millisecond or so of work, from the training
     * threads; it may sleep to leave the CPU to other work (tokd serve
     * does while requests are in flight). */
    void (*pace)(void *arg);
    void *pace_arg;
} tokd_train_progress;

typedef struct tokd_trained tokd_trained;

/* The regex of a pattern name (gpt2, r50k_base, p50k_base, cl100k_base,
 * o200k_base), or NULL if `name` is not one. Static storage. */
const char *tokd_train_pattern(const char *name);

/* Check options without training: vocab_size range, special tokens
 * (non-empty, distinct), and that the pattern compiles (TOKD_EPATTERN with
 * err->position at the offending offset, 1-based). */
int tokd_train_check(const tokd_train_options *o, tokd_error *err);

/* Train on texts[0..n). `progress` may be NULL. On success *out is new. */
int tokd_train(const tokd_train_options *o, const tokd_train_text *texts, size_t n, tokd_train_progress *progress,
               tokd_trained **out, tokd_error *err);

void tokd_trained_free(tokd_trained *t);

/* Facts about a result. */
typedef struct tokd_train_stats {
    uint64_t corpus_bytes;   /* after U+FFFD replacement */
    uint64_t pieces;         /* pre-tokenized pieces */
    uint64_t unique_pieces;
    uint64_t tokens;         /* the corpus's tokens under the learned merges */
    uint32_t merges;         /* merges performed */
    uint32_t n_vocab;        /* tokens incl. specials */
    char corpus_sha256[65];  /* of the texts concatenated as given */
} tokd_train_stats;

void tokd_trained_stats(const tokd_trained *t, tokd_train_stats *s);

/* The i-th merge (i < stats.merges): left + right made token `id`. */
void tokd_trained_merge(const tokd_trained *t, uint32_t i, uint32_t *left, uint32_t *right, uint32_t *id);

/* Write DIR/NAME.tiktoken and DIR/NAME.json (pattern, special tokens,
 * n_vocab, options, corpus size and SHA-256s), each through a temporary
 * file that is fsynced and renamed; DIR must exist. tokd_tokenizer_load
 * then loads DIR (or DIR/NAME.tiktoken) as NAME. `pattern_name` is
 * recorded as given ("custom" when the pattern was not named). Also
 * DIR/NAME.tokenizer.json: the same tokenizer for Hugging Face tokenizers
 * and the tools built on it (ByteLevel BPE, the pattern as a Split regex,
 * the special tokens as added tokens), encoding exactly as the rank file
 * does; rename it tokenizer.json where a tool expects that name. */
int tokd_trained_write(const tokd_trained *t, const char *dir, const char *name, const char *pattern_name,
                       tokd_error *err);

TOKD_END_DECLS

#endif
