/* floatfmt.h - float32 values as JSON text.
 *
 * Thread-safety: any thread. */
#ifndef TOKD_SERVER_FLOATFMT_H
#define TOKD_SERVER_FLOATFMT_H

#include <stddef.h>

#define FLOATFMT_MAX 24 /* longest output, without a NUL */

/* Write f to out (at least FLOATFMT_MAX bytes; no NUL) and return the
 * length: a JSON number with at most 9 significant digits that reads back
 * as exactly f (-0.0 and 0.0 included), or for values JSON cannot hold the
 * strings "Infinity", "-Infinity", "NaN" (with their quotes). */
size_t floatfmt(char *out, float f);

#endif
