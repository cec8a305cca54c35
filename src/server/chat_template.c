/* chat_template.c - loading, choosing and rendering chat templates, and
 * counting a conversation through its template (chat_template.h).
 *
 * Templates are compiled once at startup; a name (a registry model or a
 * tokenizer) maps to one. The render's bounds: output at most
 * max_answer_bytes, TEMPLATE_STEPS evaluations, TEMPLATE_DEPTH nested
 * macro calls, and the request's max_request_ms (capped at
 * TEMPLATE_MS). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chat.h"
#include "chat_template.h"
#include "template.h"
#include "tokd/file.h"

#define MAX_TEMPLATES 64
#define MAX_TEMPLATE_FILE (4L << 20)
#define TEMPLATE_STEPS 2000000
#define TEMPLATE_DEPTH 64
#define TEMPLATE_MS 2000

typedef struct chat_tpl {
    char name[128];
    tokd_template *tpl;
    char *bos, *eos; /* NULL: the config has none */
} chat_tpl;

struct chat_templates {
    chat_tpl v[MAX_TEMPLATES];
    size_t n;
};

/* A special token of tokenizer_config.json: a string or an AddedToken
 * {"content": ...}; malloc'd, NULL if absent. */
static char *special_token(json_t *cfg, const char *key)
{
    json_t *v = json_object_get(cfg, key);
    if (json_is_object(v))
        v = json_object_get(v, "content");
    return json_is_string(v) ? strdup(json_string_value(v)) : NULL;
}

/* The template text of tokenizer_config.json: "chat_template" as a string,
 * or the "default" (else first) of a list of {"name", "template"}. */
static json_t *template_text(json_t *cfg)
{
    json_t *t = json_object_get(cfg, "chat_template"), *e;
    size_t i;
    if (!json_is_array(t))
        return json_is_string(t) ? t : NULL;
    json_array_foreach(t, i, e)
    {
        const char *name = json_string_value(json_object_get(e, "name"));
        if (name && !strcmp(name, "default"))
            return json_object_get(e, "template");
    }
    json_t *first = json_object_get(json_array_get(t, 0), "template");
    return json_is_string(first) ? first : NULL;
}

static void log_not_loaded(const char *name, const char *path, const char *why, size_t line)
{
    app_log(json_pack("{s:s, s:s, s:s, s:s, s:I}", "event", "chat_template_not_loaded", "name", name, "path", path,
                      "error", why, "line", (json_int_t)line));
}

/* Read a whole (bounded) file; malloc'd text or NULL. */
static char *read_text(const char *path, size_t *len)
{
    struct stat st;
    int fd = tokd_file_open(path, &st, NULL);
    if (fd < 0)
        return NULL;
    char *buf = st.st_size <= MAX_TEMPLATE_FILE ? malloc((size_t)st.st_size + 1) : NULL;
    size_t n = 0;
    while (buf && n < (size_t)st.st_size) {
        ssize_t k = read(fd, buf + n, (size_t)st.st_size - n);
        if (k <= 0)
            break;
        n += (size_t)k;
    }
    close(fd);
    if (buf)
        buf[n] = 0;
    *len = n;
    return buf;
}

static int add_template(struct chat_templates *ts, const char *name, const char *path, const char *src, size_t len,
                        json_t *cfg)
{
    tokd_template_error err = {0};
    tokd_template *t;
    if (ts->n >= MAX_TEMPLATES) {
        log_not_loaded(name, path, "too many chat templates", 0);
        return 0;
    }
    if (tokd_template_compile(src, len, &t, &err) != 0) {
        log_not_loaded(name, path, err.text, err.line);
        return err.code == TOKD_ENOMEM ? -1 : 0;
    }
    chat_tpl *c = &ts->v[ts->n++];
    snprintf(c->name, sizeof c->name, "%s", name);
    c->tpl = t;
    c->bos = special_token(cfg, "bos_token");
    c->eos = special_token(cfg, "eos_token");
    return 0;
}

/* `path`: a tokenizer_config.json, or (ending in .jinja) a template. A
 * missing tokenizer_config.json is no template; `required` logs it. */
static int load_one(struct chat_templates *ts, const char *name, const char *path, int required)
{
    size_t plen = strlen(path), len = 0;
    if (plen > 6 && !strcmp(path + plen - 6, ".jinja")) {
        char *src = read_text(path, &len);
        if (!src) {
            log_not_loaded(name, path, "cannot read the file", 0);
            return 0;
        }
        int rc = add_template(ts, name, path, src, len, NULL);
        free(src);
        return rc;
    }
    json_error_t je;
    json_t *cfg = config_json_file(path, JSON_DECODE_INT_AS_REAL, &je);
    json_t *text = cfg ? template_text(cfg) : NULL;
    int rc = 0;
    if (!cfg && (required || je.line != -1))
        log_not_loaded(name, path, je.text, je.line > 0 ? (size_t)je.line : 0);
    else if (cfg && !text && required)
        log_not_loaded(name, path, "no chat_template in the file", 0);
    else if (text)
        rc = add_template(ts, name, path, json_string_value(text), json_string_length(text), cfg);
    json_decref(cfg);
    return rc;
}

/* tokenizer_config.json in the directory of `path` (a file or a dir). */
static void beside(const char *path, char *out, size_t size)
{
    const char *slash = strrchr(path, '/');
    size_t plen = strlen(path);
    if (plen > 5 && !strcmp(path + plen - 5, ".json"))
        snprintf(out, size, "%.*stokenizer_config.json", slash ? (int)(slash - path + 1) : 0, path);
    else
        snprintf(out, size, "%s/tokenizer_config.json", path);
}

/* Each NAME=PATH of a comma-separated list, through fn. */
static int each_entry(const char *list, struct chat_templates *ts, int is_template_list)
{
    char *copy = strdup(list), *save = NULL;
    int rc = copy ? 0 : -1;
    for (char *e = copy ? strtok_r(copy, ",", &save) : NULL; rc == 0 && e; e = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(e, '='), where[1100];
        if (!eq)
            continue;
        *eq = 0;
        if (is_template_list) {
            rc = load_one(ts, e, eq + 1, 1);
        } else {
            beside(eq + 1, where, sizeof where);
            rc = load_one(ts, e, where, 0);
        }
    }
    free(copy);
    return rc;
}

int chat_templates_load(app *a, const char *data_dir)
{
    struct chat_templates *ts = calloc(1, sizeof *ts);
    const char *dir = data_dir ? data_dir : tokd_default_data_dir();
    int rc = ts ? 0 : -1;
    a->templates = ts;
    for (const char *const *b = tokd_bundled_tokenizers(); rc == 0 && dir && *b; b++) {
        char where[1100];
        snprintf(where, sizeof where, "%s/%s/tokenizer_config.json", dir, *b);
        rc = load_one(ts, *b, where, 0);
    }
    if (rc == 0)
        rc = each_entry(a->cfg.tokenizers, ts, 0);
    if (rc == 0)
        rc = each_entry(a->cfg.chat_templates, ts, 1);
    return rc;
}

void chat_templates_release(app *a)
{
    struct chat_templates *ts = a->templates;
    for (size_t i = 0; ts && i < ts->n; i++) {
        tokd_template_free(ts->v[i].tpl);
        free(ts->v[i].bos);
        free(ts->v[i].eos);
    }
    free(ts);
    a->templates = NULL;
}

/* The template configured for the model, else (later entries win, so a
 * "chat_templates" entry overrides a file's) for the tokenizer. */
static const chat_tpl *find_template(app *a, const tokd_tokenizer *tok, const model_info *model)
{
    const struct chat_templates *ts = a->templates;
    const chat_tpl *found = NULL;
    for (int pass = 0; ts && pass < 2 && !found; pass++) {
        const char *name = pass == 0 ? (model ? model->name : NULL) : tokd_tokenizer_name(tok);
        for (size_t i = ts->n; name && i-- > 0 && !found;)
            if (!strcmp(ts->v[i].name, name))
                found = &ts->v[i];
    }
    return found;
}

int chat_has_template(app *a, const tokd_tokenizer *tok, const model_info *model)
{
    return find_template(a, tok, model) != NULL;
}

int chat_render_options(app *a, json_t *body, chat_render_opts *o, reply *r)
{
    static const char *const flags[] = {"add_generation_prompt", "continue_final_message"};
    int *dest[] = {&o->add_generation_prompt, &o->continue_final_message};
    for (int i = 0; i < 2; i++) {
        json_t *v = json_object_get(body, flags[i]);
        if (v && !json_is_null(v) && !json_is_boolean(v)) {
            reply_error(r, 400, "invalid_type", flags[i], "\"%s\" must be true or false", flags[i]);
            return -1;
        }
        if (v && !json_is_null(v))
            *dest[i] = json_is_true(v);
    }
    if (o->add_generation_prompt && o->continue_final_message) {
        reply_error(r, 400, "invalid_request", "continue_final_message",
                    "Cannot set both `continue_final_message` and `add_generation_prompt` to True.");
        return -1;
    }
    static const struct {
        const char *key, *what;
        json_type type;
    } fields[] = {{"tools", "an array of tools", JSON_ARRAY},
                  {"chat_template_kwargs", "an object of template variables", JSON_OBJECT},
                  {"chat_template", "a string (a Jinja template)", JSON_STRING}};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        json_t *v = json_object_get(body, fields[i].key);
        if (v && !json_is_null(v) && json_typeof(v) != fields[i].type) {
            reply_error(r, 400, "invalid_type", fields[i].key, "\"%s\" must be %s", fields[i].key, fields[i].what);
            return -1;
        }
    }
    json_t *tools = json_object_get(body, "tools"), *kw = json_object_get(body, "chat_template_kwargs"),
           *src = json_object_get(body, "chat_template");
    if (src && json_is_string(src) && !a->cfg.allow_request_templates) {
        reply_error(r, 403, "request_templates_disabled", "chat_template",
                    "this server does not render templates sent in requests (allow_request_templates is off); "
                    "leave out \"chat_template\" to use the model's");
        return -1;
    }
    o->tools = json_is_array(tools) ? tools : NULL;
    o->kwargs = json_is_object(kw) ? kw : NULL;
    o->template_src = json_is_string(src) ? src : NULL;
    return 0;
}

/* transformers' variables: special tokens, then kwargs, then its own. */
static json_t *template_vars(const chat_tpl *t, json_t *messages, const chat_render_opts *o, int gen_prompt)
{
    json_t *v = json_object();
    if (!v)
        return NULL;
    if (t && t->bos)
        json_object_set_new(v, "bos_token", json_string(t->bos));
    if (t && t->eos)
        json_object_set_new(v, "eos_token", json_string(t->eos));
    if (o->kwargs)
        json_object_update(v, o->kwargs);
    json_object_set(v, "messages", messages);
    json_object_set(v, "tools", o->tools ? o->tools : json_null());
    json_object_set_new(v, "documents", json_null());
    json_object_set_new(v, "add_generation_prompt", json_boolean(gen_prompt));
    return v;
}

static void reply_template_error(reply *r, const tokd_template_error *e)
{
    if (e->code == TOKD_ELIMIT)
        reply_error(r, 413, "template_too_costly", "messages", "%s", e->text);
    else if (e->code == TOKD_ENOMEM)
        reply_error(r, 503, "out_of_memory", NULL, "out of memory rendering the chat template");
    else if (e->raised)
        reply_error(r, 400, "template_error", "messages", "%s", e->text);
    else
        reply_error(r, 400, "template_error", "messages", "the chat template failed at line %zu: %s", e->line,
                    e->text);
}

static int check_messages(json_t *messages, reply *r)
{
    size_t i;
    json_t *m;
    if (!json_is_array(messages) || json_array_size(messages) == 0) {
        reply_error(r, 400, messages ? "invalid_type" : "missing_field", "messages",
                    "\"messages\" must be a non-empty array of {\"role\", \"content\"} objects");
        return -1;
    }
    json_array_foreach(messages, i, m)
    {
        if (json_is_object(m) && json_is_string(json_object_get(m, "role")))
            continue;
        char f[32];
        snprintf(f, sizeof f, "messages[%zu]", i);
        reply_error(r, 400, "invalid_messages", f, "%s must be an object with a string \"role\"", f);
        return -1;
    }
    return 0;
}

/* transformers' continue_final_message: cut after the last occurrence of
 * the final message's content (its text part for a list), else of that
 * content stripped. */
static int continue_final(json_t *messages, tokd_bytes *out, size_t start, reply *r)
{
    json_t *c = json_object_get(json_array_get(messages, json_array_size(messages) - 1), "content");
    if (json_is_array(c))
        c = json_object_get(json_array_get(c, json_array_size(c) - 1), "text");
    const char *s = json_string_value(c), *text = out->data ? out->data + start : "";
    size_t n = json_string_length(c), len = out->len - start;
    for (int pass = 0; s && pass < 2; pass++) {
        if (pass == 1) {
            while (n && strchr(" \t\n\r\f\v", s[0]))
                s++, n--;
            while (n && strchr(" \t\n\r\f\v", s[n - 1]))
                n--;
        }
        for (size_t i = len >= n ? len - n + 1 : 0; i-- > 0;)
            if (!memcmp(text + i, s, n)) {
                out->len = start + i + n;
                out->data[out->len] = 0;
                return 0;
            }
    }
    reply_error(r, 400, "invalid_messages", "continue_final_message",
                "continue_final_message is set but the final message does not appear in the chat after applying "
                "the chat template");
    return -1;
}

int chat_render(app *a, const tokd_tokenizer *tok, const model_info *model, json_t *messages,
                const chat_render_opts *o, tokd_bytes *out, reply *r)
{
    const chat_tpl *t = find_template(a, tok, model);
    tokd_template *own = NULL;
    tokd_template_error e = {0};
    if (check_messages(messages, r))
        return -1;
    if (!t && !o->template_src) {
        reply_error(r, 404, "no_chat_template", "model",
                    "'%s' has no chat template: configure one (chat_templates, or a tokenizer_config.json beside "
                    "its tokenizer.json)",
                    model ? model->name : tokd_tokenizer_name(tok));
        return -1;
    }
    if (o->template_src && tokd_template_compile(json_string_value(o->template_src),
                                                 json_string_length(o->template_src), &own, &e) != 0) {
        reply_error(r, 400, "invalid_template", "chat_template", "line %zu: %s", e.line, e.text);
        return -1;
    }
    const tokd_template *tpl = own ? own : t->tpl;
    json_t *rewritten = NULL;
    if (o->rewrite && o->rewrite(tpl, messages, &rewritten, r)) {
        tokd_template_free(own);
        return -1;
    }
    if (rewritten)
        messages = rewritten;
    long ms = a->cfg.max_request_ms < TEMPLATE_MS ? a->cfg.max_request_ms : TEMPLATE_MS;
    tokd_template_limits lim = {(size_t)a->cfg.max_answer_bytes, TEMPLATE_STEPS, TEMPLATE_DEPTH, ms};
    json_t *vars = template_vars(t, messages, o, o->add_generation_prompt && !o->continue_final_message);
    size_t start = out->len;
    int rc = vars ? tokd_template_render(tpl, vars, &lim, out, &e) : TOKD_ENOMEM;
    if (!vars)
        e.code = TOKD_ENOMEM;
    if (rc != 0)
        reply_template_error(r, &e);
    else if (o->continue_final_message)
        rc = continue_final(messages, out, start, r);
    json_decref(vars);
    json_decref(rewritten);
    tokd_template_free(own);
    return rc ? -1 : 0;
}

int chat_format_choice(app *a, const tokd_tokenizer *tok, const model_info *model, json_t *body, int *use_template,
                       reply *r)
{
    json_t *f = json_object_get(body, "chat_format");
    const char *v = json_string_value(f);
    if (f && !json_is_null(f) && (!v || (strcmp(v, "template") && strcmp(v, "openai")))) {
        reply_error(r, 400, "invalid_value", "chat_format",
                    "\"chat_format\" must be \"template\" (the model's chat template) or \"openai\" (the cookbook's rules)");
        return -1;
    }
    *use_template = v ? !strcmp(v, "template") : find_template(a, tok, model) != NULL;
    if (*use_template && !find_template(a, tok, model)) {
        reply_error(r, 404, "no_chat_template", "chat_format",
                    "'%s' has no chat template: configure one (chat_templates, or a tokenizer_config.json beside "
                    "its tokenizer.json), or count with \"chat_format\": \"openai\"",
                    model ? model->name : tokd_tokenizer_name(tok));
        return -1;
    }
    if (!*use_template && (!model || !model->chat)) {
        reply_error(r, 400, "not_a_chat_model", "model",
                    "counting \"messages\" needs a \"model\" with a chat format in the registry (GET /v1/models) "
                    "or a chat template");
        return -1;
    }
    return 0;
}

int chat_messages_count(app *a, counter *c, const model_info *model, json_t *body, reply *r)
{
    static const tokd_specials parsed = {.allowed_mode = TOKD_ALLOW_ALL};
    chat_render_opts o = {.add_generation_prompt = 0};
    tokd_bytes prompt = {0};
    tokd_error err = {0};
    int use_template;
    if (chat_format_choice(a, c->tok, model, body, &use_template, r))
        return -1;
    if (!use_template)
        return chat_count(c, model, json_object_get(body, "messages"), json_object_get(body, "tools"), r);
    int rc = chat_render_options(a, body, &o, r) ||
             chat_render(a, c->tok, model, json_object_get(body, "messages"), &o, &prompt, r);
    if (rc == 0) {
        const tokd_specials *saved = c->sp;
        c->sp = &parsed;
        rc = counter_text(c, prompt.data ? prompt.data : "", prompt.len, &err);
        c->sp = saved;
        if (rc != 0)
            reply_tokd_error(r, rc, &err, "messages");
    }
    tokd_bytes_release(&prompt);
    return rc ? -1 : 0;
}
