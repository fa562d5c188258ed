/* authorization.h -- per-record authorization of ingested Kafka events (seed 004, Security Model
 * and EntitySynthesisEngine.validateAuthorization). A record that fails is rejected with a reason,
 * logged at debug (the ingest writes one summarizing warning per batch) and counted in entityd_ingest_rejected_total{reason=...}; never fatal. */
#ifndef ENTITYD_KAFKA_AUTHORIZATION_H
#define ENTITYD_KAFKA_AUTHORIZATION_H

#include <stdint.h>

#include "auth/auth.h"
#include "auth/principal.h"
#include "util/arena.h"

typedef struct {
    const char *reason;  /* metric label: account_mismatch, unknown_account, key_level, agent, aws_integration,
                            synthetic_permission */
    const char *message; /* for the response's errors[].message (in the arena) */
} kafka_authz_denial;

/* The key level a provider needs: ohi OHI_ONLY, cloud providers CLOUD_INTEGRATED, api SYNTHETIC. */
auth_level_t kafka_provider_min_level(const char *provider);

/* May principal p write a record of `provider` for account `record_account`? acc is that account
 * (NULL when it does not exist); agent_id the record's agentId (NULL when absent).
 * Rules: the key's account must be the record's unless the key is ADMIN; the key's level must
 * reach kafka_provider_min_level(provider); and the account itself must allow the provider:
 * ohi a registered infrastructure agent, aws-msk the AWS integration, api the synthetic permission.
 * Returns 0 when allowed, -1 with *denial filled otherwise. */
int kafka_authorize(arena_t *a, const principal_t *p, int64_t record_account, const account_t *acc,
                    const char *provider, const char *agent_id, kafka_authz_denial *denial);

/* Counts a rejected record (entityd_ingest_rejected_total{reason}) and logs it at debug; the caller
 * writes one warning per batch. */
void kafka_authz_report(const kafka_authz_denial *denial, int64_t record_account, const char *provider, size_t index);

#endif
