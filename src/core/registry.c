/* registry.c - the built-in encodings and tiktoken's model -> encoding map.
 *
 * Patterns, special tokens and n_vocab are tiktoken's (tiktoken_ext/
 * openai_public.py; npm tiktoken 1.0.22's registry.json). File hashes are
 * the expected_hash values tiktoken verifies downloads against; the files
 * themselves ship in data/encodings (see data/encodings/PROVENANCE.md).
 * The model tables follow tiktoken's model.py: exact names first, then the
 * prefixes in their listed order. */
#include <string.h>

#include "registry.h"
#include "tokd/tokenizer.h"

#define PAT_R50K "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"
#define PAT_CL100K                                                                                 \
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| "                     \
    "?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"
#define PAT_O200K                                                                                  \
    "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'" \
    "s|'t|'re|'ve|'m|'ll|'d)?|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}"   \
    "\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/" \
    "]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"

#define SHA_R50K "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930"
#define SHA_P50K "94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069"
#define SHA_CL100K "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
#define SHA_O200K "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"

static const tokd__special_def sp_r50k[] = {{"<|endoftext|>", 50256}};
static const tokd__special_def sp_p50k_edit[] = {
    {"<|endoftext|>", 50256}, {"<|fim_prefix|>", 50281}, {"<|fim_middle|>", 50282},
    {"<|fim_suffix|>", 50283}};
static const tokd__special_def sp_cl100k[] = {
    {"<|endoftext|>", 100257}, {"<|fim_prefix|>", 100258}, {"<|fim_middle|>", 100259},
    {"<|fim_suffix|>", 100260}, {"<|endofprompt|>", 100276}};
static const tokd__special_def sp_o200k[] = {{"<|endoftext|>", 199999}, {"<|endofprompt|>", 200018}};
/* gpt-oss: o200k_base's specials, these, and <|reserved_N|> for N in
 * [200013, 201088) (which gives id 200018 a second name). */
static const tokd__special_def sp_harmony[] = {
    {"<|endofprompt|>", 200018},     {"<|startoftext|>", 199998},     {"<|endoftext|>", 199999},
    {"<|reserved_200000|>", 200000}, {"<|reserved_200001|>", 200001}, {"<|return|>", 200002},
    {"<|constrain|>", 200003},       {"<|reserved_200004|>", 200004}, {"<|channel|>", 200005},
    {"<|start|>", 200006},           {"<|end|>", 200007},             {"<|message|>", 200008},
    {"<|reserved_200009|>", 200009}, {"<|reserved_200010|>", 200010}, {"<|reserved_200011|>", 200011},
    {"<|call|>", 200012}};

#define SPECIALS(a) a, sizeof a / sizeof a[0]

static const tokd__builtin builtins[] = {
    {"gpt2", "r50k_base.tiktoken", SHA_R50K, PAT_R50K, SPECIALS(sp_r50k), 0, 50257},
    {"r50k_base", "r50k_base.tiktoken", SHA_R50K, PAT_R50K, SPECIALS(sp_r50k), 0, 50257},
    {"p50k_base", "p50k_base.tiktoken", SHA_P50K, PAT_R50K, SPECIALS(sp_r50k), 0, 50281},
    {"p50k_edit", "p50k_base.tiktoken", SHA_P50K, PAT_R50K, SPECIALS(sp_p50k_edit), 0, 50284},
    {"cl100k_base", "cl100k_base.tiktoken", SHA_CL100K, PAT_CL100K, SPECIALS(sp_cl100k), 0, 100277},
    {"o200k_base", "o200k_base.tiktoken", SHA_O200K, PAT_O200K, SPECIALS(sp_o200k), 0, 200019},
    {"o200k_harmony", "o200k_base.tiktoken", SHA_O200K, PAT_O200K, SPECIALS(sp_harmony), 1,
     TOKD__HARMONY_RESERVED_END},
};

static const char *const builtin_names[] = {"gpt2",        "r50k_base",  "p50k_base",     "p50k_edit",
                                            "cl100k_base", "o200k_base", "o200k_harmony", NULL};

/* Shipped in data/encodings; provenance in data/encodings/PROVENANCE.md. */
static const tokd__bundled bundled[] = {
    {"llama3", "llama3/tokenizer.json", "c05a3c2174e9edd5be19dc5a0748c42a9037bec2811ce062728bfd71f8702d78"},
    {"mistral", "mistral/tokenizer.json", "fc4f0bd70b3709312d9d1d9e5ba674794b6bc5abc17429897a540f93882f25fc"},
};

static const char *const bundled_names[] = {"llama3", "mistral", NULL};

const char *const *tokd_bundled_tokenizers(void)
{
    return bundled_names;
}

const tokd__bundled *tokd__bundled_find(const char *name)
{
    for (size_t i = 0; i < sizeof bundled / sizeof bundled[0]; i++)
        if (!strcmp(bundled[i].name, name))
            return &bundled[i];
    return NULL;
}

const char *const *tokd_builtin_encodings(void)
{
    return builtin_names;
}

const tokd__builtin *tokd__builtin_find(const char *name)
{
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
        if (strcmp(builtins[i].name, name) == 0)
            return &builtins[i];
    return NULL;
}

const tokd__builtin *tokd__builtin_by_sha256(const char *sha256)
{
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
        if (strcmp(builtins[i].sha256, sha256) == 0)
            return &builtins[i];
    return NULL;
}

typedef struct model_map {
    const char *model;
    const char *encoding;
} model_map;

static const model_map exact_models[] = {
    /* reasoning */
    {"o1", "o200k_base"}, {"o3", "o200k_base"}, {"o4-mini", "o200k_base"},
    /* chat */
    {"gpt-5", "o200k_base"}, {"gpt-4.1", "o200k_base"}, {"gpt-4o", "o200k_base"},
    {"gpt-4", "cl100k_base"}, {"gpt-3.5-turbo", "cl100k_base"}, {"gpt-3.5", "cl100k_base"},
    {"gpt-35-turbo", "cl100k_base"},
    /* base */
    {"davinci-002", "cl100k_base"}, {"babbage-002", "cl100k_base"},
    /* embeddings */
    {"text-embedding-ada-002", "cl100k_base"}, {"text-embedding-3-small", "cl100k_base"},
    {"text-embedding-3-large", "cl100k_base"},
    /* deprecated text, code, edit and embedding models */
    {"text-davinci-003", "p50k_base"}, {"text-davinci-002", "p50k_base"},
    {"text-davinci-001", "r50k_base"}, {"text-curie-001", "r50k_base"},
    {"text-babbage-001", "r50k_base"}, {"text-ada-001", "r50k_base"}, {"davinci", "r50k_base"},
    {"curie", "r50k_base"}, {"babbage", "r50k_base"}, {"ada", "r50k_base"},
    {"code-davinci-002", "p50k_base"}, {"code-davinci-001", "p50k_base"},
    {"code-cushman-002", "p50k_base"}, {"code-cushman-001", "p50k_base"},
    {"davinci-codex", "p50k_base"}, {"cushman-codex", "p50k_base"},
    {"text-davinci-edit-001", "p50k_edit"}, {"code-davinci-edit-001", "p50k_edit"},
    {"text-similarity-davinci-001", "r50k_base"}, {"text-similarity-curie-001", "r50k_base"},
    {"text-similarity-babbage-001", "r50k_base"}, {"text-similarity-ada-001", "r50k_base"},
    {"text-search-davinci-doc-001", "r50k_base"}, {"text-search-curie-doc-001", "r50k_base"},
    {"text-search-babbage-doc-001", "r50k_base"}, {"text-search-ada-doc-001", "r50k_base"},
    {"code-search-babbage-code-001", "r50k_base"}, {"code-search-ada-code-001", "r50k_base"},
    /* open source */
    {"gpt2", "gpt2"}, {"gpt-2", "gpt2"},
};

/* Order matters: the first prefix that matches wins. */
static const model_map model_prefixes[] = {
    {"o1-", "o200k_base"}, {"o3-", "o200k_base"}, {"o4-mini-", "o200k_base"},
    {"gpt-5-", "o200k_base"}, {"gpt-4.5-", "o200k_base"}, {"gpt-4.1-", "o200k_base"},
    {"chatgpt-4o-", "o200k_base"}, {"gpt-4o-", "o200k_base"}, {"gpt-4-", "cl100k_base"},
    {"gpt-3.5-turbo-", "cl100k_base"}, {"gpt-35-turbo-", "cl100k_base"},
    {"gpt-oss-", "o200k_harmony"},
    /* fine-tuned models */
    {"ft:gpt-4o", "o200k_base"}, {"ft:gpt-4", "cl100k_base"}, {"ft:gpt-3.5-turbo", "cl100k_base"},
    {"ft:davinci-002", "cl100k_base"}, {"ft:babbage-002", "cl100k_base"},
};

const char *tokd_encoding_for_model(const char *model)
{
    for (size_t i = 0; i < sizeof exact_models / sizeof exact_models[0]; i++)
        if (strcmp(exact_models[i].model, model) == 0)
            return exact_models[i].encoding;
    for (size_t i = 0; i < sizeof model_prefixes / sizeof model_prefixes[0]; i++)
        if (strncmp(model, model_prefixes[i].model, strlen(model_prefixes[i].model)) == 0)
            return model_prefixes[i].encoding;
    return NULL;
}
