/* duration.c -- "1h30m"-style durations (see duration.h). */
#include "util/duration.h"

#include <stdio.h>
#include <string.h>

int duration_parse(const char *s, size_t len, int64_t *seconds) {
    static const char units[] = "dhms";
    static const int64_t mult[] = {86400, 3600, 60, 1};
    int next = 0; /* units must appear in this order, each at most once */
    int64_t total = 0;
    size_t i = 0;
    if (len == 0) return -1;
    while (i < len) {
        int64_t n = 0;
        size_t nd = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            if (++nd > 15) return -1;
            n = n * 10 + (s[i++] - '0');
        }
        if (nd == 0 || i >= len) return -1;
        const char *u = strchr(units, s[i]);
        if (!u || s[i] == '\0' || u - units < next) return -1;
        int ui = (int)(u - units);
        next = ui + 1;
        i++;
        if (n > (INT64_MAX / 2 - total) / mult[ui]) return -1;
        total += n * mult[ui];
    }
    *seconds = total;
    return 0;
}

void duration_format(int64_t seconds, char out[DURATION_MAX]) {
    if (seconds <= 0) {
        strcpy(out, "0s");
        return;
    }
    int64_t d = seconds / 86400, h = seconds / 3600 % 24, m = seconds / 60 % 60, s = seconds % 60;
    int n = 0;
    if (d) n += snprintf(out + n, DURATION_MAX - (size_t)n, "%lldd", (long long)d);
    if (h) n += snprintf(out + n, DURATION_MAX - (size_t)n, "%lldh", (long long)h);
    if (m) n += snprintf(out + n, DURATION_MAX - (size_t)n, "%lldm", (long long)m);
    if (s) snprintf(out + n, DURATION_MAX - (size_t)n, "%llds", (long long)s);
}
