/* lifecycle.c -- reporting and alert severity of Kafka entities (seed 004, Entity Lifecycle
 * Manager: "reporting if we received data within threshold", default 5 minutes). */
#include "kafka/lifecycle.h"

bool kafka_is_reporting(int64_t last_seen, int64_t now, const config_t *cfg) {
    int64_t window = cfg ? cfg->reporting_window : 300;
    return now - last_seen <= window;
}

const char *kafka_alert_severity(bool has_lag, double consumer_lag, const config_t *cfg) {
    if (!has_lag || !cfg) return "NOT_ALERTING";
    if (consumer_lag >= cfg->lag_critical) return "CRITICAL";
    if (consumer_lag >= cfg->lag_warning) return "WARNING";
    return "NOT_ALERTING";
}

int64_t kafka_event_time(int64_t event_ts, int64_t now) {
    return event_ts > now ? now : event_ts;
}

int64_t kafka_next_last_seen(int64_t last_seen, int64_t event_time) {
    return event_time > last_seen ? event_time : last_seen;
}
