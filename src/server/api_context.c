/* api_context.c - POST /v1/context/check: does a prompt fit a model's
 * context window once the output is reserved, and if not, the longest
 * truncation of it that does.
 *
 * Text is counted as ordinary text (special-token text is plain text, as
 * the APIs that receive it treat it); messages with the chat rules.
 * Truncation keeps whole tokens of the original encoding and never splits
 * a UTF-8 character; since re-encoding a cut text can merge differently,
 * the result is counted again and cut by the excess until it fits.
 * Messages are trimmed by dropping the oldest turns (chat_trim.c). With a
 * "limit" the count stops once past it (counter.c); "fits" is then null
 * when the count so far is still within the budget. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "chat.h"
#include "chat_template.h"
#include "counter.h"

static const tokd_specials ordinary = {.disallowed_mode = TOKD_DISALLOW_NONE};

enum cut { CUT_NONE, CUT_END, CUT_START, CUT_MIDDLE };

/* Length of s[0..n) without a trailing incomplete UTF-8 sequence. */
static size_t complete_prefix(const char *s, size_t n)
{
    size_t i = n, back = 0;
    while (i > 0 && back < 3 && ((unsigned char)s[i - 1] & 0xC0) == 0x80) {
        i--;
        back++;
    }
    if (i == 0)
        return 0;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t want = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    return n - (i - 1) >= want ? n : i - 1;
}

/* Offset of the first character start in s[0..n). */
static size_t first_char(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && i < 3 && ((unsigned char)s[i] & 0xC0) == 0x80)
        i++;
    return i;
}

/* The bytes of ids[from..to) appended to out, trimmed to whole characters
 * at the ends named by trim_head / trim_tail. */
static int append_span(const tokd_tokenizer *tok, const tokd_ids *ids, size_t from, size_t to, int trim_head,
                       int trim_tail, tokd_bytes *out)
{
    tokd_bytes b = {0};
    int rc = tokd_decode_bytes(tok, ids->ids + from, to - from, &b, NULL);
    const char *s = b.data ? b.data : "";
    size_t start = trim_head ? first_char(s, b.len) : 0;
    size_t end = trim_tail ? complete_prefix(s, b.len) : b.len;
    if (rc == 0 && end > start)
        rc = tokd_bytes_append(out, s + start, end - start);
    tokd_bytes_release(&b);
    return rc;
}

/* Keep `keep` tokens of `ids` by strategy `cut` into out. */
static int cut_text(const tokd_tokenizer *tok, const tokd_ids *ids, size_t keep, enum cut cut, tokd_bytes *out)
{
    out->len = 0;
    if (cut == CUT_END)
        return append_span(tok, ids, 0, keep, 0, 1, out);
    if (cut == CUT_START)
        return append_span(tok, ids, ids->len - keep, ids->len, 1, 0, out);
    size_t head = (keep + 1) / 2, tail = keep - head;
    int rc = append_span(tok, ids, 0, head, 0, 1, out);
    return rc ? rc : append_span(tok, ids, ids->len - tail, ids->len, 1, 0, out);
}

/* Cut the text to `budget` tokens. Each pass re-counts the cut text, so
 * the work (text bytes over all passes) is bounded by `max_work` bytes
 * (max_work_bytes) and the request's budget. 0, or -1 with `r` filled. */
static int truncate_text(const tokd_tokenizer *tok, json_t *text, long budget, enum cut cut, long max_work,
                         json_t **result, size_t *result_tokens, reply *r)
{
    tokd_ids ids = {0};
    tokd_bytes out = {0};
    tokd_error err = {0};
    tokd_limits lim = req_limits(r, 0);
    unsigned long long work = json_string_length(text);
    int rc = tokd_encode_bounded(tok, json_string_value(text), json_string_length(text), &ordinary, &lim, &ids, &err);
    size_t keep = budget > 0 ? (size_t)budget : 0, n = 0;
    if (keep > ids.len)
        keep = ids.len;
    while (rc == 0) {
        if ((rc = cut_text(tok, &ids, keep, cut, &out)) != 0)
            break;
        if ((work += out.len) > (unsigned long long)max_work) {
            reply_over_limit(r, "too_much_work", "truncate", "bytes of text to tokenize while truncating", work,
                             max_work, "max_work_bytes", "send a shorter text");
            rc = TOKD_ELIMIT;
            break;
        }
        rc = tokd_count_bounded(tok, out.data ? out.data : "", out.len, &ordinary, &lim, &n, &err);
        if (rc != 0 || (long)n <= budget || keep == 0)
            break;
        size_t over = n - (size_t)(budget > 0 ? budget : 0); /* re-encoding merged differently */
        keep = keep > over ? keep - over : 0;
    }
    if (rc == 0) {
        *result = json_stringn(out.data ? out.data : "", out.len);
        *result_tokens = n;
    } else if (!r->body) {
        reply_bounded_error(r, rc, &err, "text", 0, NULL);
    }
    tokd_ids_release(&ids);
    tokd_bytes_release(&out);
    return rc ? -1 : 0;
}

static int parse_cut(json_t *v, enum cut *cut, reply *r)
{
    static const char *const names[] = {"none", "end", "start", "middle"};
    *cut = CUT_NONE;
    if (!v)
        return 0;
    for (int i = 0; i < 4; i++)
        if (json_is_string(v) && !strcmp(json_string_value(v), names[i])) {
            *cut = (enum cut)i;
            return 0;
        }
    reply_error(r, 400, "invalid_value", "truncate",
                "\"truncate\" must be \"none\", \"end\" (keep the start), \"start\" (keep the end) or \"middle\" "
                "(keep both ends)");
    return -1;
}

/* context_window and the reserve from the model or the request. */
static int limits(json_t *body, const model_info *model, long *window, long *reserved, reply *r)
{
    json_t *w = json_object_get(body, "context_window"), *res = json_object_get(body, "max_output_tokens");
    if ((w && (!json_is_integer(w) || json_integer_value(w) <= 0)) ||
        (res && (!json_is_integer(res) || json_integer_value(res) < 0))) {
        reply_error(r, 400, "invalid_type", w && !json_is_integer(w) ? "context_window" : "max_output_tokens",
                    "\"context_window\" must be a positive integer and \"max_output_tokens\" an integer >= 0");
        return -1;
    }
    if (!w && !model) {
        reply_error(r, 400, "missing_field", "context_window",
                    "give a \"model\" from the registry (GET /v1/models) or an explicit \"context_window\"");
        return -1;
    }
    *window = w ? (long)json_integer_value(w) : model->context_window;
    *reserved = res ? (long)json_integer_value(res) : model ? model->max_output_tokens : 0;
    return 0;
}

static int input_tokens(app *a, json_t *body, counter *c, const model_info *model, reply *r)
{
    json_t *text = json_object_get(body, "text"), *messages = json_object_get(body, "messages");
    if (!!text == !!messages) {
        reply_error(r, 400, text ? "invalid_request" : "missing_field", "text", "give \"text\" or \"messages\", not both");
        return -1;
    }
    if (messages)
        return chat_messages_count(a, c, model, body, r);
    if (!json_is_string(text)) {
        reply_error(r, 400, "invalid_type", "text", "\"text\" must be a string");
        return -1;
    }
    tokd_error err = {0};
    int rc = counter_text(c, json_string_value(text), json_string_length(text), &err);
    if (rc != 0)
        reply_tokd_error(r, rc, &err, "text");
    return rc ? -1 : 0;
}

/* The answer without truncation. With a limit passed below the budget,
 * whether it fits is unknown: "fits" is null. */
static json_t *fit_answer(const counter *c, long window, long reserved)
{
    /* window > 0 and reserved >= 0, so budget cannot overflow; the overflow
     * past it can (INT64_MAX reserved): it saturates at LONG_MAX */
    long budget = window - reserved, n = c->total > 0 ? c->total : 0, over;
    long remaining = budget > n ? budget - n : 0;
    long overflow = budget >= n ? 0 : __builtin_sub_overflow(n, budget, &over) ? LONG_MAX : over;
    json_t *fits = c->exceeded && overflow == 0 ? json_null() : json_boolean(overflow == 0);
    json_t *out = json_pack("{s:o, s:I, s:I, s:I, s:I, s:I}", "fits", fits, "input_tokens", (json_int_t)n,
                            "context_window", (json_int_t)window, "reserved", (json_int_t)reserved, "remaining",
                            (json_int_t)remaining, "overflow", (json_int_t)overflow);
    counter_tokenizer(c, out);
    counter_answer(c, out);
    return out;
}

static int truncate_messages(json_t *body, counter *c, const model_info *model, long budget, json_t *out,
                             reply *r)
{
    json_t *kept;
    size_t dropped;
    counter kc;
    if (counter_init(&kc, c->tok, 0, c->base) != 0) {
        reply_error(r, 503, "out_of_memory", NULL, "out of memory");
        return -1;
    }
    int rc = chat_trim(&kc, model, json_object_get(body, "messages"), json_object_get(body, "tools"), budget, &kept,
                       &dropped, r);
    if (rc == 0) {
        json_object_set_new(out, "truncated_messages", kept);
        json_object_set_new(out, "truncated_tokens", json_integer((json_int_t)kc.total));
        json_object_set_new(out, "dropped_messages", json_integer((json_int_t)dropped));
        json_object_set_new(out, "truncated_fits", json_boolean(kc.total <= budget));
    } else {
        json_decref(kept);
    }
    counter_release(&kc);
    return rc;
}

static int truncate_input(app *a, json_t *body, counter *c, const model_info *model, long budget, enum cut cut,
                          json_t *out, reply *r)
{
    if (json_object_get(body, "messages")) {
        int use_template;
        if (chat_format_choice(a, c->tok, model, body, &use_template, r))
            return -1;
        if (use_template) {
            reply_error(r, 400, "invalid_request", "truncate",
                        "messages are trimmed by the cookbook's rules: send \"chat_format\": \"openai\" with "
                        "\"truncate\", or trim the conversation yourself when counting by the chat template");
            return -1;
        }
        if (cut != CUT_START) {
            reply_error(r, 400, "invalid_value", "truncate",
                        "with \"messages\", \"truncate\" must be \"start\": the oldest messages are dropped first, "
                        "keeping the system messages and the last user message");
            return -1;
        }
        return truncate_messages(body, c, model, budget, out, r);
    }
    json_t *t = NULL;
    size_t tn = 0;
    if (truncate_text(c->tok, json_object_get(body, "text"), budget, cut, a->cfg.max_work_bytes, &t, &tn, r) != 0)
        return -1;
    json_object_set_new(out, "truncated_text", t);
    json_object_set_new(out, "truncated_tokens", json_integer((json_int_t)tn));
    return 0;
}

void api_context_check(app *a, json_t *body, reply *r)
{
    const tokd_tokenizer *tok;
    const model_info *model;
    long window, reserved;
    size_t limit;
    enum cut cut;
    counter c = {0};
    int by_rule = 0;
    if (req_tokenizer(a, body, r, &tok, &model) || limits(body, model, &window, &reserved, r) ||
        parse_cut(json_object_get(body, "truncate"), &cut, r) || req_limit(body, &limit, r))
        return;
    if (cut != CUT_NONE && limit) {
        reply_error(r, 400, "invalid_request", "limit", "\"limit\" stops counting early; it cannot go with \"truncate\"");
        return;
    }
    tokd_limits lim = req_limits(r, 0);
    if (counter_init(&c, tok, limit, &lim) != 0) {
        reply_error(r, 503, "out_of_memory", NULL, "out of memory");
        return;
    }
    if (model)
        models_find(&a->models, json_string_value(json_object_get(body, "model")), &by_rule);
    if (by_rule && !json_object_get(body, "context_window"))
        counter_estimate(&c, "%.60s is not in the model registry; the limits of %s are used",
                         json_string_value(json_object_get(body, "model")), model->name);
    if (input_tokens(a, body, &c, model, r) == 0) {
        json_t *out = fit_answer(&c, window, reserved);
        r->tokens = (size_t)(c.total > 0 ? c.total : 0);
        if (cut == CUT_NONE || truncate_input(a, body, &c, model, window - reserved, cut, out, r) == 0)
            reply_json(r, out);
        else
            json_decref(out);
    }
    counter_release(&c);
}
