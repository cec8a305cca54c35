/* error.c - names, messages and HTTP statuses of the TOKD_E* codes.
 *
 * One table generated from TOKD_ERROR_LIST in tokd/error.h (TOKD_OK first);
 * every lookup is a scan of it, and a code not in it answers as `unknown`. */
#include <stdarg.h>
#include <stdio.h>

#include "tokd/error.h"

struct error_row {
    int code;
    int status;
    const char *name;
    const char *api_name;
    const char *msg;
};

#define ERROR_ROW(name, value, status, api, msg) {value, status, #name, api, msg},
static const struct error_row rows[] = {
    {TOKD_OK, 200, "OK", "ok", "success"},
    TOKD_ERROR_LIST(ERROR_ROW)
};
#undef ERROR_ROW

static const struct error_row unknown = {0, 500, "EUNKNOWN", "internal_error", "unknown error"};

static const struct error_row *row(int code)
{
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (rows[i].code == code)
            return &rows[i];
    return &unknown;
}

const char *tokd_err_name(int code)
{
    return row(code)->name;
}

const char *tokd_err_api_name(int code)
{
    return row(code)->api_name;
}

const char *tokd_strerror(int code)
{
    return row(code)->msg;
}

int tokd_err_http_status(int code)
{
    return row(code)->status;
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
