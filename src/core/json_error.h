/* json_error.h - a jansson load failure as a libtokd error (internal).
 *
 * Thread-safety: pure function of its arguments. */
#ifndef TOKD_JSON_ERROR_H
#define TOKD_JSON_ERROR_H

#include <jansson.h>

#include "tokd/error.h"

/* Fill `err` for a json_load_* that failed on `path` and return the code:
 * TOKD_ENOMEM when jansson ran out of memory (a file is not malformed
 * because an allocation failed), TOKD_EFORMAT with the line and jansson's
 * text otherwise. */
int tokd__json_error(tokd_error *err, const char *path, const json_error_t *je);

#endif
