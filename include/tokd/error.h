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

/* X(NAME, value, http_status, "snake_case_name", default message)
 *
 * The snake_case name is the stable `error.code` of the HTTP API; the codes
 * from EEXIST on are the training jobs' and the tokenizer catalog's. */
#define TOKD_ERROR_LIST(X)                                                                                  \
    X(ENOMEM, -1, 503, "out_of_memory", "out of memory")                                                    \
    X(EINVAL, -2, 400, "invalid_value", "invalid argument")                                                 \
    X(ENOENT, -3, 404, "not_found", "no such tokenizer, model or file")                                     \
    X(EIO, -4, 500, "io_error", "input/output error")                                                       \
    X(EFORMAT, -5, 400, "invalid_format", "malformed tokenizer file")                                       \
    X(EHASH, -6, 500, "hash_mismatch", "file does not match its published SHA-256")                         \
    X(ESPECIAL, -7, 400, "disallowed_special_token", "text contains a special token that is not allowed")   \
    X(ERANGE, -8, 400, "invalid_token_id", "token id out of range")                                         \
    X(EUTF8, -9, 400, "invalid_utf8", "bytes are not valid UTF-8")                                          \
    X(EPATTERN, -10, 400, "invalid_pattern", "invalid pre-tokenizer pattern")                               \
    X(EUNSUPPORTED, -11, 400, "unsupported", "unsupported tokenizer feature")                               \
    X(ELIMIT, -12, 413, "too_large", "input exceeds a configured limit")                                    \
    X(ECANCELLED, -13, 409, "cancelled", "cancelled")                                                       \
    X(EEXIST, -14, 409, "name_exists", "the name is taken")                                                 \
    X(ERESERVED, -15, 409, "name_reserved", "the name belongs to a built-in or configured tokenizer")        \
    X(EBUSY, -16, 409, "name_busy", "a job for this name is queued or running")                             \
    X(EFULL, -17, 429, "queue_full", "no room left; retry later")                                           \
    X(EFINISHED, -18, 409, "job_finished", "the job has already ended")

enum tokd_errno {
    TOKD_OK = 0,
#define TOKD__ERRNO_ENUM(name, value, status, api, msg) TOKD_##name = value,
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

/* Symbolic name of an error code: "ENOMEM", "ESPECIAL", ...; "OK" for 0.
 * Unknown codes give "EUNKNOWN". */
const char *tokd_err_name(int code);

/* Stable snake_case name of an error code, the `error.code` an HTTP API
 * answers with: "out_of_memory", "disallowed_special_token", ...; "ok" for 0.
 * Unknown codes give "internal_error". */
const char *tokd_err_api_name(int code);

/* Default one-line message of an error code. */
const char *tokd_strerror(int code);

/* HTTP status that a server should answer an error code with (200 for 0,
 * 500 for unknown codes). */
int tokd_err_http_status(int code);

/* Fill `err` (if not NULL) with `code` and a printf-style message.
 * Returns `code`, so callers can write `return tokd_error_set(err, ...)`. */
int tokd_error_set(tokd_error *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif
