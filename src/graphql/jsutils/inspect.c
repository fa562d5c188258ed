/* inspect.c -- graphql-js jsutils/inspect for runtime values, bounded for messages (see inspect.h). */
#include "graphql/jsutils/inspect.h"

#include <math.h>
#include <string.h>

#include "util/buf.h"

/* Bytes of one rendered value, roughly. graphql-js prints every key of an object and every byte
 * of a string; here each of up to 50 variable errors (execution/coerce.c) repeats the offending value (an
 * input object with 50 unknown keys is printed 50 times), so a 1 MB variables object became a
 * 50 MB response. Values under the bound print exactly as graphql-js prints them. */
#define INSPECT_MAX 1024

/* The length of [s, s+n) cut to at most max bytes without splitting a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t n, size_t max) {
    if (n <= max) return n;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return max;
}

/* Appends [s, s+n) as a JSON string, cut to at most max bytes, "..." marking a cut. */
static void inspect_string(buf_t *b, const char *s, size_t n, size_t max) {
    if (n <= max) {
        buf_json_string(b, s, n);
        return;
    }
    buf_t t = BUF_INIT;
    buf_append(&t, s, utf8_cut(s, n, max));
    buf_puts(&t, "...");
    buf_json_string(b, t.data, t.len);
    buf_free(&t);
}

static void inspect_into(buf_t *b, const gql_val *v, int depth) {
    switch (v->kind) {
    case GQL_V_NULL:
        buf_puts(b, "null");
        return;
    case GQL_V_BOOL:
        buf_puts(b, v->b ? "true" : "false");
        return;
    case GQL_V_INT:
        buf_printf(b, "%lld", (long long)v->i);
        return;
    case GQL_V_FLOAT:
        if (isnan(v->f))
            buf_puts(b, "NaN");
        else if (isinf(v->f))
            buf_puts(b, v->f < 0 ? "-Infinity" : "Infinity");
        else
            gql_write_number(b, v->f);
        return;
    case GQL_V_STRING:
    case GQL_V_ENUM:
        inspect_string(b, v->s.ptr, v->s.len, INSPECT_MAX);
        return;
    case GQL_V_RAW_JSON:
        buf_append(b, v->s.ptr, v->s.len);
        return;
    case GQL_V_OBJECT:
        buf_puts(b, "{}");
        return;
    case GQL_V_LIST:
        if (v->list.count == 0) {
            buf_puts(b, "[]");
            return;
        }
        if (depth >= 2) { /* graphql-js MAX_RECURSIVE_DEPTH (2): a third nested level prints as [Array] */
            buf_puts(b, "[Array]");
            return;
        }
        buf_putc(b, '[');
        {
            size_t shown = 0;
            for (; shown < v->list.count && shown < 10 && b->len < INSPECT_MAX; shown++) {
                if (shown) buf_puts(b, ", ");
                inspect_into(b, &v->list.items[shown], depth + 1);
            }
            if (v->list.count > shown) {
                size_t more = v->list.count - shown;
                buf_printf(b, "%s... %zu more item%s", shown ? ", " : "", more, more == 1 ? "" : "s");
            }
        }
        buf_putc(b, ']');
        return;
    case GQL_V_MAP:
        if (v->map.count == 0) {
            buf_puts(b, "{}");
            return;
        }
        if (depth >= 2) {
            buf_puts(b, "[Object]");
            return;
        }
        buf_puts(b, "{ ");
        {
            size_t shown = 0;
            for (; shown < v->map.count && b->len < INSPECT_MAX; shown++) {
                if (shown) buf_puts(b, ", ");
                const char *k = v->map.keys[shown];
                buf_append(b, k, utf8_cut(k, strlen(k), INSPECT_MAX));
                buf_puts(b, ": ");
                inspect_into(b, &v->map.vals[shown], depth + 1);
            }
            if (v->map.count > shown) {
                size_t more = v->map.count - shown;
                buf_printf(b, "%s... %zu more key%s", shown ? ", " : "", more, more == 1 ? "" : "s");
            }
        }
        buf_puts(b, " }");
        return;
    }
}

const char *gql_inspect(arena_t *a, const gql_val *v) {
    buf_t b = BUF_INIT;
    inspect_into(&b, v, 0);
    char *s = arena_strndup(a, buf_cstr(&b), b.len);
    buf_free(&b);
    return s;
}
