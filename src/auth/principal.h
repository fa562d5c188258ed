/* principal.h -- who is calling: the API key's account and authorization level (seed 004,
 * Security Model). */
#ifndef ENTITYD_PRINCIPAL_H
#define ENTITYD_PRINCIPAL_H

#include <stdbool.h>
#include <stdint.h>

/* Ordered: a higher level includes the lower ones. Names match the GraphQL enum. */
typedef enum {
    AUTH_NONE = 0,
    AUTH_OHI_ONLY = 1,
    AUTH_CLOUD_INTEGRATED = 2,
    AUTH_SYNTHETIC = 3,
    AUTH_ADMIN = 4
} auth_level_t;

typedef struct {
    bool authenticated; /* a valid, unrevoked key was presented */
    int64_t key_id;
    int64_t account_id;
    auth_level_t level;
} principal_t;

/* The one account-access rule (seed 004 Security Model): a key reaches its own account; an ADMIN
 * key reaches every account. */
bool auth_may_access_account(const principal_t *p, int64_t account_id);

const char *auth_level_name(auth_level_t l);
int auth_level_parse(const char *name); /* -1 when unknown */

#endif
