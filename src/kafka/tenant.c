/* tenant.c -- tenant ids from record keys "tenant::rest" (seed 003, splitTenantKey). */
#include "kafka/tenant.h"

#include <string.h>

void kafka_split_tenant_key(arena_t *a, const char *key, const char **tenant, const char **rest) {
    *tenant = NULL;
    *rest = NULL;
    if (!key) return;
    const char *sep = strstr(key, "::");
    if (!sep) {
        *rest = arena_strdup(a, key);
        return;
    }
    *tenant = arena_strndup(a, key, (size_t)(sep - key));
    *rest = arena_strdup(a, sep + 2);
}

int kafka_tenant_of(arena_t *a, const char *key, const config_t *cfg, const char **tenant) {
    const char *t = NULL;
    const char *rest = NULL;
    kafka_split_tenant_key(a, key, &t, &rest);
    if (t && *t) {
        size_t n = strlen(t);
        if (n > KAFKA_TENANT_MAX) return -1;
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)t[i] < 0x20 || t[i] == 0x7f) return -1;
        *tenant = t;
        return 0;
    }
    /* Fallback of seed 003: the configured client id, when there is one. */
    *tenant = cfg && cfg->default_tenant && *cfg->default_tenant ? cfg->default_tenant : NULL;
    return 0;
}
