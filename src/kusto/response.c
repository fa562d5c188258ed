/* response.c -- Kusto response bodies into kusto_result, and error bodies into kusto_error
 * (protocol doc §2 "Response formats", §3 "Errors", §4 "How values are encoded in JSON").
 *
 * v1 ({"Tables":[...]}) answers /v1/rest/mgmt; v2 (an array of frames) answers /v2/rest/query.
 * Every cell is checked against its column's type; a mismatch, a wrong shape or a bound passed
 * is KUSTO_E_PROTOCOL naming the table, row and column. Failures reported inside a 200 answer
 * (OneApiErrors rows, Exceptions, HasErrors, error-level completion records) are KUSTO_E_PARTIAL. */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kusto/kusto_internal.h"
#include "util/datetime.h"
#include "util/utf8.h"

/* ---------------------------------------------------------------- errors */

void kusto_err_reset(kusto_error *err) {
    memset(err, 0, sizeof *err);
}

/* Largest n' <= n that does not cut a UTF-8 sequence of s in two. */
static size_t kusto_utf8_cut(const char *s, size_t n) {
    size_t i = n;
    while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
        i--;
    return i;
}

kusto_code kusto_err_set(kusto_error *err, kusto_code code, const char *fmt, ...) {
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof err->message) err->message[kusto_utf8_cut(err->message, sizeof err->message - 1)] = '\0';
    return code;
}

#define KUSTO_EXCERPT_MAX 400

void kusto_text_excerpt(char *dst, size_t n, const char *text, size_t len) {
    if (n == 0) return;
    size_t o = 0, limit = n - 1;
    if (limit > KUSTO_EXCERPT_MAX) limit = KUSTO_EXCERPT_MAX;
    bool space = true; /* drops leading blanks and collapses runs */
    for (size_t i = 0; i < len && o < limit;) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
            if (!space) dst[o++] = ' ';
            space = true;
            i++;
            continue;
        }
        space = false;
        if (c < 0x20 || c == 0x7f) {
            dst[o++] = '?';
            i++;
        } else if (c < 0x80) {
            dst[o++] = (char)c;
            i++;
        } else {
            size_t k = utf8_valid_prefix((const unsigned char *)text + i, len - i);
            if (k == 0) {
                dst[o++] = '?';
                i++;
            } else if (o + k > limit) {
                break;
            } else {
                memcpy(dst + o, text + i, k);
                o += k;
                i += k;
            }
        }
    }
    while (o > 0 && dst[o - 1] == ' ')
        o--;
    dst[o] = '\0';
}

static void kusto_copy_field(char *dst, size_t n, const char *s) {
    kusto_text_excerpt(dst, n, s, strlen(s));
}

const char *kusto_code_name(kusto_code c) {
    static const char *const names[] = {"KUSTO_OK",          "KUSTO_E_NETWORK", "KUSTO_E_TIMEOUT",
                                        "KUSTO_E_THROTTLED", "KUSTO_E_SERVER",  "KUSTO_E_BAD_REQUEST",
                                        "KUSTO_E_AUTH",      "KUSTO_E_PARTIAL", "KUSTO_E_PROTOCOL",
                                        "KUSTO_E_CANCELLED", "KUSTO_E_INTERNAL"};
    if ((unsigned)c < sizeof names / sizeof names[0]) return names[c];
    return "KUSTO_E_UNKNOWN";
}

/* Fills err from a OneApiError object {"code","message","@message","@permanent",...}
 * (protocol doc §3 "Error body"): the detailed @message wins over the generic message. */
static void kusto_fill_oneapi(kusto_error *err, json_t *e) {
    const char *code = json_string_value(json_object_get(e, "code"));
    const char *msg = json_string_value(json_object_get(e, "@message"));
    if (!msg || !*msg) msg = json_string_value(json_object_get(e, "message"));
    if (code) kusto_copy_field(err->kusto_code, sizeof err->kusto_code, code);
    if (msg && *msg)
        kusto_copy_field(err->message, sizeof err->message, msg);
    else if (code)
        kusto_copy_field(err->message, sizeof err->message, code);
    json_t *perm = json_object_get(e, "@permanent");
    if (json_is_boolean(perm)) err->permanent = json_is_true(perm);
}

static const char *kusto_skip_ws(const char *s, size_t *len) {
    /* A UTF-8 byte order mark is not JSON but is harmless. */
    if (*len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
        s += 3;
        *len -= 3;
    }
    while (*len > 0 && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) {
        s++;
        (*len)--;
    }
    return s;
}

kusto_code kusto_parse_error(int http_status, const char *body, size_t len, kusto_error *err) {
    kusto_error local;
    if (!err) err = &local;
    kusto_code code;
    bool permanent;
    if (http_status == 401 || http_status == 403) {
        code = KUSTO_E_AUTH, permanent = true;
    } else if (http_status == 429) {
        code = KUSTO_E_THROTTLED, permanent = false;
    } else if (http_status >= 500 && http_status <= 599) {
        code = KUSTO_E_SERVER, permanent = false;
    } else if (http_status >= 400 && http_status <= 499) {
        code = KUSTO_E_BAD_REQUEST, permanent = true;
    } else {
        code = KUSTO_E_PROTOCOL, permanent = true; /* 1xx/3xx: redirects are not followed */
    }
    err->code = code;
    err->http_status = http_status;
    err->permanent = permanent;
    err->kusto_code[0] = err->message[0] = '\0';
    if (!body) body = "", len = 0;
    size_t n = len;
    const char *p = kusto_skip_ws(body, &n);
    json_t *root = NULL;
    if (n > 0 && *p == '{') root = json_loadb(p, n, JSON_ALLOW_NUL, NULL);
    json_t *e = root ? json_object_get(root, "error") : NULL;
    if (json_is_object(e)) {
        kusto_fill_oneapi(err, e);
        /* @permanent decides for 5xx only: 429 is always transient, other 4xx always permanent. */
        if (code != KUSTO_E_SERVER) err->permanent = permanent;
    } else if (json_is_string(e)) {
        /* OAuth / IMDS: {"error":"invalid_client","error_description":"AADSTS...\r\nTrace ID..."} */
        kusto_copy_field(err->kusto_code, sizeof err->kusto_code, json_string_value(e));
        const char *d = json_string_value(json_object_get(root, "error_description"));
        kusto_copy_field(err->message, sizeof err->message, d && *d ? d : json_string_value(e));
    } else {
        kusto_text_excerpt(err->message, sizeof err->message, body, len);
    }
    json_decref(root);
    if (!err->message[0]) {
        if (code == KUSTO_E_PROTOCOL)
            snprintf(err->message, sizeof err->message, "unexpected HTTP status %d (redirects are not followed)",
                     http_status);
        else
            snprintf(err->message, sizeof err->message, "HTTP %d with an empty body", http_status);
    }
    return code;
}

/* ---------------------------------------------------------------- types */

static const char *const kusto_type_names[] = {"null",     "bool",     "int",  "long",    "real",   "string",
                                               "datetime", "timespan", "guid", "decimal", "dynamic"};

const char *kusto_type_name(kusto_type t) {
    if ((unsigned)t < sizeof kusto_type_names / sizeof kusto_type_names[0]) return kusto_type_names[t];
    return "?";
}

int kusto_type_parse(const char *name) {
    static const struct {
        const char *name;
        kusto_type t;
    } map[] = {
        /* v2 ColumnType / v1 ColumnType: KQL type names and their documented aliases. */
        {"string", KUSTO_T_STRING},
        {"int", KUSTO_T_INT},
        {"long", KUSTO_T_LONG},
        {"real", KUSTO_T_REAL},
        {"double", KUSTO_T_REAL},
        {"bool", KUSTO_T_BOOL},
        {"boolean", KUSTO_T_BOOL},
        {"datetime", KUSTO_T_DATETIME},
        {"date", KUSTO_T_DATETIME},
        {"timespan", KUSTO_T_TIMESPAN},
        {"time", KUSTO_T_TIMESPAN},
        {"guid", KUSTO_T_GUID},
        {"uuid", KUSTO_T_GUID},
        {"uniqueid", KUSTO_T_GUID},
        {"dynamic", KUSTO_T_DYNAMIC},
        {"decimal", KUSTO_T_DECIMAL},
        /* v1 DataType: .NET type names (protocol doc §2 v1). Kusto stores bool as SByte. */
        {"String", KUSTO_T_STRING},
        {"Int32", KUSTO_T_INT},
        {"Int16", KUSTO_T_INT},
        {"Byte", KUSTO_T_INT},
        {"UInt16", KUSTO_T_INT},
        {"Int64", KUSTO_T_LONG},
        {"UInt32", KUSTO_T_LONG},
        {"UInt64", KUSTO_T_LONG},
        {"Double", KUSTO_T_REAL},
        {"Single", KUSTO_T_REAL},
        {"Boolean", KUSTO_T_BOOL},
        {"SByte", KUSTO_T_BOOL},
        {"DateTime", KUSTO_T_DATETIME},
        {"TimeSpan", KUSTO_T_TIMESPAN},
        {"Guid", KUSTO_T_GUID},
        {"Object", KUSTO_T_DYNAMIC},
        {"Decimal", KUSTO_T_DECIMAL},
        {"SqlDecimal", KUSTO_T_DECIMAL},
        {"Data.SqlTypes.SqlDecimal", KUSTO_T_DECIMAL},
    };
    if (!name) return -1;
    if (strncmp(name, "System.", 7) == 0) name += 7;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(name, map[i].name) == 0) return (int)map[i].t;
    return -1;
}

/* ---------------------------------------------------------------- values */

int kusto_parse_timespan(const char *s, size_t len, int64_t *ticks) {
    size_t i = 0;
    bool neg = false;
    if (i < len && s[i] == '-') neg = true, i++;
    uint64_t first = 0, days = 0, h, m, sec, frac = 0;
    size_t nd = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9' && nd < 9)
        first = first * 10 + (uint64_t)(s[i++] - '0'), nd++;
    if (nd == 0 || i >= len) return -1;
    if (s[i] == '.') { /* d.hh:mm:ss */
        days = first;
        i++;
        nd = 0;
        h = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9' && nd < 2)
            h = h * 10 + (uint64_t)(s[i++] - '0'), nd++;
        if (nd == 0) return -1;
    } else {
        if (nd > 2) return -1;
        h = first;
    }
    if (i + 6 > len || s[i] != ':' || s[i + 3] != ':') return -1;
    const char *mm = s + i + 1, *ss = s + i + 4;
    if (mm[0] < '0' || mm[0] > '9' || mm[1] < '0' || mm[1] > '9' || ss[0] < '0' || ss[0] > '9' || ss[1] < '0' ||
        ss[1] > '9')
        return -1;
    m = (uint64_t)((mm[0] - '0') * 10 + (mm[1] - '0'));
    sec = (uint64_t)((ss[0] - '0') * 10 + (ss[1] - '0'));
    i += 6;
    if (h > 23 || m > 59 || sec > 59) return -1;
    if (i < len && s[i] == '.') {
        i++;
        size_t nf = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            if (++nf > 7) return -1;
            frac = frac * 10 + (uint64_t)(s[i++] - '0');
        }
        if (nf == 0) return -1;
        for (; nf < 7; nf++)
            frac *= 10;
    }
    if (i != len) return -1;
    /* .NET TimeSpan range: 10675199 days and change; 9 digits of days cannot overflow uint64 here. */
    uint64_t t = ((days * 86400 + h * 3600 + m * 60 + sec) * 10000000u) + frac;
    if (t > (uint64_t)INT64_MAX) return -1;
    *ticks = neg ? -(int64_t)t : (int64_t)t;
    return 0;
}

typedef struct {
    kusto_options o; /* resolved bounds */
    arena_t *a;
    kusto_error *err;
    size_t cells;   /* cells read so far, against o.max_cells */
    size_t ntables; /* tables read so far, against o.max_tables */
} kparse;

/* What a JSON value is, for messages. */
static const char *kp_json_kind(const json_t *j) {
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a real number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "?";
}

/* Compact JSON text of a dynamic value. Reals get the shortest of %.15g/%.16g/%.17g that reads back
 * exactly (jansson's own dump always prints 17 digits: 0.1 -> 0.10000000000000001). */
static void kp_dump(buf_t *b, json_t *j) {
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        const char *k;
        json_t *v;
        bool first = true;
        buf_putc(b, '{');
        json_object_foreach(j, k, v) {
            if (!first) buf_putc(b, ',');
            first = false;
            buf_json_string(b, k, strlen(k));
            buf_putc(b, ':');
            kp_dump(b, v);
        }
        buf_putc(b, '}');
        break;
    }
    case JSON_ARRAY: {
        buf_putc(b, '[');
        for (size_t i = 0; i < json_array_size(j); i++) {
            if (i) buf_putc(b, ',');
            kp_dump(b, json_array_get(j, i));
        }
        buf_putc(b, ']');
        break;
    }
    case JSON_STRING:
        buf_json_string(b, json_string_value(j), json_string_length(j));
        break;
    case JSON_INTEGER:
        buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
        break;
    case JSON_REAL: {
        double d = json_real_value(j);
        char tmp[40];
        for (int prec = 15; prec <= 17; prec++) {
            snprintf(tmp, sizeof tmp, "%.*g", prec, d);
            if (strtod(tmp, NULL) == d) break;
        }
        buf_puts(b, tmp);
        if (!strpbrk(tmp, ".eE")) buf_puts(b, ".0");
        break;
    }
    case JSON_TRUE:
        buf_puts(b, "true");
        break;
    case JSON_FALSE:
        buf_puts(b, "false");
        break;
    case JSON_NULL:
        buf_puts(b, "null");
        break;
    }
}

static void kp_set_text(kparse *p, kusto_value *v, const char *s, size_t len) {
    v->s = arena_strndup(p->a, s, len);
    v->len = len;
}

static bool kp_is_guid(const char *s, size_t len) {
    if (len != 36) return false;
    for (size_t i = 0; i < 36; i++) {
        char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return false;
        }
    }
    return true;
}

/* A whole string of decimal digits with an optional '-' as int64; false on anything else. */
static bool kp_str_int64(const char *s, size_t len, int64_t *out) {
    if (len == 0 || len > 20) return false;
    size_t i = s[0] == '-' ? 1 : 0;
    if (i == len) return false;
    for (size_t k = i; k < len; k++)
        if (s[k] < '0' || s[k] > '9') return false;
    char tmp[24];
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    errno = 0;
    long long v = strtoll(tmp, NULL, 10);
    if (errno == ERANGE) return false;
    *out = v;
    return true;
}

/* A real sent as a string: "NaN", "Infinity", "-Infinity" (protocol doc §4), or a plain number. */
static bool kp_str_real(const char *s, size_t len, double *out) {
    if (len == 3 && memcmp(s, "NaN", 3) == 0) return *out = NAN, true;
    if (len == 8 && memcmp(s, "Infinity", 8) == 0) return *out = INFINITY, true;
    if (len == 9 && memcmp(s, "-Infinity", 9) == 0) return *out = -INFINITY, true;
    if (len == 0 || len > 64) return false;
    for (size_t i = 0; i < len; i++)
        if (!strchr("0123456789+-.eE", s[i]) || s[i] == '\0') return false;
    char tmp[72];
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    char *end;
    double d = strtod(tmp, &end);
    if (end != tmp + len) return false;
    *out = d;
    return true;
}

/* Decodes one cell j of a column of type t into v. Returns false with err set on a mismatch. */
static bool kp_value(kparse *p, json_t *j, kusto_type t, kusto_value *v, const char *table, size_t row,
                     const kusto_column *col) {
    memset(v, 0, sizeof *v);
    if (json_is_null(j)) {
        if (t == KUSTO_T_STRING) { /* strings are never null (protocol doc §4) */
            v->type = KUSTO_T_STRING;
            v->s = "";
            return true;
        }
        v->type = KUSTO_T_NULL;
        return true;
    }
    v->type = t;
    const char *s = json_string_value(j);
    size_t sl = s ? json_string_length(j) : 0;
    const char *why = NULL;
    switch (t) {
    case KUSTO_T_STRING:
        if (!s) break;
        kp_set_text(p, v, s, sl);
        return true;
    case KUSTO_T_BOOL:
        if (json_is_boolean(j)) return v->b = json_is_true(j), true;
        if (json_is_integer(j) && (json_integer_value(j) == 0 || json_integer_value(j) == 1))
            return v->b = json_integer_value(j) == 1, true;
        break;
    case KUSTO_T_INT:
    case KUSTO_T_LONG: {
        int64_t x;
        if (json_is_integer(j))
            x = json_integer_value(j);
        else if (!s || !kp_str_int64(s, sl, &x))
            break;
        if (t == KUSTO_T_INT && (x < INT32_MIN || x > INT32_MAX)) {
            why = "out of the 32-bit range";
            break;
        }
        v->i = x;
        return true;
    }
    case KUSTO_T_REAL:
        if (json_is_number(j)) return v->d = json_number_value(j), true;
        if (s && kp_str_real(s, sl, &v->d)) return true;
        break;
    case KUSTO_T_DATETIME: {
        dt_instant in;
        if (s && dt_parse(s, sl, 0, &in) == 0) return v->i = dt_ticks(&in), true;
        why = "not an ISO 8601 UTC datetime";
        break;
    }
    case KUSTO_T_TIMESPAN:
        if (json_is_integer(j)) return v->i = json_integer_value(j), true; /* bare ticks */
        if (s && kusto_parse_timespan(s, sl, &v->i) == 0) return true;
        why = "not a [-][d.]hh:mm:ss[.fffffff] timespan";
        break;
    case KUSTO_T_GUID:
        if (s && kp_is_guid(s, sl)) {
            kp_set_text(p, v, s, sl);
            return true;
        }
        why = "not an 8-4-4-4-12 guid";
        break;
    case KUSTO_T_DECIMAL:
        if (!s) break;
        kp_set_text(p, v, s, sl);
        return true;
    case KUSTO_T_DYNAMIC: {
        buf_t b = BUF_INIT;
        if (s) {
            /* A string holding JSON is that JSON's value; any other string stays a JSON string. */
            json_t *inner = json_loadb(s, sl, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
            kp_dump(&b, inner ? inner : j);
            json_decref(inner);
        } else {
            kp_dump(&b, j);
        }
        kp_set_text(p, v, b.data, b.len);
        buf_free(&b);
        return true;
    }
    case KUSTO_T_NULL:
        break;
    }
    char got[48];
    if (s)
        snprintf(got, sizeof got, "\"%.32s%s\"", s, sl > 32 ? "..." : "");
    else
        snprintf(got, sizeof got, "%s", kp_json_kind(j));
    kusto_err_set(p->err, KUSTO_E_PROTOCOL, "table '%.64s' row %zu column '%.64s' (%s): %s, got %s", table, row,
                  col->name, kusto_type_name(t), why ? why : "wrong JSON type", got);
    return false;
}

/* ---------------------------------------------------------------- tables */

/* A table being read: rows grow in an arena vector until the table is complete. */
typedef struct {
    kusto_table t;
    int64_t id; /* v2 TableId */
    ptrvec_t rows;
    bool complete;
} kp_table;

static bool kp_fail(kparse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool kp_fail(kparse *p, const char *fmt, ...) {
    char tmp[sizeof p->err->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    kusto_err_set(p->err, KUSTO_E_PROTOCOL, "%s", tmp);
    return false;
}

/* A failure reported inside a 200 answer: {"OneApiErrors":[{"error":{...}}]} (v2) or
 * {"Exceptions":["text",...]} (v1), as a row, a frame field or the v1 root (protocol doc §3
 * "Partial failure inside HTTP 200"). */
static void kp_partial(kparse *p, json_t *holder, const char *where) {
    kusto_error *err = p->err;
    err->code = KUSTO_E_PARTIAL;
    err->http_status = 200;
    err->permanent = false;
    err->kusto_code[0] = err->message[0] = '\0';
    json_t *oae = json_object_get(holder, "OneApiErrors");
    json_t *exc = json_object_get(holder, "Exceptions");
    json_t *first = json_array_get(oae, 0);
    if (first) {
        json_t *e = json_object_get(first, "error");
        kusto_fill_oneapi(err, json_is_object(e) ? e : first);
    } else if (json_is_string(json_array_get(exc, 0))) {
        kusto_copy_field(err->message, sizeof err->message, json_string_value(json_array_get(exc, 0)));
    }
    if (!err->message[0]) snprintf(err->message, sizeof err->message, "partial failure reported in %s", where);
}

static bool kp_has_errors(json_t *holder) {
    return json_array_size(json_object_get(holder, "OneApiErrors")) > 0 ||
           json_array_size(json_object_get(holder, "Exceptions")) > 0;
}

/* Columns [{"ColumnName","ColumnType"|"DataType"}]: ColumnType (KQL name) wins; v1 recordings
 * with only DataType (.NET name) are mapped (protocol doc §2 v1). */
static bool kp_columns(kparse *p, kp_table *kt, json_t *cols) {
    if (!json_is_array(cols)) return kp_fail(p, "table '%.64s': Columns is missing or not an array", kt->t.name);
    size_t n = json_array_size(cols);
    if (n > p->o.max_columns)
        return kp_fail(p, "table '%.64s' has %zu columns, more than the bound of %zu", kt->t.name, n, p->o.max_columns);
    kt->t.columns = n ? arena_alloc(p->a, n * sizeof(kusto_column)) : NULL;
    kt->t.ncolumns = n;
    for (size_t c = 0; c < n; c++) {
        json_t *col = json_array_get(cols, c);
        const char *name = json_string_value(json_object_get(col, "ColumnName"));
        if (!name) return kp_fail(p, "table '%.64s' column %zu has no ColumnName", kt->t.name, c);
        const char *ct = json_string_value(json_object_get(col, "ColumnType"));
        const char *dt = json_string_value(json_object_get(col, "DataType"));
        int ty = ct ? kusto_type_parse(ct) : -1;
        if (ty < 0 && dt) ty = kusto_type_parse(dt);
        if (ty < 0)
            return kp_fail(p, "table '%.64s' column '%.64s': unknown type (ColumnType %.32s, DataType %.32s)",
                           kt->t.name, name, ct ? ct : "absent", dt ? dt : "absent");
        kt->t.columns[c].name = arena_strdup(p->a, name);
        kt->t.columns[c].type = (kusto_type)ty;
    }
    return true;
}

/* Appends the rows of a Rows array. An object in place of a row is an inline error. Returns
 * false with err set (PROTOCOL or PARTIAL). */
static bool kp_rows(kparse *p, kp_table *kt, json_t *rows) {
    if (!json_is_array(rows)) return kp_fail(p, "table '%.64s': Rows is missing or not an array", kt->t.name);
    size_t nc = kt->t.ncolumns;
    for (size_t r = 0; r < json_array_size(rows); r++) {
        json_t *row = json_array_get(rows, r);
        size_t rowno = kt->rows.count;
        if (json_is_object(row)) {
            kp_partial(p, row, "a result row");
            return false;
        }
        if (!json_is_array(row)) return kp_fail(p, "table '%.64s' row %zu is not an array", kt->t.name, rowno);
        if (json_array_size(row) != nc)
            return kp_fail(p, "table '%.64s' row %zu has %zu values for %zu columns", kt->t.name, rowno,
                           json_array_size(row), nc);
        size_t cost = nc ? nc : 1;
        if (p->cells + cost > p->o.max_cells || p->cells + cost < p->cells)
            return kp_fail(p, "response has more than %zu cells (the bound); refusing to truncate", p->o.max_cells);
        p->cells += cost;
        kusto_value *vals = nc ? arena_alloc(p->a, nc * sizeof(kusto_value)) : NULL;
        for (size_t c = 0; c < nc; c++)
            if (!kp_value(p, json_array_get(row, c), kt->t.columns[c].type, &vals[c], kt->t.name, rowno,
                          &kt->t.columns[c]))
                return false;
        ptrvec_push(p->a, &kt->rows, vals);
    }
    return true;
}

static void kp_finish_table(kparse *p, kp_table *kt) {
    kt->t.nrows = kt->rows.count;
    kt->t.rows = kt->rows.count ? arena_alloc(p->a, kt->rows.count * sizeof(kusto_value *)) : NULL;
    for (size_t r = 0; r < kt->rows.count; r++)
        kt->t.rows[r] = kt->rows.items[r];
    kt->complete = true;
}

static kp_table *kp_new_table(kparse *p, const char *name, const char *kind) {
    if (p->ntables >= p->o.max_tables) {
        kp_fail(p, "response has more than %zu tables (the bound)", p->o.max_tables);
        return NULL;
    }
    p->ntables++;
    kp_table *kt = arena_alloc(p->a, sizeof *kt);
    kt->t.name = arena_strdup(p->a, name ? name : "");
    kt->t.kind = kind ? arena_strdup(p->a, kind) : NULL;
    return kt;
}

static kusto_result *kp_result(kparse *p, ptrvec_t *tables, bool primary_only) {
    kusto_result *res = arena_alloc(p->a, sizeof *res);
    size_t n = 0;
    for (size_t i = 0; i < tables->count; i++) {
        kp_table *kt = tables->items[i];
        if (!primary_only || (kt->t.kind && strcmp(kt->t.kind, "PrimaryResult") == 0)) n++;
    }
    res->tables = n ? arena_alloc(p->a, n * sizeof(kusto_table)) : NULL;
    for (size_t i = 0; i < tables->count; i++) {
        kp_table *kt = tables->items[i];
        if (!primary_only || (kt->t.kind && strcmp(kt->t.kind, "PrimaryResult") == 0))
            res->tables[res->ntables++] = kt->t;
    }
    return res;
}

/* Column index by name in a parsed table; -1 if absent. */
static int kp_col(const kusto_table *t, const char *name) {
    return kusto_column_index(t, name);
}

/* An error-level record in a status table (protocol doc §3): v2 QueryCompletionInformation rows
 * with Level <= 2 (deferred partial failures), v1 QueryStatus rows with Severity <= 2. */
static bool kp_status_errors(kparse *p, const kusto_table *t, const char *level_col, const char *text_col,
                             const char *text_col2) {
    int lc = kp_col(t, level_col), tc = kp_col(t, text_col), tc2 = text_col2 ? kp_col(t, text_col2) : -1;
    if (lc < 0) return true;
    for (size_t r = 0; r < t->nrows; r++) {
        const kusto_value *lv = &t->rows[r][lc];
        if ((lv->type != KUSTO_T_INT && lv->type != KUSTO_T_LONG) || lv->i > 2) continue;
        kusto_error *err = p->err;
        err->code = KUSTO_E_PARTIAL;
        err->http_status = 200;
        err->permanent = false;
        err->kusto_code[0] = '\0';
        const char *a = tc >= 0 ? kusto_value_str(&t->rows[r][tc]) : "";
        const char *b = tc2 >= 0 ? kusto_value_str(&t->rows[r][tc2]) : "";
        char tmp[sizeof err->message];
        snprintf(tmp, sizeof tmp, "%s%s%s", a, *a && *b ? ": " : "", b);
        kusto_copy_field(err->message, sizeof err->message, tmp);
        if (!err->message[0]) snprintf(err->message, sizeof err->message, "%s reports an error", t->name);
        return false;
    }
    return true;
}

static json_t *kp_load(kparse *p, const char *body, size_t len, char open, const char *what) {
    size_t n = len;
    const char *s = kusto_skip_ws(body ? body : "", &n);
    if (n == 0) {
        kp_fail(p, "%s response body is empty", what);
        return NULL;
    }
    if (*s != open) {
        /* Go's SDK treats such a body as the service's error text (protocol doc §3). */
        char ex[KUSTO_EXCERPT_MAX + 1];
        kusto_text_excerpt(ex, sizeof ex, s, n);
        kp_fail(p, "%s response is not JSON: %s", what, ex);
        return NULL;
    }
    json_error_t je;
    json_t *root = json_loadb(s, n, JSON_ALLOW_NUL, &je);
    if (!root) kp_fail(p, "%s response is malformed JSON at byte %d: %s", what, je.position, je.text);
    return root;
}

static void kp_init(kparse *p, const kusto_options *opts, arena_t *a, kusto_error *err) {
    memset(p, 0, sizeof *p);
    kusto_options_resolve(opts, &p->o);
    p->a = a;
    p->err = err;
    kusto_err_reset(err);
}

/* ---------------------------------------------------------------- v1 */

kusto_code kusto_parse_v1(const char *body, size_t len, const kusto_options *opts, arena_t *a, kusto_result **out,
                          kusto_error *err) {
    kusto_error local;
    if (!err) err = &local;
    kparse p;
    kp_init(&p, opts, a, err);
    *out = NULL;
    err->http_status = 200;
    json_t *root = kp_load(&p, body, len, '{', "v1");
    if (!root) return err->code;
    ptrvec_t tables = {0};
    bool ok = true;
    json_t *jt = json_object_get(root, "Tables");
    if (kp_has_errors(root)) {
        kp_partial(&p, root, "the response");
        ok = false;
    } else if (!json_is_array(jt)) {
        ok = kp_fail(&p, "v1 response has no Tables array");
    } else {
        for (size_t i = 0; ok && i < json_array_size(jt); i++) {
            json_t *t = json_array_get(jt, i);
            if (!json_is_object(t)) {
                ok = kp_fail(&p, "v1 table %zu is not an object", i);
                break;
            }
            kp_table *kt = kp_new_table(&p, json_string_value(json_object_get(t, "TableName")), NULL);
            ok = kt && kp_columns(&p, kt, json_object_get(t, "Columns")) && kp_rows(&p, kt, json_object_get(t, "Rows"));
            if (ok) {
                kp_finish_table(&p, kt);
                ptrvec_push(a, &tables, kt);
            }
        }
    }
    json_decref(root);
    if (!ok) return err->code;
    /* A v1 query ends with a TableOfContents (Ordinal, Kind, Name, Id, PrettyName); the tables it
     * lists as QueryStatus carry error records (protocol doc §2 v1). */
    if (tables.count >= 2) {
        const kusto_table *toc = &((kp_table *)tables.items[tables.count - 1])->t;
        int ko = kp_col(toc, "Ordinal"), kk = kp_col(toc, "Kind");
        if (ko >= 0 && kk >= 0 && kp_col(toc, "PrettyName") >= 0 && kp_col(toc, "Name") >= 0) {
            for (size_t r = 0; r < toc->nrows; r++) {
                const kusto_value *ord = &toc->rows[r][ko];
                if (strcmp(kusto_value_str(&toc->rows[r][kk]), "QueryStatus") != 0 || ord->type == KUSTO_T_NULL ||
                    ord->i < 0 || (uint64_t)ord->i >= tables.count - 1)
                    continue;
                const kusto_table *qs = &((kp_table *)tables.items[ord->i])->t;
                if (!kp_status_errors(&p, qs, "Severity", "StatusDescription", NULL)) return err->code;
            }
        }
    }
    *out = kp_result(&p, &tables, false);
    return KUSTO_OK;
}

/* ---------------------------------------------------------------- v2 */

static kp_table *kp_find(ptrvec_t *tables, int64_t id) {
    for (size_t i = 0; i < tables->count; i++) {
        kp_table *kt = tables->items[i];
        if (kt->id == id) return kt;
    }
    return NULL;
}

/* TableId, TableKind, TableName, Columns of a DataTable or TableHeader frame. */
static kp_table *kp_v2_table(kparse *p, ptrvec_t *tables, json_t *f, size_t fi) {
    json_t *id = json_object_get(f, "TableId");
    if (!json_is_integer(id)) {
        kp_fail(p, "v2 frame %zu has no integer TableId", fi);
        return NULL;
    }
    if (kp_find(tables, json_integer_value(id))) {
        kp_fail(p, "v2 frame %zu repeats TableId %" JSON_INTEGER_FORMAT, fi, json_integer_value(id));
        return NULL;
    }
    kp_table *kt = kp_new_table(p, json_string_value(json_object_get(f, "TableName")),
                                json_string_value(json_object_get(f, "TableKind")));
    if (!kt) return NULL;
    if (!kt->t.kind) kt->t.kind = "Unknown";
    kt->id = json_integer_value(id);
    if (!kp_columns(p, kt, json_object_get(f, "Columns"))) return NULL;
    ptrvec_push(p->a, tables, kt);
    return kt;
}

static bool kp_v2_completed_table(kparse *p, kp_table *kt) {
    kp_finish_table(p, kt);
    if (strcmp(kt->t.kind, "QueryCompletionInformation") == 0)
        return kp_status_errors(p, &kt->t, "Level", "EventTypeName", "StatusCodeName");
    return true;
}

/* One frame (protocol doc §2 v2 "Frame order"). */
static bool kp_v2_frame(kparse *p, ptrvec_t *tables, json_t *f, size_t fi, bool *done) {
    if (!json_is_object(f)) return kp_fail(p, "v2 frame %zu is not an object", fi);
    const char *ft = json_string_value(json_object_get(f, "FrameType"));
    if (!ft) return kp_fail(p, "v2 frame %zu has no FrameType", fi);
    if (fi == 0 && strcmp(ft, "DataSetHeader") != 0)
        return kp_fail(p, "v2 response starts with a %.40s frame, not DataSetHeader", ft);
    if (*done) return kp_fail(p, "v2 frame %zu (%.40s) follows DataSetCompletion", fi, ft);
    if (strcmp(ft, "DataSetHeader") == 0) {
        if (fi != 0) return kp_fail(p, "v2 frame %zu is a second DataSetHeader", fi);
        return true;
    }
    if (strcmp(ft, "DataTable") == 0) {
        kp_table *kt = kp_v2_table(p, tables, f, fi);
        return kt && kp_rows(p, kt, json_object_get(f, "Rows")) && kp_v2_completed_table(p, kt);
    }
    if (strcmp(ft, "TableHeader") == 0) return kp_v2_table(p, tables, f, fi) != NULL;
    if (strcmp(ft, "TableFragment") == 0 || strcmp(ft, "TableCompletion") == 0 || strcmp(ft, "TableProgress") == 0) {
        json_t *id = json_object_get(f, "TableId");
        kp_table *kt = json_is_integer(id) ? kp_find(tables, json_integer_value(id)) : NULL;
        if (!kt || kt->complete)
            return kp_fail(p, "v2 %.20s frame %zu refers to no open table (TableId %s)", ft, fi,
                           json_is_integer(id) ? "unknown or complete" : "missing");
        if (strcmp(ft, "TableProgress") == 0) return true; /* nothing to keep */
        if (strcmp(ft, "TableFragment") == 0) {
            const char *kind = json_string_value(json_object_get(f, "TableFragmentType"));
            if (kind && strcmp(kind, "DataReplace") == 0)
                kt->rows.count = 0; /* the fragment replaces every row so far */
            else if (kind && strcmp(kind, "DataAppend") != 0)
                return kp_fail(p, "v2 frame %zu has an unknown TableFragmentType %.40s", fi, kind);
            return kp_rows(p, kt, json_object_get(f, "Rows"));
        }
        /* TableCompletion: errors placed at the end of the table, then the row count check. */
        if (kp_has_errors(f)) {
            kp_partial(p, f, "a TableCompletion frame");
            return false;
        }
        json_t *rc = json_object_get(f, "RowCount");
        if (json_is_integer(rc) && (json_integer_value(rc) < 0 || (uint64_t)json_integer_value(rc) != kt->rows.count))
            return kp_fail(p, "table '%.64s': TableCompletion says %" JSON_INTEGER_FORMAT " rows, %zu received",
                           kt->t.name, json_integer_value(rc), kt->rows.count);
        return kp_v2_completed_table(p, kt);
    }
    if (strcmp(ft, "DataSetCompletion") == 0) {
        *done = true;
        if (json_is_true(json_object_get(f, "HasErrors")) || kp_has_errors(f)) {
            kp_partial(p, f, "DataSetCompletion (HasErrors)");
            return false;
        }
        if (json_is_true(json_object_get(f, "Cancelled"))) {
            kp_partial(p, f, "DataSetCompletion");
            snprintf(p->err->message, sizeof p->err->message, "the service cancelled the query (Cancelled: true)");
            return false;
        }
        return true;
    }
    return true; /* frame types added later carry nothing we need */
}

kusto_code kusto_parse_v2(const char *body, size_t len, const kusto_options *opts, bool primary_only, arena_t *a,
                          kusto_result **out, kusto_error *err) {
    kusto_error local;
    if (!err) err = &local;
    kparse p;
    kp_init(&p, opts, a, err);
    *out = NULL;
    err->http_status = 200;
    json_t *root = kp_load(&p, body, len, '[', "v2");
    if (!root) return err->code;
    ptrvec_t tables = {0};
    bool ok = true, done = false;
    size_t nf = json_array_size(root);
    if (nf == 0) ok = kp_fail(&p, "v2 response has no frames");
    for (size_t i = 0; ok && i < nf; i++)
        ok = kp_v2_frame(&p, &tables, json_array_get(root, i), i, &done);
    json_decref(root);
    if (!ok) return err->code;
    if (!done) {
        kp_fail(&p, "v2 response ends without DataSetCompletion (truncated?)");
        return err->code;
    }
    for (size_t i = 0; i < tables.count; i++) {
        kp_table *kt = tables.items[i];
        if (!kt->complete) {
            kp_fail(&p, "v2 table '%.64s' (TableId %" PRId64 ") has no TableCompletion", kt->t.name, kt->id);
            return err->code;
        }
    }
    *out = kp_result(&p, &tables, primary_only);
    return KUSTO_OK;
}

/* ---------------------------------------------------------------- accessors */

const kusto_table *kusto_primary(const kusto_result *r) {
    return r && r->ntables ? &r->tables[0] : NULL;
}

int kusto_column_index(const kusto_table *t, const char *name) {
    if (!t || !name) return -1;
    for (size_t c = 0; c < t->ncolumns; c++)
        if (strcmp(t->columns[c].name, name) == 0) return (int)c;
    return -1;
}

const char *kusto_value_str(const kusto_value *v) {
    if (!v || v->type == KUSTO_T_NULL || !v->s) return "";
    return v->s;
}
