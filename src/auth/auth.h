/* auth.h -- accounts and API keys (seed 004 Security Model; issue 2).
 * Keys are 32 random bytes from the OS, shown once as "ek_" + base64url; only their SHA-256
 * is stored; lookups compare in constant time. */
#ifndef ENTITYD_AUTH_H
#define ENTITYD_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/principal.h"
#include "graphql/type/schema.h"
#include "store/store.h"
#include "util/arena.h"

typedef struct {
    int64_t id;
    const char *name;
    bool aws_integration;
    bool synthetic_permission;
    const char **infrastructure_agents; /* agent ids registered for OHI */
    size_t ninfrastructure_agents;
} account_t;

/* Validates an API-Key header value. 0 and *out filled (authenticated = true) for a valid,
 * unrevoked key; -1 otherwise (out->authenticated = false). */
int auth_authenticate(store_t *s, const char *api_key, principal_t *out);

/* On an empty store: creates account 1 and an ADMIN key, writes the key to
 * <data_dir>/admin.key (mode 0600) and logs the path (never the key). No-op otherwise. */
int auth_bootstrap(store_t *s, const char *data_dir, char *err, size_t errlen);

/* Loads an account (strings in arena a). 0 found, 1 not found, -1 error. */
int auth_account_get(store_t *s, int64_t id, arena_t *a, account_t *out);
bool auth_account_has_agent(const account_t *acc, const char *agent_id);

/* GraphQL: Actor.account/accounts, Account.*, createApiKey, revokeApiKey, updateAccount. */
extern const gql_binding auth_bindings[];
extern const size_t auth_nbindings;
/* The module descriptor (app.h). */
extern const struct app_module auth_module;

/* Helpers for resolvers of every module (set a FORBIDDEN/UNAUTHENTICATED error and return -1):
 * may the caller read account `account_id`? (a key of that account, or ADMIN) */
int auth_require_account(gql_resolve_info *info, int64_t account_id);
int auth_require_level(gql_resolve_info *info, auth_level_t level);

#endif
