/* authorization.c -- per-record ingest authorization (seed 004, Security Model). The key level
 * gates what a key may send at all; the account's own capabilities (AWS integration, registered
 * infrastructure agents, synthetic permission) gate what may be created in that account. */
#include "kafka/authorization.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "util/log.h"
#include "util/metrics.h"

auth_level_t kafka_provider_min_level(const char *provider) {
    if (!provider) return AUTH_ADMIN;
    if (strcmp(provider, "ohi") == 0) return AUTH_OHI_ONLY;
    if (strcmp(provider, "aws-msk") == 0 || strcmp(provider, "azure-eventhubs") == 0 ||
        strcmp(provider, "confluent-cloud") == 0)
        return AUTH_CLOUD_INTEGRATED;
    if (strcmp(provider, "api") == 0) return AUTH_SYNTHETIC;
    return AUTH_ADMIN;
}

static int kafka_deny(kafka_authz_denial *d, const char *reason, const char *message) {
    d->reason = reason;
    d->message = message;
    return -1;
}

int kafka_authorize(arena_t *a, const principal_t *p, int64_t record_account, const account_t *acc,
                    const char *provider, const char *agent_id, kafka_authz_denial *denial) {
    if (!p || !p->authenticated) return kafka_deny(denial, "unauthenticated", "a valid API-Key is required");
    if (!auth_may_access_account(p, record_account))
        return kafka_deny(denial, "account_mismatch",
                          arena_printf(a, "the API key belongs to account %" PRId64 ", not account %" PRId64,
                                       p->account_id, record_account));
    if (!acc)
        return kafka_deny(denial, "unknown_account",
                          arena_printf(a, "account %" PRId64 " does not exist", record_account));
    auth_level_t need = kafka_provider_min_level(provider);
    if (p->level < need)
        return kafka_deny(denial, "key_level",
                          arena_printf(a, "provider %s needs a %s key or higher, this key is %s", provider,
                                       auth_level_name(need), auth_level_name(p->level)));
    if (strcmp(provider, "ohi") == 0) {
        if (!agent_id || !*agent_id)
            return kafka_deny(denial, "agent", "Invalid infrastructure agent: ohi records need value.agentId");
        if (!auth_account_has_agent(acc, agent_id))
            return kafka_deny(denial, "agent",
                              arena_printf(a,
                                           "Invalid infrastructure agent: '%s' is not registered for account %" PRId64,
                                           agent_id, record_account));
    } else if (strcmp(provider, "aws-msk") == 0) {
        if (!acc->aws_integration)
            return kafka_deny(
                denial, "aws_integration",
                arena_printf(a, "AWS integration required for MSK entities (account %" PRId64 ")", record_account));
    } else if (strcmp(provider, "api") == 0) {
        if (!acc->synthetic_permission)
            return kafka_deny(
                denial, "synthetic_permission",
                arena_printf(a, "Synthetic entity creation not allowed for account %" PRId64, record_account));
    }
    return 0;
}

void kafka_authz_report(const kafka_authz_denial *denial, int64_t record_account, const char *provider, size_t index) {
    char labels[96];
    snprintf(labels, sizeof labels, "reason=\"%s\"", denial->reason);
    metrics_counter_add("entityd_ingest_rejected_total", "Ingested records rejected, by reason", labels, 1);
    /* one warn line per batch summarizes these (kafka_ingest); per record only at debug */
    log_debug("unauthorized entity creation attempt", "reason=%s account=%" PRId64 " provider=%s index=%zu",
              denial->reason, record_account, provider ? provider : "-", index);
}
