/* plan.h -- the pure part of the federated role (seed 000, issue 8 "Federated role"), with no I/O so it is
 * unit-tested on its own: heartbeat rows -> validated partitions (every name from a heartbeat checked against
 * Kusto's naming rules; a bad one is an error and is skipped, never put into KQL), endpoint normalization and
 * merging, the desired entity groups and functions, the text of every command, change detection against what
 * the hub reports, and splitting statements into `.execute database script` batches under 1 MiB. */
#ifndef ENTITYD_FEDERATION_PLAN_H
#define ENTITYD_FEDERATION_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"

/* Bounds on what one reconcile accepts from heartbeats (a larger input is an error, never truncated). */
#define FED_MAX_PARTITIONS 10000
#define FED_MAX_DBS_PER_PARTITION 1000
#define FED_MAX_TABLES_PER_DB 10000
#define FED_MAX_SCHEMA_BYTES (8u << 20)
#define FED_MAX_METADATA_BYTES 65536
#define FED_MAX_NAME 1024
#define FED_SCRIPT_MAX_BYTES ((size_t)1 << 20) /* upstream splitKustoScripts: 1 MiB per script */
#define FED_GROUP_SUFFIX "_Partitions"         /* seed 000: {DatabaseName}_Partitions */
#define FED_MAX_ERRORS 200                     /* kept per run */

/* ---- errors of a run: (scope, message), bounded ---- */
typedef struct {
    int64_t at; /* unix seconds */
    const char *scope;
    const char *message;
} fed_error;

typedef struct {
    arena_t *arena;
    int64_t now;
    fed_error *items;
    size_t count, cap;
    size_t dropped; /* errors past FED_MAX_ERRORS: counted (and reported in one last error), not kept */
} fed_errlist;

void fed_errlist_init(fed_errlist *e, arena_t *a, int64_t now);
void fed_err(fed_errlist *e, const char *scope, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- partitions, as read from heartbeats ---- */
typedef struct {
    const char *name;
    const char **tables;
    size_t ntables;
    const char **views;
    size_t nviews;
} fed_pdb;

typedef struct {
    const char *endpoint;   /* normalized */
    int64_t last_heartbeat; /* ticks (100 ns since the Unix epoch) */
    bool live;
    fed_pdb *dbs; /* sorted by name */
    size_t ndbs;
    const char *metadata; /* compact JSON object, or NULL */
} fed_partition;

/* Whether a name from a heartbeat may be used: Kusto's entity naming rules (kql_is_valid_name) and at most
 * FED_MAX_NAME bytes. */
bool fed_name_ok(const char *s);

/* One heartbeat row (issue 8 step 2): the raw ClusterEndpoint, the Timestamp in ticks, the Schema dynamic as
 * JSON text ([{"database","tables","views"}], "tables"/"views" may be null as upstream sends them) and the
 * PartitionMetadata as JSON text (or NULL). A row whose endpoint or Schema is unusable is an error for that
 * endpoint only: returns -1 (skip the row). A bad database, table or view name is an error and only that name
 * is skipped. Returns 0 with *out filled (strings in a). */
int fed_parse_heartbeat(arena_t *a, const char *endpoint, int64_t ts, const char *schema, size_t schema_len,
                        const char *metadata, fed_partition *out, fed_errlist *errs);

/* Sorts by endpoint and merges rows whose normalized endpoints are equal (the latest heartbeat wins).
 * Returns the new count. */
size_t fed_merge_partitions(fed_partition *p, size_t n);

/* ---- the desired state ---- */
typedef struct {
    const char *table;      /* table or view name */
    const char *function;   /* prefix + table */
    const char **endpoints; /* sorted: the live partitions whose heartbeat lists this table in this database */
    size_t nendpoints;
} fed_want_fn;

typedef struct {
    const char *database;
    const char *group;      /* database + "_Partitions" */
    const char **endpoints; /* sorted: live partitions that have the database */
    size_t nendpoints;
    fed_want_fn *fns; /* sorted by function name */
    size_t nfns;
} fed_want_db;

typedef struct {
    fed_want_db *dbs; /* sorted by database */
    size_t ndbs;
    size_t nfns;
} fed_plan;

/* Builds the desired groups and functions from the live partitions (seed 000 ensureEntityGroups; issue 8
 * steps 4 and 5). A function whose name (prefix + table) is not a valid Kusto name is an error and skipped. */
void fed_plan_build(arena_t *a, const fed_partition *p, size_t n, const char *prefix, fed_plan *out, fed_errlist *errs);
const fed_want_db *fed_plan_db(const fed_plan *p, const char *database);

/* ---- command text ---- */
/* cluster('<endpoint>').database('<db>') (seed 000 Task 1.3); NULL when either holds a character that could
 * leave the literal (never the case for validated names). */
const char *fed_entity_ref(arena_t *a, const char *endpoint, const char *database);
/* .create entity_group / .alter entity_group <name> (<refs>); verb is "create" or "alter". */
const char *fed_group_command(arena_t *a, const char *verb, const fed_want_db *d);
const char *fed_group_drop_command(arena_t *a, const char *group);
/* The function body `{ macro-expand [isfuzzy=true] entity_group [<refs>] as X ( X.<Table> ) }`. */
const char *fed_function_body(arena_t *a, const fed_want_db *d, const fed_want_fn *f, bool best_effort);
const char *fed_function_docstring(arena_t *a, const fed_want_db *d, const fed_want_fn *f);
/* .create-or-alter function with (folder=..., docstring=..., skipvalidation="true") <name>() <body> */
const char *fed_function_command(arena_t *a, const char *name, const char *folder, const char *docstring,
                                 const char *body);
const char *fed_function_drop_command(arena_t *a, const char *name);

/* ---- change detection ---- */
/* Whether the Entities a hub reports (a JSON array of reference strings, as dynamic or string) hold exactly
 * the wanted members. References are compared after normalization (quote style, spacing, cluster case). */
bool fed_members_equal(arena_t *a, const fed_want_db *d, const char *entities);
/* Function bodies compared with whitespace runs collapsed (Kusto may reformat spacing). */
bool fed_body_equal(const char *x, const char *y);
/* True when the function is ours: in our folder and, when a prefix is set, named with it (issue 8 step 5:
 * never a function outside our folder/prefix). */
bool fed_function_is_ours(const char *name, const char *folder, const char *our_folder, const char *prefix);

/* ---- batching (upstream splitKustoScripts, with per-statement results read back) ---- */
#define FED_SCRIPT_HEAD ".execute database script with (ContinueOnErrors=true) <|\n"

typedef struct {
    const char *text; /* the whole command */
    size_t len;
    size_t *index; /* the statements it holds, as indexes into the caller's array, in order */
    size_t count;
} fed_batch;

/* Splits statements into scripts of less than max_bytes each (header included), in order. A statement that does
 * not fit an empty script is not sent: too_big[i] is set (an error for the caller to record). */
void fed_batch_statements(arena_t *a, const char *const *stmts, size_t n, size_t max_bytes, fed_batch **out,
                          size_t *nout, bool *too_big);

#endif
