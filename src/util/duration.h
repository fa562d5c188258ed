/* duration.h -- the one duration syntax of the API and the config: "90s", "10m", "1h30m", "7d"
 * (units d, h, m, s in that order, each at most once). */
#ifndef ENTITYD_UTIL_DURATION_H
#define ENTITYD_UTIL_DURATION_H

#include <stddef.h>
#include <stdint.h>

#define DURATION_MAX 48

/* Returns 0 and *seconds, or -1 on bad syntax or overflow. */
int duration_parse(const char *s, size_t len, int64_t *seconds);
/* Canonical form: "1h30m"; "0s" for zero or less. */
void duration_format(int64_t seconds, char out[DURATION_MAX]);

#endif
