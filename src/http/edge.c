/* edge.c -- connection-level defences of the HTTP server (issue 11 items 2, 3, 6; see edge.h).
 *
 * libmicrohttpd only knows an idle timeout, which a client that sends one header byte every few
 * seconds never reaches (slowloris). Each connection therefore gets a socket context (conn_track) on
 * a list, with a deadline that the request phases move: headers due header_timeout after accept or
 * after the previous response, the body due body_timeout after the headers, none while the request
 * runs. The edge thread shuts down the sockets past their deadline; libmicrohttpd then sees the
 * close and frees the connection as for any client that went away.
 *
 * Lingering close: a request answered from its headers alone (401, 404, 413...) is closed by
 * libmicrohttpd right after the answer, with the body still arriving; closing a socket with unread
 * data makes the kernel send RST, and a client that writes its whole body before reading (urllib)
 * gets a broken pipe instead of the answer. At the close notification, before libmicrohttpd closes
 * its descriptor (it has already sent the answer and shut down the write side), the edge keeps a
 * duplicate and reads and discards what the client still sends, up to linger_bytes, LINGER_SECONDS
 * in total or LINGER_IDLE_MS without data, then closes (RFC 9112 §9.6). */
#include "http/edge.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"
#include "util/metrics.h"

#define SWEEP_MS 100          /* deadline resolution */
#define LINGER_MAX_SOCKETS 256 /* beyond this many lingering sockets, close at once */
#define LINGER_SECONDS 5
#define LINGER_IDLE_MS 1000

enum { PH_HEADERS, PH_BODY, PH_BUSY };

typedef struct conn_track {
    struct conn_track *prev, *next;
    struct http_edge *edge;
    int fd;
    atomic_llong deadline_ms; /* CLOCK_MONOTONIC milliseconds; 0: none */
    atomic_int phase;
    atomic_bool linger;
    bool shut; /* shut down by the edge thread (under the list lock) */
} conn_track;

typedef struct lingerer {
    struct lingerer *next;
    int fd;
    long long started_ms, last_ms;
    size_t drained;
} lingerer;

struct http_edge {
    http_edge_opts o;
    pthread_t thread;
    int epfd, wakefd;
    atomic_bool stop;
    pthread_mutex_t lock; /* the connection list */
    conn_track *conns;
    pthread_mutex_t llock; /* the lingering list */
    lingerer *lingering;
    size_t nlingering;
    atomic_size_t body_bytes;
};

static long long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void count(const char *name, const char *help, const char *labels) {
    metrics_counter_add(name, help, labels, 1);
}

static conn_track *track_of(struct MHD_Connection *c) {
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

/* ---- lingering close ---- */

static void linger_add(http_edge *e, int fd) {
    int dupfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (dupfd < 0) return;
    pthread_mutex_lock(&e->llock);
    lingerer *l = e->nlingering < LINGER_MAX_SOCKETS && !atomic_load(&e->stop) ? calloc(1, sizeof *l) : NULL;
    if (l) {
        l->fd = dupfd;
        l->started_ms = l->last_ms = now_ms();
        struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = l};
        if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, dupfd, &ev) != 0) {
            free(l);
            l = NULL;
        } else {
            l->next = e->lingering;
            e->lingering = l;
            e->nlingering++;
        }
    }
    pthread_mutex_unlock(&e->llock);
    if (!l) {
        close(dupfd);
        count("entityd_http_lingering_closes_total", "Connections answered before their body was read, by outcome",
              "result=\"skipped\"");
    }
}

/* Reads and discards what is there; true when the socket is done (EOF, error or the byte bound). */
static bool linger_drain(http_edge *e, lingerer *l) {
    static char sink[64 * 1024]; /* only the edge thread reads into it; the data is never looked at */
    for (;;) {
        ssize_t n = recv(l->fd, sink, sizeof sink, MSG_DONTWAIT);
        if (n > 0) {
            l->drained += (size_t)n;
            l->last_ms = now_ms();
            if (l->drained > e->o.linger_bytes) return true;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;
        if (n < 0 && errno == EINTR) continue;
        return true; /* EOF or error */
    }
}

/* Closes the lingering sockets that are done, or all of them. Called by the edge thread. */
static void linger_reap(http_edge *e, bool all) {
    long long now = now_ms();
    pthread_mutex_lock(&e->llock);
    for (lingerer **pp = &e->lingering; *pp;) {
        lingerer *l = *pp;
        bool done = all || l->fd < 0 || now - l->started_ms > LINGER_SECONDS * 1000LL ||
                    now - l->last_ms > LINGER_IDLE_MS;
        if (!done) {
            pp = &l->next;
            continue;
        }
        *pp = l->next;
        e->nlingering--;
        if (l->fd >= 0) {
            epoll_ctl(e->epfd, EPOLL_CTL_DEL, l->fd, NULL);
            close(l->fd);
        }
        count("entityd_http_lingering_closes_total", "Connections answered before their body was read, by outcome",
              l->drained > e->o.linger_bytes ? "result=\"limit\"" : "result=\"drained\"");
        free(l);
    }
    pthread_mutex_unlock(&e->llock);
}

/* ---- deadlines ---- */

static void sweep(http_edge *e) {
    long long now = now_ms();
    pthread_mutex_lock(&e->lock);
    for (conn_track *t = e->conns; t; t = t->next) {
        long long d = atomic_load(&t->deadline_ms);
        if (t->shut || d == 0 || now < d) continue;
        int ph = atomic_load(&t->phase);
        if (ph == PH_BUSY) continue;
        /* Under the lock, so libmicrohttpd cannot have closed (and the kernel reused) the descriptor:
         * its close notification takes the same lock before the descriptor is closed. */
        shutdown(t->fd, SHUT_RDWR);
        t->shut = true;
        count("entityd_http_connections_timed_out_total",
              "Connections closed because a request's headers or body did not arrive in time, by phase",
              ph == PH_HEADERS ? "phase=\"headers\"" : "phase=\"body\"");
    }
    pthread_mutex_unlock(&e->lock);
}

static void *edge_main(void *arg) {
    http_edge *e = arg;
    struct epoll_event evs[64];
    long long last_sweep = 0;
    while (!atomic_load(&e->stop)) {
        int n = epoll_wait(e->epfd, evs, 64, SWEEP_MS);
        for (int i = 0; i < n; i++) {
            if (evs[i].data.ptr == NULL) continue; /* the wake-up eventfd */
            lingerer *l = evs[i].data.ptr;
            pthread_mutex_lock(&e->llock);
            if (l->fd >= 0 && linger_drain(e, l)) {
                epoll_ctl(e->epfd, EPOLL_CTL_DEL, l->fd, NULL);
                close(l->fd);
                l->fd = -1; /* reaped below */
            }
            pthread_mutex_unlock(&e->llock);
        }
        long long now = now_ms();
        if (now - last_sweep >= SWEEP_MS) {
            sweep(e);
            linger_reap(e, false);
            last_sweep = now;
        }
    }
    return NULL;
}

http_edge *http_edge_start(const http_edge_opts *o, char *err, size_t errlen) {
    http_edge *e = calloc(1, sizeof *e);
    if (!e) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    e->o = *o;
    atomic_init(&e->stop, false);
    atomic_init(&e->body_bytes, 0);
    pthread_mutex_init(&e->lock, NULL);
    pthread_mutex_init(&e->llock, NULL);
    e->epfd = epoll_create1(EPOLL_CLOEXEC);
    e->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    if (e->epfd < 0 || e->wakefd < 0 || epoll_ctl(e->epfd, EPOLL_CTL_ADD, e->wakefd, &ev) != 0 ||
        pthread_create(&e->thread, NULL, edge_main, e) != 0) {
        snprintf(err, errlen, "cannot start the connection watcher: %s", strerror(errno));
        if (e->epfd >= 0) close(e->epfd);
        if (e->wakefd >= 0) close(e->wakefd);
        pthread_mutex_destroy(&e->lock);
        pthread_mutex_destroy(&e->llock);
        free(e);
        return NULL;
    }
    return e;
}

void http_edge_stop(http_edge *e) {
    if (!e) return;
    atomic_store(&e->stop, true);
    uint64_t one = 1;
    if (write(e->wakefd, &one, sizeof one) < 0) { /* the thread still wakes within SWEEP_MS */
    }
    pthread_join(e->thread, NULL);
    linger_reap(e, true);
    /* MHD_stop_daemon has closed every connection, so the list is empty; free what a bug left. */
    while (e->conns) {
        conn_track *t = e->conns;
        e->conns = t->next;
        free(t);
    }
    close(e->epfd);
    close(e->wakefd);
    pthread_mutex_destroy(&e->lock);
    pthread_mutex_destroy(&e->llock);
    free(e);
}

/* ---- libmicrohttpd callbacks and request phases ---- */

static void set_deadline(conn_track *t, int phase, unsigned seconds) {
    atomic_store(&t->phase, phase);
    atomic_store(&t->deadline_ms, seconds ? now_ms() + (long long)seconds * 1000 : 0);
}

void http_edge_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                      enum MHD_ConnectionNotificationCode code) {
    http_edge *e = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        conn_track *t = calloc(1, sizeof *t);
        if (!t || !ci) {
            free(t);
            return; /* untracked: only libmicrohttpd's idle timeout applies */
        }
        t->edge = e;
        t->fd = ci->connect_fd;
        set_deadline(t, PH_HEADERS, e->o.header_timeout);
        pthread_mutex_lock(&e->lock);
        t->next = e->conns;
        if (e->conns) e->conns->prev = t;
        e->conns = t;
        pthread_mutex_unlock(&e->lock);
        *socket_context = t;
        return;
    }
    conn_track *t = *socket_context;
    if (!t) return;
    pthread_mutex_lock(&e->lock);
    if (t->prev)
        t->prev->next = t->next;
    else
        e->conns = t->next;
    if (t->next) t->next->prev = t->prev;
    bool linger = atomic_load(&t->linger) && !t->shut;
    pthread_mutex_unlock(&e->lock);
    /* libmicrohttpd closes t->fd after this callback returns: the duplicate keeps the socket open. */
    if (linger) linger_add(e, t->fd);
    free(t);
    *socket_context = NULL;
}

void http_edge_headers_done(struct MHD_Connection *c, bool has_body) {
    conn_track *t = track_of(c);
    if (t) set_deadline(t, has_body ? PH_BODY : PH_BUSY, has_body ? t->edge->o.body_timeout : 0);
}

void http_edge_body_done(struct MHD_Connection *c) {
    conn_track *t = track_of(c);
    if (t) set_deadline(t, PH_BUSY, 0);
}

void http_edge_request_done(struct MHD_Connection *c) {
    conn_track *t = track_of(c);
    if (t) set_deadline(t, PH_HEADERS, t->edge->o.header_timeout);
}

void http_edge_linger(struct MHD_Connection *c) {
    conn_track *t = track_of(c);
    if (t) atomic_store(&t->linger, true);
}

bool http_edge_reserve(http_edge *e, size_t n) {
    size_t cur = atomic_load(&e->body_bytes);
    do {
        if (n > e->o.body_budget || cur > e->o.body_budget - n) return false;
    } while (!atomic_compare_exchange_weak(&e->body_bytes, &cur, cur + n));
    metrics_gauge_set("entityd_http_body_bytes_in_flight", "Bytes of request bodies held in memory", NULL,
                      (double)(cur + n));
    return true;
}

void http_edge_release(http_edge *e, size_t n) {
    size_t after = atomic_fetch_sub(&e->body_bytes, n) - n;
    metrics_gauge_set("entityd_http_body_bytes_in_flight", "Bytes of request bodies held in memory", NULL,
                      (double)after);
}

/* libmicrohttpd's messages about one connection (a client that went away, a refused connection, a
 * malformed request it answered itself): a counter each, logged at debug, so a flood of hostile
 * sockets does not become a flood of warnings (item 3). Anything else is a warning. */
static const struct {
    const char *prefix;
    const char *event;
} per_connection[] = {
    {"Connection was closed by remote side", "client_closed"},
    {"Connection socket is closed when reading", "client_closed"},
    {"Failed to send", "send_failed"},
    {"Server reached connection limit", "refused_at_limit"},
    {"Error processing request", "bad_request"},
    {"Failed to parse `Content-Length'", "bad_request"},
    {"Too large value of 'Content-Length'", "bad_request"},
    {"Received HTTP/1.1 request without", "bad_request"},
    {"Socket has been disconnected", "client_closed"},
    {"Application reported internal error", "aborted_by_server"},
    {"Closing connection (application returned", "aborted_by_server"},
    {"Connection rejected by application", "aborted_by_server"},
    {"Not enough memory in pool", "headers_too_large"},
    {"Too late for error response", "headers_too_large"},
};

void http_edge_mhd_log(void *cls, const char *fmt, va_list ap) {
    (void)cls;
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    for (size_t i = 0; i < sizeof per_connection / sizeof per_connection[0]; i++) {
        if (strncmp(line, per_connection[i].prefix, strlen(per_connection[i].prefix)) != 0) continue;
        char labels[64];
        snprintf(labels, sizeof labels, "event=\"%s\"", per_connection[i].event);
        count("entityd_http_connection_events_total",
              "Per-connection events of the HTTP library (clients gone, connections refused), by event", labels);
        log_debug("libmicrohttpd", "event=%s detail=\"%s\"", per_connection[i].event, line);
        return;
    }
    log_warn("libmicrohttpd", "detail=\"%s\"", line);
}
