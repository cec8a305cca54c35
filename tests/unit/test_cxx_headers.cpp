/* test_cxx_headers.cpp - the public headers compile as C++ and a C++
 * program links against the shared libtokd with only what they declare:
 * extern "C" linkage, the exported symbols, and the train progress atomics
 * seen as std::atomic. Asserts exact values; exits non-zero on the first
 * mismatch. */
#include "tokd/embed.h"
#include "tokd/error.h"
#include "tokd/export.h"
#include "tokd/file.h"
#include "tokd/tokd.h"
#include "tokd/tokenizer.h"
#include "tokd/train.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

static int failures;

static void expect(bool ok, const char *what)
{
    if (!ok) {
        std::fprintf(stderr, "FAIL: %s\n", what);
        failures++;
    }
}

static void encode_decode()
{
    tokd_tokenizer *tok = nullptr;
    tokd_error err = {};
    expect(tokd_tokenizer_load("cl100k_base", nullptr, &tok, &err) == TOKD_OK, "load cl100k_base");
    if (!tok)
        return;
    tokd_specials sp = {};
    tokd_ids ids = {};
    const char text[] = "hello world";
    expect(tokd_encode(tok, text, std::strlen(text), &sp, &ids, &err) == 0, "encode");
    expect(ids.len == 2 && ids.ids[0] == 15339 && ids.ids[1] == 1917, "ids of \"hello world\" are [15339, 1917]");
    tokd_bytes back = {};
    expect(tokd_decode_text(tok, ids.ids, ids.len, &back, &err) == 0, "decode");
    expect(back.len == std::strlen(text) && std::memcmp(back.data, text, back.len) == 0, "decode round trip");
    const uint32_t bad[] = {4000000000u};
    expect(tokd_decode_bytes(tok, bad, 1, &back, &err) == TOKD_ERANGE, "an id out of range is TOKD_ERANGE");
    tokd_bytes_release(&back);
    tokd_ids_release(&ids);
    tokd_tokenizer_unref(tok);
}

static void errors_and_atomics()
{
    expect(std::strcmp(tokd_err_api_name(TOKD_EFORMAT), "invalid_format") == 0, "EFORMAT's API name");
    expect(tokd_err_http_status(TOKD_ELIMIT) == 413, "ELIMIT's status");
    tokd_train_progress progress = {};
    progress.cancel.store(1);
    progress.merges_done.fetch_add(3);
    expect(progress.cancel.load() == 1 && progress.merges_done.load() == 3, "progress atomics");
    expect(sizeof(tokd_atomic_int) == sizeof(int) && sizeof(tokd_atomic_size) == sizeof(size_t),
           "atomics have the C sizes");
    char b64[8];
    tokd_base64_encode("\xfb\xff", 2, b64);
    expect(std::strcmp(b64, "+/8=") == 0, "base64");
}

int main()
{
    encode_decode();
    errors_and_atomics();
    std::printf("%s: %d failures\n", failures ? "FAIL" : "ok", failures);
    return failures ? EXIT_FAILURE : EXIT_SUCCESS;
}
