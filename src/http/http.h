/* http.h -- the HTTP layer: a libmicrohttpd server (epoll thread pool) whose routes are
 * /graphql (GraphQL over HTTP), /graphiql (static page), /healthz, /metrics and /v1/events.
 * main.c only needs http_server_start/stop; the rest is shared by the files of src/http/. */
#ifndef ENTITYD_HTTP_H
#define ENTITYD_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "../config.h"
#include "app.h"
#include "auth/principal.h"
#include "graphql/graphql.h"
#include "store/store.h"
#include "util/buf.h"

typedef struct http_server http_server;

/* Starts listening on cfg->listen:cfg->port with cfg->threads pool threads, serving the app's
 * engine and store pool (borrowed: the app must outlive the server). NULL with a message in err. */
http_server *http_server_start(app_t *app, char *err, size_t errlen);
/* Stops accepting, lets requests in flight finish (bounded by cfg->request_timeout), then
 * closes every connection and frees the server. */
void http_server_stop(http_server *s);

/* ---- shared by the route handlers ---- */

struct MHD_Connection;

/* What the server knows about one request once its body has arrived. */
typedef struct {
    struct MHD_Connection *conn;
    const char *method; /* "GET", "POST", ... */
    const char *path;   /* URL path, percent-decoded by libmicrohttpd, without the query */
    const char *body;   /* NUL-terminated copy of the body ("" when none) */
    size_t body_len;
    const config_t *cfg;
    gql_engine *engine;
    store_pool_t *pool;
    app_t *app; /* reached by resolvers through request_ctx.app */
    /* Who sent the API-Key header, as admission found it (http_admit); NULL before admission. */
    const principal_t *principal;
} http_request;

/* Longest client-given string written to a request log line (path, operation name). */
#define HTTP_LOG_FIELD_MAX 128

/* The response a handler fills. Either body (malloc'ed, owned by the response) or fd. */
typedef struct {
    int status;
    const char *content_type; /* static string */
    char *body;
    size_t body_len;
    int fd; /* >= 0: send this file (size fd_size), closed by the server */
    size_t fd_size;
    const char *allow;         /* Allow header (405, OPTIONS) or NULL */
    const char *retry_after;   /* Retry-After header (503) or NULL */
    const char *cache_control; /* NULL: "no-store" */
    const char *route;         /* metrics label, a static string */
    /* CORS preflight answers (set by http_cors_preflight) */
    bool preflight;
    bool close; /* "Connection: close": the request's framing cannot be trusted, or its body was not read */
    /* The request log's operation name (the GraphQL operationName parameter), cut to fit; "" when none. */
    char operation[HTTP_LOG_FIELD_MAX + 1];
} http_response;

/* Copies a client-given string into a request-log field of cap bytes (with its NUL): at most
 * HTTP_LOG_FIELD_MAX characters, a '"', '\\' or control byte becomes '?', so a log line cannot be
 * forged through it. */
void http_log_field(char *dst, size_t cap, const char *src, size_t len);

/* Header lookup (case-insensitive name); NULL when absent. */
const char *http_header(const http_request *rq, const char *name);
/* Query-string argument, '+' and %XX decoded; *len gets its length. NULL when absent. */
const char *http_query_arg(const http_request *rq, const char *name, size_t *len);

/* Sets a body (copied) with a content type. */
void http_set_body(http_response *r, int status, const char *content_type, const char *data, size_t len);
/* Sets a GraphQL-shaped error body {"errors":[{"message":..,"extensions":{"code":..}}]}. */
void http_set_error(http_response *r, int status, const char *content_type, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Decisions taken from the request line and headers alone, before any of the body is read (issue 11
 * item 2). Each returns true when resp holds the final answer. */
/* Ambiguous framing: two Content-Length, Content-Length with Transfer-Encoding, HTTP/1.1 without Host (framing.c). */
bool http_check_framing(const http_request *rq, const char *version, http_response *resp);
/* Unknown path, method not allowed, and each route's own checks (Accept, API-Key, Content-Type);
 * fills *principal from the API-Key header for the routes that need one (routes.c). */
bool http_admit(const http_request *rq, http_response *resp, principal_t *principal);
bool http_graphql_admit(const http_request *rq, http_response *resp, principal_t *principal);
bool http_events_admit(const http_request *rq, http_response *resp, principal_t *principal);

/* The metrics label of a path's route ("other" when none). */
const char *http_route_label(const char *path);

/* Routes: called once the body has arrived, for an admitted request. */
void http_route(const http_request *rq, http_response *resp);
void http_graphql(const http_request *rq, http_response *resp);
void http_static(const http_request *rq, http_response *resp);
void http_events(const http_request *rq, http_response *resp);

/* CORS (cors.c): answers an OPTIONS request; adds Access-Control-* headers to a response. */
void http_cors_preflight(const http_request *rq, http_response *resp);
struct MHD_Response;
void http_cors_headers(const http_request *rq, struct MHD_Response *mr);

/* Counts the GraphQL errors of a response body by extensions.code (metrics). */
void http_count_graphql_errors(const char *body, size_t len);

#endif
