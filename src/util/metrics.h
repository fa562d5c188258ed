/* metrics.h -- process-wide Prometheus metrics (counters, gauges, one latency histogram per
 * name), rendered as the text exposition format at GET /metrics. Thread safe. */
#ifndef ENTITYD_METRICS_H
#define ENTITYD_METRICS_H

#include "util/buf.h"

/* name: a Prometheus metric name ("entityd_http_requests_total"). help: its HELP text
 * (the first registration wins). labels: the label set without braces, e.g.
 * `route="/graphql",status="200"`, or NULL. */
void metrics_counter_add(const char *name, const char *help, const char *labels, double v);
void metrics_gauge_set(const char *name, const char *help, const char *labels, double v);
/* Latency histogram in seconds with fixed buckets (1ms .. 10s). */
void metrics_observe(const char *name, const char *help, const char *labels, double seconds);
/* Appends the exposition text. */
void metrics_render(buf_t *out);
/* Frees everything (at shutdown, for leak checkers). */
void metrics_reset(void);

#endif
