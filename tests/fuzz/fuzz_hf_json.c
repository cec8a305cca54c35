/* fuzz_hf_json.c - the tokenizer.json loader on arbitrary bytes (written to
 * a file, as the loader reads files); what loads must encode and decode. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tokd/tokd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[] = "/tmp/tokd-fuzz-XXXXXX", path[128];

static void clean_up(void)
{
    unlink(path);
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int fd = -1;
    if (fd < 0) {
        if (!mkdtemp(dir))
            abort();
        snprintf(path, sizeof path, "%s/tokenizer.json", dir);
        fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
        atexit(clean_up);
    }
    if (fd < 0 || ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        return 0;
    char spec[160];
    snprintf(spec, sizeof spec, "fuzz=%s", path);
    tokd_tokenizer *t;
    tokd_error err;
    if (tokd_tokenizer_load(spec, NULL, &t, &err) != 0)
        return 0;
    static const char text[] = "Hello world 123 <s> ñ 😀\n\t  x";
    tokd_ids ids = {0};
    tokd_bytes out = {0};
    tokd_specials all = {.allowed_mode = TOKD_ALLOW_ALL, .add_special_tokens = 1};
    if (tokd_encode(t, text, sizeof text - 1, &all, &ids, &err) == 0)
        tokd_decode_text(t, ids.ids, ids.len, &out, &err);
    tokd_ids_release(&ids);
    tokd_bytes_release(&out);
    tokd_tokenizer_unref(t);
    return 0;
}
