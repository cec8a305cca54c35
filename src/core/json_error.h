/* json_error.h - parsing a JSON file for a loader, with jansson's failures
 * as libtokd errors (internal).
 *
 * Thread-safety: reentrant. */
#ifndef TOKD_JSON_ERROR_H
#define TOKD_JSON_ERROR_H

#include <jansson.h>

#include "tokd/error.h"

/* Parse `len` bytes of `text`, or the file at `path` when `text` is NULL
 * (`path` names the file in messages either way), with jansson `flags`.
 * 0 with *out a new reference, or TOKD_EFORMAT naming the line, or
 * TOKD_ENOMEM: a file is not malformed because an allocation failed. */
int tokd__json_parse(const char *path, const char *text, size_t len, size_t flags, json_t **out,
                     tokd_error *err);

#endif
