/* datetime.c -- RFC 3339 instants: parse, format, Kusto ticks. The civil-calendar conversions are
 * H. Hinnant's days_from_civil / civil_from_days (proleptic Gregorian). */
#include "util/datetime.h"

#include <stdio.h>
#include <string.h>

static int dt_digits(const char *s, size_t n) {
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static int64_t dt_days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void dt_civil_from_days(int64_t z, int64_t *y, int *m, int *d) {
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int dt_days_in_month(int y, int m) {
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
    return dm[m - 1];
}

int64_t dt_floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* Unix seconds of 0001-01-01T00:00:00Z and of 10000-01-01T00:00:00Z. */
#define DT_MIN_SECS INT64_C(-62135596800)
#define DT_END_SECS INT64_C(253402300800)

int dt_parse(const char *s, size_t len, int allow_leap, dt_instant *out) {
    if (len < 20) return -1;
    if (s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
        return -1;
    int y = dt_digits(s, 4), mo = dt_digits(s + 5, 2), d = dt_digits(s + 8, 2);
    int h = dt_digits(s + 11, 2), mi = dt_digits(s + 14, 2), se = dt_digits(s + 17, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 ||
        se > (allow_leap ? 60 : 59))
        return -1;
    if (d > dt_days_in_month(y, mo)) return -1;
    size_t i = 19;
    out->frac = NULL;
    out->nfrac = 0;
    if (s[i] == '.') {
        out->frac = s + ++i;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++, out->nfrac++;
        if (out->nfrac == 0 || out->nfrac > DT_MAX_FRAC) return -1;
    }
    if (i >= len) return -1;
    int offset = 0;
    if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == len) {
        offset = 0;
    } else if ((s[i] == '+' || s[i] == '-') && i + 6 == len && s[i + 3] == ':') {
        int oh = dt_digits(s + i + 1, 2), om = dt_digits(s + i + 4, 2);
        if (oh < 0 || oh > 23 || om < 0 || om > 59) return -1;
        offset = (oh * 60 + om) * 60 * (s[i] == '-' ? -1 : 1);
    } else {
        return -1;
    }
    out->secs = dt_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - offset;
    if (out->secs < DT_MIN_SECS || out->secs >= DT_END_SECS) return -1;
    return 0;
}

int64_t dt_ticks(const dt_instant *t) {
    int64_t sub = 0;
    for (size_t i = 0; i < 7; i++)
        sub = sub * 10 + (t->frac && i < t->nfrac ? t->frac[i] - '0' : 0);
    return t->secs * DT_TICKS_PER_SEC + sub;
}

/* Writes "YYYY-MM-DDTHH:MM:SS" (no zone); 0 when out of range. */
static size_t dt_format_secs(int64_t secs, char out[DT_MAX]) {
    out[0] = '\0';
    if (secs < DT_MIN_SECS || secs >= DT_END_SECS) return 0;
    int64_t days = dt_floor_div(secs, 86400), rem = secs - days * 86400, y;
    int m, d;
    dt_civil_from_days(days, &y, &m, &d);
    /* %04d, not strftime's %Y: RFC 3339 years have four digits (year 999 is "0999"). */
    return (size_t)snprintf(out, DT_MAX, "%04d-%02d-%02dT%02d:%02d:%02d", (int)y, m, d, (int)(rem / 3600),
                            (int)(rem / 60 % 60), (int)(rem % 60));
}

size_t dt_format(int64_t secs, char out[DT_MAX]) {
    size_t n = dt_format_secs(secs, out);
    if (n) n += (size_t)snprintf(out + n, DT_MAX - n, "Z");
    return n;
}

size_t dt_format_ticks(int64_t ticks, char out[DT_MAX]) {
    int64_t secs = dt_floor_div(ticks, DT_TICKS_PER_SEC);
    size_t n = dt_format_secs(secs, out);
    if (n) n += (size_t)snprintf(out + n, DT_MAX - n, ".%07lldZ", (long long)(ticks - secs * DT_TICKS_PER_SEC));
    return n;
}

size_t dt_format_instant(const dt_instant *t, char out[DT_MAX]) {
    size_t n = dt_format_secs(t->secs, out);
    if (!n) return 0;
    if (t->frac) n += (size_t)snprintf(out + n, DT_MAX - n, ".%.*s", (int)t->nfrac, t->frac);
    n += (size_t)snprintf(out + n, DT_MAX - n, "Z");
    return n;
}
