/* clusters.h -- the ADX cluster configuration (seed 001 ADXCluster: role, endpoint, databases, federation
 * section): the model, its validation with per-field errors (shared by upsertAdxCluster and the
 * --adx-config file), endpoint normalization, and the lookup API the summaryrules module calls
 * (/work/notes/adx-shared-contract.md). Prefix adx_. */
#ifndef ENTITYD_FEDERATION_CLUSTERS_H
#define ENTITYD_FEDERATION_CLUSTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "graphql/jsutils/value.h"
#include "kusto/kusto.h"
#include "store/store.h"
#include "util/arena.h"

/* Defaults (issue 8 "Configuration"): heartbeat TTL 1h, folder federation_facades, empty prefix, and
 * bestEffort on (upstream always sends isfuzzy=true; seed 001's example sets bestEffort: true). */
#define ADX_DEFAULT_TTL 3600
#define ADX_DEFAULT_FOLDER "federation_facades"
#define ADX_DEFAULT_RETENTION_DAYS 30

/* Bounds on configuration (every list and string from outside is bounded). */
#define ADX_MAX_CLUSTER_NAME 100 /* seed 001: at most 100 characters */
#define ADX_MAX_DB_NAME 64       /* seed 001: 1-64 characters */
#define ADX_MAX_TABLE_NAME 1024  /* Kusto entity names */
#define ADX_MAX_ENDPOINT 512
#define ADX_MAX_DATABASES 100
#define ADX_MAX_TARGETS 32
#define ADX_MAX_SECRET 16384
#define ADX_MAX_ID 128            /* tenant and client ids */
#define ADX_MAX_PARTITIONING 8192 /* bytes of JSON */
#define ADX_MAX_PREFIX 64
#define ADX_MAX_FOLDER 256
#define ADX_MAX_TTL (30 * 86400)
#define ADX_MAX_RETENTION_DAYS 36500
#define ADX_MAX_CLUSTERS 1000

typedef enum { ADX_ROLE_PARTITION = 0, ADX_ROLE_FEDERATED = 1 } adx_role;

typedef struct {
    const char *name;
    const char *telemetry_type; /* Metrics, Logs or Traces */
    int retention_days;
    /* Status from the last check (not configuration): exists -1 unknown, 0 missing, 1 present. */
    int exists;
    int actual_retention_days; /* -1 when unknown */
    int64_t checked_at;        /* 0 when never */
    const char *last_error;
} adx_database;

typedef struct {
    const char *endpoint; /* normalized */
    const char *heartbeat_database;
    const char *heartbeat_table;
    const char *managed_identity_client_id; /* NULL: the cluster's own auth */
    /* Status of the last heartbeat (not configuration); 0 / NULL when none. */
    int64_t last_attempt_at;
    int64_t last_sent_at;
    const char *last_error;
} adx_target;

typedef struct {
    int64_t id;
    const char *name;
    const char *endpoint; /* normalized: lowercase scheme and host, no trailing slash */
    adx_role role;
    kusto_auth auth; /* secrets included: for the Kusto client only, never returned by the API */
    adx_database *databases;
    size_t ndatabases;
    /* Partition role */
    adx_target *targets;
    size_t ntargets;
    const char *partitioning; /* compact JSON object text, or NULL */
    /* Federated role (NULL / 0 on a partition) */
    const char *heartbeat_database;
    const char *heartbeat_table;
    int64_t heartbeat_ttl;       /* seconds; 0 = the default */
    const char *function_prefix; /* NULL = "" */
    int best_effort;             /* -1 = the default (true) */
    const char *folder;          /* NULL = the default */
    const char *source;          /* "api" or the --adx-config path */
    int64_t created_at, updated_at;
} adx_cluster;

/* Effective federated-role settings (defaults applied). */
int64_t adx_cluster_ttl(const adx_cluster *c);
const char *adx_cluster_prefix(const adx_cluster *c);
const char *adx_cluster_folder(const adx_cluster *c);
bool adx_cluster_best_effort(const adx_cluster *c);

const char *adx_role_name(adx_role r);             /* "PARTITION" / "FEDERATED" */
const char *adx_auth_kind_name(kusto_auth_kind k); /* "NONE" ... */
int adx_auth_kind_parse(const char *s, kusto_auth_kind *out);

/* One problem with one field of an input: field is a dotted path ("input.federatedClusters[0].endpoint"). */
typedef struct {
    const char *field;
    const char *message;
} adx_field_error;

typedef struct {
    arena_t *arena;
    adx_field_error *items;
    size_t count, cap;
} adx_errors;

void adx_errors_add(adx_errors *e, const char *field, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Validates an AdxClusterInput (a GQL_V_MAP from GraphQL, or one converted from the --adx-config JSON) into
 * *out (strings in a). Every bad field is reported, not only the first; field paths start with prefix
 * ("input"). Role and auth kind may be enum values or strings (the file spells "Partition" or "PARTITION");
 * heartbeatTTL may be seconds (the Duration scalar's coerced value) or a duration string ("1h").
 * Unknown fields are refused when strict (the file; GraphQL refuses them itself). Returns 0 when valid. */
int adx_cluster_validate(arena_t *a, const gql_val *input, const char *prefix, bool strict, adx_cluster *out,
                         adx_errors *errs);

/* Secrets are write-only: an upsert that keeps the auth kind may leave a secret out to keep the stored one
 * (existing: the stored cluster of that name, or NULL). Reports, under prefix, the secrets the kind needs
 * and nobody gave. */
void adx_cluster_complete_secrets(adx_cluster *c, const adx_cluster *existing, const char *prefix, adx_errors *errs);

/* Endpoint rules (seed 001 `endpoint`; Kusto cluster URIs): http or https, a host of letters, digits, '.'
 * and '-' (or a bracketed IPv6 literal), an optional port, nothing after but one optional '/'. The result
 * is lowercase in scheme and host with no trailing slash, so it is safe inside cluster('...'). Returns
 * the normalized copy in a, or NULL with *why set. */
const char *adx_endpoint_normalize(arena_t *a, const char *s, size_t len, const char **why);
/* True for a normalized endpoint on the loopback interface (127.0.0.0/8, localhost, [::1]). */
bool adx_endpoint_is_loopback(const char *normalized);
/* Whether auth may be sent to this endpoint: https, or a loopback host (tests and local emulators), or no
 * auth at all (issue 8: "https endpoints unless auth is NONE"). */
bool adx_endpoint_allows_auth(const char *normalized, kusto_auth_kind kind);

/* Seed 001 name rules. */
bool adx_cluster_name_valid(const char *s, size_t len);            /* ^[a-zA-Z0-9-]+$, at most 100 */
bool adx_simple_name_valid(const char *s, size_t len, size_t max); /* ^[a-zA-Z0-9_]+$, 1..max */

/* The Kusto target of the cluster itself, and the one a heartbeat to target t is sent with: the target's
 * managed identity when it names one (seed 001 managedIdentityClientId), else the cluster's own auth. */
kusto_target adx_cluster_target(const adx_cluster *c);
kusto_target adx_heartbeat_target(const adx_cluster *c, const adx_target *t);

/* ---- the API of /work/notes/adx-shared-contract.md (the summaryrules module calls these) ---- */
typedef struct {
    int64_t id;
    const char *name;
    const char *endpoint;
    const char *role; /* "PARTITION" or "FEDERATED" */
    kusto_target target;
} adx_cluster_ref;

/* Looks a cluster up by name; strings in arena a. 0 found, 1 not found, -1 error (message in err). */
int adx_cluster_lookup(store_t *st, arena_t *a, const char *name, adx_cluster_ref *out, char *err, size_t errlen);
/* Same by id (the summary_rules row keeps cluster_id). */
int adx_cluster_lookup_id(store_t *st, arena_t *a, int64_t id, adx_cluster_ref *out, char *err, size_t errlen);

/* --adx-config FILE (issue 8): {"clusters": [AdxClusterInput, ...]} applied at start as idempotent upserts
 * (source = the path) in one transaction, after validating every cluster. Returns 0, or -1 with a message
 * naming the cluster and the field in err (the server refuses to start). *applied counts changed clusters. */
int adx_config_load_file(store_t *st, const char *path, int64_t now, size_t *applied, char *err, size_t errlen);

#endif
