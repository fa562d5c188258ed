/* test_sr_windows.c -- the SummaryRules window math (src/summaryrules/windows.c, issue 9 "Windows" and
 * "Backfill"): alignment counted from the Unix epoch (including before 1970 and for intervals that do
 * not divide a day), the first window with and without ingestionDelay, the window after an interval
 * change, the catch-up bound (never skipping one), backfill validation and its suggested aligned range,
 * backfill windows clipped to the end, the 1-tick query end, backoff and progress. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "summaryrules/summaryrules.h"

#define S SR_TICKS
#define MIN (60 * S)
#define HOUR (3600 * S)
#define DAY (86400 * S)

/* 2024-01-01T00:00:00Z in ticks. */
#define T2024 (INT64_C(1704067200) * S)

static int64_t at(const char *rfc3339) {
    dt_instant t;
    assert_int_equal(dt_parse(rfc3339, strlen(rfc3339), 0, &t), 0);
    return dt_ticks(&t);
}

static void assert_time(int64_t ticks, const char *want) {
    char buf[DT_MAX];
    sr_format_time(ticks, buf);
    assert_string_equal(buf, want);
}

static void test_align_from_epoch(void **state) {
    (void)state;
    assert_int_equal(sr_align_floor(T2024 + 59 * MIN, HOUR), T2024);
    assert_int_equal(sr_align_floor(T2024, HOUR), T2024);
    assert_int_equal(sr_align_ceil(T2024 + 1, HOUR), T2024 + HOUR);
    assert_int_equal(sr_align_ceil(T2024, HOUR), T2024);
    /* 7 minutes does not divide an hour: boundaries are multiples of 420 s since 1970, not hour-based */
    int64_t seven = 7 * MIN;
    int64_t f = sr_align_floor(T2024 + 30 * MIN, seven);
    assert_int_equal(f % seven, 0);
    assert_true(f <= T2024 + 30 * MIN && T2024 + 30 * MIN < f + seven);
    assert_int_equal(f, (INT64_C(1704067200) + 1800) / 420 * 420 * S);
    /* a week counted from the epoch starts on Thursdays (1970-01-01 was one) */
    assert_time(sr_align_floor(at("2024-01-03T12:00:00Z"), 7 * DAY), "2023-12-28T00:00:00Z");
    /* before 1970 the floor still goes down, not toward zero */
    assert_int_equal(sr_align_floor(-1, HOUR), -HOUR);
    assert_int_equal(sr_align_floor(-HOUR, HOUR), -HOUR);
    assert_int_equal(sr_align_ceil(-HOUR + 1, HOUR), 0);
}

static void test_first_window(void **state) {
    (void)state;
    /* now 10:17 with a 1h interval and no delay: [09:00, 10:00) */
    sr_window w = sr_first_window(at("2024-01-01T10:17:42Z"), HOUR, 0);
    assert_time(w.start, "2024-01-01T09:00:00Z");
    assert_time(w.end, "2024-01-01T10:00:00Z");
    assert_true(sr_window_due(w, at("2024-01-01T10:17:42Z"), 0));
    /* a 20 minute ingestionDelay moves "now" back to 09:57: [08:00, 09:00) */
    w = sr_first_window(at("2024-01-01T10:17:42Z"), HOUR, 20 * MIN);
    assert_time(w.start, "2024-01-01T08:00:00Z");
    assert_time(w.end, "2024-01-01T09:00:00Z");
    /* exactly on a boundary: the window that just ended */
    w = sr_first_window(at("2024-01-01T10:00:00Z"), HOUR, 0);
    assert_time(w.start, "2024-01-01T09:00:00Z");
    /* 15 minute interval, delay 5 minutes, now 10:04: floor(09:59) = 09:45 */
    w = sr_first_window(at("2024-01-01T10:04:00Z"), 15 * MIN, 5 * MIN);
    assert_time(w.start, "2024-01-01T09:30:00Z");
    assert_time(w.end, "2024-01-01T09:45:00Z");
}

static void test_next_window_and_due(void **state) {
    (void)state;
    sr_window w = sr_next_window(T2024, HOUR);
    assert_int_equal(w.start, T2024);
    assert_int_equal(w.end, T2024 + HOUR);
    /* due only once its end is at or before now - delay */
    assert_false(sr_window_due(w, T2024 + HOUR - 1, 0));
    assert_true(sr_window_due(w, T2024 + HOUR, 0));
    assert_false(sr_window_due(w, T2024 + HOUR + 10 * MIN, 15 * MIN));
    assert_true(sr_window_due(w, T2024 + HOUR + 15 * MIN, 15 * MIN));
    /* the interval changed from 1h to 1d at 13:00: one shorter window up to midnight, then whole days */
    w = sr_next_window(T2024 + 13 * HOUR, DAY);
    assert_int_equal(w.start, T2024 + 13 * HOUR);
    assert_int_equal(w.end, T2024 + DAY);
    w = sr_next_window(w.end, DAY);
    assert_int_equal(w.start, T2024 + DAY);
    assert_int_equal(w.end, T2024 + 2 * DAY);
    /* from 1h to 15m at 13:00: already aligned */
    w = sr_next_window(T2024 + 13 * HOUR, 15 * MIN);
    assert_int_equal(w.end, T2024 + 13 * HOUR + 15 * MIN);
}

static void test_catch_up_bound(void **state) {
    (void)state;
    sr_window out[40];
    /* a server down for 25 hours: a 1h rule has 25 windows due, submitted 10 per tick, in order */
    int64_t cursor = T2024;
    int64_t now = T2024 + 25 * HOUR + 30 * MIN;
    size_t total = 0;
    int ticks = 0;
    for (;;) {
        size_t n = sr_due_windows(cursor, HOUR, now, 0, 10, out);
        if (n == 0) break;
        assert_true(n <= 10);
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(out[i].start, cursor); /* contiguous: none skipped, none repeated */
            assert_int_equal(out[i].end, cursor + HOUR);
            cursor = out[i].end;
        }
        total += n;
        ticks++;
    }
    assert_int_equal(total, 25);
    assert_int_equal(ticks, 3);
    assert_int_equal(cursor, T2024 + 25 * HOUR);
    /* the delay holds back the last one */
    assert_int_equal(sr_due_windows(T2024, HOUR, now, 45 * MIN, 40, out), 24);
    /* nothing due yet */
    assert_int_equal(sr_due_windows(T2024, HOUR, T2024 + 59 * MIN, 0, 40, out), 0);
    /* max 0 submits nothing */
    assert_int_equal(sr_due_windows(T2024, HOUR, now, 0, 0, out), 0);
}

static void test_backfill_check(void **state) {
    (void)state;
    int64_t now = at("2024-02-10T12:34:56Z");
    sr_window s;
    /* 48 aligned hours two days back */
    assert_int_equal(sr_backfill_check(at("2024-02-07T00:00:00Z"), at("2024-02-09T00:00:00Z"), now, HOUR, 0, &s),
                     SR_BF_OK);
    assert_int_equal(sr_backfill_check(at("2024-02-09T00:00:00Z"), at("2024-02-09T00:00:00Z"), now, HOUR, 0, &s),
                     SR_BF_ORDER);
    assert_int_equal(sr_backfill_check(at("2024-02-09T01:00:00Z"), at("2024-02-09T00:00:00Z"), now, HOUR, 0, &s),
                     SR_BF_ORDER);
    /* 30 days back is the limit (2024-01-11T12:34:56Z) */
    assert_int_equal(sr_backfill_check(at("2024-01-11T12:00:00Z"), at("2024-01-12T00:00:00Z"), now, HOUR, 0, &s),
                     SR_BF_TOO_OLD);
    assert_int_equal(sr_backfill_check(at("2024-01-11T13:00:00Z"), at("2024-01-12T00:00:00Z"), now, HOUR, 0, &s),
                     SR_BF_OK);
    /* end after now - delay */
    assert_int_equal(sr_backfill_check(at("2024-02-10T10:00:00Z"), at("2024-02-10T13:00:00Z"), now, HOUR, 0, &s),
                     SR_BF_TOO_NEW);
    assert_int_equal(sr_backfill_check(at("2024-02-10T10:00:00Z"), at("2024-02-10T12:00:00Z"), now, HOUR, 0, &s),
                     SR_BF_OK);
    assert_int_equal(sr_backfill_check(at("2024-02-10T10:00:00Z"), at("2024-02-10T12:00:00Z"), now, HOUR, 40 * MIN, &s),
                     SR_BF_TOO_NEW);
    /* unaligned: the suggestion covers the request */
    assert_int_equal(sr_backfill_check(at("2024-02-07T00:30:00Z"), at("2024-02-08T10:15:00Z"), now, HOUR, 0, &s),
                     SR_BF_UNALIGNED);
    assert_time(s.start, "2024-02-07T00:00:00Z");
    assert_time(s.end, "2024-02-08T11:00:00Z");
    /* ...unless that breaks a limit: then it shrinks inward */
    assert_int_equal(sr_backfill_check(at("2024-01-11T12:40:00Z"), at("2024-02-10T12:10:00Z"), now, HOUR, 0, &s),
                     SR_BF_UNALIGNED);
    assert_time(s.start, "2024-01-11T13:00:00Z");
    assert_time(s.end, "2024-02-10T12:00:00Z");
    /* a fraction of a second is unaligned too */
    assert_int_equal(sr_backfill_check(at("2024-02-07T00:00:00Z") + 1, at("2024-02-08T00:00:00Z"), now, HOUR, 0, &s),
                     SR_BF_UNALIGNED);
    assert_time(s.start, "2024-02-07T00:00:00Z");
    /* the end rounded up would be too new: rounded down instead */
    assert_int_equal(sr_backfill_check(at("2024-02-10T11:10:00Z"), at("2024-02-10T12:20:00Z"), now, HOUR, 0, &s),
                     SR_BF_UNALIGNED);
    assert_time(s.start, "2024-02-10T11:00:00Z");
    assert_time(s.end, "2024-02-10T12:00:00Z");
    /* nothing whole fits (now - delay is 11:54:56): start >= end in the suggestion */
    assert_int_equal(sr_backfill_check(at("2024-02-10T11:10:00Z"), at("2024-02-10T11:50:00Z"), now, HOUR, 40 * MIN, &s),
                     SR_BF_UNALIGNED);
    assert_true(s.start >= s.end);
}

static void test_backfill_windows(void **state) {
    (void)state;
    /* 48 windows of 1h from an aligned start, the last ending exactly at end */
    int64_t start = at("2024-02-07T00:00:00Z"), end = at("2024-02-09T00:00:00Z");
    int n = 0;
    for (int64_t pos = start; pos < end; n++) {
        sr_window w = sr_backfill_window(pos, end, HOUR);
        assert_int_equal(w.start, pos);
        assert_int_equal(w.end - w.start, HOUR);
        pos = w.end;
        if (pos >= end) assert_int_equal(pos, end);
    }
    assert_int_equal(n, 48);
    /* an interval changed mid-backfill: the window ends at the next boundary, clipped at end */
    sr_window w = sr_backfill_window(start + 15 * MIN, end, HOUR);
    assert_int_equal(w.end, start + HOUR);
    w = sr_backfill_window(end - 10 * MIN, end, DAY);
    assert_int_equal(w.end, end);
}

static void test_query_end_one_tick(void **state) {
    (void)state;
    /* Kusto receives _endTime = end - 1 tick, written with seven fraction digits */
    char buf[DT_MAX];
    dt_format_ticks(at("2024-01-01T01:00:00Z") - 1, buf);
    assert_string_equal(buf, "2024-01-01T00:59:59.9999999Z");
    dt_format_ticks(at("2024-01-01T00:00:00Z"), buf);
    assert_string_equal(buf, "2024-01-01T00:00:00.0000000Z");
    /* the API shows whole seconds without a fraction, anything else with seven digits */
    assert_time(at("2024-01-01T01:00:00Z"), "2024-01-01T01:00:00Z");
    assert_time(at("2024-01-01T01:00:00Z") - 1, "2024-01-01T00:59:59.9999999Z");
}

static void test_backoff_and_progress(void **state) {
    (void)state;
    assert_int_equal(sr_backoff(0, 60, 3600), 0);
    assert_int_equal(sr_backoff(1, 60, 3600), 60);
    assert_int_equal(sr_backoff(2, 60, 3600), 120);
    assert_int_equal(sr_backoff(4, 60, 3600), 480);
    assert_int_equal(sr_backoff(7, 60, 3600), 3600);
    assert_int_equal(sr_backoff(1000, 60, 3600), 3600);
    assert_true(sr_progress(0, 0, 48) == 0.0);
    assert_true(sr_progress(0, 12, 48) == 0.25);
    assert_true(sr_progress(0, 48, 48) == 1.0);
    assert_true(sr_progress(0, 60, 48) == 1.0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_align_from_epoch),    cmocka_unit_test(test_first_window),
        cmocka_unit_test(test_next_window_and_due), cmocka_unit_test(test_catch_up_bound),
        cmocka_unit_test(test_backfill_check),      cmocka_unit_test(test_backfill_windows),
        cmocka_unit_test(test_query_end_one_tick),  cmocka_unit_test(test_backoff_and_progress),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
