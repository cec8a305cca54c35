/* test_sha256.c - SHA-256 against the FIPS 180-4 / NIST example vectors. */
#include <string.h>

#include "sha256.h"
#include "testutil.h"

START_TEST(test_vectors)
{
    char hex[65];
    tokd__sha256_hex("abc", 3, hex);
    ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    tokd__sha256_hex("", 0, hex);
    ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    tokd__sha256_hex(m, strlen(m), hex);
    ck_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}
END_TEST

START_TEST(test_million_a_in_odd_chunks)
{
    static char a[1000];
    memset(a, 'a', sizeof a);
    tokd__sha256 ctx;
    uint8_t d[32];
    tokd__sha256_init(&ctx);
    size_t done = 0, step = 1;
    while (done < 1000000) { /* chunk sizes 1..999 cross block edges */
        size_t n = step < 1000000 - done ? step : 1000000 - done;
        tokd__sha256_update(&ctx, a, n);
        done += n;
        step = step % 997 + 1;
    }
    tokd__sha256_final(&ctx, d);
    static const uint8_t want[32] = {0xcd, 0xc7, 0x6e, 0x5c, 0x99, 0x14, 0xfb, 0x92, 0x81, 0xa1, 0xc7,
                                     0xe2, 0x84, 0xd7, 0x3e, 0x67, 0xf1, 0x80, 0x9a, 0x48, 0xa4, 0x97,
                                     0x20, 0x0e, 0x04, 0x6d, 0x39, 0xcc, 0xc7, 0x11, 0x2c, 0xd0};
    ck_assert_mem_eq(d, want, 32);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sha256");
    TCase *tc = tcase_create("fips180-4");
    tcase_add_test(tc, test_vectors);
    tcase_add_test(tc, test_million_a_in_odd_chunks);
    suite_add_tcase(s, tc);
    return test_run(s);
}
