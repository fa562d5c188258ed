/* datetime.h -- the one RFC 3339 (§5.6) parser and the one formatter of instants, in seconds or in
 * Kusto's 100 ns ticks (DESIGN: store UTC, ISO 8601 with Z; Kusto literals as
 * datetime(2024-01-01T00:00:00.0000000Z)). Years 0001-9999 only: RFC 3339 years have four digits. */
#ifndef ENTITYD_UTIL_DATETIME_H
#define ENTITYD_UTIL_DATETIME_H

#include <stddef.h>
#include <stdint.h>

#define DT_TICKS_PER_SEC INT64_C(10000000) /* a Kusto tick is 100 ns */
#define DT_MAX 64                          /* room for any formatted instant, NUL included */

typedef struct {
    int64_t secs;     /* Unix seconds, UTC (offset applied; a leap second 60 folds onto :59 + 1) */
    const char *frac; /* the fraction digits as written (into the parsed text), NULL when none */
    size_t nfrac;     /* at most DT_MAX_FRAC digits */
} dt_instant;

#define DT_MAX_FRAC 40

/* Parses YYYY-MM-DD(T|t| )HH:MM:SS[.frac](Z|z|+HH:MM|-HH:MM). allow_leap: accept second 60.
 * Returns 0, or -1 for anything else (including a UTC year outside 0001-9999). */
int dt_parse(const char *s, size_t len, int allow_leap, dt_instant *out);
/* The instant in ticks: seconds * 10^7 plus the first seven fraction digits (more are cut). */
int64_t dt_ticks(const dt_instant *t);

/* "YYYY-MM-DDTHH:MM:SSZ"; returns the length, or 0 (out = "") when the year is outside 0001-9999. */
size_t dt_format(int64_t secs, char out[DT_MAX]);
/* "YYYY-MM-DDTHH:MM:SS.fffffffZ" with exactly seven fraction digits (Kusto's form). */
size_t dt_format_ticks(int64_t ticks, char out[DT_MAX]);
/* RFC 3339 with the fraction as written: used to normalize DateTime input to UTC. */
size_t dt_format_instant(const dt_instant *t, char out[DT_MAX]);

/* Floor division for instants before 1970 (C division truncates toward zero). */
int64_t dt_floor_div(int64_t a, int64_t b);

#endif
