/* tables.c - the embedding tables tokd serve opens at startup.
 *
 * Each configured table is memory-mapped, checked against its tokenizer
 * (every id must have a row) and kept for the server's life. The bundled
 * default table is SHA-256 checked like every file tokd ships. A table that
 * fails stops startup with its name, file and the problem. */
#include <stdio.h>
#include <string.h>

#include "app.h"

#define BUNDLED_FILE "cl100k_base-d16.safetensors"
#define BUNDLED_SHA256 "58847d06fba2e616edcf0b23127d038729e4bb6f3a9b3aa4ff2ad6af82a7d850"

static int open_table(app *a, const embed_config *c, embed_table *t)
{
    char path[2200];
    tokd_error err = {0};
    const char *data = a->cfg.data_dir[0] ? a->cfg.data_dir : tokd_default_data_dir();
    if (c->file[0])
        snprintf(path, sizeof path, "%s", c->file);
    else
        snprintf(path, sizeof path, "%s/%s", data, BUNDLED_FILE);
    snprintf(t->name, sizeof t->name, "%s", c->name);
    if (!(t->tok = catalog_get(&a->tokenizers, c->tokenizer))) {
        fprintf(stderr, "tokd serve: embeddings.%s: tokenizer '%s' is not loaded\n", c->name, c->tokenizer);
        return -1;
    }
    if (tokd_embedding_open(path, c->tensor, c->positional[0] ? c->positional : NULL,
                            c->file[0] ? NULL : BUNDLED_SHA256, &t->emb, &err) != 0) {
        fprintf(stderr, "tokd serve: embeddings.%s: %s\n", c->name, err.text);
        return -1;
    }
    if (tokd_embedding_rows(t->emb) < tokd_tokenizer_n_vocab(t->tok)) {
        fprintf(stderr, "tokd serve: embeddings.%s: %s: \"%s\" has %zu rows but tokenizer %s has %u ids\n", c->name,
                path, c->tensor, tokd_embedding_rows(t->emb), c->tokenizer, tokd_tokenizer_n_vocab(t->tok));
        return -1;
    }
    return 0;
}

int tables_load(app *a)
{
    for (long i = 0; i < a->cfg.n_embeddings; i++) {
        int rc = open_table(a, &a->cfg.embeddings[i], &a->tables[a->n_tables]);
        a->n_tables++; /* counted even when half open, so release frees it */
        if (rc != 0)
            return -1;
    }
    return 0;
}

void tables_release(app *a)
{
    for (size_t i = 0; i < a->n_tables; i++) {
        tokd_embedding_free(a->tables[i].emb);
        tokd_tokenizer_unref(a->tables[i].tok);
    }
    a->n_tables = 0;
}
