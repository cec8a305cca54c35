/* fuzz_imagesize.c - image headers of any bytes: imagesize_read never reads
 * out of bounds, and a size it reports is positive. Seeds: the real images
 * of tests/data/images (3x2 ones). */
#include <stdlib.h>

#include "imagesize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1); /* exact-size buffer: ASan sees any overread */
    if (!copy)
        return 0;
    for (size_t i = 0; i < size; i++)
        copy[i] = data[i];
    imagesize s;
    if (imagesize_read(copy, size, &s) == IMAGESIZE_OK && (s.width <= 0 || s.height <= 0 || !s.format))
        abort();
    free(copy);
    return 0;
}
