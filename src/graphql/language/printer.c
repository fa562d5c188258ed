/* printer.c -- graphql-js language/printer for value literals and type references, with printString
 * and language/blockString (see printer.h). */
#include "graphql/language/printer.h"

#include <stdlib.h>
#include <string.h>

#include "graphql/jsutils/suggestions.h"

/* ---- strings (graphql-js language/printString, language/blockString) ---- */

static bool is_ws(unsigned c) {
    return c == ' ' || c == '\t';
}

/* graphql-js isPrintableAsBlockString (language/blockString). */
static bool printable_as_block(const char *s, size_t len) {
    if (len == 0) return true;
    bool empty_line = true, has_indent = false, common_indent = true, seen_non_empty = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r' || (c < 0x20 && c != '\n' && c != '\t')) return false;
        if (c == '\n') {
            if (empty_line && !seen_non_empty) return false;
            seen_non_empty = true;
            empty_line = true;
            has_indent = false;
        } else if (is_ws(c)) {
            has_indent = has_indent || empty_line;
        } else {
            common_indent = common_indent && has_indent;
            empty_line = false;
        }
    }
    if (empty_line) return false;
    if (common_indent && seen_non_empty) return false;
    return true;
}

/* Length in UTF-16 code units, as JavaScript's String.length counts. */
static size_t js_length(const char *s, size_t len) {
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) == 0x80) continue;
        n += c >= 0xF0 ? 2 : 1;
    }
    return n;
}

/* graphql-js printBlockString (language/blockString). */
static void print_block_string(buf_t *out, const char *s, size_t len) {
    buf_t esc = BUF_INIT;
    for (size_t i = 0; i < len; i++) {
        if (i + 2 < len && s[i] == '"' && s[i + 1] == '"' && s[i + 2] == '"') {
            buf_puts(&esc, "\\\"\"\"");
            i += 2;
        } else {
            buf_putc(&esc, s[i]);
        }
    }
    const char *e = esc.data ? esc.data : "";
    size_t elen = esc.len;
    bool single_line = true;
    bool force_leading = false;
    size_t nlines = 1;
    bool rest_indented = true;
    for (size_t i = 0; i < elen; i++) {
        if (e[i] == '\n' || e[i] == '\r') {
            if (e[i] == '\r' && i + 1 < elen && e[i + 1] == '\n') i++;
            nlines++;
            single_line = false;
            if (i + 1 < elen && e[i + 1] != '\n' && e[i + 1] != '\r' && !is_ws((unsigned char)e[i + 1]))
                rest_indented = false;
        }
    }
    force_leading = nlines > 1 && rest_indented;
    bool trailing_triple = elen >= 4 && memcmp(e + elen - 4, "\\\"\"\"", 4) == 0;
    bool trailing_quote = len > 0 && s[len - 1] == '"' && !trailing_triple;
    bool trailing_slash = len > 0 && s[len - 1] == '\\';
    bool force_trailing = trailing_quote || trailing_slash;
    bool multi = !single_line || js_length(s, len) > 70 || force_trailing || force_leading || trailing_triple;
    bool skip_leading = single_line && len > 0 && is_ws((unsigned char)s[0]);
    buf_puts(out, "\"\"\"");
    if ((multi && !skip_leading) || force_leading) buf_putc(out, '\n');
    buf_append(out, e, elen);
    if (multi || force_trailing) buf_putc(out, '\n');
    buf_puts(out, "\"\"\"");
    buf_free(&esc);
}

/* graphql-js printString: escapes C0 controls, '"', '\\' and U+007F..U+009F. */
static void print_plain_string(buf_t *out, const char *s, size_t len) {
    buf_putc(out, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"':
            buf_puts(out, "\\\"");
            break;
        case '\\':
            buf_puts(out, "\\\\");
            break;
        case '\b':
            buf_puts(out, "\\b");
            break;
        case '\t':
            buf_puts(out, "\\t");
            break;
        case '\n':
            buf_puts(out, "\\n");
            break;
        case '\f':
            buf_puts(out, "\\f");
            break;
        case '\r':
            buf_puts(out, "\\r");
            break;
        default:
            if (c < 0x20 || c == 0x7f)
                buf_printf(out, "\\u%04X", c);
            else if (c == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] >= 0x80 && (unsigned char)s[i + 1] <= 0x9f)
                buf_printf(out, "\\u%04X", (unsigned char)s[++i]);
            else
                buf_putc(out, (char)c);
        }
    }
    buf_putc(out, '"');
}

void gql_print_string(buf_t *out, const char *s, size_t len, bool block) {
    if (block && printable_as_block(s, len))
        print_block_string(out, s, len);
    else
        print_plain_string(out, s, len);
}

/* ---- values (graphql-js print of a ValueNode, utilities/sortValueNode) ---- */

typedef struct {
    const gql_object_field *field;
    size_t index; /* document order breaks ties: Array.prototype.sort is stable */
} sorted_field;

static int sorted_field_cmp(const void *x, const void *y) {
    const sorted_field *a = x, *b = y;
    int c = gql_natural_compare(a->field->name.value, b->field->name.value);
    if (c) return c;
    return a->index < b->index ? -1 : a->index > b->index;
}

static void print_value(buf_t *out, const gql_value *v, unsigned flags) {
    switch (v->kind) {
    case GQL_VALUE_VARIABLE:
        buf_putc(out, '$');
        buf_puts(out, v->str);
        break;
    case GQL_VALUE_INT:
    case GQL_VALUE_FLOAT:
    case GQL_VALUE_ENUM:
        buf_puts(out, v->str);
        break;
    case GQL_VALUE_STRING:
        if (v->block && !(flags & GQL_PRINT_PLAIN_STRINGS))
            print_block_string(out, v->str, v->str_len);
        else
            print_plain_string(out, v->str, v->str_len);
        break;
    case GQL_VALUE_BOOLEAN:
        buf_puts(out, v->boolean ? "true" : "false");
        break;
    case GQL_VALUE_NULL:
        buf_puts(out, "null");
        break;
    case GQL_VALUE_LIST:
        buf_putc(out, '[');
        for (size_t i = 0; i < v->list.count; i++) {
            if (i) buf_puts(out, ", ");
            print_value(out, v->list.items[i], flags);
        }
        buf_putc(out, ']');
        break;
    case GQL_VALUE_OBJECT: {
        size_t n = v->object.count;
        sorted_field *sorted = NULL;
        if ((flags & GQL_PRINT_SORT_FIELDS) && n > 1) {
            sorted = malloc(n * sizeof *sorted);
            if (!sorted) abort();
            for (size_t i = 0; i < n; i++)
                sorted[i] = (sorted_field){v->object.fields[i], i};
            qsort(sorted, n, sizeof *sorted, sorted_field_cmp);
        }
        buf_putc(out, '{');
        for (size_t i = 0; i < n; i++) {
            const gql_object_field *f = sorted ? sorted[i].field : v->object.fields[i];
            if (i) buf_puts(out, ", ");
            buf_puts(out, f->name.value);
            buf_puts(out, ": ");
            print_value(out, f->value, flags);
        }
        buf_putc(out, '}');
        free(sorted);
        break;
    }
    }
}

void gql_print_value(buf_t *out, const gql_value *v, unsigned flags) {
    print_value(out, v, flags);
}

const char *gql_print_value_str(arena_t *a, const gql_value *v, unsigned flags) {
    buf_t b = BUF_INIT;
    print_value(&b, v, flags);
    const char *s = arena_strndup(a, buf_cstr(&b), b.len);
    buf_free(&b);
    return s;
}

/* ---- type references (graphql-js print of a TypeNode) ---- */

static void print_typeref(buf_t *out, const gql_typeref *t) {
    if (!t) return;
    switch (t->kind) {
    case GQL_TYPEREF_NAMED:
        buf_puts(out, t->name.value);
        break;
    case GQL_TYPEREF_LIST:
        buf_putc(out, '[');
        print_typeref(out, t->of);
        buf_putc(out, ']');
        break;
    case GQL_TYPEREF_NON_NULL:
        print_typeref(out, t->of);
        buf_putc(out, '!');
        break;
    }
}

const char *gql_print_typeref_str(arena_t *a, const gql_typeref *t) {
    buf_t b = BUF_INIT;
    print_typeref(&b, t);
    const char *s = arena_strndup(a, buf_cstr(&b), b.len);
    buf_free(&b);
    return s;
}
