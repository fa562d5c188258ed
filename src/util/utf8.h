/* utf8.h -- UTF-8 validation and encoding (RFC 3629: no surrogates, no overlongs, max U+10FFFF). */
#ifndef ENTITYD_UTF8_H
#define ENTITYD_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Length of the one well-formed UTF-8 sequence (2..4 bytes) starting at s, or 0 if malformed.
 * Only for a lead byte >= 0x80; ASCII is the caller's fast path. */
size_t utf8_valid_prefix(const unsigned char *s, size_t len);
/* True when the whole buffer is well-formed UTF-8. On false, *bad_offset (if given) is the first bad byte. */
bool utf8_valid(const char *s, size_t len, size_t *bad_offset);
/* Encodes code point cp (<= 0x10FFFF, not a surrogate) into out; returns bytes written (1..4). */
size_t utf8_encode(uint32_t cp, char out[4]);

#endif
