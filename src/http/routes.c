/* routes.c -- maps a request path to its handler, and serves the two small operational
 * endpoints: GET /healthz (the store answers `SELECT 1`) and GET /metrics (Prometheus text
 * exposition format 0.0.4, with the store size gauge refreshed on each scrape). */
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
    resp->route = "/healthz";
    if (!is_get(rq)) {
        method_not_allowed(resp, "GET, HEAD");
        return;
    }
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
    resp->route = "/metrics";
    if (!is_get(rq)) {
        method_not_allowed(resp, "GET, HEAD");
        return;
    }
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

static void route(const http_request *rq, http_response *resp) {
    const char *p = rq->path;
    if (strcmp(rq->method, "OPTIONS") == 0) {
        http_cors_preflight(rq, resp);
        return;
    }
    if (strcmp(p, "/graphql") == 0) {
        resp->route = "/graphql";
        http_graphql(rq, resp);
    } else if (strcmp(p, "/graphiql") == 0 || strncmp(p, "/graphiql/", 10) == 0) {
        resp->route = "/graphiql";
        http_static(rq, resp);
    } else if (strcmp(p, "/healthz") == 0) {
        healthz(rq, resp);
    } else if (strcmp(p, "/metrics") == 0) {
        metrics(rq, resp);
    } else if (strcmp(p, "/v1/events") == 0) {
        resp->route = "/v1/events";
        http_events(rq, resp);
    } else if (strcmp(p, "/") == 0 && is_get(rq)) {
        static const char idx[] = "{\"graphql\":\"/graphql\",\"graphiql\":\"/graphiql\",\"health\":\"/healthz\","
                                  "\"metrics\":\"/metrics\",\"events\":\"/v1/events\"}";
        resp->route = "/";
        http_set_body(resp, 200, JSON_TYPE, idx, sizeof idx - 1);
    } else {
        not_found(rq, resp);
    }
}

/* Every request ends with its thread's connection released, whichever way the handler returned. */
void http_route(const http_request *rq, http_response *resp) {
    route(rq, resp);
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
