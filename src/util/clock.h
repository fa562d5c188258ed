/* clock.h -- "now" for the workers and requests. Real time, unless the test-only variable
 * ENTITYD_TEST_NOW_FILE names a file holding an RFC 3339 instant (or Unix seconds): then that
 * file is read on every call, so end-to-end tests can move time forward without sleeping
 * (SummaryRules windows, heartbeat TTLs). The server logs a warning at start when it is set. */
#ifndef ENTITYD_UTIL_CLOCK_H
#define ENTITYD_UTIL_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* Unix seconds, UTC. */
int64_t clock_now(void);
/* Kusto ticks (100 ns) since the Unix epoch. */
int64_t clock_now_ticks(void);
/* True when the test clock is in force. */
bool clock_is_fake(void);

#endif
