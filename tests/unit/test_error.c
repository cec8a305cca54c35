/* test_error.c - the one error list: every TOKD_E* code's symbolic name,
 * snake_case API name, HTTP status and message, exactly; and the server's
 * reply for a libtokd error (reply_tokd_error) carries that name and status,
 * so no library code reaches an HTTP client as "internal_error". */
#include <ctype.h>
#include <string.h>

#include "app.h"
#include "testutil.h"

static const struct {
    int code;
    const char *name, *api_name;
    int status;
    const char *msg;
} golden[] = {
    {TOKD_OK, "OK", "ok", 200, "success"},
    {TOKD_ENOMEM, "ENOMEM", "out_of_memory", 503, "out of memory"},
    {TOKD_EINVAL, "EINVAL", "invalid_value", 400, "invalid argument"},
    {TOKD_ENOENT, "ENOENT", "not_found", 404, "no such tokenizer, model or file"},
    {TOKD_EIO, "EIO", "io_error", 500, "input/output error"},
    {TOKD_EFORMAT, "EFORMAT", "invalid_format", 400, "malformed tokenizer file"},
    {TOKD_EHASH, "EHASH", "hash_mismatch", 500, "file does not match its published SHA-256"},
    {TOKD_ESPECIAL, "ESPECIAL", "disallowed_special_token", 400, "text contains a special token that is not allowed"},
    {TOKD_ERANGE, "ERANGE", "invalid_token_id", 400, "token id out of range"},
    {TOKD_EUTF8, "EUTF8", "invalid_utf8", 400, "bytes are not valid UTF-8"},
    {TOKD_EPATTERN, "EPATTERN", "invalid_pattern", 400, "invalid pre-tokenizer pattern"},
    {TOKD_EUNSUPPORTED, "EUNSUPPORTED", "unsupported", 400, "unsupported tokenizer feature"},
    {TOKD_ELIMIT, "ELIMIT", "too_large", 413, "input exceeds a configured limit"},
    {TOKD_ECANCELLED, "ECANCELLED", "cancelled", 409, "cancelled"},
    {TOKD_EEXIST, "EEXIST", "name_exists", 409, "the name is taken"},
    {TOKD_ERESERVED, "ERESERVED", "name_reserved", 409, "the name belongs to a built-in or configured tokenizer"},
    {TOKD_EBUSY, "EBUSY", "name_busy", 409, "a job for this name is queued or running"},
    {TOKD_EFULL, "EFULL", "queue_full", 429, "no room left; retry later"},
    {TOKD_EFINISHED, "EFINISHED", "job_finished", 409, "the job has already ended"},
};
#define N_GOLDEN (int)(sizeof golden / sizeof golden[0])

START_TEST(each_code)
{
    int code = golden[_i].code;
    ck_assert_int_eq(code, -_i); /* the codes are -1, -2, ... without gaps */
    ck_assert_str_eq(tokd_err_name(code), golden[_i].name);
    ck_assert_str_eq(tokd_err_api_name(code), golden[_i].api_name);
    ck_assert_int_eq(tokd_err_http_status(code), golden[_i].status);
    ck_assert_str_eq(tokd_strerror(code), golden[_i].msg);
}
END_TEST

/* The list is the whole list: the code after the last one is unknown. */
START_TEST(unknown_codes)
{
    static const int unknown[] = {-N_GOLDEN, -999, 1};
    for (size_t k = 0; k < sizeof unknown / sizeof unknown[0]; k++) {
        ck_assert_str_eq(tokd_err_name(unknown[k]), "EUNKNOWN");
        ck_assert_str_eq(tokd_err_api_name(unknown[k]), "internal_error");
        ck_assert_int_eq(tokd_err_http_status(unknown[k]), 500);
        ck_assert_str_eq(tokd_strerror(unknown[k]), "unknown error");
    }
}
END_TEST

START_TEST(api_names_are_distinct_snake_case)
{
    for (int i = 0; i < N_GOLDEN; i++) {
        const char *s = tokd_err_api_name(golden[i].code);
        for (const char *p = s; *p; p++)
            ck_assert_msg(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_', "'%s' is not snake_case", s);
        for (int k = 0; k < i; k++)
            ck_assert_str_ne(s, tokd_err_api_name(golden[k].code));
    }
}
END_TEST

static json_t *error_of(const reply *r)
{
    return json_object_get(r->body, "error");
}

/* Every library code answers with its own status and name; the detail
 * text wins over the default message when it belongs to the same code. */
START_TEST(server_reply)
{
    int code = golden[_i].code;
    reply r = {0};
    tokd_error err = {0};
    tokd_error_set(&err, code, "detail of %s", golden[_i].name);
    reply_tokd_error(&r, code, &err, "text");
    ck_assert_int_eq(r.status, golden[_i].status);
    ck_assert_str_eq(json_string_value(json_object_get(error_of(&r), "code")), golden[_i].api_name);
    ck_assert_str_eq(json_string_value(json_object_get(error_of(&r), "field")), "text");
    char want[256];
    snprintf(want, sizeof want, "detail of %s%s", golden[_i].name,
             code == TOKD_ESPECIAL ? "; list it in \"allowed_special\" (or \"all\") to encode it as its id, "
                                     "or send \"disallowed_special\": [] to encode it as plain text"
                                   : "");
    ck_assert_str_eq(json_string_value(json_object_get(error_of(&r), "message")), want);
    reply_release(&r);
}
END_TEST

/* The six codes that used to answer "internal_error", with the default
 * message when the detail is missing or of another code. */
START_TEST(library_codes_by_name)
{
    static const struct {
        int code, status;
        const char *api_name;
    } six[] = {{TOKD_EFORMAT, 400, "invalid_format"}, {TOKD_EPATTERN, 400, "invalid_pattern"},
               {TOKD_EUNSUPPORTED, 400, "unsupported"}, {TOKD_EHASH, 500, "hash_mismatch"},
               {TOKD_EIO, 500, "io_error"},             {TOKD_ECANCELLED, 409, "cancelled"}};
    for (size_t k = 0; k < sizeof six / sizeof six[0]; k++) {
        reply r = {0};
        tokd_error other = {.code = TOKD_EINVAL, .text = "not this one"};
        reply_tokd_error(&r, six[k].code, k % 2 ? &other : NULL, NULL);
        ck_assert_int_eq(r.status, six[k].status);
        ck_assert_str_eq(json_string_value(json_object_get(error_of(&r), "code")), six[k].api_name);
        ck_assert_str_eq(json_string_value(json_object_get(error_of(&r), "message")), tokd_strerror(six[k].code));
        ck_assert_ptr_null(json_object_get(error_of(&r), "field"));
        reply_release(&r);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("error");
    TCase *tc = tcase_create("error");
    tcase_add_loop_test(tc, each_code, 0, N_GOLDEN);
    tcase_add_test(tc, unknown_codes);
    tcase_add_test(tc, api_names_are_distinct_snake_case);
    tcase_add_loop_test(tc, server_reply, 1, N_GOLDEN); /* every code but TOKD_OK */
    tcase_add_test(tc, library_codes_by_name);
    suite_add_tcase(s, tc);
    return test_run(s);
}
