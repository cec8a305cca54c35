/* catalog.c - the served tokenizers: a small array under a read-write lock.
 *
 * Names are few (tens), so lookups scan; the lock is held only to find and
 * take a reference, never while a tokenizer is used. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "catalog.h"

int catalog_init(catalog *c)
{
    memset(c, 0, sizeof *c);
    return pthread_rwlock_init(&c->lock, NULL) == 0 ? 0 : -1;
}

void catalog_release(catalog *c)
{
    for (size_t i = 0; i < c->n; i++)
        tokd_tokenizer_unref(c->entries[i].tok);
    free(c->entries);
    pthread_rwlock_destroy(&c->lock);
}

static catalog_entry *find(catalog *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(tokd_tokenizer_name(c->entries[i].tok), name))
            return &c->entries[i];
    return NULL;
}

static int append(catalog *c, tokd_tokenizer *tok, int trained)
{
    if (c->n == CATALOG_MAX)
        return TOKD_ELIMIT;
    if (tokd__reserve((void **)&c->entries, &c->cap, c->n + 1, sizeof *c->entries) != 0)
        return TOKD_ENOMEM;
    c->entries[c->n++] = (catalog_entry){tok, trained};
    return 0;
}

/* Forget the failure of `name`; call with the write lock held. */
static void forget_failure(catalog *c, const char *name)
{
    for (size_t i = 0; i < c->n_failed; i++)
        if (!strcmp(c->failed[i].name, name)) {
            memmove(&c->failed[i], &c->failed[i + 1], (c->n_failed - i - 1) * sizeof *c->failed);
            c->n_failed--;
            return;
        }
}

void catalog_failed(catalog *c, const char *name, const char *path, const char *error)
{
    pthread_rwlock_wrlock(&c->lock);
    forget_failure(c, name);
    if (c->n_failed == CATALOG_MAX_FAILED)
        forget_failure(c, c->failed[0].name);
    catalog_failure *f = &c->failed[c->n_failed++];
    snprintf(f->name, sizeof f->name, "%s", name);
    snprintf(f->path, sizeof f->path, "%s", path);
    snprintf(f->error, sizeof f->error, "%s", error);
    pthread_rwlock_unlock(&c->lock);
}

size_t catalog_failures(catalog *c, catalog_failure *out, size_t max)
{
    pthread_rwlock_rdlock(&c->lock);
    size_t n = c->n_failed < max ? c->n_failed : max;
    memcpy(out, c->failed, n * sizeof *out);
    pthread_rwlock_unlock(&c->lock);
    return n;
}

int catalog_add(catalog *c, tokd_tokenizer *tok, int trained, int replace)
{
    tokd_tokenizer *old = NULL;
    pthread_rwlock_wrlock(&c->lock);
    catalog_entry *e = find(c, tokd_tokenizer_name(tok));
    int rc = !e ? append(c, tok, trained) : !e->trained ? TOKD_ERESERVED : !replace ? TOKD_EEXIST : 0;
    if (e && rc == 0) {
        old = e->tok;
        e->tok = tok;
    }
    if (rc == 0)
        forget_failure(c, tokd_tokenizer_name(tok));
    pthread_rwlock_unlock(&c->lock);
    if (rc != 0)
        tokd_tokenizer_unref(tok);
    tokd_tokenizer_unref(old); /* outside the lock; readers hold their own */
    return rc;
}

tokd_tokenizer *catalog_get(catalog *c, const char *name)
{
    pthread_rwlock_rdlock(&c->lock);
    catalog_entry *e = find(c, name);
    tokd_tokenizer *t = e ? tokd_tokenizer_ref(e->tok) : NULL;
    pthread_rwlock_unlock(&c->lock);
    return t;
}

int catalog_has(catalog *c, const char *name)
{
    pthread_rwlock_rdlock(&c->lock);
    catalog_entry *e = find(c, name);
    int has = !e ? 0 : e->trained ? 1 : 2;
    pthread_rwlock_unlock(&c->lock);
    return has;
}

size_t catalog_list(catalog *c, tokd_tokenizer ***out)
{
    pthread_rwlock_rdlock(&c->lock);
    size_t n = c->n;
    *out = malloc((n ? n : 1) * sizeof **out);
    for (size_t i = 0; *out && i < n; i++)
        (*out)[i] = tokd_tokenizer_ref(c->entries[i].tok);
    pthread_rwlock_unlock(&c->lock);
    return *out ? n : 0;
}

size_t catalog_count(catalog *c)
{
    pthread_rwlock_rdlock(&c->lock);
    size_t n = c->n;
    pthread_rwlock_unlock(&c->lock);
    return n;
}
