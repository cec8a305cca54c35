/* bytelevel.c - decoding GPT-2's byte-to-unicode alphabet.
 *
 * The mapping (GPT-2's bytes_to_unicode): bytes '!'..'~', 0xA1..0xAC and
 * 0xAE..0xFF stand for themselves; the remaining 68 bytes, in increasing
 * order, are written U+0100, U+0101, ... */
#include "bytelevel.h"

static int printable_latin1(int b)
{
    return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
}

uint8_t tokd__bytelevel_order(int i)
{
    int n = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int b = 0; b < 256; b++)
            if (printable_latin1(b) == !pass && n++ == i)
                return (uint8_t)b;
    return 0;
}

/* The byte that code point c stands for, or -1. The 68 bytes written
 * U+0100.. are, in order, 0x00-0x20, 0x7F-0xA0 and 0xAD. */
static int byte_of(unsigned c)
{
    if (c < 0x100)
        return printable_latin1((int)c) ? (int)c : -1;
    unsigned k = c - 0x100;
    return k < 33 ? (int)k : k < 67 ? (int)(0x7F + k - 33) : k == 67 ? 0xAD : -1;
}

uint32_t tokd__bytelevel_char(uint8_t b)
{
    if (printable_latin1(b))
        return b;
    return 0x100u + (b <= 0x20 ? b : b < 0xAD ? 33u + (b - 0x7Fu) : 67u);
}

long tokd__bytelevel_decode(const char *s, size_t len, uint8_t *out)
{
    long n = 0;
    for (size_t i = 0; i < len;) {
        unsigned c = (unsigned char)s[i];
        if (c < 0x80) {
            i++;
        } else if ((c & 0xE0) == 0xC0 && i + 1 < len) {
            c = (c & 0x1F) << 6 | ((unsigned char)s[i + 1] & 0x3F);
            i += 2;
        } else {
            return -1;
        }
        int b = byte_of(c);
        if (b < 0)
            return -1;
        out[n++] = (uint8_t)b;
    }
    return n;
}
