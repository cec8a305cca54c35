/* decoder.h - the decoder chain of the pipeline (internal).
 *
 * Decoding turns ids into their tokens' bytes, then runs the tokenizer's
 * decoders in order over the list of token strings, as Hugging Face's
 * decode_chain does; the result is the strings joined. Implementations
 * (decoders.c): every Hugging Face decoder (ByteLevel, Metaspace,
 * WordPiece, BPEDecoder, CTC, ByteFallback, Fuse, Strip, Replace), the
 * alphabet spelling a byte-level vocabulary's tokens need before a step
 * that reads them as Hugging Face writes them, and the space-join Hugging
 * Face uses when a file has no decoder; an empty chain (tiktoken) is the
 * bytes as they are.
 *
 * Ownership: the tokenizer owns its decoders. Thread-safety: reentrant. */
#ifndef TOKD_DECODER_H
#define TOKD_DECODER_H

#include "pretokenizer.h"

typedef struct tokd__decoder_ops {
    const char *name;
    /* Replace the token strings (spans over tokens->text) by this step's
     * output. With `raw`, ByteFallback keeps bytes that are not UTF-8 as
     * they are instead of U+FFFD. 0 or TOKD_ENOMEM. */
    int (*decode)(const void *self, tokd__splits *tokens, int raw);
    void (*free)(void *self);
} tokd__decoder_ops;

typedef struct tokd__decoder {
    const tokd__decoder_ops *ops;
    void *self;
} tokd__decoder;

/* Replace `from` by `to` in every token; the _regex form replaces every
 * match of a PCRE2 pattern (TOKD_EINVAL if it does not compile). */
int tokd__decoder_replace(const char *from, const char *to, tokd__decoder *out);
int tokd__decoder_replace_regex(const char *pattern, const char *to, tokd__decoder *out);
/* Metaspace: `replacement` becomes ' '; with `drop_first`, the first token
 * loses every replacement instead. */
int tokd__decoder_metaspace(const char *replacement, int drop_first, tokd__decoder *out);
/* Runs of <0xXX> tokens become their bytes (U+FFFD per byte when not UTF-8). */
int tokd__decoder_byte_fallback(tokd__decoder *out);
/* All tokens joined into one. */
int tokd__decoder_fuse(tokd__decoder *out);
/* Up to `start` leading and `stop` trailing copies of the character
 * `content` removed from each token (TOKD_EINVAL if not one character). */
int tokd__decoder_strip(const char *content, int start, int stop, tokd__decoder *out);
/* All tokens' bytes (from the alphabet, unless `from_bytes`: they are
 * bytes already) as one token, invalid UTF-8 as U+FFFD unless raw. */
int tokd__decoder_bytelevel(int from_bytes, tokd__decoder *out);
/* Each token's bytes written in GPT-2's alphabet (bytelevel.h). */
int tokd__decoder_bytelevel_spell(tokd__decoder *out);
/* WordPiece: `prefix` removed from the tokens after the first, the others
 * preceded by a space; Hugging Face's cleanup of spaces before
 * punctuation and contractions if `cleanup`. */
int tokd__decoder_wordpiece(const char *prefix, int cleanup, tokd__decoder *out);
/* BPEDecoder: `suffix` becomes a space, in the last token nothing. */
int tokd__decoder_bpe(const char *suffix, tokd__decoder *out);
/* CTC: repeated tokens once, `pad` removed, with `cleanup` also the
 * WordPiece cleanup and `delimiter` as a space; empty tokens dropped. */
int tokd__decoder_ctc(const char *pad, const char *delimiter, int cleanup, tokd__decoder *out);
/* All tokens joined with spaces into one (a file without a decoder). */
int tokd__decoder_join(tokd__decoder *out);

#endif
