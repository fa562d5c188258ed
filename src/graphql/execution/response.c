/* response.c -- writing the response (spec §7.1 Response Format, §7.2 JSON serialization). */
#include "graphql/execution/response.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Shortest decimal digits that round-trip to d (ECMAScript Number::toString step 5: the
 * smallest k such that the k digits reproduce the value). Fills digits (no sign, no point)
 * and returns the decimal exponent n such that value = 0.d1d2... * 10^n. */
static int shortest_digits(double d, char *digits, size_t *ndigits) {
    char tmp[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
        if (strtod(tmp, NULL) == d || prec == 17) break;
    }
    /* tmp is "D.DDDDe[+-]XX" */
    size_t n = 0;
    const char *p = tmp;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9') digits[n++] = *p;
    int exp10 = atoi(p + 1);
    while (n > 1 && digits[n - 1] == '0')
        n--; /* trailing zeros are not significant */
    digits[n] = '\0';
    *ndigits = n;
    return exp10 + 1;
}

/* ECMAScript Number::toString(x) with radix 10 (ECMA-262 §6.1.6.1.20). */
void gql_write_number(buf_t *out, double d) {
    if (!isfinite(d)) {
        buf_puts(out, "null");
        return;
    }
    if (d == 0) {
        buf_putc(out, '0'); /* also -0 */
        return;
    }
    if (d < 0) {
        buf_putc(out, '-');
        d = -d;
    }
    char digits[40];
    size_t k;
    int n = shortest_digits(d, digits, &k);
    if ((int)k <= n && n <= 21) {
        buf_append(out, digits, k);
        for (int i = (int)k; i < n; i++)
            buf_putc(out, '0');
    } else if (0 < n && n <= 21) {
        buf_append(out, digits, (size_t)n);
        buf_putc(out, '.');
        buf_append(out, digits + n, k - (size_t)n);
    } else if (-6 < n && n <= 0) {
        buf_puts(out, "0.");
        for (int i = 0; i < -n; i++)
            buf_putc(out, '0');
        buf_append(out, digits, k);
    } else {
        buf_putc(out, digits[0]);
        if (k > 1) {
            buf_putc(out, '.');
            buf_append(out, digits + 1, k - 1);
        }
        buf_printf(out, "e%c%d", n - 1 >= 0 ? '+' : '-', abs(n - 1));
    }
}

void gql_response_write(buf_t *out, const gql_errors *errs, bool has_data, const gql_val *data) {
    buf_putc(out, '{');
    bool first = true;
    if (errs && errs->count) {
        buf_puts(out, "\"errors\":");
        gql_errors_write_json(errs, out);
        first = false;
    }
    if (has_data) {
        if (!first) buf_putc(out, ',');
        buf_puts(out, "\"data\":");
        size_t mark = out->len;
        if (!data || gql_val_write_json(data, out) != 0) {
            /* a completed result tree holds no OBJECT leaves; stay valid JSON regardless */
            out->len = mark;
            buf_puts(out, "null");
        }
    }
    buf_putc(out, '}');
}
