/* log.c -- key=value logging, see log.h. Whole lines are written with one fputs so
 * that lines from different threads never interleave. */
#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/buf.h"

static volatile int g_level = LOG_INFO;
static const char *names[] = {"debug", "info", "warn", "error"};

void log_set_level(log_level_t level) {
    g_level = level;
}

int log_parse_level(const char *s) {
    for (int i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0) return i;
    if (strcmp(s, "warning") == 0) return LOG_WARN;
    return -1;
}

void log_msg(log_level_t level, const char *msg, const char *fmt, ...) {
    if ((int)level < g_level) return;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    buf_t b = BUF_INIT;
    buf_printf(&b, "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ level=%s msg=", tm.tm_year + 1900, tm.tm_mon + 1,
               tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, names[level]);
    buf_json_string(&b, msg, strlen(msg));
    if (fmt && *fmt) {
        buf_putc(&b, ' ');
        va_list ap;
        va_start(ap, fmt);
        buf_vprintf(&b, fmt, ap);
        va_end(ap);
    }
    buf_putc(&b, '\n');
    fputs(buf_cstr(&b), stderr);
    buf_free(&b);
}
