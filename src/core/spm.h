/* spm.h - the pipeline steps of a sentencepiece .model file (internal).
 *
 * spm_load.c builds a tokenizer from a ModelProto out of these and the
 * Unigram model (model_unigram.h, in its sentencepiece mode):
 * - the normalizer (spm_normalizer.c): sentencepiece's Normalizer, the
 *   whole text in one pass (character map by longest match, user-defined
 *   symbols kept as they are, whitespace rules, "▁" for spaces);
 * - the BPE model (spm_model_bpe.c): sentencepiece's bpe_model.cc, merges
 *   chosen by piece score over code points;
 * - the decoder (spm_decoder.c): DecodeIds.
 * There is no pre-tokenizer: sentencepiece's models see the whole
 * normalized text (a segment between special tokens) at once.
 *
 * Ownership: each step owns what it is given ("taken over"), except the
 * vocabulary, borrowed from the tokenizer that owns both. Thread-safety:
 * immutable steps, reentrant calls. */
#ifndef TOKD_SPM_H
#define TOKD_SPM_H

#include "charsmap.h"
#include "decoder.h"
#include "model_unigram.h"
#include "normalizer.h"
#include "trie.h"

typedef struct tokd__spm_norm_options {
    int add_dummy_prefix;
    int remove_extra_whitespaces;
    int escape_whitespaces;
    int treat_whitespace_as_suffix; /* the dummy "▁" goes at the end */
} tokd__spm_norm_options;

/* The normalizer; `map` (n_units 0: identity) and `user` (the user-defined
 * symbols) are taken over, also on failure. */
int tokd__normalizer_spm(tokd__charsmap *map, tokd__trie *user, const tokd__spm_norm_options *o,
                         tokd__normalizer *out);

/* The BPE model over `vocab` (borrowed) with score[i] and kind[i] (copied),
 * the user-defined symbols `user` (taken over) and the unknown-text rules
 * `o` (its sentencepiece rules: runs fused, byte fallback). */
int tokd__model_spm_bpe(const tokd__vocab *vocab, const double *score, const uint8_t *kind, tokd__trie *user,
                        const tokd__unigram_options *o, tokd__model *out);

/* DecodeIds: control pieces vanish, the unknown piece is `unk_surface`
 * (copied), runs of byte pieces are their bytes (U+FFFD per byte that is
 * not UTF-8, unless raw), "▁" is a space and the first piece loses one
 * leading "▁" (every leading one while the text is empty, with
 * remove_extra_whitespaces) when `strip_first`. kind is copied. */
int tokd__decoder_spm(const tokd__vocab *vocab, const uint8_t *kind, const char *unk_surface, size_t unk_len,
                      int strip_first, int remove_extra_whitespaces, tokd__decoder *out);

#endif
