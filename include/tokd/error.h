/* tokd/error.h - error codes of libtokd.
 *
 * Every fallible libtokd function returns an int: 0 on success or one of the
 * negative TOKD_E* codes below. The codes, their stable names, default
 * messages and the HTTP status a server should answer with all come from the
 * single list TOKD_ERROR_LIST, so they can never drift apart.
 *
 * Functions that can say more (which file, which line, which token) also fill
 * an optional struct tokd_error; pass NULL when the detail is not wanted.
 *
 * Thread-safety: everything here is safe to call from any thread.
 */
#ifndef TOKD_ERROR_H
#define TOKD_ERROR_H

#include <stddef.h>

/* X(NAME, value, http_status, default message) */
#define TOKD_ERROR_LIST(X)                                                              \
    X(ENOMEM, -1, 503, "out of memory")                                                 \
    X(EINVAL, -2, 400, "invalid argument")                                              \
    X(ENOENT, -3, 404, "no such tokenizer, model or file")                              \
    X(EIO, -4, 500, "input/output error")                                               \
    X(EFORMAT, -5, 400, "malformed tokenizer file")                                     \
    X(EHASH, -6, 500, "file does not match its published SHA-256")                     \
    X(ESPECIAL, -7, 400, "text contains a special token that is not allowed")          \
    X(ERANGE, -8, 400, "token id out of range")                                         \
    X(EUTF8, -9, 400, "bytes are not valid UTF-8")                                      \
    X(EPATTERN, -10, 400, "invalid pre-tokenizer pattern")                              \
    X(EUNSUPPORTED, -11, 400, "unsupported tokenizer feature")                          \
    X(ELIMIT, -12, 413, "input exceeds a configured limit")                            \
    X(ECANCELLED, -13, 409, "cancelled")

enum tokd_errno {
    TOKD_OK = 0,
#define TOKD__ERRNO_ENUM(name, value, status, msg) TOKD_##name = value,
    TOKD_ERROR_LIST(TOKD__ERRNO_ENUM)
#undef TOKD__ERRNO_ENUM
};

/* Detail of a failure. `text` is a full sentence naming what was wrong and,
 * where possible, how to fix it. `line` and `position` are 1-based and 0 when
 * they do not apply (position is a byte offset into the file or input). */
typedef struct tokd_error {
    int code;
    size_t line;
    size_t position;
    char text[320];
} tokd_error;

/* Stable snake_case name of an error code ("enomem" style without the E is
 * not used: the name is "ENOMEM"). Unknown codes give "EUNKNOWN". */
const char *tokd_err_name(int code);

/* Default one-line message of an error code. */
const char *tokd_strerror(int code);

/* HTTP status that a server should answer an error code with. */
int tokd_err_http_status(int code);

/* Fill `err` (if not NULL) with `code` and a printf-style message.
 * Returns `code`, so callers can write `return tokd_error_set(err, ...)`. */
int tokd_error_set(tokd_error *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif
