/* test_sha256.c -- SHA-256 against the NIST FIPS 180-4 example vectors ("abc", the empty string,
 * the 448- and 896-bit messages, one million 'a'), padding boundaries, and incremental updates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/sha256.h"

static void hex(const uint8_t d[SHA256_DIGEST_LEN], char out[2 * SHA256_DIGEST_LEN + 1]) {
    for (int i = 0; i < SHA256_DIGEST_LEN; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void check(const void *msg, size_t len, const char *want) {
    uint8_t d[SHA256_DIGEST_LEN];
    char h[2 * SHA256_DIGEST_LEN + 1];
    sha256(msg, len, d);
    hex(d, h);
    assert_string_equal(h, want);
}

static void test_nist_short(void **state) {
    (void)state;
    check("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    check("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    check(m448, strlen(m448), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    const char *m896 =
        "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrst"
        "nopqrstu";
    check(m896, strlen(m896), "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_nist_million_a(void **state) {
    (void)state;
    size_t n = 1000000;
    char *m = malloc(n);
    assert_non_null(m);
    memset(m, 'a', n);
    check(m, n, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    /* The same in uneven chunks through the incremental interface. */
    sha256_ctx c;
    sha256_init(&c);
    size_t off = 0, step = 1;
    while (off < n) {
        size_t take = step < n - off ? step : n - off;
        sha256_update(&c, m + off, take);
        off += take;
        step = step * 3 % 1000 + 1;
    }
    uint8_t d[SHA256_DIGEST_LEN];
    char h[2 * SHA256_DIGEST_LEN + 1];
    sha256_final(&c, d);
    hex(d, h);
    assert_string_equal(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(m);
}

/* Lengths around the padding boundary (55 fits one block with the length, 56 needs two). */
static void test_padding_boundaries(void **state) {
    (void)state;
    static const struct {
        size_t n;
        const char *want;
    } v[] = {
        {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
        {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
        {63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
        {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
        {119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
        {120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
    };
    char m[128];
    memset(m, 'a', sizeof m);
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        check(m, v[i].n, v[i].want);
}

/* Every split point of a two-block message gives the one-shot digest. */
static void test_incremental_splits(void **state) {
    (void)state;
    const char *m896 =
        "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrst"
        "nopqrstu";
    size_t n = strlen(m896);
    uint8_t want[SHA256_DIGEST_LEN], got[SHA256_DIGEST_LEN];
    sha256(m896, n, want);
    for (size_t split = 0; split <= n; split++) {
        sha256_ctx c;
        sha256_init(&c);
        sha256_update(&c, m896, split);
        sha256_update(&c, m896 + split, n - split);
        sha256_final(&c, got);
        assert_memory_equal(got, want, SHA256_DIGEST_LEN);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nist_short),
        cmocka_unit_test(test_nist_million_a),
        cmocka_unit_test(test_padding_boundaries),
        cmocka_unit_test(test_incremental_splits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
