/* auth_internal.h -- helpers shared by the auth module's files and its unit tests (not part of
 * the auth contract in auth.h). */
#ifndef ENTITYD_AUTH_INTERNAL_H
#define ENTITYD_AUTH_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"
#include "auth/principal.h"
#include "store/store.h"
#include "util/arena.h"

/* A key is "ek_" followed by the unpadded base64url of 32 random bytes (43 characters). */
#define AUTH_KEY_PREFIX "ek_"
#define AUTH_KEY_RANDOM_BYTES 32
#define AUTH_KEY_LEN (3 + 43)
/* How much of a key is stored in clear for display (the "ek_" and 7 characters: 42 bits). */
#define AUTH_KEY_DISPLAY_LEN 10
/* Longest account, key and agent names, in bytes (also CHECKed by migrations/0001_accounts.sql). */
#define AUTH_NAME_MAX 200
/* Most infrastructure agents one account may list. */
#define AUTH_AGENTS_MAX 1000

/* Fills out with a new key (NUL-terminated); 0, or -1 when the OS gave no randomness. */
int auth_key_generate(char out[AUTH_KEY_LEN + 1]);
/* True when s has the shape of a key: the prefix, then exactly 43 base64url characters. */
bool auth_key_well_formed(const char *s);
/* Compares n bytes in time that depends only on n (not on where they differ). */
bool auth_ct_equal(const void *a, const void *b, size_t n);

/* Creates a key for an existing account inside the caller's transaction (or autocommit).
 * Writes the key to key_out and its row id to *id_out. 0, or -1 with a message. */
int auth_key_create(store_t *s, int64_t account_id, auth_level_t level, const char *name, int64_t now,
                    char key_out[AUTH_KEY_LEN + 1], int64_t *id_out, char *err, size_t errlen);
/* Marks a key revoked. 0 revoked, 1 unknown or already revoked, 2 refused because it is the last
 * valid ADMIN key (the server would be locked), -1 store error. */
int auth_key_revoke(store_t *s, int64_t id, int64_t now);

/* One API key as listed for ADMINs (never the key itself: only its display prefix). */
typedef struct {
    int64_t id;
    const char *name;
    auth_level_t level;
    const char *prefix;
    const char *created_at;
    const char *revoked_at; /* NULL while valid */
} auth_key_info;
/* The keys of an account by id (array in arena a), revoked ones too when include_revoked.
 * 0, or -1 on a store error. */
int auth_key_list(store_t *s, int64_t account_id, bool include_revoked, arena_t *a, auth_key_info **out, size_t *n);

/* Every account id, ascending (array in arena a). 0, or -1 on a store error. */
int auth_account_ids(store_t *s, arena_t *a, int64_t **ids, size_t *n);

/* updateAccount: NULL / absent fields are left unchanged; agents (when set_agents) replace the
 * account's list. Runs in its own transaction. 0 updated, 1 no such account, -1 store error. */
typedef struct {
    const char *name;
    bool set_aws, aws_integration;
    bool set_synthetic, synthetic_permission;
    bool set_agents;
    const char *const *agents;
    size_t nagents;
} auth_account_update_t;
int auth_account_update(store_t *s, int64_t id, const auth_account_update_t *u);
/* createAccount: a new account with u->name (required) and the other fields of u, with id *id
 * when *id > 0, else the next free id (written back to *id). Own transaction.
 * 0 created, 1 the id is taken, -1 store error. */
int auth_account_create(store_t *s, int64_t *id, const auth_account_update_t *u, int64_t now);

#endif
