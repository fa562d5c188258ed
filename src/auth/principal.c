/* principal.c -- names of the authorization levels (seed 004 Security Model, enum
 * AuthorizationLevel), matching the GraphQL enum and the api_keys.level column. */
#include <stddef.h>
#include <string.h>

#include "auth/principal.h"

static const char *const level_names[] = {"NONE", "OHI_ONLY", "CLOUD_INTEGRATED", "SYNTHETIC", "ADMIN"};

const char *auth_level_name(auth_level_t l) {
    if ((int)l < AUTH_NONE || l > AUTH_ADMIN) return "NONE";
    return level_names[l];
}

int auth_level_parse(const char *name) {
    if (!name) return -1;
    for (int i = AUTH_NONE; i <= AUTH_ADMIN; i++)
        if (strcmp(name, level_names[i]) == 0) return i;
    return -1;
}

bool auth_may_access_account(const principal_t *p, int64_t account_id) {
    return p->authenticated && (p->level == AUTH_ADMIN || p->account_id == account_id);
}
