/* tiktoken_file.h - reading files and parsing OpenAI's .tiktoken format.
 *
 * A .tiktoken file has one line per token: base64 of the token's bytes, a
 * space, its rank in decimal. Empty lines are ignored (as tiktoken does).
 *
 * Thread-safety: reentrant. */
#ifndef TOKD_TIKTOKEN_FILE_H
#define TOKD_TIKTOKEN_FILE_H

#include "tokd/error.h"
#include "vocab.h"

/* Read all of `path` into a new buffer (*buf, caller frees; NUL-terminated).
 * TOKD_ENOENT / TOKD_EIO with the path and the system's reason. Files over
 * `max` bytes are refused with TOKD_ELIMIT. */
int tokd__read_file(const char *path, size_t max, char **buf, size_t *len, tokd_error *err);

/* Parse .tiktoken text into a new vocabulary (*out, one reference) of a
 * file with hex SHA-256 `sha256`. Errors are TOKD_EFORMAT with err->line
 * set and a message naming `path` and what is wrong on that line. */
int tokd__tiktoken_parse(const char *text, size_t len, const char *path, const char *sha256, tokd__vocab **out,
                         tokd_error *err);

#endif
