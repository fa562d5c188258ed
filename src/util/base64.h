/* base64.h -- the one base64 (RFC 4648 §4 standard and §5 URL-safe alphabets, with or without
 * padding), used for GUIDs, cursors and API keys. */
#ifndef ENTITYD_UTIL_BASE64_H
#define ENTITYD_UTIL_BASE64_H

#include <stddef.h>

#include "util/arena.h"

enum { B64_STD = 0, B64_URL = 1, B64_NOPAD = 2 };

/* Size of the encoding of n bytes, NUL excluded. */
size_t b64_encoded_len(size_t n, int flags);
/* Encodes into out (b64_encoded_len + 1 bytes); returns the length written (NUL-terminated). */
size_t b64_encode(const void *in, size_t n, int flags, char *out);
/* Arena copy of the encoding. */
char *b64_encode_arena(arena_t *a, const void *in, size_t n, int flags);
/* Decodes len characters of the given alphabet (padding optional, whitespace refused) into out
 * (at least len*3/4+3 bytes). Returns the decoded length, or -1 on a character outside the
 * alphabet, bad padding or non-zero trailing bits. */
long b64_decode(const char *in, size_t len, int flags, unsigned char *out);

#endif
