/* models.h - the model registry (config/models.json): which tokenizer a
 * model uses, its limits, how its chat messages, tools and images are
 * counted, and for which models those constants are published.
 *
 * Thread-safety: loaded once at startup, read-only afterwards. */
#ifndef TOKD_SERVER_MODELS_H
#define TOKD_SERVER_MODELS_H

#include <stddef.h>

/* A list of names (owned by the registry). */
typedef struct name_list {
    char **names;
    size_t n;
} name_list;

/* Constants of OpenAI's cookbook "How to count tokens with tiktoken";
 * `published` and `tools_published` name the registry entries the cookbook
 * gives them for. */
typedef struct chat_format {
    char *name;
    long per_message, per_name, reply_priming;
    int has_tools;
    long func_init, prop_init, prop_key, enum_init, enum_item, func_end;
    name_list published, tools_published;
} chat_format;

struct image_rule; /* vision.h: the tile rule, the patch rule */

/* The vision guide's constants for one group of models. */
typedef struct image_format {
    char *name;
    const struct image_rule *rule;
    long base, tile;   /* tile rule */
    long budget;       /* patch rule: the patch cap */
    double multiplier; /* patch rule */
    name_list published;
} image_format;

typedef struct model_info {
    char *name;
    char *tokenizer;
    long context_window;
    long max_output_tokens;
    const chat_format *chat;   /* NULL: not a chat model */
    const image_format *image; /* NULL: no published image rule */
} model_info;

typedef struct model_prefix {
    char *prefix;
    const model_info *model;
} model_prefix;

typedef struct model_registry {
    model_info *models;
    size_t n;
    chat_format *formats;
    size_t n_formats;
    image_format *images;
    size_t n_images;
    model_prefix *prefixes;
    size_t n_prefixes;
} model_registry;

/* Load `path`. On failure returns -1 with a message naming the file and the
 * offending key in `msg`. */
int models_load(model_registry *r, const char *path, char *msg, size_t msg_size);
void models_release(model_registry *r);

/* The entry for `name`: an exact match, else the longest entry that is a
 * prefix of `name` followed by '-' (so "gpt-4o-2024-11-20" finds "gpt-4o"),
 * else the entry of the longest "prefixes" rule `name` starts with ("gpt-5."
 * finds gpt-5 for "gpt-5.9"). *by_rule (may be NULL) is set when the entry
 * came from a "prefixes" rule, so its limits are another model's. NULL if
 * none. */
const model_info *models_find(const model_registry *r, const char *name, int *by_rule);

/* Up to `k` registry names nearest to `name` by edit distance, nearest
 * first, into out[] (borrowed). Returns how many. */
size_t models_nearest(const model_registry *r, const char *name, const char **out, size_t k);

/* 1 if `list` holds `name`. */
int name_list_has(const name_list *list, const char *name);

/* The default registry file: $TOKD_MODELS_FILE is handled by the config;
 * this finds config/models.json next to the executable, in the install
 * prefix, or in the source tree. Static storage; "" if none exists. */
const char *models_default_path(void);

#endif
