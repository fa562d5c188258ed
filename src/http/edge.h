/* edge.h -- what the HTTP server does below the request level, against hostile or broken clients
 * (issue 11 items 2, 3 and 6): every connection is tracked from accept to close with a deadline for
 * its request headers and one for its body (slowloris), bodies in flight share one memory budget,
 * a connection answered before its body was read is closed with a bounded "lingering close" so the
 * client can read the answer, and libmicrohttpd's per-connection messages become counters instead
 * of one warning per socket. One background thread enforces the deadlines and drains lingering
 * sockets. Used by server.c only. */
#ifndef ENTITYD_HTTP_EDGE_H
#define ENTITYD_HTTP_EDGE_H

#include <microhttpd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct http_edge http_edge;

typedef struct {
    unsigned header_timeout; /* seconds from accept (or the previous response) to the end of the headers */
    unsigned body_timeout;   /* seconds from the end of the headers to the end of the body */
    size_t body_budget;      /* bytes of request bodies held in memory at once, over all connections */
    size_t linger_bytes;     /* most bytes drained from a connection answered before its body */
} http_edge_opts;

/* Starts the edge thread. NULL with a message in err. */
http_edge *http_edge_start(const http_edge_opts *o, char *err, size_t errlen);
/* Stops the thread and closes the sockets still lingering. Call after MHD_stop_daemon. */
void http_edge_stop(http_edge *e);

/* MHD_OPTION_NOTIFY_CONNECTION callback (cls: the edge). */
void http_edge_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                      enum MHD_ConnectionNotificationCode code);
/* MHD_OPTION_EXTERNAL_LOGGER callback (cls: unused): per-connection messages are counted and logged at
 * debug, the rest at warn. */
void http_edge_mhd_log(void *cls, const char *fmt, va_list ap);

/* Request phases, called from the connection's thread. */
void http_edge_headers_done(struct MHD_Connection *c, bool has_body); /* body deadline, or none */
void http_edge_body_done(struct MHD_Connection *c);                   /* no deadline while it runs */
void http_edge_request_done(struct MHD_Connection *c);                /* next headers deadline */
/* The request was answered before its body was read: drain the rest after the answer (RFC 9112 §9.6). */
void http_edge_linger(struct MHD_Connection *c);

/* The shared budget for bodies in flight: false when n more bytes do not fit. */
bool http_edge_reserve(http_edge *e, size_t n);
void http_edge_release(http_edge *e, size_t n);

#endif
