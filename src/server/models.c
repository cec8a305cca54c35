/* models.c - reading config/models.json and looking models up.
 *
 * Formats are loaded before models, so a model's chat_format and
 * image_format become pointers into the registry's own arrays; prefix
 * rules point at model entries. Everything is freed by models_release. */
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "models.h"
#include "vision.h"

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

/* An optional array of strings into `list`; 0 when absent or well formed. */
static int load_names(name_list *list, json_t *v)
{
    size_t i;
    json_t *s;
    if (!v)
        return 0;
    if (!json_is_array(v) || !(list->names = calloc(json_array_size(v) + 1, sizeof *list->names)))
        return -1;
    json_array_foreach(v, i, s)
    {
        if (!json_is_string(s) || !(list->names[list->n] = strdup(json_string_value(s))))
            return -1;
        list->n++;
    }
    return 0;
}

static void release_names(name_list *list)
{
    for (size_t i = 0; i < list->n; i++)
        free(list->names[i]);
    free(list->names);
}

int name_list_has(const name_list *list, const char *name)
{
    for (size_t i = 0; i < list->n; i++)
        if (!strcmp(list->names[i], name))
            return 1;
    return 0;
}

static int load_format(chat_format *f, const char *key, json_t *v)
{
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
    if (load_names(&f->published, json_object_get(v, "published_for")) != 0 ||
        load_names(&f->tools_published, json_object_get(tools, "published_for")) != 0)
        ok = 0;
    return ok && f->name ? 0 : -1;
}

static int load_image_format(image_format *f, const char *key, json_t *v)
{
    json_t *rule = json_object_get(v, "rule"), *mult = json_object_get(v, "multiplier");
    int ok = json_is_object(v) && json_is_string(rule) && (!mult || json_is_number(mult));
    f->name = strdup(key);
    f->rule = ok ? vision_rule(json_string_value(rule)) : NULL;
    f->base = get_long(v, "base", 0, &ok);
    f->tile = get_long(v, "tile", 0, &ok);
    f->budget = get_long(v, "budget", 1536, &ok);
    f->multiplier = mult ? json_number_value(mult) : 1.0;
    if (load_names(&f->published, json_object_get(v, "published_for")) != 0)
        ok = 0;
    return ok && f->name && f->rule && f->base >= 0 && f->tile >= 0 && f->budget > 0 && f->multiplier > 0 ? 0 : -1;
}

static int load_formats(model_registry *r, json_t *formats, json_t *images, const char *path, char *msg,
                        size_t size)
{
    const char *key;
    json_t *v;
    r->formats = calloc(json_object_size(formats) + 1, sizeof *r->formats);
    r->images = calloc(json_object_size(images) + 1, sizeof *r->images);
    if (!r->formats || !r->images)
        return fail(msg, size, path, "out of memory", NULL);
    json_object_foreach(formats, key, v)
    {
        if (load_format(&r->formats[r->n_formats++], key, v) != 0)
            return fail(msg, size, path, "chat_formats entry with a wrong type:", key);
    }
    json_object_foreach(images, key, v)
    {
        if (load_image_format(&r->images[r->n_images++], key, v) != 0)
            return fail(msg, size, path,
                        "image_formats entries need \"rule\" (\"tile\" or \"patch\"), integers base/tile/budget >= 0 "
                        "and a positive \"multiplier\"; check",
                        key);
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

static const image_format *find_image_format(const model_registry *r, const char *name)
{
    for (size_t i = 0; i < r->n_images; i++)
        if (!strcmp(r->images[i].name, name))
            return &r->images[i];
    return NULL;
}

static int load_model(model_registry *r, model_info *m, const char *key, json_t *v, const char *path,
                      char *msg, size_t size)
{
    json_t *tok = json_object_get(v, "tokenizer"), *fmt = json_object_get(v, "chat_format");
    json_t *img = json_object_get(v, "image_format");
    int ok = json_is_object(v) && json_is_string(tok) && (!fmt || json_is_string(fmt)) && (!img || json_is_string(img));
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
    if (img && !(m->image = find_image_format(r, json_string_value(img))))
        return fail(msg, size, path, "unknown image_format named by model", key);
    return m->name && m->tokenizer ? 0 : fail(msg, size, path, "out of memory", NULL);
}

static const model_info *exact_model(const model_registry *r, const char *name)
{
    for (size_t i = 0; i < r->n; i++)
        if (!strcmp(r->models[i].name, name))
            return &r->models[i];
    return NULL;
}

static int load_prefixes(model_registry *r, json_t *prefixes, const char *path, char *msg, size_t size)
{
    const char *key;
    json_t *v;
    if (!(r->prefixes = calloc(json_object_size(prefixes) + 1, sizeof *r->prefixes)))
        return fail(msg, size, path, "out of memory", NULL);
    json_object_foreach(prefixes, key, v)
    {
        model_prefix *p = &r->prefixes[r->n_prefixes];
        if (!json_is_string(v) || !(p->model = exact_model(r, json_string_value(v))))
            return fail(msg, size, path, "a \"prefixes\" rule must name a model entry; check", key);
        if (!(p->prefix = strdup(key)))
            return fail(msg, size, path, "out of memory", NULL);
        r->n_prefixes++;
    }
    return 0;
}

static int load_models(model_registry *r, json_t *models, const char *path, char *msg, size_t size)
{
    const char *key;
    json_t *v;
    if (!(r->models = calloc(json_object_size(models) + 1, sizeof *r->models)))
        return fail(msg, size, path, "out of memory", NULL);
    json_object_foreach(models, key, v)
    {
        if (load_model(r, &r->models[r->n++], key, v, path, msg, size) != 0)
            return -1;
    }
    return 0;
}

int models_load(model_registry *r, const char *path, char *msg, size_t size)
{
    *r = (model_registry){0};
    json_error_t je;
    json_t *root = config_json_file(path, JSON_REJECT_DUPLICATES, &je); /* never blocks on a FIFO */
    if (!root) {
        if (je.line < 0)
            snprintf(msg, size, "%s", je.text);
        else
            snprintf(msg, size, "%s line %d: %s", path, je.line, je.text);
        return -1;
    }
    json_t *formats = json_object_get(root, "chat_formats"), *models = json_object_get(root, "models");
    json_t *images = json_object_get(root, "image_formats"), *prefixes = json_object_get(root, "prefixes");
    int rc = 0;
    if (!json_is_object(models) || (formats && !json_is_object(formats)) || (images && !json_is_object(images)) ||
        (prefixes && !json_is_object(prefixes)))
        rc = fail(msg, size, path,
                  "needs an object \"models\" (and optionally objects \"chat_formats\", \"image_formats\", \"prefixes\")",
                  NULL);
    if (rc == 0)
        rc = load_formats(r, formats, images, path, msg, size);
    if (rc == 0)
        rc = load_models(r, models, path, msg, size);
    if (rc == 0)
        rc = load_prefixes(r, prefixes, path, msg, size);
    json_decref(root);
    if (rc != 0)
        models_release(r);
    return rc;
}

void models_release(model_registry *r)
{
    for (size_t i = 0; r->models && i < r->n; i++) {
        free(r->models[i].name);
        free(r->models[i].tokenizer);
    }
    for (size_t i = 0; r->formats && i < r->n_formats; i++) {
        free(r->formats[i].name);
        release_names(&r->formats[i].published);
        release_names(&r->formats[i].tools_published);
    }
    for (size_t i = 0; r->images && i < r->n_images; i++) {
        free(r->images[i].name);
        release_names(&r->images[i].published);
    }
    for (size_t i = 0; r->prefixes && i < r->n_prefixes; i++)
        free(r->prefixes[i].prefix);
    free(r->models);
    free(r->formats);
    free(r->images);
    free(r->prefixes);
    *r = (model_registry){0};
}

/* The longest entry that `name` extends with '-', or NULL. */
static const model_info *dated_model(const model_registry *r, const char *name)
{
    const model_info *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; i < r->n; i++) {
        size_t len = strlen(r->models[i].name);
        if (len > best_len && !strncmp(r->models[i].name, name, len) && name[len] == '-') {
            best = &r->models[i];
            best_len = len;
        }
    }
    return best;
}

/* The entry of the longest prefix rule `name` starts with, or NULL. */
static const model_info *prefixed_model(const model_registry *r, const char *name)
{
    const model_info *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; i < r->n_prefixes; i++) {
        size_t len = strlen(r->prefixes[i].prefix);
        if (len > best_len && !strncmp(r->prefixes[i].prefix, name, len)) {
            best = r->prefixes[i].model;
            best_len = len;
        }
    }
    return best;
}

const model_info *models_find(const model_registry *r, const char *name, int *by_rule)
{
    const model_info *m = exact_model(r, name);
    if (!m)
        m = dated_model(r, name);
    if (by_rule)
        *by_rule = 0;
    if (!m && (m = prefixed_model(r, name)) && by_rule)
        *by_rule = 1;
    return m;
}

/* Levenshtein distance, capped: names longer than 63 bytes compare their
 * first 63. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strnlen(a, 63), lb = strnlen(b, 63), row[64];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            diag = up;
            row[j] = best;
        }
    }
    return row[lb];
}

size_t models_nearest(const model_registry *r, const char *name, const char **out, size_t k)
{
    size_t dist[8], n = 0;
    if (k > 8)
        k = 8;
    for (size_t i = 0; k > 0 && i < r->n; i++) {
        size_t d = edit_distance(r->models[i].name, name), at = n < k ? n : k - 1;
        if (n == k && d >= dist[k - 1])
            continue;
        if (n < k)
            n++;
        for (; at > 0 && dist[at - 1] > d; at--) {
            dist[at] = dist[at - 1];
            out[at] = out[at - 1];
        }
        dist[at] = d;
        out[at] = r->models[i].name;
    }
    return n;
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
