/* post.h - the post-processor's effect on offsets (internal).
 *
 * A tokenizer.json post-processor adds template ids around the sequence
 * (pipeline.h's prefix and suffix) and, for ByteLevel and RobertaProcessing
 * with trim_offsets, trims each token's offsets by the spaces its string
 * starts or ends with (Hugging Face's byte_level::process_offsets): only
 * offsets change, never ids.
 *
 * Thread-safety: pure; works on the caller's arrays. */
#ifndef TOKD_POST_H
#define TOKD_POST_H

#include "tokd/tokenizer.h"

/* Trim v[0..n), the offsets of ids[0..n) (the sequence's own tokens, the
 * template's excluded), as process_offsets(add_prefix_space) does. */
void tokd__post_trim_offsets(const tokd_tokenizer *t, int add_prefix_space, const uint32_t *ids, tokd_offset *v,
                             size_t n);

#endif
