/* server.c -- the libmicrohttpd server: epoll thread pool, keep-alive, request bodies accumulated
 * up to --max-body-bytes (413 beyond), connection timeout, per-request metrics, and a graceful
 * stop that lets requests in flight finish. Routing is in routes.c. */
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

#include "util/log.h"
#include "util/metrics.h"

struct http_server {
    struct MHD_Daemon *daemon;
    const config_t *cfg;
    gql_engine *engine;
    store_pool_t *pool;
    app_t *app;
    atomic_int inflight; /* requests between their first callback and their completion */
};

/* Per-request state, from the first access-handler call to the completion callback. */
typedef struct {
    struct timespec start;
    buf_t body;
    bool too_large;
    bool responded; /* a response was queued early (413 on Content-Length) */
    int status;
    const char *route;
    const char *method; /* metrics label (static) */
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
    MHD_add_response_header(mr, MHD_HTTP_HEADER_CACHE_CONTROL, r->cache_control ? r->cache_control : "no-store");
    MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff");
    if (!r->preflight) http_cors_headers(rq, mr);
    enum MHD_Result ret = MHD_queue_response(rq->conn, (unsigned)r->status, mr);
    MHD_destroy_response(mr);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls) {
    http_server *srv = cls;
    req_state *st = *con_cls;
    if (!st) {
        st = calloc(1, sizeof *st);
        if (!st) return MHD_NO;
        clock_gettime(CLOCK_MONOTONIC, &st->start);
        st->route = "other";
        st->method = method_label(method); /* static: outlives libmicrohttpd's request memory */
        *con_cls = st;
        atomic_fetch_add(&srv->inflight, 1);
        /* A declared body over the limit is refused before it is read (RFC 9110 §15.5.14). */
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl) {
            char *end;
            errno = 0;
            unsigned long long n = strtoull(cl, &end, 10);
            if (errno || *end || n > srv->cfg->max_body_bytes) st->too_large = true;
        }
        if (!st->too_large) return MHD_YES;
    }
    if (*upload_data_size) {
        if (!st->too_large) {
            if (st->body.len + *upload_data_size > srv->cfg->max_body_bytes) {
                st->too_large = true;
                buf_free(&st->body);
            } else {
                buf_append(&st->body, upload_data, *upload_data_size);
            }
        }
        /* Over the limit the rest is discarded; the 413 goes out once the body has ended, as
         * libmicrohttpd only accepts a response before the body or after it. */
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (st->responded) return MHD_YES;

    http_request rq = {.conn = conn,
                       .method = method,
                       .path = url,
                       .body = st->body.len ? st->body.data : "",
                       .body_len = st->body.len,
                       .cfg = srv->cfg,
                       .engine = srv->engine,
                       .pool = srv->pool,
                       .app = srv->app};
    http_response resp = {.status = 500, .fd = -1, .route = "other"};
    if (st->too_large) {
        http_set_error(&resp, 413, NULL, "PAYLOAD_TOO_LARGE", "request body exceeds the limit of %zu bytes",
                       srv->cfg->max_body_bytes);
        /* The route still counts, so /metrics shows which endpoint was hit. */
        resp.route = strcmp(url, "/graphql") == 0     ? "/graphql"
                     : strcmp(url, "/v1/events") == 0 ? "/v1/events"
                                                      : "other";
    } else {
        http_route(&rq, &resp);
    }
    st->status = resp.status;
    st->route = resp.route ? resp.route : "other";
    st->responded = true;
    (void)version;
    enum MHD_Result ret = send_response(&rq, &resp);
    free(resp.body);
    if (resp.fd >= 0) close(resp.fd);
    return ret;
}

/* MHD_OPTION_NOTIFY_COMPLETED: the request is over (sent, or the connection failed). */
static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe) {
    http_server *srv = cls;
    req_state *st = *con_cls;
    (void)conn;
    if (!st) return;
    if (st->responded) {
        char labels[160];
        snprintf(labels, sizeof labels, "route=\"%s\",method=\"%s\",status=\"%d\"", st->route, st->method, st->status);
        metrics_counter_add("entityd_http_requests_total", "HTTP requests, by route, method and status", labels, 1);
        snprintf(labels, sizeof labels, "route=\"%s\"", st->route);
        metrics_observe("entityd_http_request_duration_seconds", "HTTP request latency, by route", labels,
                        elapsed_since(&st->start));
    }
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
        log_debug("request ended early", "route=%s reason=%d", st->route, (int)toe);
    buf_free(&st->body);
    free(st);
    *con_cls = NULL;
    atomic_fetch_sub(&srv->inflight, 1);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap) {
    (void)cls;
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    log_warn("libmicrohttpd", "detail=\"%s\"", line);
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
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (ipv6) flags |= MHD_USE_IPv6;
    unsigned threads = cfg->threads > 0 ? (unsigned)cfg->threads : 1;
    s->daemon = MHD_start_daemon(
        flags, (uint16_t)cfg->port, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->request_timeout, MHD_OPTION_CONNECTION_LIMIT, (unsigned)4096,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
    if (!s->daemon) {
        snprintf(err, errlen, "cannot listen on %s port %d (address in use, or not allowed?)", cfg->listen, cfg->port);
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
    log_info("http stopped", "waited_ms=%.0f", elapsed_since(&t0) * 1000.0);
    free(s);
}
