/* fuzz_tiktoken.c - the .tiktoken rank-file parser on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "tiktoken_file.h"
#include "tokd/tokd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tokd__vocab *v;
    tokd_error err;
    if (tokd__tiktoken_parse((const char *)data, size, "fuzz.tiktoken", "", &v, &err) == 0)
        tokd__vocab_unref(v);
    return 0;
}
