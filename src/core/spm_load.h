/* spm_load.h - loading a sentencepiece .model file (internal).
 *
 * The file is a protobuf ModelProto (src/core/sentencepiece.proto, parsed
 * by libprotobuf-c). Supported: model types UNIGRAM and BPE (WORD and CHAR
 * are refused by name), every piece type, the normalizer spec (precompiled
 * character map - nmt_nfkc, nfkc, a custom rule - or identity;
 * add_dummy_prefix, remove_extra_whitespaces, escape_whitespaces), the
 * trainer spec fields that change encoding (byte_fallback,
 * treat_whitespace_as_suffix, unk/bos/eos ids, unk_surface). A
 * denormalizer is refused. Encoding equals sentencepiece's EncodeAsIds,
 * decoding its DecodeIds; control pieces are special tokens (the call's
 * policy decides), and add_special_tokens puts bos before and eos after.
 *
 * Thread-safety: reentrant. */
#ifndef TOKD_SPM_LOAD_H
#define TOKD_SPM_LOAD_H

#include <stdint.h>

#include "tokd/tokenizer.h"

/* Load the .model at `path` as `name`. Malformed or truncated files are
 * TOKD_EFORMAT naming the file and the problem. */
int tokd__spm_load(const char *path, const char *name, tokd_tokenizer **out, tokd_error *err);

/* The same for the file's bytes data[0..len) (read from `path`). */
int tokd__spm_parse(const uint8_t *data, size_t len, const char *path, const char *name, tokd_tokenizer **out,
                    tokd_error *err);

#endif
