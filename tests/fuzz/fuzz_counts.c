/* fuzz_counts.c - the counts-file reader on arbitrary bytes: as given, and
 * with a valid SHA-256 trailer appended so the fuzzer reaches past the
 * checksum into every field. A file that reads must write back to the
 * same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "counts_impl.h"
#include "sha256.h"
#include "tokd/tokd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_and_rewrite(const uint8_t *data, size_t size)
{
    tokd_counts *c;
    tokd_error err;
    if (tokd_counts_parse(data, size, "fuzz.counts", &c, &err) != 0)
        return;
    tokd_bytes b = {0};
    if (tokd__counts_encode(c, &b) == 0 && (b.len != size || memcmp(b.data, data, size) != 0))
        abort(); /* the reader accepted something the writer would not write */
    tokd_bytes_release(&b);
    tokd_counts_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    read_and_rewrite(data, size);
    uint8_t *sealed = malloc(size + 32);
    if (!sealed)
        return 0;
    memcpy(sealed, data, size);
    tokd__sha256 h;
    tokd__sha256_init(&h);
    tokd__sha256_update(&h, data, size);
    tokd__sha256_final(&h, sealed + size);
    read_and_rewrite(sealed, size + 32);
    free(sealed);
    return 0;
}
