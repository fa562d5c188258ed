/* test_worker.c -- the worker loop: runs at once, runs again on worker_kick, counts failures,
 * and worker_stop returns immediately even with a long interval. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../src/config.h"
#include "util/buf.h"
#include "util/metrics.h"
#include "workers/worker.h"

typedef struct {
    int runs;
    int fail;
} job_state;

static int job(store_t *store, const config_t *cfg, void *arg) {
    (void)cfg;
    job_state *js = arg;
    assert_non_null(store_db(store));
    __atomic_add_fetch(&js->runs, 1, __ATOMIC_SEQ_CST);
    return js->fail ? -1 : 0;
}

static int runs(job_state *js) {
    return __atomic_load_n(&js->runs, __ATOMIC_SEQ_CST);
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void wait_runs(job_state *js, int n) {
    double t0 = now();
    while (runs(js) < n && now() - t0 < 5)
        usleep(1000);
}

static void test_run_kick_stop(void **state) {
    (void)state;
    char dir[] = "/tmp/entityd-worker-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char db[128];
    snprintf(db, sizeof db, "%s/w.db", dir);
    config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    job_state js = {0, 0};
    worker_t *w = worker_start("test", db, &cfg, 3600, job, &js);
    assert_non_null(w);
    wait_runs(&js, 1);
    assert_int_equal(runs(&js), 1);
    usleep(50 * 1000);
    assert_int_equal(runs(&js), 1); /* the next run is an hour away */
    js.fail = 1;
    worker_kick(w);
    wait_runs(&js, 2);
    assert_int_equal(runs(&js), 2);
    double t0 = now();
    worker_stop(w);
    assert_true(now() - t0 < 1.0); /* no waiting for the interval */

    buf_t b = BUF_INIT;
    metrics_render(&b);
    assert_non_null(strstr(buf_cstr(&b), "entityd_worker_runs_total{worker=\"test\",result=\"ok\"} 1"));
    assert_non_null(strstr(buf_cstr(&b), "entityd_worker_runs_total{worker=\"test\",result=\"error\"} 1"));
    buf_free(&b);
    metrics_reset();
    unlink(db);
    char side[160];
    snprintf(side, sizeof side, "%s-wal", db);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", db);
    unlink(side);
    rmdir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_kick_stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
