/* gpt2_files.h - OpenAI's original GPT-2 files: encoder.json + vocab.bpe.
 *
 * Thread-safety: reentrant. */
#ifndef TOKD_GPT2_FILES_H
#define TOKD_GPT2_FILES_H

#include "tokd/tokenizer.h"

/* Load encoder.json and the vocab.bpe beside it as a tokenizer called
 * `name`, with GPT-2's pattern and <|endoftext|>. */
int tokd__load_gpt2_files(const char *encoder_path, const char *vocab_path, const char *name,
                          tokd_tokenizer **out, tokd_error *err);

#endif
