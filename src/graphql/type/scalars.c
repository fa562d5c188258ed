/* scalars.c -- result and input coercion of scalars (spec §3.5) with graphql-js's messages, the
 * engine's JSON / DateTime / Duration scalars, and the literal printer (graphql-js print for values). */
#include "graphql/type/scalars.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/datetime.h"
#include "util/duration.h"

/* ---- printing ---- */

void gql_js_number(double d, char out[40]) {
    if (isnan(d)) {
        strcpy(out, "NaN");
        return;
    }
    if (isinf(d)) {
        strcpy(out, d < 0 ? "-Infinity" : "Infinity");
        return;
    }
    if (d == 0) {
        strcpy(out, "0");
        return;
    }
    /* Shortest round-tripping digits (ECMAScript Number::toString). */
    char tmp[40];
    int p;
    for (p = 1; p <= 17; p++) {
        snprintf(tmp, sizeof tmp, "%.*e", p - 1, d);
        if (strtod(tmp, NULL) == d) break;
    }
    if (p > 17) p = 17;
    snprintf(tmp, sizeof tmp, "%.*e", p - 1, d);
    const char *s = tmp;
    char *o = out;
    if (*s == '-') {
        *o++ = '-';
        s++;
    }
    char digits[20];
    int k = 0;
    for (; *s && *s != 'e'; s++)
        if (*s >= '0' && *s <= '9') digits[k++] = *s;
    while (k > 1 && digits[k - 1] == '0')
        k--;
    int e = atoi(s + 1);
    int n = e + 1;
    if (k <= n && n <= 21) {
        memcpy(o, digits, (size_t)k);
        o += k;
        for (int i = 0; i < n - k; i++)
            *o++ = '0';
    } else if (0 < n && n < k) { /* k > n here: digits before and after the point */
        memcpy(o, digits, (size_t)n);
        o += n;
        *o++ = '.';
        memcpy(o, digits + n, (size_t)(k - n));
        o += k - n;
    } else if (-6 < n && n <= 0) {
        *o++ = '0';
        *o++ = '.';
        for (int i = 0; i < -n; i++)
            *o++ = '0';
        memcpy(o, digits, (size_t)k);
        o += k;
    } else {
        *o++ = digits[0];
        if (k > 1) {
            *o++ = '.';
            memcpy(o, digits + 1, (size_t)(k - 1));
            o += k - 1;
        }
        o += sprintf(o, "e%c%d", n - 1 < 0 ? '-' : '+', abs(n - 1));
    }
    *o = '\0';
}

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

static void print_literal(buf_t *out, const gql_value *v, bool plain) {
    switch (v->kind) {
    case GQL_VALUE_VARIABLE:
        buf_printf(out, "$%s", v->str);
        break;
    case GQL_VALUE_INT:
    case GQL_VALUE_FLOAT:
    case GQL_VALUE_ENUM:
        buf_puts(out, v->str);
        break;
    case GQL_VALUE_STRING:
        if (v->block && !plain)
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
            print_literal(out, v->list.items[i], plain);
        }
        buf_putc(out, ']');
        break;
    case GQL_VALUE_OBJECT:
        buf_putc(out, '{');
        for (size_t i = 0; i < v->object.count; i++) {
            if (i) buf_puts(out, ", ");
            buf_printf(out, "%s: ", v->object.fields[i]->name.value);
            print_literal(out, v->object.fields[i]->value, plain);
        }
        buf_putc(out, '}');
        break;
    }
}

void gql_print_literal(buf_t *out, const gql_value *v) {
    print_literal(out, v, false);
}

/* /^-?(?:0|[1-9][0-9]*)$/ from graphql-js astFromValue. */
static bool integer_string(const char *s, size_t len) {
    size_t i = 0;
    if (i < len && s[i] == '-') i++;
    if (i >= len) return false;
    if (s[i] == '0') return i + 1 == len;
    for (; i < len; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

static void default_value(buf_t *out, const gql_value *lit, const gql_type *type, int depth) {
    if (depth > 32) { /* a default that refers to itself through field defaults */
        print_literal(out, lit, true);
        return;
    }
    if (type->kind == GQL_NON_NULL) {
        default_value(out, lit, type->of_type, depth + 1);
        return;
    }
    if (lit->kind == GQL_VALUE_NULL) {
        buf_puts(out, "null");
        return;
    }
    switch (type->kind) {
    case GQL_LIST:
        if (lit->kind != GQL_VALUE_LIST) { /* input coercion wraps a single item in a list (§3.11) */
            buf_putc(out, '[');
            default_value(out, lit, type->of_type, depth + 1);
            buf_putc(out, ']');
            return;
        }
        buf_putc(out, '[');
        for (size_t i = 0; i < lit->list.count; i++) {
            if (i) buf_puts(out, ", ");
            default_value(out, lit->list.items[i], type->of_type, depth + 1);
        }
        buf_putc(out, ']');
        return;
    case GQL_INPUT_OBJECT: {
        if (lit->kind != GQL_VALUE_OBJECT) break;
        buf_putc(out, '{');
        bool first = true;
        for (size_t f = 0; f < type->ninput_fields; f++) {
            const gql_input_value *iv = type->input_fields[f];
            const gql_value *fv = iv->default_value; /* absent fields take their default (§3.10 coercion) */
            for (size_t i = 0; i < lit->object.count; i++)
                if (strcmp(lit->object.fields[i]->name.value, iv->name) == 0) fv = lit->object.fields[i]->value;
            if (!fv) continue;
            if (!first) buf_puts(out, ", ");
            first = false;
            buf_printf(out, "%s: ", iv->name);
            default_value(out, fv, iv->type, depth + 1);
        }
        buf_putc(out, '}');
        return;
    }
    case GQL_SCALAR:
        if (strcmp(type->name, "Float") == 0 && (lit->kind == GQL_VALUE_INT || lit->kind == GQL_VALUE_FLOAT)) {
            char num[40];
            gql_js_number(strtod(lit->str, NULL), num);
            buf_puts(out, num);
            return;
        }
        if (strcmp(type->name, "ID") == 0 && lit->kind == GQL_VALUE_STRING && integer_string(lit->str, lit->str_len)) {
            buf_append(out, lit->str, lit->str_len);
            return;
        }
        break;
    default:
        break;
    }
    print_literal(out, lit, true);
}

void gql_print_default_value(buf_t *out, const gql_value *lit, const gql_type *type) {
    default_value(out, lit, type, 0);
}

/* ---- inspect(): how graphql-js quotes runtime values in messages ---- */

static void inspect(buf_t *b, const gql_val *v, int depth) {
    char num[40];
    switch (v->kind) {
    case GQL_V_NULL:
        buf_puts(b, "null");
        break;
    case GQL_V_BOOL:
        buf_puts(b, v->b ? "true" : "false");
        break;
    case GQL_V_INT:
        buf_printf(b, "%lld", (long long)v->i);
        break;
    case GQL_V_FLOAT:
        gql_js_number(v->f, num);
        buf_puts(b, num);
        break;
    case GQL_V_STRING:
    case GQL_V_ENUM:
    case GQL_V_RAW_JSON:
        buf_json_string(b, v->s.ptr, v->s.len);
        break;
    case GQL_V_LIST:
        if (depth > 2) {
            buf_puts(b, "[Array]");
            break;
        }
        buf_putc(b, '[');
        for (size_t i = 0; i < v->list.count; i++) {
            if (i) buf_puts(b, ", ");
            inspect(b, &v->list.items[i], depth + 1);
        }
        buf_putc(b, ']');
        break;
    case GQL_V_MAP:
        if (depth > 2) {
            buf_puts(b, "[Object]");
            break;
        }
        if (!v->map.count) {
            buf_puts(b, "{}");
            break;
        }
        buf_puts(b, "{ ");
        for (size_t i = 0; i < v->map.count; i++) {
            if (i) buf_puts(b, ", ");
            buf_printf(b, "%s: ", v->map.keys[i]);
            inspect(b, &v->map.vals[i], depth + 1);
        }
        buf_puts(b, " }");
        break;
    case GQL_V_OBJECT:
        buf_puts(b, "{}");
        break;
    }
}

/* Builds "<prefix><inspect(v)>" in the arena. */
static const char *msg_val(arena_t *a, const char *prefix, const gql_val *v) {
    buf_t b = BUF_INIT;
    buf_puts(&b, prefix);
    inspect(&b, v, 0);
    const char *m = arena_strdup(a, buf_cstr(&b));
    buf_free(&b);
    return m;
}

/* Builds "<prefix><print(literal)>" in the arena. */
static const char *msg_lit(arena_t *a, const char *prefix, const gql_value *lit) {
    buf_t b = BUF_INIT;
    buf_puts(&b, prefix);
    gql_print_literal(&b, lit);
    const char *m = arena_strdup(a, buf_cstr(&b));
    buf_free(&b);
    return m;
}

/* JavaScript Number(string) for non-empty strings; false when it gives NaN. */
static bool js_to_number(const char *s, size_t len, double *out) {
    char tmp[128];
    while (len && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
        s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' || s[len - 1] == '\r'))
        len--;
    if (len == 0) {
        *out = 0;
        return true;
    }
    if (len >= sizeof tmp || memchr(s, '\0', len)) return false;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    const char *p = tmp[0] == '-' || tmp[0] == '+' ? tmp + 1 : tmp;
    if (strcmp(p, "Infinity") == 0) {
        *out = tmp[0] == '-' ? -INFINITY : INFINITY;
        return true;
    }
    for (const char *q = p; *q; q++) /* strtod would accept "nan", "inf" and hex floats */
        if (!((*q >= '0' && *q <= '9') || *q == '.' || *q == 'e' || *q == 'E' || *q == '+' || *q == '-')) return false;
    char *end;
    *out = strtod(tmp, &end);
    return *end == '\0' && end != tmp;
}

static bool is_js_integer(double d) {
    return isfinite(d) && d == floor(d);
}

/* ---- Int (§3.5.1) ---- */

static int int_check(arena_t *a, double d, const gql_val *shown, gql_val *out, const char **err) {
    if (!is_js_integer(d)) {
        *err = msg_val(a, "Int cannot represent non-integer value: ", shown);
        return -1;
    }
    if (d > 2147483647.0 || d < -2147483648.0) {
        *err = msg_val(a, "Int cannot represent non 32-bit signed integer value: ", shown);
        return -1;
    }
    *out = gql_int((int64_t)d);
    return 0;
}

static int int_serialize(arena_t *a, const gql_val *in, gql_val *out, const char **err) {
    double d;
    switch (in->kind) {
    case GQL_V_BOOL:
        *out = gql_int(in->b ? 1 : 0);
        return 0;
    case GQL_V_INT:
        if (in->i > 2147483647LL || in->i < -2147483648LL) {
            *err = msg_val(a, "Int cannot represent non 32-bit signed integer value: ", in);
            return -1;
        }
        *out = *in;
        return 0;
    case GQL_V_FLOAT:
        return int_check(a, in->f, in, out, err);
    case GQL_V_STRING:
        if (in->s.len > 0 && js_to_number(in->s.ptr, in->s.len, &d)) return int_check(a, d, in, out, err);
        break;
    default:
        break;
    }
    *err = msg_val(a, "Int cannot represent non-integer value: ", in);
    return -1;
}

static int int_parse_value(arena_t *a, const gql_val *in, gql_val *out, const char **err) {
    if (in->kind == GQL_V_INT || in->kind == GQL_V_FLOAT) return int_serialize(a, in, out, err);
    *err = msg_val(a, "Int cannot represent non-integer value: ", in);
    return -1;
}

static int int_parse_literal(arena_t *a, const gql_value *lit, const gql_val *vars, gql_val *out, const char **err) {
    (void)vars;
    if (lit->kind != GQL_VALUE_INT) {
        *err = msg_lit(a, "Int cannot represent non-integer value: ", lit);
        return -1;
    }
    errno = 0;
    long long n = strtoll(lit->str, NULL, 10);
    if (errno == ERANGE || n > 2147483647LL || n < -2147483648LL) {
        *err = arena_printf(a, "Int cannot represent non 32-bit signed integer value: %s", lit->str);
        return -1;
    }
    *out = gql_int(n);
    return 0;
}

const gql_scalar_funcs gql_scalar_int = {int_serialize, int_parse_value, int_parse_literal};

/* ---- Float (§3.5.2) ---- */

static int float_serialize(arena_t *a, const gql_val *in, gql_val *out, const char **err) {
    double d;
    switch (in->kind) {
    case GQL_V_BOOL:
        *out = gql_float(in->b ? 1 : 0);
        return 0;
    case GQL_V_INT:
        *out = gql_float((double)in->i);
        return 0;
    case GQL_V_FLOAT:
        if (!isfinite(in->f)) break;
        *out = *in;
        return 0;
    case GQL_V_STRING:
        if (in->s.len > 0 && js_to_number(in->s.ptr, in->s.len, &d) && isfinite(d)) {
            *out = gql_float(d);
            return 0;
        }
        break;
    default:
        break;
    }
    *err = msg_val(a, "Float cannot represent non numeric value: ", in);
    return -1;
}

static int float_parse_value(arena_t *a, const gql_val *in, gql_val *out, const char **err) {
    if (in->kind == GQL_V_INT || (in->kind == GQL_V_FLOAT && isfinite(in->f))) return float_serialize(a, in, out, err);
    *err = msg_val(a, "Float cannot represent non numeric value: ", in);
    return -1;
}

static int float_parse_literal(arena_t *a, const gql_value *lit, const gql_val *vars, gql_val *out, const char **err) {
    (void)vars;
    if (lit->kind != GQL_VALUE_INT && lit->kind != GQL_VALUE_FLOAT) {
        *err = msg_lit(a, "Float cannot represent non numeric value: ", lit);
        return -1;
    }
    double d = strtod(lit->str, NULL);
    if (!isfinite(d)) {
        *err = msg_lit(a, "Float cannot represent non numeric value: ", lit);
        return -1;
    }
    *out = gql_float(d);
    return 0;
}

const gql_scalar_funcs gql_scalar_float = {float_serialize, float_parse_value, float_parse_literal};

/* ---- String (§3.5.3) ---- */

static int string_serialize(arena_t *a, const gql_val *in, gql_val *out, const char **err) {
    char num[40];
    switch (in->kind) {
    case GQL_V_STRING:
    case GQL_V_ENUM:
        *out = gql_strn(in->s.ptr, in->s.len);
        return 0;
    case GQL_V_BOOL:
        *out = gql_str(in->b ? "true" : "false");
        return 0;
    case GQL_V_INT:
        *out = gql_str(arena_printf(a, "%lld", (long long)in->i));
        return 0;
    case GQL_V_FLOAT:
        if (!isfinite(in->f)) break;
        gql_js_number(in->f, num);
        *out = gql_str_dup(a, num);
        return 0;
    default:
        break;
    }
    *err = msg_val(a, "String cannot represent value: ", in);
    return -1;
}

static int string_parse_value(arena_t *a, const gql_val *in, gql_val *out, const char **err) {
    if (in->kind != GQL_V_STRING) {
        *err = msg_val(a, "String cannot represent a non string value: ", in);
        return -1;
    }
    *out = *in;
    return 0;
}

static int string_parse_literal(arena_t *a, const gql_value *lit, const gql_val *vars, gql_val *out, const char **err) {
    (void)vars;
    if (lit->kind != GQL_VALUE_STRING) {
        *err = msg_lit(a, "String cannot represent a non string value: ", lit);
        return -1;
    }
    *out = gql_strn(lit->str, lit->str_len);
    return 0;
}

const gql_scalar_funcs gql_scalar_string = {string_serialize, string_parse_value, string_parse_literal};

/* ---- Boolean (§3.5.4) ---- */

static int boolean_serialize(arena_t *a, const gql_val *in, gql_val *out, const char **err) {
    switch (in->kind) {
    case GQL_V_BOOL:
        *out = *in;
        return 0;
    case GQL_V_INT:
        *out = gql_bool(in->i != 0);
        return 0;
    case GQL_V_FLOAT:
        if (!isfinite(in->f)) break;
        *out = gql_bool(in->f != 0);
        return 0;
    default:
        break;
    }
    *err = msg_val(a, "Boolean cannot represent a non boolean value: ", in);
    return -1;
}

static int boolean_parse_value(arena_t *a, const gql_val *in, gql_val *out, const char **err) {
    if (in->kind != GQL_V_BOOL) {
        *err = msg_val(a, "Boolean cannot represent a non boolean value: ", in);
        return -1;
    }
    *out = *in;
    return 0;
}

static int boolean_parse_literal(arena_t *a, const gql_value *lit, const gql_val *vars, gql_val *out,
                                 const char **err) {
    (void)vars;
    if (lit->kind != GQL_VALUE_BOOLEAN) {
        *err = msg_lit(a, "Boolean cannot represent a non boolean value: ", lit);
        return -1;
    }
    *out = gql_bool(lit->boolean);
    return 0;
}

const gql_scalar_funcs gql_scalar_boolean = {boolean_serialize, boolean_parse_value, boolean_parse_literal};

/* ---- ID (§3.5.5) ---- */

static int id_serialize(arena_t *a, const gql_val *in, gql_val *out, const char **err) {
    char num[40];
    switch (in->kind) {
    case GQL_V_STRING:
    case GQL_V_ENUM:
        *out = gql_strn(in->s.ptr, in->s.len);
        return 0;
    case GQL_V_INT:
        *out = gql_str(arena_printf(a, "%lld", (long long)in->i));
        return 0;
    case GQL_V_FLOAT:
        if (!is_js_integer(in->f)) break;
        gql_js_number(in->f, num); /* String(value), e.g. "1e+21" */
        *out = gql_str_dup(a, num);
        return 0;
    default:
        break;
    }
    *err = msg_val(a, "ID cannot represent value: ", in);
    return -1;
}

static int id_parse_value(arena_t *a, const gql_val *in, gql_val *out, const char **err) {
    if (in->kind == GQL_V_STRING || in->kind == GQL_V_INT || in->kind == GQL_V_FLOAT)
        return id_serialize(a, in, out, err);
    *err = msg_val(a, "ID cannot represent value: ", in);
    return -1;
}

static int id_parse_literal(arena_t *a, const gql_value *lit, const gql_val *vars, gql_val *out, const char **err) {
    (void)vars;
    if (lit->kind != GQL_VALUE_STRING && lit->kind != GQL_VALUE_INT) {
        *err = msg_lit(a, "ID cannot represent a non-string and non-integer value: ", lit);
        return -1;
    }
    *out = gql_strn(lit->str, lit->kind == GQL_VALUE_STRING ? lit->str_len : strlen(lit->str));
    return 0;
}

const gql_scalar_funcs gql_scalar_id = {id_serialize, id_parse_value, id_parse_literal};

/* ---- JSON: any value ---- */

static bool json_representable(const gql_val *v, int depth) {
    if (depth > 64) return false;
    switch (v->kind) {
    case GQL_V_OBJECT:
        return false;
    case GQL_V_FLOAT:
        return isfinite(v->f);
    case GQL_V_LIST:
        for (size_t i = 0; i < v->list.count; i++)
            if (!json_representable(&v->list.items[i], depth + 1)) return false;
        return true;
    case GQL_V_MAP:
        for (size_t i = 0; i < v->map.count; i++)
            if (!json_representable(&v->map.vals[i], depth + 1)) return false;
        return true;
    default:
        return true;
    }
}

static int json_serialize(arena_t *a, const gql_val *in, gql_val *out, const char **err) {
    if (!json_representable(in, 0)) {
        *err = msg_val(a, "JSON cannot represent value: ", in);
        return -1;
    }
    *out = *in;
    if (out->kind == GQL_V_ENUM) out->kind = GQL_V_STRING;
    return 0;
}

static int json_literal(arena_t *a, const gql_value *lit, const gql_val *vars, gql_val *out, int depth,
                        const char **err) {
    if (depth > 64) {
        *err = "JSON value is nested too deeply.";
        return -1;
    }
    switch (lit->kind) {
    case GQL_VALUE_VARIABLE: {
        const gql_val *v = gql_map_get(vars, lit->str);
        *out = v ? *v : gql_null();
        return 0;
    }
    case GQL_VALUE_INT: {
        errno = 0;
        long long n = strtoll(lit->str, NULL, 10);
        *out = errno == ERANGE ? gql_float(strtod(lit->str, NULL)) : gql_int(n);
        return 0;
    }
    case GQL_VALUE_FLOAT: {
        double d = strtod(lit->str, NULL);
        if (!isfinite(d)) {
            *err = msg_lit(a, "JSON cannot represent non-finite number: ", lit);
            return -1;
        }
        *out = gql_float(d);
        return 0;
    }
    case GQL_VALUE_STRING:
    case GQL_VALUE_ENUM:
        *out = gql_strn(lit->str, lit->kind == GQL_VALUE_STRING ? lit->str_len : strlen(lit->str));
        return 0;
    case GQL_VALUE_BOOLEAN:
        *out = gql_bool(lit->boolean);
        return 0;
    case GQL_VALUE_NULL:
        *out = gql_null();
        return 0;
    case GQL_VALUE_LIST:
        *out = gql_list(a, lit->list.count);
        for (size_t i = 0; i < lit->list.count; i++)
            if (json_literal(a, lit->list.items[i], vars, &out->list.items[i], depth + 1, err)) return -1;
        return 0;
    case GQL_VALUE_OBJECT:
        *out = gql_map(a, lit->object.count);
        for (size_t i = 0; i < lit->object.count; i++) {
            gql_val v;
            if (json_literal(a, lit->object.fields[i]->value, vars, &v, depth + 1, err)) return -1;
            gql_map_set(a, out, lit->object.fields[i]->name.value, v);
        }
        return 0;
    }
    *err = "JSON cannot represent this literal.";
    return -1;
}

static int json_parse_literal(arena_t *a, const gql_value *lit, const gql_val *vars, gql_val *out, const char **err) {
    return json_literal(a, lit, vars, out, 0, err);
}

const gql_scalar_funcs gql_scalar_json = {json_serialize, json_serialize, json_parse_literal};

/* ---- DateTime (RFC 3339 §5.6) ---- */

/* Normalizes to UTC with a Z, keeping the fraction as written (util/datetime.c parses). */
int gql_datetime_normalize(const char *s, size_t len, char out[GQL_DATETIME_MAX]) {
    dt_instant t;
    if (dt_parse(s, len, 0, &t) != 0) return -1;
    return dt_format_instant(&t, out) ? 0 : -1;
}

static int datetime_coerce(arena_t *a, const char *s, size_t len, gql_val *out, const char **err) {
    char norm[GQL_DATETIME_MAX];
    if (gql_datetime_normalize(s, len, norm)) {
        gql_val shown = gql_strn(s, len);
        *err = msg_val(a, "DateTime cannot represent an invalid date-time string: ", &shown);
        return -1;
    }
    *out = gql_str_dup(a, norm);
    return 0;
}

static int datetime_serialize(arena_t *a, const gql_val *in, gql_val *out, const char **err) {
    if (in->kind != GQL_V_STRING) {
        *err = msg_val(a, "DateTime cannot represent a non string value: ", in);
        return -1;
    }
    return datetime_coerce(a, in->s.ptr, in->s.len, out, err);
}

static int datetime_parse_literal(arena_t *a, const gql_value *lit, const gql_val *vars, gql_val *out,
                                  const char **err) {
    (void)vars;
    if (lit->kind != GQL_VALUE_STRING) {
        *err = msg_lit(a, "DateTime cannot represent a non string value: ", lit);
        return -1;
    }
    return datetime_coerce(a, lit->str, lit->str_len, out, err);
}

const gql_scalar_funcs gql_scalar_datetime = {datetime_serialize, datetime_serialize, datetime_parse_literal};

/* ---- Duration ---- */

static int duration_seconds(arena_t *a, const gql_val *in, int64_t *secs, const char **err) {
    if (in->kind == GQL_V_INT && in->i >= 0) {
        *secs = in->i;
        return 0;
    }
    if (in->kind == GQL_V_STRING) {
        if (duration_parse(in->s.ptr, in->s.len, secs) == 0) return 0;
        *err = msg_val(a, "Duration cannot represent an invalid duration string: ", in);
        return -1;
    }
    *err = msg_val(a, "Duration cannot represent value: ", in);
    return -1;
}

static int duration_serialize(arena_t *a, const gql_val *in, gql_val *out, const char **err) {
    int64_t secs;
    if (duration_seconds(a, in, &secs, err)) return -1;
    char buf[DURATION_MAX];
    duration_format(secs, buf);
    *out = gql_str_dup(a, buf);
    return 0;
}

static int duration_parse_value(arena_t *a, const gql_val *in, gql_val *out, const char **err) {
    int64_t secs;
    if (duration_seconds(a, in, &secs, err)) return -1;
    *out = gql_int(secs);
    return 0;
}

static int duration_parse_literal(arena_t *a, const gql_value *lit, const gql_val *vars, gql_val *out,
                                  const char **err) {
    (void)vars;
    if (lit->kind == GQL_VALUE_STRING) {
        gql_val v = gql_strn(lit->str, lit->str_len);
        return duration_parse_value(a, &v, out, err);
    }
    *err = msg_lit(a, "Duration cannot represent value: ", lit);
    return -1;
}

const gql_scalar_funcs gql_scalar_duration = {duration_serialize, duration_parse_value, duration_parse_literal};
