/* value.h -- runtime values flowing through the engine: what a JavaScript value is to graphql-js.
 *
 * One representation serves three purposes:
 *   - coerced input values (variables and arguments, spec §3.10 Input Coercion, §6.4.1),
 *   - values returned by resolvers (sources for child fields, or leaf results),
 *   - JSON-like data of the JSON scalar.
 * All memory comes from the request arena. A value is usually embedded by value (no pointer).
 *
 * Why in jsutils/: graphql-js has no value type of its own; it passes JavaScript values, which every
 * one of its modules uses (type/scalars parses and serializes them, type/introspection's resolvers
 * return them, execution/ completes them) and which jsutils/inspect prints. jsutils is graphql-js's
 * lowest layer, importing nothing of the engine, so the C engine's stand-in for JavaScript values
 * lives here too, with the JavaScript built-ins the engine needs for them (Number::toString and
 * JSON in and out): type/ and execution/ both build on it and neither reaches into the other.
 * The one name from above is `struct gql_type`, declared (not included) for GQL_V_OBJECT. */
#ifndef ENTITYD_GQL_VALUE_H
#define ENTITYD_GQL_VALUE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/buf.h"

struct gql_type;

typedef enum {
    GQL_V_NULL = 0,
    GQL_V_BOOL,
    GQL_V_INT,     /* i */
    GQL_V_FLOAT,   /* f */
    GQL_V_STRING,  /* s.ptr/s.len (UTF-8) */
    GQL_V_ENUM,    /* s: the enum value's name (input coercion result; resolvers may return STRING too) */
    GQL_V_LIST,    /* list.items/list.count */
    GQL_V_MAP,     /* map.keys/map.vals/map.count: input objects, JSON objects, and simple result objects */
    GQL_V_OBJECT,  /* obj.ptr: a domain object for child resolvers; obj.type: its concrete object type or NULL */
    GQL_V_RAW_JSON /* s: already-serialized JSON text, written verbatim (e.g. metadata stored as JSON) */
} gql_val_kind;

typedef struct gql_val gql_val;

struct gql_val {
    gql_val_kind kind;
    union {
        bool b;
        int64_t i;
        double f;
        struct {
            const char *ptr;
            size_t len;
        } s;
        struct {
            gql_val *items;
            size_t count;
        } list;
        struct {
            const char **keys;
            gql_val *vals;
            size_t count;
            size_t cap;
        } map;
        struct {
            void *ptr;
            const struct gql_type *type;
        } obj;
    };
};

static inline gql_val gql_null(void) {
    gql_val v = {.kind = GQL_V_NULL};
    return v;
}
static inline gql_val gql_bool(bool b) {
    gql_val v = {.kind = GQL_V_BOOL, .b = b};
    return v;
}
static inline gql_val gql_int(int64_t i) {
    gql_val v = {.kind = GQL_V_INT, .i = i};
    return v;
}
static inline gql_val gql_float(double f) {
    gql_val v = {.kind = GQL_V_FLOAT, .f = f};
    return v;
}
/* s is not copied: it must live as long as the request (arena or static). NULL gives null. */
gql_val gql_str(const char *s);
gql_val gql_strn(const char *s, size_t len);
/* Copies s into the arena. NULL gives null. */
gql_val gql_str_dup(arena_t *a, const char *s);
gql_val gql_enum(const char *name);
gql_val gql_raw_json(const char *json); /* NULL gives null */
gql_val gql_object(void *ptr, const struct gql_type *type);
gql_val gql_list(arena_t *a, size_t count); /* items zeroed (null) */
gql_val gql_map(arena_t *a, size_t cap);

/* Map helpers: set appends or replaces; get returns NULL when the key is absent
 * (an explicit null is a GQL_V_NULL value, so "absent" and "null" stay distinct, §3.10). */
void gql_map_set(arena_t *a, gql_val *map, const char *key, gql_val v);
const gql_val *gql_map_get(const gql_val *map, const char *key);

/* Convenience readers for resolver arguments (args is a GQL_V_MAP). */
static inline bool gql_is_null(const gql_val *v) {
    return !v || v->kind == GQL_V_NULL;
}
const char *gql_arg_str(const gql_val *args, const char *name);        /* STRING/ENUM, or NULL */
bool gql_arg_int(const gql_val *args, const char *name, int64_t *out); /* false when absent/null */
bool gql_arg_bool(const gql_val *args, const char *name, bool *out);

/* JavaScript's Number::toString (ECMA-262 Number::toString): shortest round-trip digits, so 1.0 -> "1",
 * 0.1 -> "0.1", 1e21 -> "1e+21", 1e-7 -> "1e-7"; NaN and Infinity as JavaScript spells them. */
void gql_js_number(double d, char out[40]);
/* Appends d as JSON.stringify writes a number: gql_js_number, except that NaN and Infinity (which
 * JSON lacks) are written as null. */
void gql_write_number(buf_t *out, double d);

/* Converts a decoded JSON document (variables, JSON scalar input) to a value. */
gql_val gql_val_from_json(arena_t *a, const json_t *j);
/* Writes a value as JSON. OBJECT values cannot be written (returns -1). */
int gql_val_write_json(const gql_val *v, buf_t *out);

#endif
