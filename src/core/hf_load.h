/* hf_load.h - loading a Hugging Face tokenizer.json (internal).
 *
 * Supported: a BPE model (merge list; byte-level or character vocabulary,
 * byte_fallback, unk, fuse_unk, ignore_merges), normalizers Prepend,
 * Replace (String) and NFC, pre-tokenizers Split (Regex, every behaviour
 * but invert), ByteLevel, Digits and Metaspace, the TemplateProcessing and
 * ByteLevel post-processors, decoders ByteLevel, Replace, ByteFallback,
 * Fuse, Strip and Metaspace, and added tokens with their options.
 *
 * Thread-safety: reentrant. */
#ifndef TOKD_HF_LOAD_H
#define TOKD_HF_LOAD_H

#include "tokd/tokenizer.h"

/* Load the tokenizer.json at `path` as `name`; when `expect_sha256` is set
 * the file must have that SHA-256. */
int tokd__hf_load(const char *path, const char *name, const char *expect_sha256, tokd_tokenizer **out,
                  tokd_error *err);

#endif
