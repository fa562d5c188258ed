/* scalars.c -- result and input coercion of scalars (spec §3.5) with graphql-js's messages, the
 * engine's JSON / DateTime / Duration scalars, and default values printed as graphql-js prints them. */
#include "graphql/type/scalars.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graphql/jsutils/inspect.h"
#include "graphql/language/printer.h"
#include "util/datetime.h"
#include "util/duration.h"

/* ---- default values (graphql-js astFromValue + print) ---- */

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
        gql_print_value(out, lit, GQL_PRINT_PLAIN_STRINGS);
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
    gql_print_value(out, lit, GQL_PRINT_PLAIN_STRINGS);
}

void gql_print_default_value(buf_t *out, const gql_value *lit, const gql_type *type) {
    default_value(out, lit, type, 0);
}

/* Builds "<prefix><inspect(v)>" in the arena. */
static const char *msg_val(arena_t *a, const char *prefix, const gql_val *v) {
    return arena_printf(a, "%s%s", prefix, gql_inspect(a, v));
}

/* Builds "<prefix><print(literal)>" in the arena. */
static const char *msg_lit(arena_t *a, const char *prefix, const gql_value *lit) {
    return arena_printf(a, "%s%s", prefix, gql_print_value_str(a, lit, 0));
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

/* ---- DateTime (RFC 3339 §5.6, years 0001-9999: util/datetime.h) ---- */

/* Normalises to UTC with the fraction as written ("2024-01-01T10:00:00.5Z"); util/datetime.h parses. */
static int datetime_coerce(arena_t *a, const char *s, size_t len, gql_val *out, const char **err) {
    dt_instant t;
    char norm[DT_MAX];
    if (dt_parse(s, len, 0, &t) || !dt_format_instant(&t, norm)) {
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

/* ---- Duration: the syntax of util/duration.h ("90s", "1h30m", "7d") ---- */

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
