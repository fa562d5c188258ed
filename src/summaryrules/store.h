/* store.h -- the SummaryRules module's SQL (store.c), over the tables of
 * migrations/0005_summary_rules.sql. Every statement is prepared once per connection (store_stmt's
 * cache) and reused. Reads put their strings in the caller's arena; writes are single statements,
 * and the caller (scheduler.c, resolvers.c) groups them into transactions. Instants are ticks;
 * SR_NONE marks an absent one. */
#ifndef ENTITYD_SUMMARYRULES_STORE_H
#define ENTITYD_SUMMARYRULES_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"
#include "summaryrules/summaryrules.h"
#include "util/arena.h"

#define SR_NONE INT64_MIN

typedef struct {
    int64_t id;
    int64_t requested_start;
    int64_t start; /* position: the start of the next window to run */
    int64_t end;
    const char *operation_id; /* NULL: none in flight */
    sr_window op_window;      /* the window of operation_id */
    int failures;             /* consecutive failures of the current window */
    int permanent_failures;
    int64_t retry_at;
    const char *state; /* "RUNNING" or "FAILED" */
    const char *message;
    int64_t created_at; /* unix seconds */
} sr_backfill;

typedef struct {
    int64_t id;
    const char *name;
    int64_t cluster_id;
    const char *cluster_name; /* adx_clusters.name */
    const char *database;
    const char *table;
    const char *body;
    int64_t interval_s;
    int64_t delay_s;                              /* SR_NONE when not set */
    const char *criteria;                         /* canonical JSON or NULL */
    int64_t created_at, updated_at;               /* unix seconds */
    int64_t origin, next_start, last_success_end; /* ticks or SR_NONE */
    int64_t retry_at;
    int failures;
    const char *last_error;
    int64_t last_error_at; /* ticks or SR_NONE */
    bool has_backfill;
    sr_backfill bf;
    int64_t nwindows;  /* schedule windows submitted and not completed (in flight or waiting for a retry) */
    int64_t nopen_ops; /* operations still polled */
} sr_rule;

typedef struct {
    int64_t id; /* row id */
    const char *operation_id;
    const char *kind; /* "SCHEDULE" or "BACKFILL" */
    int64_t cluster_id;
    const char *database;
    sr_window window;
    const char *state;
    bool open;
    int64_t submitted_at, updated_at, missing_since; /* ticks; missing_since SR_NONE */
    const char *message;
} sr_operation;

/* What upsertSummaryRule stores (validated). */
typedef struct {
    const char *name;
    int64_t cluster_id;
    const char *database;
    const char *table;
    const char *body;
    int64_t interval_s;
    int64_t delay_s;      /* SR_NONE when not set */
    const char *criteria; /* canonical JSON or NULL */
} sr_rule_def;

/* ---- reads ---- */
/* Every rule, by name, with its backfill and counts. 0 or -1. */
int sr_store_rules(store_t *st, arena_t *a, sr_rule **out, size_t *n);
/* One rule by name: 0 found, 1 not found, -1 error. */
int sr_store_rule(store_t *st, arena_t *a, const char *name, sr_rule *out);
/* The rule's operations, newest first (at most SR_HISTORY_MAX plus any still open). */
int sr_store_operations(store_t *st, arena_t *a, int64_t rule_id, sr_operation **out, size_t *n);
/* Operations still to poll, oldest first, at most limit. */
int sr_store_open_operations(store_t *st, arena_t *a, int64_t rule_id, size_t limit, sr_operation **out, size_t *n);
/* Schedule windows whose operation failed and whose retry time has come (now), oldest first. */
int sr_store_retry_windows(store_t *st, arena_t *a, int64_t rule_id, int64_t now, size_t limit, sr_window **out,
                           size_t *n);
/* The oldest window waiting for a retry: 0 found, 1 none, -1 error. */
int sr_store_first_waiting_window(store_t *st, int64_t rule_id, sr_window *out);

/* ---- rules (resolvers) ---- */
/* Insert or update by name; *created tells which. Position, windows and history stay. 0 or -1. */
int sr_store_rule_upsert(store_t *st, const sr_rule_def *d, int64_t now_s, bool *created, char *err, size_t errlen);
/* 0 deleted, 1 not found, -1 error (windows, backfill and history go with the rule). */
int sr_store_rule_delete(store_t *st, const char *name);

/* ---- backfill (resolvers) ---- */
/* Creates the rule's backfill; an existing FAILED one is replaced. 0, 1 when one is RUNNING, -1 error. */
int sr_store_backfill_start(store_t *st, int64_t rule_id, int64_t start, int64_t end, int64_t now_s);
/* Removes the backfill; an operation in flight stays in the history, still polled, with a note.
 * 0, 1 when there is none, -1 error. */
int sr_store_backfill_cancel(store_t *st, int64_t rule_id, int64_t now);

/* ---- scheduler writes (each one statement; the caller holds the transaction) ---- */
int sr_store_insert_operation(store_t *st, int64_t rule_id, const char *operation_id, const char *kind,
                              int64_t cluster_id, const char *database, sr_window w, int64_t now);
int sr_store_operation_update(store_t *st, int64_t row_id, const char *state, bool open, int64_t missing_since,
                              const char *message, int64_t now);
/* Keeps the newest SR_HISTORY_MAX operations of the rule (open ones always stay). */
int sr_store_prune_operations(store_t *st, int64_t rule_id);

/* A new schedule window was submitted: remember it with its operation and move the position. */
int sr_store_window_new(store_t *st, int64_t rule_id, sr_window w, const char *operation_id);
/* A waiting window was submitted again. Returns rows changed (1) or -1. */
int sr_store_window_resubmitted(store_t *st, int64_t rule_id, int64_t start, const char *operation_id);
/* The window's operation completed: forget the window and move last_success_end over completed ones.
 * Returns rows deleted (0: the operation belongs to no window) or -1. */
int sr_store_window_completed(store_t *st, int64_t rule_id, const char *operation_id);
/* The window's operation failed: the window waits until now + base * 2^(attempts - 1) (at most cap)
 * to be submitted again. Returns rows changed (0: the operation belongs to no window) or -1. */
int sr_store_window_failed(store_t *st, int64_t rule_id, const char *operation_id, int64_t now, int64_t base,
                           int64_t cap);
/* Submitting a waiting window failed again: one more attempt, the same backoff rule. */
int sr_store_window_submit_failed(store_t *st, int64_t rule_id, int64_t start, int64_t now, int64_t base, int64_t cap);
/* Position bookkeeping after a submission of a new window succeeded. */
int sr_store_rule_submitted(store_t *st, int64_t rule_id, sr_window w);
/* Submitting a new window failed: backoff and error on the rule. */
int sr_store_rule_submit_failed(store_t *st, int64_t rule_id, int failures, int64_t retry_at, const char *message,
                                int64_t now);
int sr_store_rule_error(store_t *st, int64_t rule_id, const char *message, int64_t now);
/* Clears the rule's error when no window waits for a retry and no submission is failing. */
int sr_store_rule_clear_error(store_t *st, int64_t rule_id);

/* The backfill's operation was stored. Returns rows changed (0: cancelled meanwhile) or -1. */
int sr_store_backfill_submitted(store_t *st, int64_t backfill_id, sr_window w, const char *operation_id);
/* The backfill's operation completed: position = its window end. Rows changed or -1. */
int sr_store_backfill_completed(store_t *st, int64_t rule_id, const char *operation_id);
/* The backfill's window failed (submission or operation). permanent counts towards max_attempts, after
 * which the backfill is FAILED with the message. Matched by operation_id when given, else by backfill_id.
 * Returns rows changed or -1. */
int sr_store_backfill_failed(store_t *st, int64_t backfill_id, int64_t rule_id, const char *operation_id,
                             bool permanent, int64_t retry_at, const char *message, int max_attempts);
/* Seed 002: "when start >= end: remove the backfill". Rows deleted or -1. */
int sr_store_backfill_remove_done(store_t *st, int64_t rule_id);

#endif
