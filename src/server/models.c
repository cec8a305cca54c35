/* models.c - reading config/models.json and looking models up. */
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models.h"

#ifndef TOKD_SOURCE_CONFIGDIR
#define TOKD_SOURCE_CONFIGDIR "config"
#endif
#ifndef TOKD_INSTALL_CONFIGDIR
#define TOKD_INSTALL_CONFIGDIR "/usr/local/share/tokd"
#endif

static int fail(char *msg, size_t size, const char *path, const char *what, const char *key)
{
    snprintf(msg, size, "%s: %s%s%s", path, what, key ? " " : "", key ? key : "");
    return -1;
}

static long get_long(json_t *o, const char *key, long dflt, int *ok)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return dflt;
    if (!json_is_integer(v)) {
        *ok = 0;
        return dflt;
    }
    return (long)json_integer_value(v);
}

static int load_formats(model_registry *r, json_t *formats, const char *path, char *msg, size_t size)
{
    size_t n = json_object_size(formats), i = 0;
    r->formats = calloc(n ? n : 1, sizeof *r->formats);
    if (!r->formats)
        return fail(msg, size, path, "out of memory", NULL);
    const char *key;
    json_t *v;
    json_object_foreach(formats, key, v)
    {
        chat_format *f = &r->formats[i++];
        r->n_formats = i;
        json_t *tools = json_object_get(v, "tools");
        int ok = json_is_object(v) && (!tools || json_is_object(tools));
        f->name = strdup(key);
        f->per_message = get_long(v, "tokens_per_message", 3, &ok);
        f->per_name = get_long(v, "tokens_per_name", 1, &ok);
        f->reply_priming = get_long(v, "reply_priming", 3, &ok);
        f->has_tools = tools != NULL;
        f->func_init = get_long(tools, "func_init", 0, &ok);
        f->prop_init = get_long(tools, "prop_init", 0, &ok);
        f->prop_key = get_long(tools, "prop_key", 0, &ok);
        f->enum_init = get_long(tools, "enum_init", 0, &ok);
        f->enum_item = get_long(tools, "enum_item", 0, &ok);
        f->func_end = get_long(tools, "func_end", 0, &ok);
        if (!ok || !f->name)
            return fail(msg, size, path, "chat_formats entry with a wrong type:", key);
    }
    return 0;
}

static const chat_format *find_format(const model_registry *r, const char *name)
{
    for (size_t i = 0; i < r->n_formats; i++)
        if (!strcmp(r->formats[i].name, name))
            return &r->formats[i];
    return NULL;
}

static int load_model(model_registry *r, model_info *m, const char *key, json_t *v, const char *path,
                      char *msg, size_t size)
{
    json_t *tok = json_object_get(v, "tokenizer"), *fmt = json_object_get(v, "chat_format");
    int ok = json_is_object(v) && json_is_string(tok) && (!fmt || json_is_string(fmt));
    m->name = strdup(key);
    m->tokenizer = strdup(ok ? json_string_value(tok) : "");
    m->context_window = get_long(v, "context_window", -1, &ok);
    m->max_output_tokens = get_long(v, "max_output_tokens", 0, &ok);
    if (!ok || m->context_window <= 0 || m->max_output_tokens < 0)
        return fail(msg, size, path,
                    "each model needs \"tokenizer\" (string), \"context_window\" (positive integer) and "
                    "\"max_output_tokens\" (integer >= 0); check model",
                    key);
    if (fmt && !(m->chat = find_format(r, json_string_value(fmt))))
        return fail(msg, size, path, "unknown chat_format named by model", key);
    return m->name && m->tokenizer ? 0 : fail(msg, size, path, "out of memory", NULL);
}

int models_load(model_registry *r, const char *path, char *msg, size_t size)
{
    *r = (model_registry){0};
    json_error_t je;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        snprintf(msg, size, "%s line %d: %s", path, je.line, je.text);
        return -1;
    }
    json_t *formats = json_object_get(root, "chat_formats"), *models = json_object_get(root, "models");
    int rc = 0;
    if (!json_is_object(models) || (formats && !json_is_object(formats)))
        rc = fail(msg, size, path, "needs an object \"models\" (and optionally \"chat_formats\")", NULL);
    if (rc == 0)
        rc = load_formats(r, formats, path, msg, size);
    if (rc == 0 && !(r->models = calloc(json_object_size(models) + 1, sizeof *r->models)))
        rc = fail(msg, size, path, "out of memory", NULL);
    const char *key;
    json_t *v;
    json_object_foreach(models, key, v)
    {
        if (rc != 0)
            break;
        rc = load_model(r, &r->models[r->n++], key, v, path, msg, size);
    }
    json_decref(root);
    if (rc != 0)
        models_release(r);
    return rc;
}

void models_release(model_registry *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->models[i].name);
        free(r->models[i].tokenizer);
    }
    for (size_t i = 0; i < r->n_formats; i++)
        free(r->formats[i].name);
    free(r->models);
    free(r->formats);
    *r = (model_registry){0};
}

const model_info *models_find(const model_registry *r, const char *name)
{
    const model_info *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; i < r->n; i++) {
        size_t len = strlen(r->models[i].name);
        if (!strcmp(r->models[i].name, name))
            return &r->models[i];
        if (len > best_len && !strncmp(r->models[i].name, name, len) && name[len] == '-') {
            best = &r->models[i];
            best_len = len;
        }
    }
    return best;
}

/* dir/models.json into found if it is readable. */
static int try_models(char *found, size_t size, const char *dir, const char *rel)
{
    return snprintf(found, size, "%s%s/models.json", dir, rel) < (int)size && access(found, R_OK) == 0;
}

const char *models_default_path(void)
{
    static char found[PATH_MAX + 64];
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char *slash = n > 0 ? (exe[n] = '\0', strrchr(exe, '/')) : NULL;
    if (slash)
        *slash = '\0';
    if ((slash && (try_models(found, sizeof found, exe, "/../config") ||
                   try_models(found, sizeof found, exe, "/../share/tokd"))) ||
        try_models(found, sizeof found, TOKD_SOURCE_CONFIGDIR, "") ||
        try_models(found, sizeof found, TOKD_INSTALL_CONFIGDIR, ""))
        return found;
    found[0] = '\0';
    return found;
}
