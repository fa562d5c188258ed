/* base64.c -- RFC 4648 base64 and base64url. */
#include "util/base64.h"

#include <stdint.h>

static const char b64_std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t b64_encoded_len(size_t n, int flags) {
    if (!(flags & B64_NOPAD)) return 4 * ((n + 2) / 3);
    return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
}

size_t b64_encode(const void *in, size_t n, int flags, char *out) {
    const unsigned char *p = in;
    const char *al = (flags & B64_URL) ? b64_url : b64_std;
    size_t o = 0, i = 0;
    for (; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        out[o++] = al[v >> 18 & 63];
        out[o++] = al[v >> 12 & 63];
        out[o++] = al[v >> 6 & 63];
        out[o++] = al[v & 63];
    }
    if (i < n) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n) v |= (uint32_t)p[i + 1] << 8;
        out[o++] = al[v >> 18 & 63];
        out[o++] = al[v >> 12 & 63];
        if (i + 1 < n) out[o++] = al[v >> 6 & 63];
        if (!(flags & B64_NOPAD)) {
            if (i + 1 >= n) out[o++] = '=';
            out[o++] = '=';
        }
    }
    out[o] = '\0';
    return o;
}

char *b64_encode_arena(arena_t *a, const void *in, size_t n, int flags) {
    char *out = arena_alloc(a, b64_encoded_len(n, flags) + 1);
    b64_encode(in, n, flags, out);
    return out;
}

static int b64_value(char c, int flags) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == ((flags & B64_URL) ? '-' : '+')) return 62;
    if (c == ((flags & B64_URL) ? '_' : '/')) return 63;
    return -1;
}

long b64_decode(const char *in, size_t len, int flags, unsigned char *out) {
    size_t pad = 0;
    while (len > 0 && in[len - 1] == '=' && pad < 2)
        len--, pad++;
    if (pad && (len + pad) % 4 != 0) return -1;
    if (len % 4 == 1) return -1;
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        int v = b64_value(in[i], flags);
        if (v < 0) return -1;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits & 0xff);
        }
    }
    if (bits && (acc & ((1u << bits) - 1))) return -1; /* non-canonical trailing bits */
    return (long)o;
}
