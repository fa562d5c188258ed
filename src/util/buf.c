/* buf.c -- growable byte buffer, see buf.h. */
#include "util/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/utf8.h"

void buf_init(buf_t *b) {
    b->data = NULL;
    b->len = b->cap = 0;
}

void buf_free(buf_t *b) {
    free(b->data);
    buf_init(b);
}

void buf_reset(buf_t *b) {
    b->len = 0;
    if (b->data) b->data[0] = '\0';
}

void buf_reserve(buf_t *b, size_t extra) {
    if (b->len + extra + 1 <= b->cap) return;
    size_t ncap = b->cap ? b->cap : 256;
    while (ncap < b->len + extra + 1) {
        if (ncap > ((size_t)-1) / 2) {
            fputs("entityd: buffer overflow\n", stderr);
            abort();
        }
        ncap *= 2;
    }
    char *p = realloc(b->data, ncap);
    if (!p) {
        fputs("entityd: out of memory\n", stderr);
        abort();
    }
    b->data = p;
    b->cap = ncap;
}

void buf_append(buf_t *b, const void *data, size_t len) {
    buf_reserve(b, len);
    if (len) memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void buf_puts(buf_t *b, const char *s) {
    buf_append(b, s, strlen(s));
}

void buf_putc(buf_t *b, char c) {
    buf_reserve(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

void buf_vprintf(buf_t *b, const char *fmt, va_list ap) {
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n <= 0) return;
    buf_reserve(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void buf_printf(buf_t *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

/* The ASCII bytes that go into a JSON string as they are (not '"', '\\', controls). */
static inline int json_plain(unsigned char c) {
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* Long strings: one append per run of plain bytes, so the buffer grows with the output. */
static void json_string_runs(buf_t *b, const char *s, size_t len) {
    static const char hex[] = "0123456789abcdef";
    buf_reserve(b, len + 2);
    buf_putc(b, '"');
    size_t i = 0;
    while (i < len) {
        /* A run of bytes that need no escaping: one append for the whole run. */
        size_t run = i;
        while (run < len && json_plain((unsigned char)s[run]))
            run++;
        if (run > i) {
            buf_append(b, s + i, run - i);
            i = run;
            if (i == len) break;
        }
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            switch (c) {
            case '"':
                buf_append(b, "\\\"", 2);
                break;
            case '\\':
                buf_append(b, "\\\\", 2);
                break;
            case '\n':
                buf_append(b, "\\n", 2);
                break;
            case '\r':
                buf_append(b, "\\r", 2);
                break;
            case '\t':
                buf_append(b, "\\t", 2);
                break;
            case '\b':
                buf_append(b, "\\b", 2);
                break;
            case '\f':
                buf_append(b, "\\f", 2);
                break;
            default: {
                char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                buf_append(b, e, 6);
            }
            }
            i++;
            continue;
        }
        size_t n = utf8_valid_prefix((const unsigned char *)s + i, len - i);
        if (n == 0) {
            buf_append(b, "\xEF\xBF\xBD", 3); /* U+FFFD */
            i++;
        } else {
            buf_append(b, s + i, n);
            i += n;
        }
    }
    buf_putc(b, '"');
}

/* A JSON escape written at o; returns the bytes written (2 or 6). */
static size_t json_escape(char *o, unsigned char c) {
    static const char hex[] = "0123456789abcdef";
    char e = 0;
    switch (c) {
    case '"': e = '"'; break;
    case '\\': e = '\\'; break;
    case '\n': e = 'n'; break;
    case '\r': e = 'r'; break;
    case '\t': e = 't'; break;
    case '\b': e = 'b'; break;
    case '\f': e = 'f'; break;
    default: break;
    }
    o[0] = '\\';
    if (e) {
        o[1] = e;
        return 2;
    }
    o[1] = 'u';
    o[2] = '0';
    o[3] = '0';
    o[4] = hex[c >> 4];
    o[5] = hex[c & 15];
    return 6;
}

/* Up to this length the output is written in place after one reserve of the worst case (6 bytes
 * per input byte, for \u00XX); longer strings take json_string_runs. */
#define JSON_STRING_INPLACE_MAX 4096

void buf_json_string(buf_t *b, const char *s, size_t len) {
    if (len > JSON_STRING_INPLACE_MAX) {
        json_string_runs(b, s, len);
        return;
    }
    buf_reserve(b, 6 * len + 2);
    char *o = b->data + b->len;
    *o++ = '"';
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (json_plain(c)) {
            *o++ = (char)c;
            i++;
        } else if (c < 0x80) {
            o += json_escape(o, c);
            i++;
        } else {
            size_t n = utf8_valid_prefix((const unsigned char *)s + i, len - i);
            if (n == 0) {
                memcpy(o, "\xEF\xBF\xBD", 3); /* U+FFFD */
                o += 3;
                i++;
            } else {
                memcpy(o, s + i, n);
                o += n;
                i += n;
            }
        }
    }
    *o++ = '"';
    b->len = (size_t)(o - b->data);
    b->data[b->len] = '\0';
}

const char *buf_cstr(buf_t *b) {
    return b->data ? b->data : "";
}

char *buf_detach(buf_t *b, size_t *len) {
    if (!b->data) buf_reserve(b, 0);
    char *p = b->data;
    if (len) *len = b->len;
    buf_init(b);
    return p;
}
