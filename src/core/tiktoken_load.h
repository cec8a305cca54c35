/* tiktoken_load.h - tiktoken-style tokenizers: OpenAI's encodings,
 * .tiktoken rank files, GPT-2's files and what tokd train writes
 * (internal).
 *
 * All are one configuration of the pipeline: a regex pre-tokenizer (the
 * built-in scanner for OpenAI's patterns), a rank-BPE model and special
 * tokens; no normalizer, no decoder.
 *
 * Thread-safety: reentrant. */
#ifndef TOKD_TIKTOKEN_LOAD_H
#define TOKD_TIKTOKEN_LOAD_H

#include "registry.h"
#include "token_set.h"
#include "tokd/tokenizer.h"
#include "vocab.h"

/* Build the tokenizer; takes over one reference to `vocab` (released on
 * failure too) and copies the n special tokens (the caller keeps them). Refuses
 * special ids that are vocabulary tokens and vocabularies without a token
 * for every byte. */
int tokd__tiktoken_new(const char *name, tokd__vocab *vocab, const char *pattern,
                       const tokd__added_token *specials,
                       size_t n, tokd_tokenizer **out, tokd_error *err);

/* Built-in encoding `b` called `name`, its ranks file in `data_dir` (NULL:
 * the default), verified by its SHA-256; `shared` (NULL, or one reference
 * taken over) is a vocabulary already parsed from that file. */
int tokd__tiktoken_builtin(const tokd__builtin *b, const char *name, const char *data_dir, tokd__vocab *shared,
                           tokd_tokenizer **out, tokd_error *err);

/* A NAME.tiktoken file: pattern and special tokens from NAME.json beside
 * it, or from the built-in encoding with its SHA-256. */
int tokd__tiktoken_load_file(const char *path, tokd_tokenizer **out, tokd_error *err);

#endif
