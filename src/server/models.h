/* models.h - the model registry (config/models.json): which tokenizer a
 * model uses, its limits, and how its chat messages are counted.
 *
 * Thread-safety: loaded once at startup, read-only afterwards. */
#ifndef TOKD_SERVER_MODELS_H
#define TOKD_SERVER_MODELS_H

#include <stddef.h>

/* Constants of OpenAI's cookbook "How to count tokens with tiktoken". */
typedef struct chat_format {
    char *name;
    long per_message, per_name, reply_priming;
    int has_tools;
    long func_init, prop_init, prop_key, enum_init, enum_item, func_end;
} chat_format;

typedef struct model_info {
    char *name;
    char *tokenizer;
    long context_window;
    long max_output_tokens;
    const chat_format *chat; /* NULL: not a chat model */
} model_info;

typedef struct model_registry {
    model_info *models;
    size_t n;
    chat_format *formats;
    size_t n_formats;
} model_registry;

/* Load `path`. On failure returns -1 with a message naming the file and the
 * offending key in `msg`. */
int models_load(model_registry *r, const char *path, char *msg, size_t msg_size);
void models_release(model_registry *r);

/* The entry for `name`: an exact match, else the longest entry that is a
 * prefix of `name` followed by '-' (so "gpt-4o-2024-11-20" finds "gpt-4o"
 * and "gpt-4o-mini-2024-07-18" finds the gpt-4o-mini entry). NULL if none. */
const model_info *models_find(const model_registry *r, const char *name);

/* The default registry file: $TOKD_MODELS_FILE is handled by the config;
 * this finds config/models.json next to the executable, in the install
 * prefix, or in the source tree. Static storage; "" if none exists. */
const char *models_default_path(void);

#endif
