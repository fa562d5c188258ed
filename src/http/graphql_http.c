/* graphql_http.c -- POST and GET /graphql per the GraphQL-over-HTTP specification (draft):
 * media type negotiation (application/graphql-response+json or application/json by Accept),
 * request parameters from a JSON body or the query string, the API-Key header, and the status
 * code rules of each media type. Parsing, validation and execution belong to the engine. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth/auth.h"
#include "context.h"
#include "http/http.h"
#include "util/arena.h"
#include "util/log.h"
#include "util/utf8.h"

#define CT_JSON "application/json; charset=utf-8"
#define CT_GQL "application/graphql-response+json; charset=utf-8"

typedef enum { MT_NONE = 0, MT_JSON, MT_GQL } media_type;

/* Case-insensitive comparison of [s, s+n) with the NUL-terminated lit. */
static bool token_eq(const char *s, size_t n, const char *lit) {
    return strlen(lit) == n && strncasecmp(s, lit, n) == 0;
}

static const char *skip_ws(const char *p, const char *end) {
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    return p;
}

/* Parses the q parameter of one media range's parameters "[; k=v]*"; 1.0 when absent. */
static double range_q(const char *p, const char *end) {
    while (p < end) {
        if (*p != ';') {
            p++;
            continue;
        }
        p = skip_ws(p + 1, end);
        if (end - p >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
            char tmp[16];
            size_t n = 0;
            for (const char *q = p + 2; q < end && *q != ';' && n < sizeof tmp - 1; q++)
                tmp[n++] = *q;
            tmp[n] = '\0';
            char *e;
            double v = strtod(tmp, &e);
            if (e == tmp || v < 0) return 0;
            return v > 1 ? 1 : v;
        }
    }
    return 1.0;
}

/* Picks the response media type from Accept (RFC 9110 §12.5.1): for each of our two types the
 * most specific matching range decides its q; the higher q wins, then the more specific match,
 * then the earlier range. No Accept, or only wildcards: application/json (GraphQL over HTTP
 * §Legacy watershed). MT_NONE when neither is acceptable. */
static media_type negotiate(const char *accept) {
    if (!accept || !*skip_ws(accept, accept + strlen(accept))) return MT_JSON;
    static const char *const names[2] = {"application/json", "application/graphql-response+json"};
    double q[2] = {-1, -1};
    int spec[2] = {-1, -1}, pos[2] = {0, 0};
    const char *p = accept, *end = accept + strlen(accept);
    int idx = 0;
    while (p < end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *rend = comma ? comma : end;
        const char *r = skip_ws(p, rend);
        size_t rlen = rend > r ? (size_t)(rend - r) : 0;
        const char *semi = memchr(r, ';', rlen);
        const char *tend = semi ? semi : rend;
        while (tend > r && (tend[-1] == ' ' || tend[-1] == '\t'))
            tend--;
        size_t tlen = (size_t)(tend - r);
        double rq = range_q(semi ? semi : rend, rend);
        for (int i = 0; i < 2; i++) {
            int s = -1;
            if (token_eq(r, tlen, names[i]))
                s = 2;
            else if (token_eq(r, tlen, "application/*"))
                s = 1;
            else if (token_eq(r, tlen, "*/*"))
                s = 0;
            if (s > spec[i]) {
                spec[i] = s;
                q[i] = rq;
                pos[i] = idx;
            }
        }
        idx++;
        p = comma ? comma + 1 : end;
    }
    bool ok0 = spec[0] >= 0 && q[0] > 0, ok1 = spec[1] >= 0 && q[1] > 0;
    if (!ok0 && !ok1) return MT_NONE;
    if (!ok1) return MT_JSON;
    if (!ok0) return MT_GQL;
    if (q[1] != q[0]) return q[1] > q[0] ? MT_GQL : MT_JSON;
    if (spec[1] != spec[0]) return spec[1] > spec[0] ? MT_GQL : MT_JSON;
    if (spec[1] == 2 && pos[1] < pos[0]) return MT_GQL;
    return MT_JSON;
}

/* Content-Type of a POST must be application/json; a charset parameter, if any, utf-8. */
static int check_content_type(const char *ct, const char **why) {
    if (!ct || !*ct) {
        *why = "a Content-Type header is required: application/json";
        return -1;
    }
    const char *end = ct + strlen(ct);
    const char *p = skip_ws(ct, end);
    const char *semi = strchr(p, ';');
    const char *tend = semi ? semi : end;
    while (tend > p && (tend[-1] == ' ' || tend[-1] == '\t'))
        tend--;
    if (!token_eq(p, (size_t)(tend - p), "application/json")) {
        *why = "unsupported Content-Type; use application/json";
        return -1;
    }
    for (const char *s = semi; s; s = strchr(s + 1, ';')) {
        const char *k = skip_ws(s + 1, end);
        if (strncasecmp(k, "charset=", 8) == 0) {
            const char *v = k + 8;
            size_t vlen = strcspn(v, "; \t");
            if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
                v++;
                vlen -= 2;
            }
            if (!token_eq(v, vlen, "utf-8") && !token_eq(v, vlen, "utf8")) {
                *why = "unsupported charset; the body must be UTF-8 (charset=utf-8)";
                return -1;
            }
        }
    }
    return 0;
}

typedef struct {
    const char *query;
    size_t query_len;
    const char *operation_name;
    json_t *variables; /* owned (NULL when absent or null) */
    json_t *root;      /* owned: the parsed POST body */
} gql_params;

static void params_free(gql_params *gp) {
    json_decref(gp->variables);
    json_decref(gp->root);
}

/* Checks that v is absent, null or an object. */
static bool null_or_object(const json_t *v) {
    return !v || json_is_null(v) || json_is_object(v);
}

/* Parses a JSON text (any value). RFC 8259 puts no range on numbers, and JavaScript's JSON.stringify writes
 * 1e19 as 10000000000000000000, which jansson refuses as "too big integer": such a document is decoded again
 * with every integer as a double, as JSON.parse reads it, so that a Float gets its value and an Int variable
 * gets the usual "non 32-bit" coercion error instead of a 400 saying the body is not JSON. */
static json_t *load_json_flags(const char *text, size_t len, size_t flags, json_error_t *err) {
    json_t *j = json_loadb(text, len, JSON_DECODE_ANY | flags, err);
    if (!j && json_error_code(err) == json_error_numeric_overflow)
        j = json_loadb(text, len, JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL | flags, err);
    return j;
}

static json_t *load_json(const char *text, size_t len, json_error_t *err) {
    return load_json_flags(text, len, 0, err);
}

/* Whether a JSON value holds a string with a NUL character (JSON_ALLOW_NUL lets one through; jansson
 * keeps the length). Object keys never do: jansson refuses \u0000 in a key even then. */
static bool json_has_nul(const json_t *v) {
    if (json_is_string(v)) return memchr(json_string_value(v), '\0', json_string_length(v)) != NULL;
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++)
            if (json_has_nul(json_array_get(v, i))) return true;
        return false;
    }
    if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach((json_t *)v, k, x) {
            if (json_has_nul(x)) return true;
        }
    }
    return false;
}

/* jansson's message for a decoding error, except where it names jansson's own flags: a \u0000 in a
 * string is refused (strings become C strings further on), and the client should read why. */
static const char *json_error_text(const json_error_t *err) {
    if (json_error_code(err) == json_error_null_character) return "strings must not contain \\u0000 (NUL)";
    return err->text;
}

/* POST body -> parameters (GraphQL over HTTP §POST). Returns 0, or -1 with resp filled (400). */
static int params_from_body(const http_request *rq, const char *ctype, gql_params *gp, http_response *resp) {
    size_t bad = 0;
    if (rq->body_len == 0) {
        http_set_error(resp, 400, ctype, "BAD_REQUEST", "the request body is empty; send a JSON object with \"query\"");
        return -1;
    }
    if (!utf8_valid(rq->body, rq->body_len, &bad)) {
        http_set_error(resp, 400, ctype, "BAD_REQUEST",
                       "the request body is not valid UTF-8 (first bad byte at offset %zu)", bad);
        return -1;
    }
    json_error_t jerr;
    /* A \u0000 in a string is valid JSON (issue 11 item 9): the body is accepted, and in "query" the
     * GraphQL lexer decides (a syntax error with its location). The other parameters become C strings
     * further on, so a NUL there is refused by name rather than silently cutting the string. */
    gp->root = load_json_flags(rq->body, rq->body_len, JSON_ALLOW_NUL, &jerr);
    if (!gp->root) {
        http_set_error(resp, 400, ctype, "BAD_REQUEST", "the request body is not valid JSON: %s (line %d, column %d)",
                       json_error_text(&jerr), jerr.line, jerr.column);
        return -1;
    }
    if (!json_is_object(gp->root)) {
        http_set_error(resp, 400, ctype, "BAD_REQUEST",
                       "the request body must be a JSON object with a \"query\" string");
        return -1;
    }
    json_t *q = json_object_get(gp->root, "query");
    if (!q || json_is_null(q)) {
        http_set_error(resp, 400, ctype, "BAD_REQUEST", "the \"query\" parameter is missing");
        return -1;
    }
    if (!json_is_string(q)) {
        http_set_error(resp, 400, ctype, "BAD_REQUEST", "the \"query\" parameter must be a string");
        return -1;
    }
    gp->query = json_string_value(q);
    gp->query_len = json_string_length(q);
    static const char *const c_string_params[] = {"operationName", "variables", "extensions"};
    for (size_t i = 0; i < sizeof c_string_params / sizeof *c_string_params; i++) {
        if (json_has_nul(json_object_get(gp->root, c_string_params[i]))) {
            http_set_error(resp, 400, ctype, "BAD_REQUEST",
                           "the \"%s\" parameter must not contain \\u0000 (NUL) in a string", c_string_params[i]);
            return -1;
        }
    }
    json_t *op = json_object_get(gp->root, "operationName");
    if (op && !json_is_null(op) && !json_is_string(op)) {
        http_set_error(resp, 400, ctype, "BAD_REQUEST", "the \"operationName\" parameter must be a string or null");
        return -1;
    }
    gp->operation_name = op && json_is_string(op) ? json_string_value(op) : NULL;
    json_t *vars = json_object_get(gp->root, "variables");
    if (!null_or_object(vars)) {
        http_set_error(resp, 400, ctype, "BAD_REQUEST", "the \"variables\" parameter must be an object or null");
        return -1;
    }
    if (vars && json_is_object(vars)) gp->variables = json_incref(vars);
    if (!null_or_object(json_object_get(gp->root, "extensions"))) {
        http_set_error(resp, 400, ctype, "BAD_REQUEST", "the \"extensions\" parameter must be an object or null");
        return -1;
    }
    return 0;
}

/* One query-string argument that must be UTF-8. NULL when absent; -1 in *err on bad input. */
static const char *get_arg(const http_request *rq, const char *name, size_t *len, const char *ctype,
                           http_response *resp, int *err) {
    const char *v = http_query_arg(rq, name, len);
    if (!v) return NULL;
    if (!utf8_valid(v, *len, NULL)) {
        http_set_error(resp, 400, ctype, "BAD_REQUEST", "the \"%s\" parameter is not valid UTF-8", name);
        *err = -1;
        return NULL;
    }
    if (memchr(v, '\0', *len)) {
        http_set_error(resp, 400, ctype, "BAD_REQUEST", "the \"%s\" parameter contains a NUL byte", name);
        *err = -1;
        return NULL;
    }
    return v;
}

/* A JSON-encoded object argument of a GET ("variables", "extensions"); empty means absent. */
static int get_json_object_arg(const http_request *rq, const char *name, const char *ctype, http_response *resp,
                               json_t **out) {
    size_t len = 0;
    int err = 0;
    const char *v = get_arg(rq, name, &len, ctype, resp, &err);
    *out = NULL;
    if (err) return -1;
    if (!v || len == 0) return 0;
    json_error_t jerr;
    json_t *j = load_json(v, len, &jerr);
    if (!j) {
        http_set_error(resp, 400, ctype, "BAD_REQUEST", "the \"%s\" parameter is not valid JSON: %s", name,
                       json_error_text(&jerr));
        return -1;
    }
    if (!json_is_object(j) && !json_is_null(j)) {
        json_decref(j);
        http_set_error(resp, 400, ctype, "BAD_REQUEST", "the \"%s\" parameter must be a JSON object", name);
        return -1;
    }
    if (json_is_null(j)) {
        json_decref(j);
        j = NULL;
    }
    *out = j;
    return 0;
}

/* GET /graphql?query=..&variables=..&operationName=..&extensions=.. (GraphQL over HTTP §GET). */
static int params_from_query(const http_request *rq, const char *ctype, gql_params *gp, http_response *resp) {
    int err = 0;
    size_t len = 0;
    gp->query = get_arg(rq, "query", &len, ctype, resp, &err);
    if (err) return -1;
    if (!gp->query || len == 0) {
        http_set_error(resp, 400, ctype, "BAD_REQUEST", "the \"query\" parameter is missing");
        return -1;
    }
    gp->query_len = len;
    gp->operation_name = get_arg(rq, "operationName", &len, ctype, resp, &err);
    if (err) return -1;
    if (gp->operation_name && len == 0) gp->operation_name = NULL;
    if (get_json_object_arg(rq, "variables", ctype, resp, &gp->variables) != 0) return -1;
    json_t *ext = NULL;
    if (get_json_object_arg(rq, "extensions", ctype, resp, &ext) != 0) return -1;
    json_decref(ext);
    return 0;
}

/* From the headers alone (issue 11 item 2): the method, Accept, the API key and, for a POST, the
 * Content-Type; the body is not read for a request refused here. */
bool http_graphql_admit(const http_request *rq, http_response *resp, principal_t *principal) {
    bool is_get = strcmp(rq->method, "GET") == 0 || strcmp(rq->method, "HEAD") == 0;
    if (!is_get && strcmp(rq->method, "POST") != 0) {
        resp->allow = "GET, POST, OPTIONS";
        http_set_error(resp, 405, NULL, "METHOD_NOT_ALLOWED", "use GET or POST for /graphql");
        return true;
    }
    media_type mt = negotiate(http_header(rq, "Accept"));
    if (mt == MT_NONE) {
        http_set_error(resp, 406, NULL, "NOT_ACCEPTABLE",
                       "none of the Accept media types is available; use application/graphql-response+json or "
                       "application/json");
        return true;
    }
    const char *ctype = mt == MT_GQL ? CT_GQL : CT_JSON;
    store_t *store = store_pool_get(rq->pool);
    if (!store) {
        http_set_error(resp, 503, ctype, "INTERNAL", "the database is unavailable");
        return true;
    }
    const char *key = http_header(rq, "API-Key");
    if (!key || !*key) {
        http_set_error(resp, 401, ctype, "UNAUTHENTICATED", "an API-Key header is required");
        return true;
    }
    if (strlen(key) > 256 || auth_authenticate(store, key, principal) != 0 || !principal->authenticated) {
        http_set_error(resp, 401, ctype, "UNAUTHENTICATED", "the API key is invalid or revoked");
        return true;
    }
    const char *why = NULL;
    if (!is_get && check_content_type(http_header(rq, "Content-Type"), &why) != 0) {
        http_set_error(resp, 415, ctype, "UNSUPPORTED_MEDIA_TYPE", "%s", why);
        return true;
    }
    return false;
}

/* An admitted request (http_graphql_admit): parameters, then the engine. */
void http_graphql(const http_request *rq, http_response *resp) {
    bool is_get = strcmp(rq->method, "GET") == 0 || strcmp(rq->method, "HEAD") == 0;
    media_type mt = negotiate(http_header(rq, "Accept"));
    const char *ctype = mt == MT_GQL ? CT_GQL : CT_JSON;
    store_t *store = store_pool_get(rq->pool);
    if (!store || !rq->principal) {
        http_set_error(resp, 503, ctype, "INTERNAL", "the database is unavailable");
        return;
    }
    request_ctx ctx = {
        .app = rq->app, .cfg = rq->cfg, .store = store, .principal = *rq->principal, .now = (int64_t)time(NULL)};

    gql_params gp = {0};
    if (!is_get) {
        if (params_from_body(rq, ctype, &gp, resp) != 0) {
            params_free(&gp);
            return;
        }
    } else if (params_from_query(rq, ctype, &gp, resp) != 0) {
        params_free(&gp);
        return;
    }

    if (gp.operation_name)
        http_log_field(resp->operation, sizeof resp->operation, gp.operation_name, strlen(gp.operation_name));
    arena_t *arena = arena_new();
    ctx.arena = arena;
    gql_request greq = {.query = gp.query,
                        .query_len = gp.query_len,
                        .operation_name = gp.operation_name,
                        .variables = gp.variables,
                        .context = &ctx,
                        .only_queries = is_get};
    buf_t out = BUF_INIT;
    gql_result_status rs = gql_engine_run(rq->engine, &greq, arena, &out);
    int status;
    switch (rs) {
    case GQL_RESULT_OK:
        status = 200;
        break;
    case GQL_RESULT_NOT_ALLOWED:
        status = 405;
        resp->allow = "POST";
        break;
    case GQL_RESULT_PARSE_ERROR:
    case GQL_RESULT_VALIDATION_ERROR:
    case GQL_RESULT_REQUEST_ERROR:
    default:
        /* application/json: 200 for every well-formed request (§application/json);
         * application/graphql-response+json: 400 when no execution happened. */
        status = mt == MT_GQL ? 400 : 200;
        break;
    }
    http_count_graphql_errors(out.data ? out.data : "", out.len);
    resp->status = status;
    resp->content_type = ctype;
    resp->body = buf_detach(&out, &resp->body_len);
    arena_free(arena);
    params_free(&gp);
}
