/* clock.c -- real or test clock (see clock.h). */
#include "util/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/datetime.h"

static const char *clock_file(void) {
    const char *f = getenv("ENTITYD_TEST_NOW_FILE");
    return f && *f ? f : NULL;
}

bool clock_is_fake(void) {
    return clock_file() != NULL;
}

/* Reads the test clock file; -1 when unreadable (then real time is used). */
static int64_t clock_read_file(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char buf[DT_MAX];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ' || buf[n - 1] == '\r'))
        n--;
    buf[n] = '\0';
    dt_instant t;
    if (dt_parse(buf, n, 0, &t) == 0) return dt_ticks(&t);
    char *end;
    long long secs = strtoll(buf, &end, 10);
    if (n > 0 && *end == '\0' && secs >= 0) return (int64_t)secs * DT_TICKS_PER_SEC;
    return -1;
}

int64_t clock_now_ticks(void) {
    const char *f = clock_file();
    if (f) {
        int64_t t = clock_read_file(f);
        if (t >= 0) return t;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * DT_TICKS_PER_SEC + ts.tv_nsec / 100;
}

int64_t clock_now(void) {
    return dt_floor_div(clock_now_ticks(), DT_TICKS_PER_SEC);
}
