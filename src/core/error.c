/* error.c - names, messages and HTTP statuses of the TOKD_E* codes.
 *
 * Everything is generated from TOKD_ERROR_LIST in tokd/error.h. */
#include <stdarg.h>
#include <stdio.h>

#include "tokd/error.h"

const char *tokd_err_name(int code)
{
    switch (code) {
    case TOKD_OK:
        return "OK";
#define NAME_CASE(name, value, status, msg) \
    case value:                             \
        return #name;
        TOKD_ERROR_LIST(NAME_CASE)
#undef NAME_CASE
    }
    return "EUNKNOWN";
}

const char *tokd_strerror(int code)
{
    switch (code) {
    case TOKD_OK:
        return "success";
#define MSG_CASE(name, value, status, msg) \
    case value:                            \
        return msg;
        TOKD_ERROR_LIST(MSG_CASE)
#undef MSG_CASE
    }
    return "unknown error";
}

int tokd_err_http_status(int code)
{
    switch (code) {
    case TOKD_OK:
        return 200;
#define STATUS_CASE(name, value, status, msg) \
    case value:                               \
        return status;
        TOKD_ERROR_LIST(STATUS_CASE)
#undef STATUS_CASE
    }
    return 500;
}

int tokd_error_set(tokd_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        err->line = 0;
        err->position = 0;
        vsnprintf(err->text, sizeof err->text, fmt, ap);
        va_end(ap);
    }
    return code;
}
