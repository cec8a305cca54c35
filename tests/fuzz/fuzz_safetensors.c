/* fuzz_safetensors.c - the safetensors header parser and validator on
 * arbitrary bytes; every accepted tensor must lie inside the data. */
#include <stdlib.h>

#include "safetensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tokd__safetensors st;
    tokd_error err;
    if (tokd__safetensors_parse(data, size, &st, &err) != 0)
        return 0;
    for (size_t i = 0; i < st.n; i++)
        if (st.data_start + st.t[i].end > size || st.t[i].begin > st.t[i].end)
            abort();
    tokd__safetensors_release(&st);
    return 0;
}
