/* lifecycle.h -- entity state (seed 004, Entity Lifecycle Manager): reporting, alert severity,
 * and how an event moves last_seen. */
#ifndef ENTITYD_KAFKA_LIFECYCLE_H
#define ENTITYD_KAFKA_LIFECYCLE_H

#include <stdbool.h>
#include <stdint.h>

#include "../config.h" /* src/config.h, not autoconf's */

/* Reporting: the last event arrived within cfg->reporting_window seconds of now (computed at
 * query time from last_seen, so an entity stops reporting without any write). */
bool kafka_is_reporting(int64_t last_seen, int64_t now, const config_t *cfg);

/* AlertSeverity name from the canonical consumer lag: >= cfg->lag_critical "CRITICAL",
 * >= cfg->lag_warning "WARNING", else (or without a lag) "NOT_ALERTING". */
const char *kafka_alert_severity(bool has_lag, double consumer_lag, const config_t *cfg);

/* The time an event counts for: its timestamp, clamped to now (a clock ahead of ours must not keep
 * an entity reporting into the future). */
int64_t kafka_event_time(int64_t event_ts, int64_t now);

/* New last_seen after an event at event_time: never moves backwards, so an old event (older than
 * the reporting window, or just late) does not make an entity look older or younger than it is. */
int64_t kafka_next_last_seen(int64_t last_seen, int64_t event_time);

#endif
