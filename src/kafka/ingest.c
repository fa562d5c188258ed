/* ingest.c -- POST /v1/events (shared/api/events.md): Kafka-style records become Kafka entities,
 * following the Event Processing Pipeline of seed 004 for each record: parse and validate, extract
 * identity, authorize, create or update the entity, transform and store metrics, create
 * relationships, update lifecycle. A bad record is rejected with its index and reason and never
 * spoils the rest; the accepted ones are written in one transaction committed before the response. */
#include "kafka/kafka.h"

#include <ctype.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth/auth.h"
#include "kafka/authorization.h"
#include "kafka/identity.h"
#include "kafka/lifecycle.h"
#include "kafka/metrics_map.h"
#include "kafka/relationships.h"
#include "kafka/tenant.h"
#include "util/datetime.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/strmap.h"

/* Bounds on what one record may carry. */
#define KAFKA_MAX_KEY 4096
#define KAFKA_MAX_NAME 256
#define KAFKA_MAX_ID 2048
#define KAFKA_MAX_TOPICS 1000
#define KAFKA_MAX_METRICS 1000
#define KAFKA_MAX_METADATA_DEPTH 64 /* nesting of value.metadata, as the JSON scalar allows */
#define KAFKA_MAX_METADATA 65536

/* One validated record, strings in the request arena. */
typedef struct {
    size_t index;
    int64_t account_id;
    const char *provider; /* "ohi", ... */
    const char *type;     /* the stored KafkaEntityType (legacy mapping applied) */
    const char *tenant;   /* NULL: none */
    const char *cluster_name;
    const char *member; /* NULL for clusters */
    const char *name;
    const char *hostname;
    const char *agent_id;
    const char *external_id;
    const char **topics;
    size_t ntopics;
    int64_t ts; /* event time, clamped to now */
    bool has_metric[KAFKA_NMETRICS];
    double metric[KAFKA_NMETRICS];
    const char *metadata_json; /* JSON object text, NULL when there is nothing to merge */
} kafka_record;

typedef struct {
    size_t index;
    const char *reason;
    const char *message;
} kafka_reject;

typedef struct {
    request_ctx *ctx;
    ptrvec_t accepted; /* kafka_record * */
    ptrvec_t rejected; /* kafka_reject * */
    strmap_t accounts; /* "id" -> account_t *, or &kafka_no_account */
    char *err;         /* the caller's message buffer (kafka_ingest) */
    size_t errlen;
    /* Unauthorized records, summarized in one warn line per batch (issue 11 item 9): how many, and
     * the first one's details. */
    size_t denied;
    const char *denied_reason;
    const char *denied_provider;
    int64_t denied_account;
    size_t denied_index;
    bool disk_full; /* the write failed because the disk is full (SQLITE_FULL) */
} kafka_batch;

static account_t kafka_no_account;

/* ---- time ---- */

/* An event timestamp: RFC 3339 (section 5.6) with 'T', a leap second allowed; the fraction is
 * dropped (times are stored in seconds). 0 and *out, or -1. */
static int kafka_parse_rfc3339(const char *s, int64_t *out) {
    size_t len = strlen(s);
    dt_instant t;
    if (len > 10 && s[10] == ' ') return -1; /* the event format asks for the 'T' form */
    if (dt_parse(s, len, 1, &t) != 0) return -1;
    *out = t.secs;
    return 0;
}

/* ---- validation ---- */

/* A bounded string field without control characters. Returns NULL (ok; *out NULL when absent or
 * null and not required) or the error message. */
static const char *kafka_string_field(arena_t *a, json_t *obj, const char *field, size_t maxlen, bool required,
                                      const char **out) {
    json_t *v = json_object_get(obj, field);
    *out = NULL;
    if (!v || json_is_null(v)) return required ? arena_printf(a, "value.%s is required", field) : NULL;
    if (!json_is_string(v)) return arena_printf(a, "value.%s must be a string", field);
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n == 0) return arena_printf(a, "value.%s must not be empty", field);
    if (n > maxlen) return arena_printf(a, "value.%s is longer than %zu bytes", field, maxlen);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return arena_printf(a, "value.%s contains a control character", field);
    *out = arena_strndup(a, s, n);
    return NULL;
}

static const char *kafka_validate_account(arena_t *a, json_t *value, int64_t *out) {
    json_t *v = json_object_get(value, "accountId");
    if (!v || json_is_null(v)) return "value.accountId is required";
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
    } else if (json_is_string(v)) {
        /* seed 004 types accountId as a string: accept its decimal form. */
        const char *s = json_string_value(v);
        size_t n = json_string_length(v);
        if (n == 0 || n > 18) return "value.accountId must be a positive integer";
        int64_t x = 0;
        for (size_t i = 0; i < n; i++) {
            if (!isdigit((unsigned char)s[i])) return "value.accountId must be a positive integer";
            x = x * 10 + (s[i] - '0');
        }
        *out = x;
    } else {
        return "value.accountId must be a positive integer";
    }
    if (*out <= 0) return arena_printf(a, "value.accountId must be a positive integer, got %" PRId64, *out);
    return NULL;
}

/* Identity fields by type (events.md): cluster clusterName; broker + brokerId; topic + topic;
 * consumer group + consumerGroup (and topics). */
static const char *kafka_validate_identity(arena_t *a, json_t *value, kafka_record *r) {
    const char *err = kafka_string_field(a, value, "clusterName", KAFKA_MAX_NAME, true, &r->cluster_name);
    if (err) return err;
    switch (kafka_type_kind(r->type)) {
    case KAFKA_KIND_CLUSTER:
        r->member = NULL;
        r->name = r->cluster_name;
        break;
    case KAFKA_KIND_BROKER: {
        json_t *b = json_object_get(value, "brokerId");
        if (json_is_integer(b)) {
            if (json_integer_value(b) < 0) return "value.brokerId must not be negative";
            r->member = arena_printf(a, "%" JSON_INTEGER_FORMAT, json_integer_value(b));
        } else if (b && !json_is_null(b) && !json_is_string(b)) {
            return "value.brokerId must be a string or an integer";
        } else if ((err = kafka_string_field(a, value, "brokerId", KAFKA_MAX_NAME, true, &r->member)) != NULL) {
            return err;
        }
        r->name = arena_printf(a, "broker-%s", r->member);
        break;
    }
    case KAFKA_KIND_TOPIC:
        err = kafka_string_field(a, value, "topic", KAFKA_MAX_NAME, true, &r->member);
        if (err) return err;
        r->name = r->member;
        break;
    case KAFKA_KIND_CONSUMER_GROUP: {
        err = kafka_string_field(a, value, "consumerGroup", KAFKA_MAX_NAME, true, &r->member);
        if (err) return err;
        r->name = r->member;
        json_t *topics = json_object_get(value, "topics");
        if (topics && !json_is_null(topics)) {
            if (!json_is_array(topics)) return "value.topics must be a list of topic names";
            size_t n = json_array_size(topics);
            if (n > KAFKA_MAX_TOPICS) return arena_printf(a, "value.topics has more than %d entries", KAFKA_MAX_TOPICS);
            r->topics = arena_alloc(a, (n ? n : 1) * sizeof *r->topics);
            for (size_t i = 0; i < n; i++) {
                json_t *t = json_array_get(topics, i);
                if (!json_is_string(t) || json_string_length(t) == 0 || json_string_length(t) > KAFKA_MAX_NAME)
                    return arena_printf(a, "value.topics[%zu] must be a non-empty topic name", i);
                r->topics[r->ntopics++] = arena_strndup(a, json_string_value(t), json_string_length(t));
            }
        }
        break;
    }
    default:
        return "unknown entity type";
    }
    const char *display = NULL;
    err = kafka_string_field(a, value, "name", KAFKA_MAX_NAME, false, &display);
    if (err) return err;
    if (display) r->name = display;
    return NULL;
}

/* Metrics: every value numeric; known names -> canonical (seed 004 table, earliest mapping wins),
 * unknown ones kept under metadata.unmappedMetrics. */
static const char *kafka_validate_metrics(arena_t *a, json_t *value, kafka_record *r, json_t *metadata) {
    json_t *metrics = json_object_get(value, "metrics");
    if (!metrics || json_is_null(metrics)) return NULL;
    if (!json_is_object(metrics)) return "value.metrics must be an object of metric names to numbers";
    if (json_object_size(metrics) > KAFKA_MAX_METRICS)
        return arena_printf(a, "value.metrics has more than %d entries", KAFKA_MAX_METRICS);
    size_t prio[KAFKA_NMETRICS] = {0};
    json_t *unmapped = NULL;
    const char *k;
    json_t *v;
    json_object_foreach(metrics, k, v) {
        if (!json_is_number(v) || !isfinite(json_number_value(v))) {
            json_decref(unmapped);
            return arena_printf(a, "value.metrics.%.200s must be a number", k);
        }
        size_t p = 0;
        const kafka_metric_mapping *m = kafka_metric_lookup(r->provider, k, &p);
        if (m) {
            if (!r->has_metric[m->canonical] || p < prio[m->canonical]) {
                r->has_metric[m->canonical] = true;
                r->metric[m->canonical] = json_number_value(v) * m->scale;
                prio[m->canonical] = p;
            }
        } else {
            if (!unmapped) unmapped = json_object();
            json_object_set(unmapped, k, v);
        }
    }
    if (unmapped) json_object_set_new(metadata, "unmappedMetrics", unmapped);
    return NULL;
}

/* True when j nests arrays/objects deeper than limit levels. The recursion stops at limit, so the
 * C stack stays bounded whatever jansson accepted (it allows 2048 levels). */
static bool kafka_json_deeper_than(const json_t *j, int limit) {
    if (!json_is_object(j) && !json_is_array(j)) return false;
    if (limit <= 0) return true;
    if (json_is_array(j)) {
        for (size_t i = 0; i < json_array_size(j); i++)
            if (kafka_json_deeper_than(json_array_get(j, i), limit - 1)) return true;
        return false;
    }
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)j, k, v) {
        if (kafka_json_deeper_than(v, limit - 1)) return true;
    }
    return false;
}

/* Builds the metadata object to merge: value.metadata plus hostname, agentId, topics and the unmapped
 * metrics already in `metadata` (a record's own "unmappedMetrics" key cannot replace those). */
static const char *kafka_build_metadata(arena_t *a, json_t *value, kafka_record *r, json_t *metadata) {
    json_t *md = json_object_get(value, "metadata");
    if (md && !json_is_null(md)) {
        if (!json_is_object(md)) return "value.metadata must be an object";
        /* Deeper metadata would make SQLite's json_patch fail and with it the whole batch, and clients
         * reading it back hit their own recursion limits. */
        if (kafka_json_deeper_than(md, KAFKA_MAX_METADATA_DEPTH))
            return arena_printf(a, "value.metadata nests deeper than %d levels", KAFKA_MAX_METADATA_DEPTH);
        json_t *unmapped = json_incref(json_object_get(metadata, "unmappedMetrics"));
        json_object_update(metadata, md);
        if (unmapped) json_object_set_new(metadata, "unmappedMetrics", unmapped);
    }
    if (r->hostname) json_object_set_new(metadata, "hostname", json_string(r->hostname));
    if (r->agent_id) json_object_set_new(metadata, "agentId", json_string(r->agent_id));
    if (r->ntopics) {
        json_t *t = json_array();
        for (size_t i = 0; i < r->ntopics; i++)
            json_array_append_new(t, json_string(r->topics[i]));
        json_object_set_new(metadata, "topics", t);
    }
    if (json_object_size(metadata) == 0) return NULL;
    char *text = json_dumps(metadata, JSON_COMPACT | JSON_SORT_KEYS);
    if (!text) return "value.metadata cannot be encoded";
    size_t n = strlen(text);
    if (n > KAFKA_MAX_METADATA) {
        free(text);
        return arena_printf(a, "metadata is larger than %d bytes", KAFKA_MAX_METADATA);
    }
    r->metadata_json = arena_strndup(a, text, n);
    free(text);
    return NULL;
}

/* Parse and validate one record (pipeline step 1 and identity extraction). NULL or the message. */
static const char *kafka_validate(request_ctx *ctx, json_t *rec, kafka_record *r) {
    arena_t *a = ctx->arena;
    if (!json_is_object(rec)) return "record must be a JSON object";

    json_t *key = json_object_get(rec, "key");
    const char *key_s = NULL;
    if (key && !json_is_null(key)) {
        if (!json_is_string(key)) return "key must be a string";
        if (json_string_length(key) > KAFKA_MAX_KEY)
            return arena_printf(a, "key is longer than %d bytes", KAFKA_MAX_KEY);
        key_s = arena_strndup(a, json_string_value(key), json_string_length(key));
    }
    if (kafka_tenant_of(a, key_s, ctx->cfg, &r->tenant) != 0)
        return arena_printf(a, "the key's tenant prefix must be at most %d bytes without control characters",
                            KAFKA_TENANT_MAX);

    json_t *ts = json_object_get(rec, "timestamp");
    int64_t t = ctx->now;
    if (ts && !json_is_null(ts)) {
        if (!json_is_string(ts) || kafka_parse_rfc3339(json_string_value(ts), &t) != 0)
            return "timestamp must be an RFC 3339 date-time, e.g. 2026-11-24T10:00:00Z";
        /* Kafka timestamps count from the Unix epoch; an earlier one is a broken producer clock. */
        if (t < 0) return "timestamp must not be before 1970-01-01T00:00:00Z";
    }
    r->ts = kafka_event_time(t, ctx->now);

    json_t *value = json_object_get(rec, "value");
    if (!json_is_object(value)) return "value must be a JSON object";

    const char *err = kafka_string_field(a, value, "provider", 64, true, &r->provider);
    if (err) return err;
    if (!kafka_provider_enum(r->provider))
        return arena_printf(a, "value.provider '%s' is not one of ohi, aws-msk, azure-eventhubs, confluent-cloud, api",
                            r->provider);
    const char *etype = NULL;
    err = kafka_string_field(a, value, "entityType", 64, true, &etype);
    if (err) return err;
    r->type = kafka_type_resolve(r->provider, etype);
    if (!r->type)
        return arena_printf(a, "value.entityType '%s' is not a valid entity type for provider %s", etype, r->provider);
    if ((err = kafka_validate_account(a, value, &r->account_id)) != NULL) return err;
    if ((err = kafka_validate_identity(a, value, r)) != NULL) return err;
    if ((err = kafka_string_field(a, value, "hostname", 255, false, &r->hostname)) != NULL) return err;
    if ((err = kafka_string_field(a, value, "agentId", 200, false, &r->agent_id)) != NULL) return err;
    if ((err = kafka_string_field(a, value, "externalId", KAFKA_MAX_ID, false, &r->external_id)) != NULL) return err;

    json_t *metadata = json_object();
    err = kafka_validate_metrics(a, value, r, metadata);
    if (!err) err = kafka_build_metadata(a, value, r, metadata);
    json_decref(metadata);
    return err;
}

/* ---- authorization (pipeline step 2 of synthesizeEntity) ---- */

/* The record's account, cached per batch. 0 (acc NULL when absent) or -1 on a store error. */
static int kafka_batch_account(kafka_batch *b, int64_t id, const account_t **acc) {
    char key[24];
    snprintf(key, sizeof key, "%" PRId64, id);
    account_t *cached = strmap_get(&b->accounts, key);
    if (!cached) {
        account_t *loaded = arena_alloc(b->ctx->arena, sizeof *loaded);
        int rc = auth_account_get(b->ctx->store, id, b->ctx->arena, loaded);
        if (rc < 0) return -1;
        cached = rc == 0 ? loaded : &kafka_no_account;
        strmap_put(&b->accounts, arena_strdup(b->ctx->arena, key), cached);
    }
    *acc = cached == &kafka_no_account ? NULL : cached;
    return 0;
}

static void kafka_batch_reject(kafka_batch *b, size_t index, const char *reason, const char *message) {
    kafka_reject *rj = arena_alloc(b->ctx->arena, sizeof *rj);
    rj->index = index;
    rj->reason = reason;
    rj->message = message;
    ptrvec_push(b->ctx->arena, &b->rejected, rj);
}

/* Validates and authorizes one parsed record, queueing it as accepted or rejected. -1 only on a
 * store error (the batch fails). */
static int kafka_batch_add(kafka_batch *b, size_t index, json_t *rec) {
    kafka_record *r = arena_alloc(b->ctx->arena, sizeof *r);
    r->index = index;
    const char *err = kafka_validate(b->ctx, rec, r);
    if (err) {
        kafka_batch_reject(b, index, "invalid", err);
        metrics_counter_add("entityd_ingest_rejected_total", "Ingested records rejected, by reason",
                            "reason=\"invalid\"", 1);
        log_debug("ingest record rejected", "index=%zu reason=invalid", index);
        return 0;
    }
    const account_t *acc = NULL;
    if (kafka_batch_account(b, r->account_id, &acc) != 0) return -1;
    kafka_authz_denial denial;
    if (kafka_authorize(b->ctx->arena, &b->ctx->principal, r->account_id, acc, r->provider, r->agent_id, &denial) !=
        0) {
        kafka_authz_report(&denial, r->account_id, r->provider, index);
        if (b->denied++ == 0) {
            b->denied_reason = denial.reason;
            b->denied_provider = r->provider;
            b->denied_account = r->account_id;
            b->denied_index = index;
        }
        kafka_batch_reject(b, index, denial.reason, denial.message);
        return 0;
    }
    ptrvec_push(b->ctx->arena, &b->accepted, r);
    return 0;
}

/* ---- storage (pipeline steps 3-6) ---- */

static const char kafka_tenant_sql[] =
    "INSERT INTO tenants(account_id, id, first_seen, last_seen) VALUES (?1, ?2, ?3, ?4)"
    " ON CONFLICT(account_id, id) DO UPDATE SET first_seen = min(first_seen, excluded.first_seen),"
    " last_seen = max(last_seen, excluded.last_seen)";

static const char kafka_select_sql[] =
    "SELECT last_seen, metrics_updated_at, throughput_in, throughput_out, consumer_lag,"
    " alert_severity FROM entities WHERE guid = ?1";

static const char kafka_insert_sql[] =
    "INSERT INTO entities(guid, account_id, type, provider, name, cluster_name, tenant, external_id, synthetic,"
    " created_at, last_seen, metadata, throughput_in, throughput_out, consumer_lag, metrics_updated_at,"
    " alert_severity) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10,"
    " CASE WHEN ?11 IS NULL THEN NULL ELSE json_patch('{}', ?11) END, ?12, ?13, ?14, ?15, ?16)";

#define KAFKA_UPDATE_SET                                                                                               \
    "UPDATE entities SET last_seen = ?2, name = coalesce(?3, name), external_id = coalesce(?4, external_id),"          \
    " metadata = CASE WHEN ?5 IS NULL THEN metadata ELSE json_patch(coalesce(metadata, '{}'), ?5) END,"                \
    " throughput_in = ?6, throughput_out = ?7, consumer_lag = ?8, metrics_updated_at = ?9"

static const char kafka_update_sql[] = KAFKA_UPDATE_SET ", alert_severity = ?10 WHERE guid = ?1";

/* The same without alert_severity, for the usual update that leaves the severity as it was (seed 004,
 * Entity Lifecycle Manager: severity follows the consumer lag thresholds). SQLite rewrites the entry
 * of every index on a column named in SET even when the value is unchanged, so assigning the same
 * severity dirtied a random page of entities_account_severity (migrations/0003) per record: 513 of
 * the 604 WAL frames of an update batch of bench/ingest.py at 100,000 entities. */
static const char kafka_update_keep_severity_sql[] = KAFKA_UPDATE_SET " WHERE guid = ?1";

static void kafka_bind_opt_text(sqlite3_stmt *st, int i, const char *s) {
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static void kafka_bind_opt_double(sqlite3_stmt *st, int i, bool has, double v) {
    if (has)
        sqlite3_bind_double(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

static int kafka_step_done(sqlite3_stmt *st) {
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static int kafka_write_record(request_ctx *ctx, const kafka_record *r) {
    store_t *s = ctx->store;
    kafka_identity id = {r->account_id, r->tenant, r->provider, r->type, r->cluster_name, r->member};
    const char *guid = kafka_guid(ctx->arena, &id);

    sqlite3_stmt *st = store_stmt(s, kafka_select_sql);
    if (!st) return -1;
    sqlite3_bind_text(st, 1, guid, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    bool exists = rc == SQLITE_ROW;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        sqlite3_reset(st);
        return -1;
    }
    int64_t last_seen = 0;
    char old_severity[16] = "";
    bool has_updated = false;
    int64_t updated_at = 0;
    bool has[KAFKA_NMETRICS] = {false};
    double val[KAFKA_NMETRICS] = {0};
    if (exists) {
        last_seen = sqlite3_column_int64(st, 0);
        has_updated = sqlite3_column_type(st, 1) != SQLITE_NULL;
        updated_at = sqlite3_column_int64(st, 1);
        for (int m = 0; m < KAFKA_NMETRICS; m++) {
            has[m] = sqlite3_column_type(st, 2 + m) != SQLITE_NULL;
            val[m] = sqlite3_column_double(st, 2 + m);
        }
        const unsigned char *sev = sqlite3_column_text(st, 2 + KAFKA_NMETRICS);
        if (sev) snprintf(old_severity, sizeof old_severity, "%s", (const char *)sev);
    }
    sqlite3_reset(st);

    /* Metrics: latest value and its time; an older event never overwrites a newer value. */
    bool any_metric = false;
    for (int m = 0; m < KAFKA_NMETRICS; m++)
        any_metric |= r->has_metric[m];
    if (any_metric && (!has_updated || r->ts >= updated_at)) {
        for (int m = 0; m < KAFKA_NMETRICS; m++)
            if (r->has_metric[m]) {
                has[m] = true;
                val[m] = r->metric[m];
            }
        has_updated = true;
        updated_at = r->ts;
    }
    const char *severity =
        kafka_alert_severity(has[KAFKA_METRIC_CONSUMER_LAG], val[KAFKA_METRIC_CONSUMER_LAG], ctx->cfg);

    if (!exists) {
        st = store_stmt(s, kafka_insert_sql);
        if (!st) return -1;
        sqlite3_bind_text(st, 1, guid, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, r->account_id);
        sqlite3_bind_text(st, 3, r->type, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, kafka_provider_enum(r->provider), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, r->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, r->cluster_name, -1, SQLITE_STATIC);
        kafka_bind_opt_text(st, 7, r->tenant);
        kafka_bind_opt_text(st, 8, r->external_id);
        sqlite3_bind_int(st, 9, strcmp(r->provider, "api") == 0);
        sqlite3_bind_int64(st, 10, r->ts);
        kafka_bind_opt_text(st, 11, r->metadata_json);
        for (int m = 0; m < KAFKA_NMETRICS; m++)
            kafka_bind_opt_double(st, 12 + m, has[m], val[m]);
        if (has_updated)
            sqlite3_bind_int64(st, 15, updated_at);
        else
            sqlite3_bind_null(st, 15);
        sqlite3_bind_text(st, 16, severity, -1, SQLITE_STATIC);
    } else {
        /* Lifecycle: last_seen never moves backwards; an older event does not rewrite what a newer
         * one said (name, externalId, metadata). */
        bool newer = r->ts >= last_seen;
        bool keep_severity = strcmp(old_severity, severity) == 0;
        st = store_stmt(s, keep_severity ? kafka_update_keep_severity_sql : kafka_update_sql);
        if (!st) return -1;
        sqlite3_bind_text(st, 1, guid, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, kafka_next_last_seen(last_seen, r->ts));
        kafka_bind_opt_text(st, 3, newer ? r->name : NULL);
        kafka_bind_opt_text(st, 4, newer ? r->external_id : NULL);
        kafka_bind_opt_text(st, 5, newer ? r->metadata_json : NULL);
        for (int m = 0; m < KAFKA_NMETRICS; m++)
            kafka_bind_opt_double(st, 6 + m, has[m], val[m]);
        if (has_updated)
            sqlite3_bind_int64(st, 9, updated_at);
        else
            sqlite3_bind_null(st, 9);
        if (!keep_severity) sqlite3_bind_text(st, 10, severity, -1, SQLITE_STATIC);
    }
    if (kafka_step_done(st) != 0) return -1;

    kafka_rel_entity rel = {id, guid, r->name, r->hostname, r->external_id, r->topics, r->ntopics};
    return kafka_relationships_store(s, ctx->arena, r->account_id, &rel, ctx->now) < 0 ? -1 : 0;
}

/* Tenants seen in a batch, each written once (seed 003: discovered from keys, first/last seen). */
typedef struct {
    int64_t account_id;
    const char *tenant;
    int64_t first, last;
} kafka_tenant_seen;

static int kafka_write_tenants(kafka_batch *b) {
    arena_t *a = b->ctx->arena;
    strmap_t seen;
    strmap_init(&seen, a);
    ptrvec_t list = {0};
    for (size_t i = 0; i < b->accepted.count; i++) {
        const kafka_record *r = b->accepted.items[i];
        if (!r->tenant) continue;
        char *k = arena_printf(a, "%" PRId64 ":%s", r->account_id, r->tenant);
        kafka_tenant_seen *t = strmap_get(&seen, k);
        if (!t) {
            t = arena_alloc(a, sizeof *t);
            t->account_id = r->account_id;
            t->tenant = r->tenant;
            t->first = t->last = r->ts;
            strmap_put(&seen, k, t);
            ptrvec_push(a, &list, t);
        }
        if (r->ts < t->first) t->first = r->ts;
        if (r->ts > t->last) t->last = r->ts;
    }
    for (size_t i = 0; i < list.count; i++) {
        const kafka_tenant_seen *t = list.items[i];
        sqlite3_stmt *st = store_stmt(b->ctx->store, kafka_tenant_sql);
        if (!st) return -1;
        sqlite3_bind_int64(st, 1, t->account_id);
        sqlite3_bind_text(st, 2, t->tenant, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, t->first);
        sqlite3_bind_int64(st, 4, t->last);
        if (kafka_step_done(st) != 0) return -1;
    }
    return 0;
}

/* One transaction for the whole batch, committed before the response (events.md: accepted records
 * are durable). */
static int kafka_write_batch(kafka_batch *b) {
    if (b->accepted.count == 0) return 0;
    store_t *s = b->ctx->store;
    if (store_begin(s) != 0) {
        b->disk_full = store_last_was_full(s);
        return -1;
    }
    if (kafka_write_tenants(b) != 0) {
        log_error("ingest tenant write failed", "error=\"%s\"", sqlite3_errmsg(store_db(s)));
        b->disk_full = store_check_full(s);
        store_rollback(s);
        return -1;
    }
    for (size_t i = 0; i < b->accepted.count; i++) {
        if (kafka_write_record(b->ctx, b->accepted.items[i]) != 0) {
            log_error("ingest write failed", "index=%zu error=\"%s\"", ((kafka_record *)b->accepted.items[i])->index,
                      sqlite3_errmsg(store_db(s)));
            b->disk_full = store_check_full(s);
            store_rollback(s);
            return -1;
        }
    }
    if (store_commit(s) != 0) {
        log_error("ingest commit failed", "error=\"%s\"", sqlite3_errmsg(store_db(s)));
        b->disk_full = store_last_was_full(s);
        store_rollback(s);
        return -1;
    }
    return 0;
}

/* ---- request ---- */

/* A batch that cannot be processed: the code and why (kafka.h). */
static kafka_ingest_code kafka_fail(kafka_batch *b, kafka_ingest_code code, const char *message) {
    snprintf(b->err, b->errlen, "%s", message);
    return code;
}

static bool kafka_blank(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!isspace((unsigned char)s[i])) return false;
    return true;
}

/* NDJSON: one record per non-blank line. A line that is not JSON is a rejected record; a body where
 * no line is JSON is not JSON at all (400). */
static kafka_ingest_code kafka_parse_ndjson(kafka_batch *b, const char *body, size_t len) {
    size_t max = b->ctx->cfg->max_batch_events;
    size_t lines = 0;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(body + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - body) : len;
        if (!kafka_blank(body + i, end - i)) lines++;
        i = end + 1;
    }
    if (lines == 0) return kafka_fail(b, KAFKA_INGEST_BAD_BODY, "empty body: send a JSON array of records or NDJSON");
    if (lines > max)
        return kafka_fail(
            b, KAFKA_INGEST_TOO_LARGE,
            arena_printf(b->ctx->arena, "too many records: %zu in one batch, the limit is %zu", lines, max));
    size_t index = 0;
    size_t parsed = 0;
    const char *first_error = NULL;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(body + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - body) : len;
        if (!kafka_blank(body + i, end - i)) {
            json_error_t jerr;
            json_t *rec = json_loadb(body + i, end - i, JSON_DECODE_ANY, &jerr);
            if (!rec) {
                const char *msg = arena_printf(b->ctx->arena, "invalid JSON: %s", jerr.text);
                if (!first_error) first_error = msg;
                kafka_batch_reject(b, index, "invalid", msg);
                metrics_counter_add("entityd_ingest_rejected_total", "Ingested records rejected, by reason",
                                    "reason=\"invalid\"", 1);
            } else {
                parsed++;
                int rc = kafka_batch_add(b, index, rec);
                json_decref(rec);
                if (rc != 0) return kafka_fail(b, KAFKA_INGEST_STORE_ERROR, "storage error");
            }
            index++;
        }
        i = end + 1;
    }
    if (parsed == 0)
        return kafka_fail(b, KAFKA_INGEST_BAD_BODY, arena_printf(b->ctx->arena, "body is not NDJSON: %s", first_error));
    return KAFKA_INGEST_OK;
}

static kafka_ingest_code kafka_parse_json(kafka_batch *b, const char *body, size_t len) {
    if (kafka_blank(body, len))
        return kafka_fail(b, KAFKA_INGEST_BAD_BODY, "empty body: send a JSON array of records or NDJSON");
    json_error_t jerr;
    json_t *root = json_loadb(body, len, JSON_DECODE_ANY, &jerr);
    if (!root)
        return kafka_fail(b, KAFKA_INGEST_BAD_BODY,
                          arena_printf(b->ctx->arena, "body is not JSON: %s at line %d column %d%s", jerr.text,
                                       jerr.line, jerr.column,
                                       json_error_code(&jerr) == json_error_numeric_overflow
                                           ? " (integers must fit in 64 bits: send larger ones as strings)"
                                           : " (newline-delimited records need Content-Type: application/x-ndjson)"));
    int rc = 0;
    if (json_is_object(root)) {
        /* A single record (an HTTP sink in single-record mode). */
        rc = kafka_batch_add(b, 0, root);
    } else if (json_is_array(root)) {
        size_t n = json_array_size(root);
        if (n > b->ctx->cfg->max_batch_events) {
            json_decref(root);
            return kafka_fail(b, KAFKA_INGEST_TOO_LARGE,
                              arena_printf(b->ctx->arena, "too many records: %zu in one batch, the limit is %zu", n,
                                           (size_t)b->ctx->cfg->max_batch_events));
        }
        for (size_t i = 0; i < n && rc == 0; i++)
            rc = kafka_batch_add(b, i, json_array_get(root, i));
    } else {
        json_decref(root);
        return kafka_fail(b, KAFKA_INGEST_BAD_BODY, "body must be a JSON array of records");
    }
    json_decref(root);
    if (rc != 0) return kafka_fail(b, KAFKA_INGEST_STORE_ERROR, "storage error");
    return KAFKA_INGEST_OK;
}

static int kafka_cmp_reject(const void *x, const void *y) {
    const kafka_reject *a = *(kafka_reject *const *)x;
    const kafka_reject *b = *(kafka_reject *const *)y;
    return a->index < b->index ? -1 : a->index > b->index;
}

kafka_ingest_code kafka_ingest(request_ctx *ctx, const char *body, size_t len, kafka_body_format format,
                               buf_t *response_json, char *err, size_t errlen) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    kafka_batch b;
    memset(&b, 0, sizeof b);
    b.ctx = ctx;
    b.err = err;
    b.errlen = errlen;
    if (!ctx->principal.authenticated)
        return kafka_fail(&b, KAFKA_INGEST_UNAUTHENTICATED, "a valid API-Key header is required");
    if (ctx->cfg->max_body_bytes && len > ctx->cfg->max_body_bytes)
        return kafka_fail(&b, KAFKA_INGEST_TOO_LARGE,
                          arena_printf(ctx->arena, "body of %zu bytes is over the limit of %zu", len,
                                       ctx->cfg->max_body_bytes));
    if (ctx->now <= 0) ctx->now = (int64_t)time(NULL);
    strmap_init(&b.accounts, ctx->arena);
    kafka_ingest_code rc = format == KAFKA_BODY_NDJSON ? kafka_parse_ndjson(&b, body ? body : "", len)
                                                       : kafka_parse_json(&b, body ? body : "", len);
    if (rc != KAFKA_INGEST_OK) return rc;
    if (b.denied)
        log_warn("unauthorized entity creation attempt",
                 "records=%zu first_reason=%s first_account=%" PRId64 " first_provider=%s first_index=%zu", b.denied,
                 b.denied_reason, b.denied_account, b.denied_provider ? b.denied_provider : "-", b.denied_index);
    if (kafka_write_batch(&b) != 0)
        return b.disk_full ? kafka_fail(&b, KAFKA_INGEST_DISK_FULL,
                                        "disk full: the batch was not stored; retry it once disk space is freed")
                           : kafka_fail(&b, KAFKA_INGEST_STORE_ERROR, "storage error: the batch was not stored, retry it");

    size_t accepted = b.accepted.count;
    size_t rejected = b.rejected.count;
    if (rejected > 1) qsort(b.rejected.items, rejected, sizeof *b.rejected.items, kafka_cmp_reject);
    buf_printf(response_json, "{\"accepted\":%zu,\"rejected\":%zu,\"errors\":[", accepted, rejected);
    for (size_t i = 0; i < rejected; i++) {
        const kafka_reject *rj = b.rejected.items[i];
        buf_printf(response_json, "%s{\"index\":%zu,\"reason\":", i ? "," : "", rj->index);
        buf_json_string(response_json, rj->reason, strlen(rj->reason));
        buf_puts(response_json, ",\"message\":");
        buf_json_string(response_json, rj->message, strlen(rj->message));
        buf_putc(response_json, '}');
    }
    buf_puts(response_json, "]}");

    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    metrics_counter_add("entityd_ingest_records_total", "Ingested records, by result", "result=\"accepted\"",
                        (double)accepted);
    metrics_counter_add("entityd_ingest_records_total", "Ingested records, by result", "result=\"rejected\"",
                        (double)rejected);
    metrics_observe("entityd_ingest_batch_seconds", "Time to validate and store one POST /v1/events batch", NULL, secs);
    log_info("ingest batch", "accepted=%zu rejected=%zu ms=%.1f", accepted, rejected, secs * 1000.0);
    return KAFKA_INGEST_OK;
}
