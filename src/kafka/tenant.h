/* tenant.h -- tenant from a record key (seed 003, Option 1: Kafka message key prefix).
 * "af-10::event-uid-123" names tenant "af-10"; a key without "::" (or an empty prefix, or no
 * key) falls back to the configured default tenant, which may be NULL (no tenant). */
#ifndef ENTITYD_KAFKA_TENANT_H
#define ENTITYD_KAFKA_TENANT_H

#include <stddef.h>

#include "../config.h" /* src/config.h, not autoconf's */
#include "util/arena.h"

/* Longest tenant id accepted, in bytes. */
#define KAFKA_TENANT_MAX 256

/* splitTenantKey (seed 003): *tenant gets the part before the first "::" and *rest what follows;
 * without "::" *tenant is NULL and *rest the whole key. key may be NULL (both outputs NULL).
 * Strings are copied into a. */
void kafka_split_tenant_key(arena_t *a, const char *key, const char **tenant, const char **rest);

/* The tenant a record belongs to: the key's prefix, else cfg->default_tenant (NULL/empty: none).
 * Returns 0 with *tenant set (possibly NULL), or -1 when the prefix is longer than
 * KAFKA_TENANT_MAX or contains control characters (the record is rejected). */
int kafka_tenant_of(arena_t *a, const char *key, const config_t *cfg, const char **tenant);

#endif
