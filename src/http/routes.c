/* routes.c -- maps a request path to its route: admission from the headers (unknown path, method,
 * the route's own checks) before the body is read, then the handler once it has arrived; and serves
 * the two small operational endpoints: GET /healthz (the store answers `SELECT 1`) and GET /metrics
 * (Prometheus text exposition format 0.0.4, with the store size gauge refreshed on each scrape). */
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"
#include "util/log.h"
#include "util/metrics.h"

#define JSON_TYPE "application/json; charset=utf-8"

static bool is_get(const http_request *rq) {
    return strcmp(rq->method, "GET") == 0 || strcmp(rq->method, "HEAD") == 0;
}

static void method_not_allowed(http_response *resp, const char *allow) {
    resp->allow = allow;
    http_set_error(resp, 405, NULL, "METHOD_NOT_ALLOWED", "method not allowed; use %s", allow);
}

static void healthz(const http_request *rq, http_response *resp) {
    (void)rq;
    store_t *st = store_pool_get(rq->pool);
    char *errmsg = NULL;
    if (st && sqlite3_exec(store_db(st), "SELECT 1", NULL, NULL, &errmsg) == SQLITE_OK) {
        static const char ok[] = "{\"status\":\"ok\"}";
        http_set_body(resp, 200, JSON_TYPE, ok, sizeof ok - 1);
        return;
    }
    buf_t b = BUF_INIT;
    const char *why = errmsg ? errmsg : "the database cannot be opened";
    buf_puts(&b, "{\"status\":\"unavailable\",\"error\":");
    buf_json_string(&b, why, strlen(why));
    buf_putc(&b, '}');
    log_warn("health check failed", "error=\"%s\"", why);
    http_set_body(resp, 503, JSON_TYPE, b.data, b.len);
    buf_free(&b);
    sqlite3_free(errmsg);
}

static void metrics(const http_request *rq, http_response *resp) {
    store_t *st = store_pool_get(rq->pool);
    if (st) {
        long long size = store_size_bytes(st);
        if (size >= 0)
            metrics_gauge_set("entityd_store_size_bytes", "Size of the SQLite database (page_count * page_size)", NULL,
                              (double)size);
    }
    buf_t b = BUF_INIT;
    metrics_render(&b);
    resp->status = 200;
    resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
    resp->body = buf_detach(&b, &resp->body_len);
}

static void not_found(const http_request *rq, http_response *resp) {
    http_set_error(resp, 404, NULL, "NOT_FOUND", "no such endpoint: %s %s", rq->method, rq->path);
}

static void index_page(const http_request *rq, http_response *resp) {
    static const char idx[] = "{\"graphql\":\"/graphql\",\"graphiql\":\"/graphiql\",\"health\":\"/healthz\","
                              "\"metrics\":\"/metrics\",\"events\":\"/v1/events\"}";
    (void)rq;
    http_set_body(resp, 200, JSON_TYPE, idx, sizeof idx - 1);
}

/* GET and HEAD only: 405 otherwise. */
static bool admit_get(const http_request *rq, http_response *resp, principal_t *principal) {
    (void)principal;
    if (is_get(rq)) return false;
    method_not_allowed(resp, "GET, HEAD");
    return true;
}

/* "/" answers GET only; any other method there is an unknown endpoint. */
static bool admit_index(const http_request *rq, http_response *resp, principal_t *principal) {
    (void)principal;
    if (is_get(rq)) return false;
    not_found(rq, resp);
    return true;
}

typedef struct {
    const char *path;
    bool subtree; /* also path + "/..." */
    const char *label; /* metrics label */
    bool (*admit)(const http_request *rq, http_response *resp, principal_t *principal);
    void (*handle)(const http_request *rq, http_response *resp);
} route_def;

static const route_def routes[] = {
    {"/graphql", false, "/graphql", http_graphql_admit, http_graphql},
    {"/graphiql", true, "/graphiql", admit_get, http_static},
    {"/healthz", false, "/healthz", admit_get, healthz},
    {"/metrics", false, "/metrics", admit_get, metrics},
    {"/v1/events", false, "/v1/events", http_events_admit, http_events},
    {"/", false, "/", admit_index, index_page},
};

static const route_def *find_route(const char *p) {
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        size_t n = strlen(routes[i].path);
        if (strncmp(p, routes[i].path, n) == 0 && (p[n] == '\0' || (routes[i].subtree && p[n] == '/')))
            return &routes[i];
    }
    return NULL;
}

const char *http_route_label(const char *path) {
    const route_def *r = find_route(path);
    return r ? r->label : "other";
}

bool http_admit(const http_request *rq, http_response *resp, principal_t *principal) {
    const route_def *r = find_route(rq->path);
    resp->route = r ? r->label : "other";
    /* A CORS preflight carries no credentials (Fetch standard, CORS-preflight request): answered whole. */
    if (strcmp(rq->method, "OPTIONS") == 0) return false;
    if (!r) {
        not_found(rq, resp);
        return true;
    }
    bool done = r->admit(rq, resp, principal);
    store_pool_release(rq->pool); /* admission may have authenticated the key */
    return done;
}

/* Every request ends with its thread's connection released, whichever way the handler returned. */
void http_route(const http_request *rq, http_response *resp) {
    const route_def *r = find_route(rq->path);
    resp->route = r ? r->label : "other";
    if (strcmp(rq->method, "OPTIONS") == 0)
        http_cors_preflight(rq, resp);
    else if (r)
        r->handle(rq, resp);
    else
        not_found(rq, resp);
    store_pool_release(rq->pool);
}

/* Counts errors by extensions.code. The engine writes "errors" first, so a body without
 * errors is recognized without parsing it. */
void http_count_graphql_errors(const char *body, size_t len) {
    static const char prefix[] = "{\"errors\"";
    if (len < sizeof prefix - 1 || memcmp(body, prefix, sizeof prefix - 1) != 0) return;
    json_t *root = json_loadb(body, len, 0, NULL);
    json_t *errs = root ? json_object_get(root, "errors") : NULL;
    size_t i;
    json_t *e;
    json_array_foreach(errs, i, e) {
        const char *code = json_string_value(json_object_get(json_object_get(e, "extensions"), "code"));
        char labels[96];
        /* Codes are upper-case identifiers; anything else is bucketed so labels stay bounded. */
        bool plain = code && strlen(code) < 48 && strspn(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") == strlen(code);
        snprintf(labels, sizeof labels, "code=\"%s\"", plain ? code : "OTHER");
        metrics_counter_add("entityd_graphql_errors_total", "GraphQL errors returned, by extensions.code", labels, 1);
    }
    json_decref(root);
}
