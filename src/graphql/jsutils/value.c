/* value.c -- constructors, JSON conversion and number printing for runtime values, see value.h. */
#include "graphql/jsutils/value.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

gql_val gql_strn(const char *s, size_t len) {
    if (!s) return gql_null();
    gql_val v = {.kind = GQL_V_STRING};
    v.s.ptr = s;
    v.s.len = len;
    return v;
}

gql_val gql_str(const char *s) {
    return s ? gql_strn(s, strlen(s)) : gql_null();
}

gql_val gql_str_dup(arena_t *a, const char *s) {
    return s ? gql_strn(arena_strdup(a, s), strlen(s)) : gql_null();
}

gql_val gql_enum(const char *name) {
    gql_val v = gql_str(name);
    if (name) v.kind = GQL_V_ENUM;
    return v;
}

gql_val gql_raw_json(const char *json) {
    gql_val v = gql_str(json);
    if (json) v.kind = GQL_V_RAW_JSON;
    return v;
}

gql_val gql_object(void *ptr, const struct gql_type *type) {
    if (!ptr) return gql_null();
    gql_val v = {.kind = GQL_V_OBJECT};
    v.obj.ptr = ptr;
    v.obj.type = type;
    return v;
}

gql_val gql_list(arena_t *a, size_t count) {
    gql_val v = {.kind = GQL_V_LIST};
    v.list.items = count ? arena_alloc(a, count * sizeof(gql_val)) : NULL;
    v.list.count = count;
    return v;
}

gql_val gql_map(arena_t *a, size_t cap) {
    gql_val v = {.kind = GQL_V_MAP};
    if (cap) {
        /* Only the first count entries are ever read. */
        v.map.keys = arena_alloc_uninit(a, cap * sizeof(char *));
        v.map.vals = arena_alloc_uninit(a, cap * sizeof(gql_val));
    }
    v.map.cap = cap;
    return v;
}

void gql_map_set(arena_t *a, gql_val *map, const char *key, gql_val v) {
    for (size_t i = 0; i < map->map.count; i++) {
        if (strcmp(map->map.keys[i], key) == 0) {
            map->map.vals[i] = v;
            return;
        }
    }
    if (map->map.count == map->map.cap) {
        size_t ncap = map->map.cap ? map->map.cap * 2 : 4;
        map->map.keys = arena_realloc(a, map->map.keys, map->map.cap * sizeof(char *), ncap * sizeof(char *));
        map->map.vals = arena_realloc(a, map->map.vals, map->map.cap * sizeof(gql_val), ncap * sizeof(gql_val));
        map->map.cap = ncap;
    }
    map->map.keys[map->map.count] = key;
    map->map.vals[map->map.count] = v;
    map->map.count++;
}

const gql_val *gql_map_get(const gql_val *map, const char *key) {
    if (!map || map->kind != GQL_V_MAP) return NULL;
    for (size_t i = 0; i < map->map.count; i++)
        if (strcmp(map->map.keys[i], key) == 0) return &map->map.vals[i];
    return NULL;
}

const char *gql_arg_str(const gql_val *args, const char *name) {
    const gql_val *v = gql_map_get(args, name);
    if (!v || (v->kind != GQL_V_STRING && v->kind != GQL_V_ENUM)) return NULL;
    return v->s.ptr;
}

bool gql_arg_int(const gql_val *args, const char *name, int64_t *out) {
    const gql_val *v = gql_map_get(args, name);
    if (!v || v->kind != GQL_V_INT) return false;
    *out = v->i;
    return true;
}

bool gql_arg_bool(const gql_val *args, const char *name, bool *out) {
    const gql_val *v = gql_map_get(args, name);
    if (!v || v->kind != GQL_V_BOOL) return false;
    *out = v->b;
    return true;
}

gql_val gql_val_from_json(arena_t *a, const json_t *j) {
    if (!j) return gql_null();
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        gql_val m = gql_map(a, json_object_size(j));
        const char *k;
        json_t *v;
        /* A jansson object's keys are unique and the map was sized for them: append directly.
         * gql_map_set's duplicate scan made this quadratic, so one variables object with tens of
         * thousands of keys held a worker for most of a minute. */
        json_object_foreach((json_t *)j, k, v) {
            m.map.keys[m.map.count] = arena_strdup(a, k);
            m.map.vals[m.map.count] = gql_val_from_json(a, v);
            m.map.count++;
        }
        return m;
    }
    case JSON_ARRAY: {
        gql_val l = gql_list(a, json_array_size(j));
        for (size_t i = 0; i < l.list.count; i++)
            l.list.items[i] = gql_val_from_json(a, json_array_get(j, i));
        return l;
    }
    case JSON_STRING:
        return gql_strn(arena_strndup(a, json_string_value(j), json_string_length(j)), json_string_length(j));
    case JSON_INTEGER:
        return gql_int(json_integer_value(j));
    case JSON_REAL:
        return gql_float(json_real_value(j));
    case JSON_TRUE:
        return gql_bool(true);
    case JSON_FALSE:
        return gql_bool(false);
    case JSON_NULL:
    default:
        return gql_null();
    }
}

/* Decimal digits of v into out (at least 21 bytes), NUL-terminated; returns the length. */
static size_t fmt_i64(char *out, int64_t v) {
    char tmp[24];
    size_t n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    size_t o = 0;
    if (v < 0) out[o++] = '-';
    while (n)
        out[o++] = tmp[--n];
    out[o] = '\0';
    return o;
}

void gql_js_number(double d, char out[40]) {
    /* Integers of magnitude below 2^53 print as their digits (Number::toString gives the integer
     * itself below 1e21, and every such double is exactly an int64); NaN fails the comparison. */
    if (d > -9007199254740992.0 && d < 9007199254740992.0 && (double)(int64_t)d == d) {
        fmt_i64(out, (int64_t)d); /* -0 gives "0", as in JS */
        return;
    }
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

/* JSON has no NaN or Infinity: those print as null, every other number as JavaScript prints it. */
void gql_write_number(buf_t *out, double d) {
    if (!isfinite(d)) {
        buf_puts(out, "null");
        return;
    }
    char num[40];
    gql_js_number(d, num);
    buf_puts(out, num);
}

int gql_val_write_json(const gql_val *v, buf_t *out) {
    switch (v->kind) {
    case GQL_V_NULL:
        buf_puts(out, "null");
        return 0;
    case GQL_V_BOOL:
        buf_puts(out, v->b ? "true" : "false");
        return 0;
    case GQL_V_INT: {
        char num[24];
        buf_append(out, num, fmt_i64(num, v->i));
        return 0;
    }
    case GQL_V_FLOAT:
        gql_write_number(out, v->f);
        return 0;
    case GQL_V_STRING:
    case GQL_V_ENUM:
        buf_json_string(out, v->s.ptr, v->s.len);
        return 0;
    case GQL_V_RAW_JSON:
        buf_append(out, v->s.ptr, v->s.len);
        return 0;
    case GQL_V_LIST:
        buf_putc(out, '[');
        for (size_t i = 0; i < v->list.count; i++) {
            if (i) buf_putc(out, ',');
            if (gql_val_write_json(&v->list.items[i], out)) return -1;
        }
        buf_putc(out, ']');
        return 0;
    case GQL_V_MAP:
        buf_putc(out, '{');
        for (size_t i = 0; i < v->map.count; i++) {
            if (i) buf_putc(out, ',');
            buf_json_string(out, v->map.keys[i], strlen(v->map.keys[i]));
            buf_putc(out, ':');
            if (gql_val_write_json(&v->map.vals[i], out)) return -1;
        }
        buf_putc(out, '}');
        return 0;
    case GQL_V_OBJECT:
        return -1;
    }
    return -1;
}
