/* worker.c -- the background loop of worker.h: one thread per worker with its own SQLite
 * connection, running its job immediately and then every interval. It sleeps on a condition
 * variable (CLOCK_MONOTONIC), so worker_kick() and worker_stop() take effect at once. */
#include "config.h"
#include "workers/worker.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/log.h"
#include "util/metrics.h"

struct worker {
    char name[64];
    char *db_path;
    const config_t *cfg;
    int interval_sec;
    worker_fn fn;
    void *arg;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    bool kicked;
};

static void count_run(const worker_t *w, const char *result, double seconds) {
    char labels[128];
    snprintf(labels, sizeof labels, "worker=\"%s\",result=\"%s\"", w->name, result);
    metrics_counter_add("entityd_worker_runs_total", "Background worker runs, by worker and result", labels, 1);
    snprintf(labels, sizeof labels, "worker=\"%s\"", w->name);
    metrics_observe("entityd_worker_run_duration_seconds", "Background worker run time, by worker", labels, seconds);
}

static double mono_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void *worker_main(void *p) {
    worker_t *w = p;
    char err[256] = "";
    store_t *store = NULL;
    pthread_mutex_lock(&w->mu);
    while (!w->stop) {
        pthread_mutex_unlock(&w->mu);
        if (!store) {
            store = store_open(w->db_path, err, sizeof err);
            if (!store) log_error("worker cannot open the database", "worker=%s error=\"%s\"", w->name, err);
        }
        if (store) {
            double t0 = mono_now();
            int rc = w->fn(store, w->cfg, w->arg);
            store_release(store);
            double dt = mono_now() - t0;
            count_run(w, rc == 0 ? "ok" : "error", dt);
            if (rc != 0)
                log_warn("worker run failed", "worker=%s", w->name);
            else
                log_debug("worker run", "worker=%s seconds=%.3f", w->name, dt);
        } else {
            count_run(w, "error", 0);
        }
        pthread_mutex_lock(&w->mu);
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += w->interval_sec;
        while (!w->stop && !w->kicked) {
            if (pthread_cond_timedwait(&w->cv, &w->mu, &until) != 0) break; /* ETIMEDOUT: time to run */
        }
        w->kicked = false;
    }
    pthread_mutex_unlock(&w->mu);
    store_close(store);
    return NULL;
}

worker_t *worker_start(const char *name, const char *db_path, const config_t *cfg, int interval_sec, worker_fn fn,
                       void *arg) {
    worker_t *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    snprintf(w->name, sizeof w->name, "%s", name);
    w->db_path = strdup(db_path);
    w->cfg = cfg;
    w->interval_sec = interval_sec > 0 ? interval_sec : 1;
    w->fn = fn;
    w->arg = arg;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&w->mu, NULL);
    if (!w->db_path || pthread_create(&w->thread, NULL, worker_main, w) != 0) {
        log_error("cannot start worker", "worker=%s", name);
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
        free(w->db_path);
        free(w);
        return NULL;
    }
    log_info("worker started", "worker=%s interval=%d", w->name, w->interval_sec);
    return w;
}

void worker_kick(worker_t *w) {
    if (!w) return;
    pthread_mutex_lock(&w->mu);
    w->kicked = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

void worker_stop(worker_t *w) {
    if (!w) return;
    pthread_mutex_lock(&w->mu);
    w->stop = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    log_info("worker stopped", "worker=%s", w->name);
    free(w->db_path);
    free(w);
}
