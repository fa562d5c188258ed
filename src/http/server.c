/* server.c -- the libmicrohttpd server: epoll thread pool, keep-alive, per-request metrics and a
 * graceful stop that lets requests in flight finish. A request is decided from its headers first
 * (framing.c, then routes.c's admission: path, method, API key, Content-Type, declared size, the
 * shared body budget) and its body is read only when it is admitted (issue 11 item 2); bodies are
 * accumulated up to --max-body-bytes. Connection limits, deadlines and lingering close are in edge.c.
 * Routing is in routes.c. */
#include "http/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http/edge.h"
#include "util/log.h"
#include "util/metrics.h"

struct http_server {
    struct MHD_Daemon *daemon;
    const config_t *cfg;
    gql_engine *engine;
    store_pool_t *pool;
    app_t *app;
    http_edge *edge;
    size_t linger_bytes; /* most bytes of a refused body read and discarded */
    bool request_log;    /* --request-log on: one info line per request */
    atomic_int inflight; /* requests between their first callback and their completion */
};

/* Characters of the API-Key header written to the request log: "ek_" and 7 of its 43 random ones,
 * the display prefix ApiKey.prefix shows (auth_internal.h AUTH_KEY_DISPLAY_LEN); never the key. */
#define KEY_LOG_PREFIX 10

/* Per-request state, from the first access-handler call to the completion callback. */
typedef struct {
    struct timespec start;
    buf_t body;
    size_t reserved;       /* bytes of the shared body budget this request holds */
    size_t discarded;      /* bytes of a refused chunked body read and dropped */
    principal_t principal; /* from the API-Key header, at admission */
    bool too_large;        /* a chunked body grew over the limit: discarded, 413 at its end */
    bool busy;             /* the body budget ran out during a chunked body: discarded, 503 at its end */
    bool responded;        /* a response was queued */
    int status;
    const char *route;
    const char *method; /* metrics label (static) */
    /* the request log line (issue 11 item 13), copied while libmicrohttpd's request memory lives */
    size_t bytes;                         /* response body bytes */
    char log_method[17];                  /* as sent, cut and sanitized */
    char path[HTTP_LOG_FIELD_MAX + 1];    /* without the query string (which may hold a GraphQL document) */
    char key[KEY_LOG_PREFIX + 1];         /* the API-Key's display prefix, "" when none */
    char operation[HTTP_LOG_FIELD_MAX + 1];
} req_state;

static double elapsed_since(const struct timespec *t0) {
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

const char *http_header(const http_request *rq, const char *name) {
    return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

const char *http_query_arg(const http_request *rq, const char *name, size_t *len) {
    const char *v = NULL;
    size_t n = 0;
    if (MHD_lookup_connection_value_n(rq->conn, MHD_GET_ARGUMENT_KIND, name, strlen(name), &v, &n) != MHD_YES)
        return NULL;
    if (len) *len = v ? n : 0;
    return v ? v : "";
}

void http_set_body(http_response *r, int status, const char *content_type, const char *data, size_t len) {
    free(r->body);
    r->body = malloc(len + 1);
    if (!r->body) abort();
    memcpy(r->body, data, len);
    r->body[len] = '\0';
    r->body_len = len;
    r->status = status;
    r->content_type = content_type;
}

void http_set_error(http_response *r, int status, const char *content_type, const char *code, const char *fmt, ...) {
    buf_t msg = BUF_INIT, b = BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    buf_puts(&b, "{\"errors\":[{\"message\":");
    buf_json_string(&b, msg.data ? msg.data : "", msg.len);
    buf_puts(&b, ",\"extensions\":{\"code\":");
    buf_json_string(&b, code, strlen(code));
    buf_puts(&b, "}}]}");
    free(r->body);
    r->body = buf_detach(&b, &r->body_len);
    r->status = status;
    r->content_type = content_type ? content_type : "application/json; charset=utf-8";
    buf_free(&msg);
    if (status != 401)
        http_count_graphql_errors(r->body, r->body_len);
    else
        metrics_counter_add("entityd_graphql_errors_total", "GraphQL errors returned, by extensions.code",
                            "code=\"UNAUTHENTICATED\"", 1);
}

void http_log_field(char *dst, size_t cap, const char *src, size_t len) {
    size_t n = 0;
    for (size_t i = 0; src && i < len && n + 1 < cap && n < HTTP_LOG_FIELD_MAX; i++) {
        unsigned char c = (unsigned char)src[i];
        dst[n++] = c < 0x20 || c == 0x7f || c == '"' || c == '\\' ? '?' : (char)c;
    }
    if (cap) dst[n] = '\0';
}

/* A bounded set of method labels, so a client cannot create metric series at will. */
static const char *method_label(const char *m) {
    static const char *const known[] = {"GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"};
    for (size_t i = 0; m && i < sizeof known / sizeof known[0]; i++)
        if (strcmp(m, known[i]) == 0) return known[i];
    return "other";
}

/* Builds the libmicrohttpd response from a handler's http_response and queues it. */
static enum MHD_Result send_response(const http_request *rq, http_response *r) {
    struct MHD_Response *mr;
    if (r->fd >= 0) {
        mr = MHD_create_response_from_fd(r->fd_size, r->fd); /* takes the fd */
        if (!mr) close(r->fd);
        r->fd = -1;
    } else {
        mr = MHD_create_response_from_buffer(r->body_len, r->body ? r->body : (void *)"",
                                             r->body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
        if (mr) r->body = NULL;
    }
    if (!mr) return MHD_NO;
    if (r->content_type) MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
    if (r->allow) MHD_add_response_header(mr, MHD_HTTP_HEADER_ALLOW, r->allow);
    if (r->retry_after) MHD_add_response_header(mr, MHD_HTTP_HEADER_RETRY_AFTER, r->retry_after);
    if (r->close) MHD_add_response_header(mr, MHD_HTTP_HEADER_CONNECTION, "close");
    MHD_add_response_header(mr, MHD_HTTP_HEADER_CACHE_CONTROL, r->cache_control ? r->cache_control : "no-store");
    MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff");
    if (!r->preflight) http_cors_headers(rq, mr);
    enum MHD_Result ret = MHD_queue_response(rq->conn, (unsigned)r->status, mr);
    MHD_destroy_response(mr);
    return ret;
}

/* Queues resp as the answer of the request in st, with its metrics labels. */
static enum MHD_Result respond(req_state *st, const http_request *rq, http_response *resp) {
    st->status = resp->status;
    st->bytes = resp->fd >= 0 ? resp->fd_size : resp->body_len;
    memcpy(st->operation, resp->operation, sizeof st->operation);
    st->route = resp->route ? resp->route : "other";
    st->responded = true;
    enum MHD_Result ret = send_response(rq, resp);
    free(resp->body);
    if (resp->fd >= 0) close(resp->fd);
    return ret;
}

static void too_large(const http_server *srv, http_response *resp) {
    http_set_error(resp, 413, NULL, "PAYLOAD_TOO_LARGE", "request body exceeds the limit of %zu bytes",
                   srv->cfg->max_body_bytes);
}

static void busy(http_response *resp) {
    /* RFC 9110 §15.6.4: 503 with Retry-After for a temporary overload. */
    resp->retry_after = "1";
    http_set_error(resp, 503, NULL, "SERVER_BUSY",
                   "too many request bodies are being received at once; retry in a moment");
}

/* The first call, with the headers: decide before reading any of the body (issue 11 item 2). */
static enum MHD_Result on_headers(http_server *srv, req_state *st, http_request *rq, const char *version) {
    http_response resp = {.status = 500, .fd = -1, .route = "other"};
    const char *cl = http_header(rq, MHD_HTTP_HEADER_CONTENT_LENGTH);
    const char *te = http_header(rq, MHD_HTTP_HEADER_TRANSFER_ENCODING);
    unsigned long long declared = cl ? strtoull(cl, NULL, 10) : 0; /* libmicrohttpd has checked the digits */
    bool has_body = te != NULL || declared > 0;
    bool done = http_check_framing(rq, version, &resp) || http_admit(rq, &resp, &st->principal);
    if (!done && declared > srv->cfg->max_body_bytes) {
        too_large(srv, &resp); /* RFC 9110 §15.5.14, before the body is read */
        done = true;
    }
    if (!done && declared > 0) {
        if (!http_edge_reserve(srv->edge, (size_t)declared)) {
            busy(&resp);
            done = true;
        } else {
            st->reserved = (size_t)declared;
            buf_reserve(&st->body, (size_t)declared + 1);
        }
    }
    if (done) {
        if (has_body) {
            /* libmicrohttpd closes the connection after an answer given before the body: say so, and
             * let the edge drain what the client still sends so that it reads this answer. */
            resp.close = true;
            http_edge_linger(rq->conn);
        }
        return respond(st, rq, &resp);
    }
    http_edge_headers_done(rq->conn, has_body);
    return MHD_YES;
}

/* A part of an admitted body. */
static enum MHD_Result on_body(http_server *srv, req_state *st, const char *data, size_t n) {
    if (st->too_large || st->busy) {
        /* A chunked body has no declared length: it is refused at its end (libmicrohttpd only takes an
         * answer before the body or after it); what is dropped is bounded like a lingering close. */
        st->discarded += n;
        return st->discarded > srv->linger_bytes ? MHD_NO : MHD_YES;
    }
    if (st->body.len + n > srv->cfg->max_body_bytes) {
        st->too_large = true;
    } else if (st->body.len + n > st->reserved) { /* chunked: the budget grows with the body */
        size_t more = st->body.len + n - st->reserved;
        if (http_edge_reserve(srv->edge, more))
            st->reserved += more;
        else
            st->busy = true;
    }
    if (st->too_large || st->busy) {
        buf_free(&st->body);
        http_edge_release(srv->edge, st->reserved);
        st->reserved = 0;
        st->discarded = n;
        return MHD_YES;
    }
    buf_append(&st->body, data, n);
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls) {
    http_server *srv = cls;
    req_state *st = *con_cls;
    http_request rq = {.conn = conn,
                       .method = method,
                       .path = url,
                       .body = "",
                       .cfg = srv->cfg,
                       .engine = srv->engine,
                       .pool = srv->pool,
                       .app = srv->app};
    if (!st) {
        st = calloc(1, sizeof *st);
        if (!st) return MHD_NO;
        clock_gettime(CLOCK_MONOTONIC, &st->start);
        st->route = "other";
        st->method = method_label(method); /* static: outlives libmicrohttpd's request memory */
        if (srv->request_log) {
            http_log_field(st->log_method, sizeof st->log_method, method, strlen(method));
            http_log_field(st->path, sizeof st->path, url, strlen(url));
            const char *key = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "API-Key");
            if (key) http_log_field(st->key, sizeof st->key, key, strnlen(key, KEY_LOG_PREFIX));
        }
        *con_cls = st;
        atomic_fetch_add(&srv->inflight, 1);
        return on_headers(srv, st, &rq, version);
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        return on_body(srv, st, upload_data, n);
    }
    if (st->responded) return MHD_YES;
    http_edge_body_done(conn);

    rq.body = st->body.len ? st->body.data : "";
    rq.body_len = st->body.len;
    rq.principal = &st->principal;
    http_response resp = {.status = 500, .fd = -1, .route = "other"};
    if (st->too_large || st->busy) {
        if (st->too_large)
            too_large(srv, &resp);
        else
            busy(&resp);
        resp.route = http_route_label(url); /* the route still counts, so /metrics shows which endpoint was hit */
    } else {
        http_route(&rq, &resp);
    }
    return respond(st, &rq, &resp);
}

/* MHD_OPTION_NOTIFY_COMPLETED: the request is over (sent, or the connection failed). */
static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe) {
    http_server *srv = cls;
    req_state *st = *con_cls;
    (void)conn;
    if (!st) return;
    if (st->responded && srv->request_log)
        log_info("request", "method=%s path=\"%s\" status=%d bytes=%zu ms=%.1f key=%s operation=\"%s\"%s",
                 st->log_method, st->path, st->status, st->bytes, elapsed_since(&st->start) * 1000.0,
                 st->key[0] ? st->key : "-", st->operation,
                 toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted=true");
    if (st->responded) {
        char labels[160];
        snprintf(labels, sizeof labels, "route=\"%s\",method=\"%s\",status=\"%d\"", st->route, st->method, st->status);
        metrics_counter_add("entityd_http_requests_total", "HTTP requests, by route, method and status", labels, 1);
        snprintf(labels, sizeof labels, "route=\"%s\"", st->route);
        metrics_observe("entityd_http_request_duration_seconds", "HTTP request latency, by route", labels,
                        elapsed_since(&st->start));
    }
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK) {
        /* A counter, not a log line per socket (issue 11 item 3). */
        static const char *const reasons[] = {"completed", "error", "timeout", "shutdown", "read_error",
                                              "client_abort"};
        char labels[48];
        snprintf(labels, sizeof labels, "reason=\"%s\"",
                 (size_t)toe < sizeof reasons / sizeof reasons[0] ? reasons[toe] : "other");
        metrics_counter_add("entityd_http_requests_aborted_total", "HTTP requests that ended without a complete "
                            "answer (client gone, timeout, error), by reason", labels, 1);
        log_debug("request ended early", "route=%s reason=%d", st->route, (int)toe);
    }
    if (st->reserved) http_edge_release(srv->edge, st->reserved);
    if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK) http_edge_request_done(conn);
    buf_free(&st->body);
    free(st);
    *con_cls = NULL;
    atomic_fetch_sub(&srv->inflight, 1);
}

/* Resolves cfg->listen (a literal address or a host name) into a socket address. */
static int resolve_listen(const config_t *cfg, struct sockaddr_storage *ss, socklen_t *sslen, bool *ipv6, char *err,
                          size_t errlen) {
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    struct addrinfo *res = NULL;
    char port[16];
    snprintf(port, sizeof port, "%d", cfg->port);
    int rc = getaddrinfo(cfg->listen, port, &hints, &res);
    if (rc != 0 || !res) {
        snprintf(err, errlen, "cannot resolve --listen '%s': %s", cfg->listen, gai_strerror(rc));
        return -1;
    }
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *sslen = res->ai_addrlen;
    *ipv6 = res->ai_family == AF_INET6;
    freeaddrinfo(res);
    return 0;
}

http_server *http_server_start(app_t *app, char *err, size_t errlen) {
    const config_t *cfg = app->cfg;
    http_server *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->app = app;
    s->cfg = cfg;
    s->engine = app->engine;
    s->pool = app->pool;
    atomic_init(&s->inflight, 0);

    struct sockaddr_storage ss;
    socklen_t sslen = 0;
    bool ipv6 = false;
    if (resolve_listen(cfg, &ss, &sslen, &ipv6, err, errlen) != 0) {
        free(s);
        return NULL;
    }
    /* The most a refused body is drained (lingering close): at least 16 MiB, at least one whole body. */
    s->linger_bytes = cfg->max_body_bytes > 16u * 1024 * 1024 ? cfg->max_body_bytes : 16u * 1024 * 1024;
    s->request_log = strcmp(cfg->request_log, "on") == 0;
    http_edge_opts eo = {.header_timeout = (unsigned)cfg->header_timeout,
                         .body_timeout = (unsigned)cfg->body_timeout,
                         .body_budget = cfg->max_inflight_body_bytes,
                         .linger_bytes = s->linger_bytes};
    s->edge = http_edge_start(&eo, err, errlen);
    if (!s->edge) {
        free(s);
        return NULL;
    }
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (ipv6) flags |= MHD_USE_IPv6;
    unsigned threads = cfg->threads > 0 ? (unsigned)cfg->threads : 1;
    /* The external logger must be the first option (libmicrohttpd reports option errors through it). */
    s->daemon = MHD_start_daemon(
        flags, (uint16_t)cfg->port, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, http_edge_mhd_log, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->request_timeout, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)cfg->max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->max_connections_per_ip,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024), MHD_OPTION_NOTIFY_CONNECTION, http_edge_notify,
        s->edge, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
    if (!s->daemon) {
        snprintf(err, errlen, "cannot listen on %s port %d (address in use, or not allowed?)", cfg->listen, cfg->port);
        http_edge_stop(s->edge);
        free(s);
        return NULL;
    }
    log_info("listening", "address=%s port=%d threads=%u", cfg->listen, cfg->port, threads);
    return s;
}

void http_server_stop(http_server *s) {
    if (!s) return;
    /* Stop accepting, then wait for requests already being served (bounded). */
    MHD_socket lsock = MHD_quiesce_daemon(s->daemon);
    if (lsock != MHD_INVALID_SOCKET) close(lsock);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (atomic_load(&s->inflight) > 0 && elapsed_since(&t0) < (double)s->cfg->request_timeout) {
        struct timespec nap = {0, 10 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    if (atomic_load(&s->inflight) > 0)
        log_warn("stopping with requests still in flight", "count=%d", atomic_load(&s->inflight));
    MHD_stop_daemon(s->daemon);
    http_edge_stop(s->edge); /* after the daemon: its last close notifications may still linger */
    log_info("http stopped", "waited_ms=%.0f", elapsed_since(&t0) * 1000.0);
    free(s);
}
