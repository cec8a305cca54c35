/* json_error.h - parsing a JSON file for a loader, with jansson's failures
 * as libtokd errors (internal).
 *
 * Thread-safety: reentrant. */
#ifndef TOKD_JSON_ERROR_H
#define TOKD_JSON_ERROR_H

#include <jansson.h>

#include "json_arena.h"
#include "tokd/error.h"

/* A parsed document: its values live in `arena` (json_arena.h) when there
 * is one, so they are read, never changed or json_decref'd, and released
 * only with the document, on the thread that parsed it. */
typedef struct tokd__json_doc {
    json_t *root;
    tokd__json_arena *arena;
} tokd__json_doc;

/* Parse `len` bytes of `text`, or the file at `path` when `text` is NULL
 * (`path` names the file in messages either way), with jansson `flags`.
 * 0 with *doc set (release it with tokd__json_doc_release, also after an
 * error), or TOKD_EFORMAT naming the line, or TOKD_ENOMEM: a file is not
 * malformed because an allocation failed. */
int tokd__json_parse(const char *path, const char *text, size_t len, size_t flags, tokd__json_doc *doc,
                     tokd_error *err);
void tokd__json_doc_release(tokd__json_doc *doc);

#endif
