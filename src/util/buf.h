/* buf.h -- growable byte buffer on the heap, for building responses and SQL.
 * Owner calls buf_free(). Appends never fail (abort on OOM). */
#ifndef ENTITYD_BUF_H
#define ENTITYD_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct {
    char *data; /* always NUL-terminated when len > 0 or after buf_cstr */
    size_t len;
    size_t cap;
} buf_t;

#define BUF_INIT                                                                                                       \
    { NULL, 0, 0 }

void buf_init(buf_t *b);
void buf_free(buf_t *b);
void buf_reset(buf_t *b); /* len = 0, keep memory */
void buf_reserve(buf_t *b, size_t extra);
void buf_append(buf_t *b, const void *data, size_t len);
void buf_puts(buf_t *b, const char *s);
void buf_putc(buf_t *b, char c);
void buf_printf(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(buf_t *b, const char *fmt, va_list ap);
/* Appends s as a JSON string literal (with quotes), escaping per RFC 8259.
 * Invalid UTF-8 bytes are replaced with U+FFFD. */
void buf_json_string(buf_t *b, const char *s, size_t len);
/* Returns data as a C string ("" when empty). */
const char *buf_cstr(buf_t *b);
/* Hands the memory to the caller (malloc'ed, NUL-terminated); b is reset. */
char *buf_detach(buf_t *b, size_t *len);

#endif
