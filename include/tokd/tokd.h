/* tokd/tokd.h - the whole public API of libtokd.
 *
 * libtokd is a tokenization library compatible byte for byte with OpenAI's
 * tiktoken. See tokd/tokenizer.h for loading and encoding, tokd/error.h for
 * error codes. */
#ifndef TOKD_TOKD_H
#define TOKD_TOKD_H

#include "tokd/error.h"
#include "tokd/file.h"
#include "tokd/tokenizer.h"
#include "tokd/train.h"
#include "tokd/counts.h"
#include "tokd/embed.h"

#define TOKD_VERSION "0.1.0"

#endif
