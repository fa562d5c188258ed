/* windows.c -- the window math of SummaryRules (issue 9 "Windows", seed 002 backfill), in Kusto ticks.
 * Pure functions: no clock, no store; the scheduler passes "now". Windows are aligned to multiples
 * of the interval counted from the Unix epoch (not from 0001-01-01 like Go's Time.Truncate upstream:
 * the two agree whenever the interval divides a day). */
#include <stdio.h>

#include "summaryrules/summaryrules.h"

int64_t sr_align_floor(int64_t t, int64_t iv) {
    return dt_floor_div(t, iv) * iv;
}

int64_t sr_align_ceil(int64_t t, int64_t iv) {
    int64_t f = sr_align_floor(t, iv);
    return f == t ? t : f + iv;
}

/* Issue 9: "First run: end = floor(now − ingestionDelay, interval), start = end − interval." */
sr_window sr_first_window(int64_t now, int64_t iv, int64_t delay) {
    sr_window w;
    w.end = sr_align_floor(now - delay, iv);
    w.start = w.end - iv;
    return w;
}

/* Issue 9: "each window starts where the last successful one ended". Ending at the next boundary
 * (rather than cursor + iv) keeps windows aligned after the interval of a rule changes. */
sr_window sr_next_window(int64_t cursor, int64_t iv) {
    sr_window w = {cursor, sr_align_floor(cursor, iv) + iv};
    return w;
}

bool sr_window_due(sr_window w, int64_t now, int64_t delay) {
    return w.end <= now - delay;
}

/* Issue 9: "a rule that fell behind catches up window by window, never skipping one, with a bound on
 * how many it submits per tick". */
size_t sr_due_windows(int64_t cursor, int64_t iv, int64_t now, int64_t delay, size_t max, sr_window *out) {
    size_t n = 0;
    while (n < max) {
        sr_window w = sr_next_window(cursor, iv);
        if (!sr_window_due(w, now, delay)) break;
        out[n++] = w;
        cursor = w.end;
    }
    return n;
}

sr_window sr_backfill_window(int64_t pos, int64_t end, int64_t iv) {
    sr_window w = sr_next_window(pos, iv);
    if (w.end > end) w.end = end;
    return w;
}

int64_t sr_backoff(int failures, int64_t base, int64_t cap) {
    if (failures < 1) return 0;
    int64_t d = base;
    for (int i = 1; i < failures && d < cap; i++)
        d *= 2;
    return d < cap ? d : cap;
}

double sr_progress(int64_t requested_start, int64_t pos, int64_t end) {
    if (end <= requested_start) return 1.0;
    if (pos <= requested_start) return 0.0;
    if (pos >= end) return 1.0;
    return (double)(pos - requested_start) / (double)(end - requested_start);
}

/* Seed 002 validation (start < end, at most 30 days back) plus issue 9's: end not after
 * now − ingestionDelay, range aligned to the interval, the error naming the aligned range to use. */
sr_backfill_verdict sr_backfill_check(int64_t start, int64_t end, int64_t now, int64_t iv, int64_t delay,
                                      sr_window *suggest) {
    int64_t oldest = now - (int64_t)SR_BACKFILL_MAX_AGE_S * SR_TICKS;
    int64_t newest = now - delay;
    if (start >= end) return SR_BF_ORDER;
    if (start < oldest) return SR_BF_TOO_OLD;
    if (end > newest) return SR_BF_TOO_NEW;
    if (sr_align_floor(start, iv) == start && sr_align_floor(end, iv) == end) return SR_BF_OK;
    if (suggest) {
        /* Cover the requested range when the limits allow it, else shrink inward. */
        suggest->start = sr_align_floor(start, iv);
        if (suggest->start < oldest) suggest->start = sr_align_ceil(start, iv);
        suggest->end = sr_align_ceil(end, iv);
        if (suggest->end > newest) suggest->end = sr_align_floor(end, iv);
    }
    return SR_BF_UNALIGNED;
}

size_t sr_format_time(int64_t ticks, char out[DT_MAX]) {
    if (dt_floor_div(ticks, SR_TICKS) * SR_TICKS == ticks) return dt_format(dt_floor_div(ticks, SR_TICKS), out);
    return dt_format_ticks(ticks, out);
}
