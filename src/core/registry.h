/* registry.h - tokd's built-in OpenAI encodings (internal).
 *
 * Thread-safety: read-only data. */
#ifndef TOKD_REGISTRY_H
#define TOKD_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

typedef struct tokd__special_def {
    const char *text;
    uint32_t id;
} tokd__special_def;

typedef struct tokd__builtin {
    const char *name;
    const char *ranks_file; /* file name inside the data directory */
    const char *sha256;     /* what tiktoken checks the file against */
    const char *pattern;    /* npm tiktoken's spelling */
    const tokd__special_def *specials;
    size_t n_specials;
    int harmony_reserved; /* add o200k_harmony's <|reserved_N|> range */
    uint32_t n_vocab;     /* tiktoken's n_vocab, checked after loading */
} tokd__builtin;

/* A bundled Hugging Face tokenizer.json, by name. */
typedef struct tokd__bundled {
    const char *name;
    const char *file;   /* inside the data directory */
    const char *sha256; /* checked at every load */
} tokd__bundled;

const tokd__bundled *tokd__bundled_find(const char *name);

/* The built-in encoding called `name`, or NULL. */
const tokd__builtin *tokd__builtin_find(const char *name);

/* The built-in encoding whose ranks file has this SHA-256 (the first
 * such), or NULL. */
const tokd__builtin *tokd__builtin_by_sha256(const char *sha256);

/* o200k_harmony reserves <|reserved_N|> for N in this range. */
#define TOKD__HARMONY_RESERVED_FIRST 200013
#define TOKD__HARMONY_RESERVED_END 201088

#endif
