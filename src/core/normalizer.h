/* normalizer.h - the normalizer steps of the pipeline (internal).
 *
 * A normalizer rewrites a text (ntext.h) into a new one, keeping the
 * alignment to the caller's bytes when the call tracks it, exactly as
 * Hugging Face's NormalizedString aligns it. A tokenizer runs its
 * normalizers in order; each is one implementation of this interface
 * (normalizers.c; Precompiled in normalizer_precompiled.c).
 *
 * Ownership: the tokenizer owns its normalizers (`free`, when not NULL,
 * releases `self`); every constructor below fills *out, which the caller
 * then owns. Thread-safety: apply is reentrant; `self` is immutable. */
#ifndef TOKD_NORMALIZER_H
#define TOKD_NORMALIZER_H

#include "ntext.h"
#include "pretok.h"
#include "unorm.h"

typedef struct tokd__normalizer_ops {
    const char *name;
    /* Replace *t (valid UTF-8) by its normalized form. 0 or TOKD_ENOMEM. */
    int (*apply)(const void *self, tokd__ntext *t);
    void (*free)(void *self);
} tokd__normalizer_ops;

typedef struct tokd__normalizer {
    const tokd__normalizer_ops *ops;
    void *self;
} tokd__normalizer;

/* Hugging Face's Prepend: `text` before a non-empty text. */
int tokd__normalizer_prepend(const char *text, tokd__normalizer *out);
/* Replace every `from` (non-empty) by `to`. */
int tokd__normalizer_replace(const char *from, const char *to, tokd__normalizer *out);
/* Replace every match of the Oniguruma regex `pattern` (as Split's, see
 * pretok.h) by `content`; TOKD_EPATTERN when it does not compile. */
int tokd__normalizer_replace_regex(const char *pattern, const char *content, tokd__normalizer *out, tokd_error *err);
/* NFC, NFD, NFKC or NFKD (unorm.h). */
int tokd__normalizer_unicode(enum tokd__unorm_form form, tokd__normalizer *out);
/* Lowercase, StripAccents, ByteLevel (each byte as its GPT-2 character). */
int tokd__normalizer_lowercase(tokd__normalizer *out);
int tokd__normalizer_strip_accents(tokd__normalizer *out);
int tokd__normalizer_bytelevel(tokd__normalizer *out);
/* Strip: white space off the left and / or right end. */
int tokd__normalizer_strip(int left, int right, tokd__normalizer *out);

/* BertNormalizer's options (strip_accents already resolved: Hugging Face's
 * null follows lowercase). */
typedef struct tokd__bert_options {
    int clean_text, chinese_chars, strip_accents, lowercase;
} tokd__bert_options;
int tokd__normalizer_bert(const tokd__bert_options *o, tokd__normalizer *out);

/* Run n normalizers over *t in order. */
int tokd__normalize(const tokd__normalizer *v, size_t n, tokd__ntext *t);

#endif
