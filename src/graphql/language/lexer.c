/* lexer.c -- GraphQL lexer (spec §2.1 Source Text), mirroring graphql-js language/lexer.ts:
 * same token kinds, same lookahead restrictions on numbers, same error messages.
 *
 * The source is UTF-8; malformed UTF-8 is a lexical error wherever it appears. Columns are
 * counted in code points with a cursor that only moves forward, so lexing stays linear even
 * on one very long line. */
#include "graphql/language/lexer.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/utf8.h"

static const char *const kind_names[] = {
    [GQL_TOK_SOF] = "<SOF>",       [GQL_TOK_EOF] = "<EOF>",     [GQL_TOK_BANG] = "!",
    [GQL_TOK_DOLLAR] = "$",        [GQL_TOK_AMP] = "&",         [GQL_TOK_PAREN_L] = "(",
    [GQL_TOK_PAREN_R] = ")",       [GQL_TOK_SPREAD] = "...",    [GQL_TOK_COLON] = ":",
    [GQL_TOK_EQUALS] = "=",        [GQL_TOK_AT] = "@",          [GQL_TOK_BRACKET_L] = "[",
    [GQL_TOK_BRACKET_R] = "]",     [GQL_TOK_BRACE_L] = "{",     [GQL_TOK_PIPE] = "|",
    [GQL_TOK_BRACE_R] = "}",       [GQL_TOK_NAME] = "Name",     [GQL_TOK_INT] = "Int",
    [GQL_TOK_FLOAT] = "Float",     [GQL_TOK_STRING] = "String", [GQL_TOK_BLOCK_STRING] = "BlockString",
    [GQL_TOK_COMMENT] = "Comment",
};

const char *gql_token_kind_str(gql_token_kind kind) {
    if ((size_t)kind >= sizeof kind_names / sizeof kind_names[0]) return "?";
    return kind_names[kind];
}

bool gql_token_kind_is_punctuator(gql_token_kind kind) {
    return kind >= GQL_TOK_BANG && kind <= GQL_TOK_BRACE_R;
}

void gql_lexer_init(gql_lexer *lx, arena_t *a, const char *src, size_t len) {
    memset(lx, 0, sizeof *lx);
    lx->arena = a;
    lx->src = src;
    lx->len = len;
    lx->line = 1;
    lx->col = 1;
    lx->token.kind = GQL_TOK_SOF;
    lx->token.line = 1;
    lx->token.column = 1;
}

/* Byte at offset i, or -1 past the end (so lookahead never reads out of bounds). */
static int at(const gql_lexer *lx, size_t i) {
    return i < lx->len ? (unsigned char)lx->src[i] : -1;
}

gql_loc gql_lexer_loc_at(const gql_lexer *lx, size_t pos) {
    gql_loc loc = {1, 1, (uint32_t)pos, (uint32_t)pos};
    if (pos > lx->len) pos = lx->len;
    size_t line_start = 0;
    for (size_t i = 0; i < pos; i++) {
        char c = lx->src[i];
        if (c == '\n' || (c == '\r' && !(i + 1 < lx->len && lx->src[i + 1] == '\n'))) {
            loc.line++;
            line_start = i + 1;
        }
    }
    for (size_t i = line_start; i < pos; i++)
        if (((unsigned char)lx->src[i] & 0xC0) != 0x80) loc.column++;
    return loc;
}

/* Records a lexical error at byte offset pos; always returns false. */
static bool fail(gql_lexer *lx, size_t pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool fail(gql_lexer *lx, size_t pos, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *msg = arena_vprintf(lx->arena, fmt, ap);
    va_end(ap);
    lx->err_msg = arena_printf(lx->arena, "Syntax Error: %s", msg);
    lx->err_loc = gql_lexer_loc_at(lx, pos);
    return false;
}

/* Decodes the well-formed UTF-8 sequence at pos into *cp; returns its length, 0 if malformed. */
static size_t decode_at(const gql_lexer *lx, size_t pos, uint32_t *cp) {
    const unsigned char *s = (const unsigned char *)lx->src + pos;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    size_t n = utf8_valid_prefix(s, lx->len - pos);
    if (n == 2) *cp = ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
    if (n == 3) *cp = ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
    if (n == 4)
        *cp = ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) | ((uint32_t)(s[2] & 0x3F) << 6) |
              (s[3] & 0x3F);
    return n;
}

/* graphql-js printCodePointAt(): <EOF>, "c" for printable ASCII ('"' for a quote), else U+XXXX.
 * Malformed UTF-8 is shown as the offending byte. */
static const char *describe_at(gql_lexer *lx, size_t pos) {
    if (pos >= lx->len) return "<EOF>";
    uint32_t cp = 0;
    if (!decode_at(lx, pos, &cp)) return arena_printf(lx->arena, "invalid UTF-8 byte 0x%02X", at(lx, pos));
    if (cp == '"') return "'\"'";
    if (cp >= 0x20 && cp <= 0x7E) return arena_printf(lx->arena, "\"%c\"", (char)cp);
    return arena_printf(lx->arena, "U+%04X", cp);
}

/* Byte length of the first n characters (code points) from pos, clamped to the source: the
 * text graphql-js quotes in an escape error (body.slice(position, position + n)). */
static int quote_len(const gql_lexer *lx, size_t pos, size_t n) {
    size_t end = pos;
    for (size_t i = 0; i < n && end < lx->len; i++) {
        end++;
        while (end < lx->len && ((unsigned char)lx->src[end] & 0xC0) == 0x80)
            end++;
    }
    return (int)(end - pos);
}

static bool is_name_start(int c) {
    return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool is_name_continue(int c) {
    return is_name_start(c) || (c >= '0' && c <= '9');
}

static bool is_digit(int c) {
    return c >= '0' && c <= '9';
}

static int hex_value(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static bool is_scalar_value(int64_t cp) {
    return (cp >= 0 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0x10FFFF);
}

/* Fills the current token; line and column come from the forward-only column cursor. */
static void make_token(gql_lexer *lx, gql_token_kind kind, size_t start, size_t end, const char *value,
                       size_t value_len) {
    if (lx->col_pos < lx->line_start || lx->col_pos > start) {
        lx->col_pos = lx->line_start;
        lx->col = 1;
    }
    for (size_t i = lx->col_pos; i < start; i++)
        if (((unsigned char)lx->src[i] & 0xC0) != 0x80) lx->col++;
    lx->col_pos = start;
    lx->token.kind = kind;
    lx->token.start = (uint32_t)start;
    lx->token.end = (uint32_t)end;
    lx->token.line = lx->line;
    lx->token.column = lx->col;
    lx->token.value = value;
    lx->token.value_len = value_len;
    lx->pos = end;
}

/* Comment :: # CommentChar* (§2.1.6) -- up to the next line terminator. */
static bool read_comment(gql_lexer *lx, size_t start) {
    size_t p = start + 1;
    while (p < lx->len) {
        int c = at(lx, p);
        if (c == '\n' || c == '\r') break;
        if (c < 0x80) {
            p++; /* CommentChar is any SourceCharacter but a LineTerminator, controls included */
            continue;
        }
        uint32_t cp;
        size_t n = decode_at(lx, p, &cp);
        if (!n) return fail(lx, p, "Invalid character: %s.", describe_at(lx, p));
        p += n;
    }
    make_token(lx, GQL_TOK_COMMENT, start, p, lx->src + start + 1, p - start - 1);
    return true;
}

/* Digit+ at p, as graphql-js readDigits(): at least one digit is required. */
static bool read_digits(gql_lexer *lx, size_t *p) {
    if (!is_digit(at(lx, *p))) return fail(lx, *p, "Invalid number, expected digit but got: %s.", describe_at(lx, *p));
    while (is_digit(at(lx, *p)))
        (*p)++;
    return true;
}

/* IntValue / FloatValue (§2.9.1, §2.9.2), including the lookahead restrictions: no leading zeros,
 * and a number may not be directly followed by '.' or a NameStart. */
static bool read_number(gql_lexer *lx, size_t start) {
    size_t p = start;
    bool is_float = false;
    if (at(lx, p) == '-') p++;
    if (at(lx, p) == '0') {
        p++;
        if (is_digit(at(lx, p)))
            return fail(lx, p, "Invalid number, unexpected digit after 0: %s.", describe_at(lx, p));
    } else if (!read_digits(lx, &p)) {
        return false;
    }
    if (at(lx, p) == '.') {
        is_float = true;
        p++;
        if (!read_digits(lx, &p)) return false;
    }
    if (at(lx, p) == 'e' || at(lx, p) == 'E') {
        is_float = true;
        p++;
        if (at(lx, p) == '+' || at(lx, p) == '-') p++;
        if (!read_digits(lx, &p)) return false;
    }
    if (at(lx, p) == '.' || is_name_start(at(lx, p)))
        return fail(lx, p, "Invalid number, expected digit but got: %s.", describe_at(lx, p));
    make_token(lx, is_float ? GQL_TOK_FLOAT : GQL_TOK_INT, start, p, lx->src + start, p - start);
    return true;
}

/* EscapedUnicode with braces, \u{X...} (§2.9.4): graphql-js readEscapedUnicodeVariableWidth().
 * On success stores the code point and the escape's length in bytes. */
static bool read_escape_braced(gql_lexer *lx, size_t p, uint32_t *cp, size_t *size) {
    int64_t point = 0;
    size_t n = 3;
    while (n < 12) {
        int c = at(lx, p + n++);
        if (c == '}') {
            if (n < 5 || !is_scalar_value(point)) break;
            *cp = (uint32_t)point;
            *size = n;
            return true;
        }
        int h = hex_value(c);
        if (h < 0) break;
        point = point * 16 + h;
        if (point > 0x7FFFFFFF) break;
    }
    return fail(lx, p, "Invalid Unicode escape sequence: \"%.*s\".", quote_len(lx, p, n), lx->src + p);
}

static int32_t read_hex4(const gql_lexer *lx, size_t p) {
    int32_t v = 0;
    for (size_t i = 0; i < 4; i++) {
        int h = hex_value(at(lx, p + i));
        if (h < 0) return -1;
        v = v * 16 + h;
    }
    return v;
}

/* EscapedUnicode \uXXXX (§2.9.4); a leading surrogate must be followed by an escaped trailing
 * surrogate, and the pair is combined into one code point. */
static bool read_escape_fixed(gql_lexer *lx, size_t p, uint32_t *cp, size_t *size) {
    int32_t code = read_hex4(lx, p + 2);
    if (is_scalar_value(code)) {
        *cp = (uint32_t)code;
        *size = 6;
        return true;
    }
    if (code >= 0xD800 && code <= 0xDBFF && at(lx, p + 6) == '\\' && at(lx, p + 7) == 'u') {
        int32_t trail = read_hex4(lx, p + 8);
        if (trail >= 0xDC00 && trail <= 0xDFFF) {
            *cp = 0x10000 + (((uint32_t)code - 0xD800) << 10) + ((uint32_t)trail - 0xDC00);
            *size = 12;
            return true;
        }
    }
    return fail(lx, p, "Invalid Unicode escape sequence: \"%.*s\".", quote_len(lx, p, 6), lx->src + p);
}

/* Copies the SourceCharacter at p (§2.1.1: any Unicode scalar value, so control characters other than
 * line terminators are allowed in StringCharacter and BlockStringCharacter, as in graphql-js) to
 * out + *o. Returns its length in bytes, or 0 after reporting malformed UTF-8. */
static size_t copy_string_char(gql_lexer *lx, size_t p, char *out, size_t *o) {
    size_t n = 1;
    if ((unsigned char)lx->src[p] >= 0x80) {
        uint32_t cp;
        n = decode_at(lx, p, &cp);
        if (!n) {
            fail(lx, p, "Invalid character within String: %s.", describe_at(lx, p));
            return 0;
        }
    }
    memcpy(out + *o, lx->src + p, n);
    *o += n;
    return n;
}

/* StringValue :: " StringCharacter* " (§2.9.4). A first pass finds the closing quote so the
 * value buffer is sized to the string (never to the rest of the document); the second pass
 * validates and unescapes in source order, so the first error in the string is reported. */
static bool read_string(gql_lexer *lx, size_t start) {
    size_t p = start + 1;
    while (p < lx->len) {
        char c = lx->src[p];
        if (c == '"' || c == '\n' || c == '\r') break;
        p += (c == '\\' && p + 1 < lx->len && (lx->src[p + 1] == '"' || lx->src[p + 1] == '\\')) ? 2 : 1;
    }
    char *out = arena_alloc(lx->arena, p - start);
    size_t o = 0;
    p = start + 1;
    for (;;) {
        int c = at(lx, p);
        if (c < 0 || c == '\n' || c == '\r') return fail(lx, p, "Unterminated string.");
        if (c == '"') break;
        if (c == '\\') {
            uint32_t cp = 0;
            size_t size = 2;
            int e = at(lx, p + 1);
            if (e == 'u') {
                bool ok =
                    at(lx, p + 2) == '{' ? read_escape_braced(lx, p, &cp, &size) : read_escape_fixed(lx, p, &cp, &size);
                if (!ok) return false;
            } else {
                switch (e) {
                case '"':
                    cp = '"';
                    break;
                case '\\':
                    cp = '\\';
                    break;
                case '/':
                    cp = '/';
                    break;
                case 'b':
                    cp = '\b';
                    break;
                case 'f':
                    cp = '\f';
                    break;
                case 'n':
                    cp = '\n';
                    break;
                case 'r':
                    cp = '\r';
                    break;
                case 't':
                    cp = '\t';
                    break;
                default:
                    return fail(lx, p, "Invalid character escape sequence: \"%.*s\".", quote_len(lx, p, 2),
                                lx->src + p);
                }
            }
            o += utf8_encode(cp, out + o);
            p += size;
            continue;
        }
        size_t n = copy_string_char(lx, p, out, &o);
        if (!n) return false;
        p += n;
    }
    out[o] = '\0';
    make_token(lx, GQL_TOK_STRING, start, p + 1, out, o);
    return true;
}

static bool is_triple_quote(const gql_lexer *lx, size_t p) {
    return at(lx, p) == '"' && at(lx, p + 1) == '"' && at(lx, p + 2) == '"';
}

static size_t leading_whitespace(const char *s, size_t n) {
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return i;
}

/* BlockStringValue() (§2.9.4): drop the common indentation of all lines but the first, and
 * leading and trailing blank lines. raw holds the lines joined by '\n'; the result is written
 * in place (it is never longer) and its length returned. */
static size_t block_string_value(char *raw, size_t len) {
    size_t common = SIZE_MAX;
    size_t first_nonblank = SIZE_MAX, last_nonblank = SIZE_MAX;
    size_t line_no = 0;
    for (size_t s = 0; s <= len; line_no++) {
        size_t e = s;
        while (e < len && raw[e] != '\n')
            e++;
        size_t indent = leading_whitespace(raw + s, e - s);
        if (indent < e - s) {
            if (first_nonblank == SIZE_MAX) first_nonblank = line_no;
            last_nonblank = line_no;
            if (line_no != 0 && indent < common) common = indent;
        }
        s = e + 1;
    }
    if (first_nonblank == SIZE_MAX) return 0;
    size_t o = 0;
    line_no = 0;
    for (size_t s = 0; line_no <= last_nonblank; line_no++) {
        size_t e = s;
        while (e < len && raw[e] != '\n')
            e++;
        if (line_no >= first_nonblank) {
            size_t from = s;
            if (line_no != 0) from = (e - s > common) ? s + common : e;
            if (line_no > first_nonblank) raw[o++] = '\n';
            memmove(raw + o, raw + from, e - from);
            o += e - from;
        }
        s = e + 1;
    }
    return o;
}

/* BlockString :: """ BlockStringCharacter* """ (§2.9.4). \""" is the only escape; line
 * terminators are normalized to \n before BlockStringValue() runs. */
static bool read_block_string(gql_lexer *lx, size_t start) {
    size_t p = start + 3;
    while (p < lx->len && !is_triple_quote(lx, p))
        p += (lx->src[p] == '\\' && is_triple_quote(lx, p + 1)) ? 4 : 1;
    char *raw = arena_alloc(lx->arena, p - start);
    size_t o = 0;
    uint32_t line = lx->line;
    size_t line_start = lx->line_start;
    p = start + 3;
    for (;;) {
        int c = at(lx, p);
        if (c < 0) return fail(lx, p, "Unterminated string.");
        if (is_triple_quote(lx, p)) break;
        if (c == '\\' && is_triple_quote(lx, p + 1)) {
            memcpy(raw + o, "\"\"\"", 3);
            o += 3;
            p += 4;
            continue;
        }
        if (c == '\n' || c == '\r') {
            p += (c == '\r' && at(lx, p + 1) == '\n') ? 2 : 1;
            raw[o++] = '\n';
            line++;
            line_start = p;
            continue;
        }
        size_t n = copy_string_char(lx, p, raw, &o);
        if (!n) return false;
        p += n;
    }
    o = block_string_value(raw, o);
    raw[o] = '\0';
    make_token(lx, GQL_TOK_BLOCK_STRING, start, p + 3, raw, o);
    /* the token starts on the line where it opened; the lexer continues on its last line */
    lx->line = line;
    lx->line_start = line_start;
    return true;
}

static bool punct(gql_lexer *lx, gql_token_kind kind, size_t start, size_t n) {
    make_token(lx, kind, start, start + n, NULL, 0);
    return true;
}

/* Reads the next token, skipping ignored tokens (§2.1.7: BOM, whitespace, line terminators,
 * commas, and comments unless keep_comments). */
bool gql_lexer_next(gql_lexer *lx) {
    if (lx->token.kind == GQL_TOK_EOF) return true;
    size_t p = lx->token.kind == GQL_TOK_SOF ? 0 : lx->pos;
    for (;;) {
        if (p >= lx->len) return punct(lx, GQL_TOK_EOF, lx->len, 0);
        int c = at(lx, p);
        switch (c) {
        case ' ':
        case '\t':
        case ',':
            p++;
            continue;
        case '\n':
            p++;
            lx->line++;
            lx->line_start = p;
            continue;
        case '\r':
            p += at(lx, p + 1) == '\n' ? 2 : 1;
            lx->line++;
            lx->line_start = p;
            continue;
        case 0xEF: /* U+FEFF byte order mark (ignored anywhere, like graphql-js) */
            if (at(lx, p + 1) == 0xBB && at(lx, p + 2) == 0xBF) {
                p += 3;
                continue;
            }
            break;
        case '#':
            if (!read_comment(lx, p)) return false;
            if (lx->keep_comments) return true;
            p = lx->pos;
            continue;
        case '!':
            return punct(lx, GQL_TOK_BANG, p, 1);
        case '$':
            return punct(lx, GQL_TOK_DOLLAR, p, 1);
        case '&':
            return punct(lx, GQL_TOK_AMP, p, 1);
        case '(':
            return punct(lx, GQL_TOK_PAREN_L, p, 1);
        case ')':
            return punct(lx, GQL_TOK_PAREN_R, p, 1);
        case '.':
            if (at(lx, p + 1) == '.' && at(lx, p + 2) == '.') return punct(lx, GQL_TOK_SPREAD, p, 3);
            break;
        case ':':
            return punct(lx, GQL_TOK_COLON, p, 1);
        case '=':
            return punct(lx, GQL_TOK_EQUALS, p, 1);
        case '@':
            return punct(lx, GQL_TOK_AT, p, 1);
        case '[':
            return punct(lx, GQL_TOK_BRACKET_L, p, 1);
        case ']':
            return punct(lx, GQL_TOK_BRACKET_R, p, 1);
        case '{':
            return punct(lx, GQL_TOK_BRACE_L, p, 1);
        case '|':
            return punct(lx, GQL_TOK_PIPE, p, 1);
        case '}':
            return punct(lx, GQL_TOK_BRACE_R, p, 1);
        case '"':
            return is_triple_quote(lx, p) ? read_block_string(lx, p) : read_string(lx, p);
        default:
            break;
        }
        if (is_digit(c) || c == '-') return read_number(lx, p);
        if (is_name_start(c)) {
            size_t e = p + 1;
            while (is_name_continue(at(lx, e)))
                e++;
            make_token(lx, GQL_TOK_NAME, p, e, lx->src + p, e - p);
            return true;
        }
        if (c == '\'')
            return fail(lx, p, "Unexpected single quote character ('), did you mean to use a double quote (\")?");
        uint32_t cp;
        if (c >= 0x80 && !decode_at(lx, p, &cp)) return fail(lx, p, "Invalid character: %s.", describe_at(lx, p));
        return fail(lx, p, "Unexpected character: %s.", describe_at(lx, p));
    }
}
