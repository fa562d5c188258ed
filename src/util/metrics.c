#include <stdio.h>
/* metrics.c -- Prometheus registry, see metrics.h. A small mutex-protected list: the number
 * of series is in the tens, and every update is a short critical section. */
#include "util/metrics.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { M_COUNTER, M_GAUGE, M_HISTOGRAM };

static const double buckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
#define NBUCKETS (sizeof buckets / sizeof buckets[0])

typedef struct series {
    struct series *next;
    char *name;
    char *help;
    char *labels;
    int kind;
    double value; /* counter/gauge; histogram: sum */
    unsigned long long count;
    unsigned long long bucket[NBUCKETS];
} series_t;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static series_t *head, *tail;

static char *dup_or_empty(const char *s) {
    char *p = strdup(s ? s : "");
    if (!p) abort();
    return p;
}

/* Finds or creates a series; called with mu held. Series keep registration order, and a new
 * series is placed after the last one of the same name so the exposition groups by name. */
static series_t *find(const char *name, const char *help, const char *labels, int kind) {
    const char *l = labels ? labels : "";
    series_t *last_same = NULL;
    for (series_t *s = head; s; s = s->next) {
        if (strcmp(s->name, name) == 0) {
            if (strcmp(s->labels, l) == 0) return s;
            last_same = s;
        }
    }
    series_t *s = calloc(1, sizeof *s);
    if (!s) abort();
    s->name = dup_or_empty(name);
    s->help = dup_or_empty(help);
    s->labels = dup_or_empty(l);
    s->kind = kind;
    if (last_same) {
        s->next = last_same->next;
        last_same->next = s;
        if (tail == last_same) tail = s;
    } else if (tail) {
        tail->next = s;
        tail = s;
    } else {
        head = tail = s;
    }
    return s;
}

void metrics_counter_add(const char *name, const char *help, const char *labels, double v) {
    pthread_mutex_lock(&mu);
    find(name, help, labels, M_COUNTER)->value += v;
    pthread_mutex_unlock(&mu);
}

void metrics_gauge_set(const char *name, const char *help, const char *labels, double v) {
    pthread_mutex_lock(&mu);
    find(name, help, labels, M_GAUGE)->value = v;
    pthread_mutex_unlock(&mu);
}

void metrics_observe(const char *name, const char *help, const char *labels, double seconds) {
    pthread_mutex_lock(&mu);
    series_t *s = find(name, help, labels, M_HISTOGRAM);
    s->value += seconds;
    s->count++;
    for (size_t i = 0; i < NBUCKETS; i++)
        if (seconds <= buckets[i]) s->bucket[i]++;
    pthread_mutex_unlock(&mu);
}

static void labels_with(buf_t *out, const char *labels, const char *extra) {
    if (!*labels && !extra) return;
    buf_putc(out, '{');
    buf_puts(out, labels);
    if (extra) {
        if (*labels) buf_putc(out, ',');
        buf_puts(out, extra);
    }
    buf_putc(out, '}');
}

void metrics_render(buf_t *out) {
    static const char *kinds[] = {"counter", "gauge", "histogram"};
    pthread_mutex_lock(&mu);
    const char *prev = NULL;
    for (series_t *s = head; s; s = s->next) {
        if (!prev || strcmp(prev, s->name) != 0) {
            buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", s->name, s->help, s->name, kinds[s->kind]);
            prev = s->name;
        }
        if (s->kind != M_HISTOGRAM) {
            buf_puts(out, s->name);
            labels_with(out, s->labels, NULL);
            buf_printf(out, " %.17g\n", s->value);
            continue;
        }
        for (size_t i = 0; i < NBUCKETS; i++) {
            char le[32];
            snprintf(le, sizeof le, "le=\"%g\"", buckets[i]);
            buf_printf(out, "%s_bucket", s->name);
            labels_with(out, s->labels, le);
            buf_printf(out, " %llu\n", s->bucket[i]);
        }
        buf_printf(out, "%s_bucket", s->name);
        labels_with(out, s->labels, "le=\"+Inf\"");
        buf_printf(out, " %llu\n%s_sum", s->count, s->name);
        labels_with(out, s->labels, NULL);
        buf_printf(out, " %.17g\n%s_count", s->value, s->name);
        labels_with(out, s->labels, NULL);
        buf_printf(out, " %llu\n", s->count);
    }
    pthread_mutex_unlock(&mu);
}

void metrics_reset(void) {
    pthread_mutex_lock(&mu);
    series_t *s = head;
    while (s) {
        series_t *n = s->next;
        free(s->name);
        free(s->help);
        free(s->labels);
        free(s);
        s = n;
    }
    head = tail = NULL;
    pthread_mutex_unlock(&mu);
}
