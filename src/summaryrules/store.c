/* store.c -- all SQL of the SummaryRules module (see store.h; tables in
 * migrations/0005_summary_rules.sql). Statements come from store_stmt(), which prepares each SQL text
 * once per connection and hands it back reset; every function resets what it stepped so no read
 * snapshot is left open. */
#include "summaryrules/store.h"

#include <stdio.h>
#include <string.h>

#include "util/log.h"

/* ---- column helpers ---- */

static const char *col_text(arena_t *a, sqlite3_stmt *st, int i) {
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(st, i)) : NULL;
}

static int64_t col_opt(sqlite3_stmt *st, int i) {
    return sqlite3_column_type(st, i) == SQLITE_NULL ? SR_NONE : sqlite3_column_int64(st, i);
}

static void bind_opt(sqlite3_stmt *st, int i, int64_t v) {
    if (v == SR_NONE)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_int64(st, i, v);
}

static void bind_text(sqlite3_stmt *st, int i, const char *s) {
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static int fail(store_t *s, sqlite3_stmt *st, const char *what) {
    log_error("summaryrules store failed", "what=%s error=\"%s\"", what, sqlite3_errmsg(store_db(s)));
    if (st) sqlite3_reset(st);
    return -1;
}

/* Steps a write statement; returns the rows it changed, or -1. */
static int run(store_t *s, sqlite3_stmt *st, const char *what) {
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE) return fail(s, st, what);
    sqlite3_reset(st);
    return sqlite3_changes(store_db(s));
}

/* ---- rules ---- */

#define SR_RULE_COLUMNS                                                                                                \
    "r.id, r.name, r.cluster_id, c.name, r.database_name, r.table_name, r.body, r.interval_s, r.ingestion_delay_s, "   \
    "r.criteria, r.created_at, r.updated_at, r.origin, r.next_start, r.last_success_end, r.retry_at, r.failures, "     \
    "r.last_error, r.last_error_at, "                                                                                  \
    "b.id, b.requested_start, b.start, b.end_ticks, b.operation_id, b.op_start, b.op_end, b.failures, "                \
    "b.permanent_failures, b.retry_at, b.state, b.message, b.created_at, "                                             \
    "(SELECT count(*) FROM summary_rule_windows w WHERE w.rule_id = r.id), "                                           \
    "(SELECT count(*) FROM summary_rule_operations o WHERE o.rule_id = r.id AND o.open = 1) "                          \
    "FROM summary_rules r LEFT JOIN adx_clusters c ON c.id = r.cluster_id "                                            \
    "LEFT JOIN summary_rule_backfills b ON b.rule_id = r.id "

static const char SQL_RULES[] = "SELECT " SR_RULE_COLUMNS "ORDER BY r.name";
static const char SQL_RULE[] = "SELECT " SR_RULE_COLUMNS "WHERE r.name = ?1";

static void read_rule(arena_t *a, sqlite3_stmt *st, sr_rule *r) {
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, 0);
    r->name = col_text(a, st, 1);
    r->cluster_id = sqlite3_column_int64(st, 2);
    r->cluster_name = col_text(a, st, 3);
    r->database = col_text(a, st, 4);
    r->table = col_text(a, st, 5);
    r->body = col_text(a, st, 6);
    r->interval_s = sqlite3_column_int64(st, 7);
    r->delay_s = col_opt(st, 8);
    r->criteria = col_text(a, st, 9);
    r->created_at = sqlite3_column_int64(st, 10);
    r->updated_at = sqlite3_column_int64(st, 11);
    r->origin = col_opt(st, 12);
    r->next_start = col_opt(st, 13);
    r->last_success_end = col_opt(st, 14);
    r->retry_at = sqlite3_column_int64(st, 15);
    r->failures = sqlite3_column_int(st, 16);
    r->last_error = col_text(a, st, 17);
    r->last_error_at = col_opt(st, 18);
    r->has_backfill = sqlite3_column_type(st, 19) != SQLITE_NULL;
    if (r->has_backfill) {
        sr_backfill *b = &r->bf;
        b->id = sqlite3_column_int64(st, 19);
        b->requested_start = sqlite3_column_int64(st, 20);
        b->start = sqlite3_column_int64(st, 21);
        b->end = sqlite3_column_int64(st, 22);
        b->operation_id = col_text(a, st, 23);
        b->op_window.start = col_opt(st, 24);
        b->op_window.end = col_opt(st, 25);
        b->failures = sqlite3_column_int(st, 26);
        b->permanent_failures = sqlite3_column_int(st, 27);
        b->retry_at = sqlite3_column_int64(st, 28);
        b->state = col_text(a, st, 29);
        b->message = col_text(a, st, 30);
        b->created_at = sqlite3_column_int64(st, 31);
    }
    r->nwindows = sqlite3_column_int64(st, 32);
    r->nopen_ops = sqlite3_column_int64(st, 33);
}

int sr_store_rules(store_t *s, arena_t *a, sr_rule **out, size_t *n) {
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = store_stmt(s, SQL_RULES);
    if (!st) return -1;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        *out = arena_grow(a, *out, *n, &cap, sizeof **out, 16);
        read_rule(a, st, &(*out)[(*n)++]);
    }
    if (rc != SQLITE_DONE) return fail(s, st, "list rules");
    sqlite3_reset(st);
    return 0;
}

int sr_store_rule(store_t *s, arena_t *a, const char *name, sr_rule *out) {
    sqlite3_stmt *st = store_stmt(s, SQL_RULE);
    if (!st) return -1;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        read_rule(a, st, out);
        sqlite3_reset(st);
        return 0;
    }
    if (rc != SQLITE_DONE) return fail(s, st, "read rule");
    sqlite3_reset(st);
    return 1;
}

static const char SQL_UPSERT[] =
    "INSERT INTO summary_rules (name, cluster_id, database_name, table_name, body, interval_s, ingestion_delay_s, "
    "criteria, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9) "
    "ON CONFLICT(name) DO UPDATE SET cluster_id = excluded.cluster_id, database_name = excluded.database_name, "
    "table_name = excluded.table_name, body = excluded.body, interval_s = excluded.interval_s, "
    "ingestion_delay_s = excluded.ingestion_delay_s, criteria = excluded.criteria, updated_at = excluded.updated_at, "
    /* a changed rule gets a fresh chance right away: a backoff earned by the old definition is dropped */
    "retry_at = 0, failures = 0";
static const char SQL_EXISTS[] = "SELECT 1 FROM summary_rules WHERE name = ?1";

int sr_store_rule_upsert(store_t *s, const sr_rule_def *d, int64_t now_s, bool *created, char *err, size_t errlen) {
    sqlite3_stmt *st = store_stmt(s, SQL_EXISTS);
    if (!st) return -1;
    sqlite3_bind_text(st, 1, d->name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return fail(s, st, "rule exists");
    *created = rc == SQLITE_DONE;
    sqlite3_reset(st);
    st = store_stmt(s, SQL_UPSERT);
    if (!st) return -1;
    sqlite3_bind_text(st, 1, d->name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, d->cluster_id);
    sqlite3_bind_text(st, 3, d->database, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, d->table, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, d->body, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, d->interval_s);
    bind_opt(st, 7, d->delay_s);
    bind_text(st, 8, d->criteria);
    sqlite3_bind_int64(st, 9, now_s);
    if (sqlite3_step(st) != SQLITE_DONE) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(store_db(s)));
        return fail(s, st, "upsert rule");
    }
    sqlite3_reset(st);
    return 0;
}

static const char SQL_DELETE[] = "DELETE FROM summary_rules WHERE name = ?1";

int sr_store_rule_delete(store_t *s, const char *name) {
    sqlite3_stmt *st = store_stmt(s, SQL_DELETE);
    if (!st) return -1;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int n = run(s, st, "delete rule");
    return n < 0 ? -1 : n == 0 ? 1 : 0;
}

/* ---- operations ---- */

#define SR_OP_COLUMNS                                                                                                  \
    "id, operation_id, kind, cluster_id, database_name, start, end_ticks, state, open, submitted_at, updated_at, "     \
    "missing_since, message FROM summary_rule_operations "

static const char SQL_OPS[] = "SELECT " SR_OP_COLUMNS "WHERE rule_id = ?1 ORDER BY id DESC";
static const char SQL_OPEN_OPS[] = "SELECT " SR_OP_COLUMNS "WHERE rule_id = ?1 AND open = 1 ORDER BY id LIMIT ?2";

static int read_ops(store_t *s, arena_t *a, sqlite3_stmt *st, sr_operation **out, size_t *n) {
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        *out = arena_grow(a, *out, *n, &cap, sizeof **out, 8);
        sr_operation *o = &(*out)[(*n)++];
        o->id = sqlite3_column_int64(st, 0);
        o->operation_id = col_text(a, st, 1);
        o->kind = col_text(a, st, 2);
        o->cluster_id = sqlite3_column_int64(st, 3);
        o->database = col_text(a, st, 4);
        o->window.start = sqlite3_column_int64(st, 5);
        o->window.end = sqlite3_column_int64(st, 6);
        o->state = col_text(a, st, 7);
        o->open = sqlite3_column_int(st, 8) != 0;
        o->submitted_at = sqlite3_column_int64(st, 9);
        o->updated_at = sqlite3_column_int64(st, 10);
        o->missing_since = col_opt(st, 11);
        o->message = col_text(a, st, 12);
    }
    if (rc != SQLITE_DONE) return fail(s, st, "read operations");
    sqlite3_reset(st);
    return 0;
}

int sr_store_operations(store_t *s, arena_t *a, int64_t rule_id, sr_operation **out, size_t *n) {
    sqlite3_stmt *st = store_stmt(s, SQL_OPS);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, rule_id);
    return read_ops(s, a, st, out, n);
}

int sr_store_open_operations(store_t *s, arena_t *a, int64_t rule_id, size_t limit, sr_operation **out, size_t *n) {
    sqlite3_stmt *st = store_stmt(s, SQL_OPEN_OPS);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, rule_id);
    sqlite3_bind_int64(st, 2, (int64_t)limit);
    return read_ops(s, a, st, out, n);
}

static const char SQL_INSERT_OP[] =
    "INSERT INTO summary_rule_operations (rule_id, operation_id, kind, cluster_id, database_name, start, end_ticks, "
    "state, open, submitted_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'Submitted', 1, ?8, ?8) "
    /* Kusto never reuses an id; should it answer one twice, the row is reopened rather than duplicated */
    "ON CONFLICT(rule_id, operation_id) DO UPDATE SET state = 'Submitted', open = 1, start = excluded.start, "
    "end_ticks = excluded.end_ticks, updated_at = excluded.updated_at, missing_since = NULL, message = NULL";

int sr_store_insert_operation(store_t *s, int64_t rule_id, const char *operation_id, const char *kind,
                              int64_t cluster_id, const char *database, sr_window w, int64_t now) {
    sqlite3_stmt *st = store_stmt(s, SQL_INSERT_OP);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, rule_id);
    sqlite3_bind_text(st, 2, operation_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, cluster_id);
    sqlite3_bind_text(st, 5, database, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, w.start);
    sqlite3_bind_int64(st, 7, w.end);
    sqlite3_bind_int64(st, 8, now);
    return run(s, st, "insert operation");
}

static const char SQL_UPDATE_OP[] = "UPDATE summary_rule_operations SET state = ?2, open = ?3, missing_since = ?4, "
                                    "message = ?5, updated_at = ?6 WHERE id = ?1";

int sr_store_operation_update(store_t *s, int64_t row_id, const char *state, bool open, int64_t missing_since,
                              const char *message, int64_t now) {
    sqlite3_stmt *st = store_stmt(s, SQL_UPDATE_OP);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, row_id);
    sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, open ? 1 : 0);
    bind_opt(st, 4, missing_since);
    bind_text(st, 5, message);
    sqlite3_bind_int64(st, 6, now);
    return run(s, st, "update operation");
}

/* The id of the 201st newest operation bounds what goes; open operations are never dropped. */
static const char SQL_PRUNE[] =
    "DELETE FROM summary_rule_operations WHERE rule_id = ?1 AND open = 0 AND id <= "
    "(SELECT id FROM summary_rule_operations WHERE rule_id = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)";

int sr_store_prune_operations(store_t *s, int64_t rule_id) {
    sqlite3_stmt *st = store_stmt(s, SQL_PRUNE);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, rule_id);
    sqlite3_bind_int(st, 2, SR_HISTORY_MAX);
    return run(s, st, "prune operations");
}

/* ---- schedule windows ---- */

static const char SQL_RETRY_WINDOWS[] =
    "SELECT start, end_ticks FROM summary_rule_windows WHERE rule_id = ?1 AND operation_id IS NULL "
    "AND retry_at <= ?2 ORDER BY start LIMIT ?3";

int sr_store_retry_windows(store_t *s, arena_t *a, int64_t rule_id, int64_t now, size_t limit, sr_window **out,
                           size_t *n) {
    *out = arena_alloc(a, (limit ? limit : 1) * sizeof **out);
    *n = 0;
    sqlite3_stmt *st = store_stmt(s, SQL_RETRY_WINDOWS);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, rule_id);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_int64(st, 3, (int64_t)limit);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < limit) {
        (*out)[*n].start = sqlite3_column_int64(st, 0);
        (*out)[*n].end = sqlite3_column_int64(st, 1);
        (*n)++;
    }
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) return fail(s, st, "retry windows");
    sqlite3_reset(st);
    return 0;
}

static const char SQL_FIRST_WAITING[] = "SELECT start, end_ticks FROM summary_rule_windows WHERE rule_id = ?1 AND "
                                        "operation_id IS NULL ORDER BY start LIMIT 1";

int sr_store_first_waiting_window(store_t *s, int64_t rule_id, sr_window *out) {
    sqlite3_stmt *st = store_stmt(s, SQL_FIRST_WAITING);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, rule_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->start = sqlite3_column_int64(st, 0);
        out->end = sqlite3_column_int64(st, 1);
        sqlite3_reset(st);
        return 0;
    }
    if (rc != SQLITE_DONE) return fail(s, st, "first waiting window");
    sqlite3_reset(st);
    return 1;
}

static const char SQL_WINDOW_NEW[] =
    "INSERT INTO summary_rule_windows (rule_id, start, end_ticks, operation_id) VALUES (?1, ?2, ?3, ?4)";

int sr_store_window_new(store_t *s, int64_t rule_id, sr_window w, const char *operation_id) {
    sqlite3_stmt *st = store_stmt(s, SQL_WINDOW_NEW);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, rule_id);
    sqlite3_bind_int64(st, 2, w.start);
    sqlite3_bind_int64(st, 3, w.end);
    sqlite3_bind_text(st, 4, operation_id, -1, SQLITE_STATIC);
    return run(s, st, "new window");
}

static const char SQL_WINDOW_RESUBMITTED[] =
    "UPDATE summary_rule_windows SET operation_id = ?3, attempts = attempts + 1 "
    "WHERE rule_id = ?1 AND start = ?2 AND operation_id IS NULL";

int sr_store_window_resubmitted(store_t *s, int64_t rule_id, int64_t start, const char *operation_id) {
    sqlite3_stmt *st = store_stmt(s, SQL_WINDOW_RESUBMITTED);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, rule_id);
    sqlite3_bind_int64(st, 2, start);
    sqlite3_bind_text(st, 3, operation_id, -1, SQLITE_STATIC);
    return run(s, st, "window resubmitted");
}

static const char SQL_WINDOW_DONE[] = "DELETE FROM summary_rule_windows WHERE rule_id = ?1 AND operation_id = ?2";
/* last_success_end: every window before the oldest one still open has completed (windows are created
 * contiguously from origin), so the run of completed windows ends there, or at next_start. */
static const char SQL_SUCCESS_END[] =
    "UPDATE summary_rules SET last_success_end = p.pos FROM (SELECT coalesce((SELECT min(start) FROM "
    "summary_rule_windows WHERE rule_id = ?1), (SELECT next_start FROM summary_rules WHERE id = ?1)) AS pos) AS p "
    "WHERE id = ?1 AND p.pos > origin AND (last_success_end IS NULL OR p.pos > last_success_end)";

int sr_store_window_completed(store_t *s, int64_t rule_id, const char *operation_id) {
    sqlite3_stmt *st = store_stmt(s, SQL_WINDOW_DONE);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, rule_id);
    sqlite3_bind_text(st, 2, operation_id, -1, SQLITE_STATIC);
    int n = run(s, st, "window completed");
    if (n <= 0) return n;
    st = store_stmt(s, SQL_SUCCESS_END);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, rule_id);
    if (run(s, st, "last success end") < 0) return -1;
    return n;
}

/* Backoff base * 2^(attempts - 1), capped, from the window's own count of attempts (SET expressions
 * see the row before the update, hence the two forms). */
#define SR_WINDOW_BACKOFF "?3 + min(?4 << min(attempts - 1, 20), ?5)"
#define SR_WINDOW_BACKOFF_NEXT "?3 + min(?4 << min(attempts, 20), ?5)"

static const char SQL_WINDOW_FAILED[] =
    "UPDATE summary_rule_windows SET operation_id = NULL, retry_at = " SR_WINDOW_BACKOFF
    " WHERE rule_id = ?1 AND operation_id = ?2";

static int window_backoff(store_t *s, const char *sql, int64_t rule_id, const char *operation_id, int64_t start,
                          int64_t now, int64_t base, int64_t cap, const char *what) {
    sqlite3_stmt *st = store_stmt(s, sql);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, rule_id);
    if (operation_id)
        sqlite3_bind_text(st, 2, operation_id, -1, SQLITE_STATIC);
    else
        sqlite3_bind_int64(st, 2, start);
    sqlite3_bind_int64(st, 3, now);
    sqlite3_bind_int64(st, 4, base);
    sqlite3_bind_int64(st, 5, cap);
    return run(s, st, what);
}

int sr_store_window_failed(store_t *s, int64_t rule_id, const char *operation_id, int64_t now, int64_t base,
                           int64_t cap) {
    return window_backoff(s, SQL_WINDOW_FAILED, rule_id, operation_id, 0, now, base, cap, "window failed");
}

static const char SQL_WINDOW_SUBMIT_FAILED[] =
    "UPDATE summary_rule_windows SET attempts = attempts + 1, retry_at = " SR_WINDOW_BACKOFF_NEXT
    " WHERE rule_id = ?1 AND start = ?2 AND operation_id IS NULL";

int sr_store_window_submit_failed(store_t *s, int64_t rule_id, int64_t start, int64_t now, int64_t base, int64_t cap) {
    return window_backoff(s, SQL_WINDOW_SUBMIT_FAILED, rule_id, NULL, start, now, base, cap, "window submit failed");
}

static const char SQL_RULE_SUBMITTED[] =
    "UPDATE summary_rules SET next_start = ?2, origin = coalesce(origin, ?3), failures = 0, retry_at = 0 "
    "WHERE id = ?1";

int sr_store_rule_submitted(store_t *s, int64_t rule_id, sr_window w) {
    sqlite3_stmt *st = store_stmt(s, SQL_RULE_SUBMITTED);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, rule_id);
    sqlite3_bind_int64(st, 2, w.end);
    sqlite3_bind_int64(st, 3, w.start);
    return run(s, st, "rule submitted");
}

static const char SQL_RULE_SUBMIT_FAILED[] = "UPDATE summary_rules SET failures = ?2, retry_at = ?3, last_error = ?4, "
                                             "last_error_at = ?5 WHERE id = ?1";

int sr_store_rule_submit_failed(store_t *s, int64_t rule_id, int failures, int64_t retry_at, const char *message,
                                int64_t now) {
    sqlite3_stmt *st = store_stmt(s, SQL_RULE_SUBMIT_FAILED);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, rule_id);
    sqlite3_bind_int(st, 2, failures);
    sqlite3_bind_int64(st, 3, retry_at);
    bind_text(st, 4, message);
    sqlite3_bind_int64(st, 5, now);
    return run(s, st, "rule submit failed");
}

static const char SQL_RULE_ERROR[] = "UPDATE summary_rules SET last_error = ?2, last_error_at = ?3 WHERE id = ?1";

int sr_store_rule_error(store_t *s, int64_t rule_id, const char *message, int64_t now) {
    sqlite3_stmt *st = store_stmt(s, SQL_RULE_ERROR);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, rule_id);
    bind_text(st, 2, message);
    sqlite3_bind_int64(st, 3, now);
    return run(s, st, "rule error");
}

static const char SQL_RULE_CLEAR_ERROR[] =
    "UPDATE summary_rules SET last_error = NULL, last_error_at = NULL WHERE id = ?1 AND last_error IS NOT NULL "
    "AND failures = 0 AND NOT EXISTS (SELECT 1 FROM summary_rule_windows WHERE rule_id = ?1 AND operation_id IS NULL)";

int sr_store_rule_clear_error(store_t *s, int64_t rule_id) {
    sqlite3_stmt *st = store_stmt(s, SQL_RULE_CLEAR_ERROR);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, rule_id);
    return run(s, st, "rule clear error");
}

/* ---- backfill ---- */

static const char SQL_BF_EXISTING[] = "SELECT state FROM summary_rule_backfills WHERE rule_id = ?1";
static const char SQL_BF_DELETE[] = "DELETE FROM summary_rule_backfills WHERE rule_id = ?1";
static const char SQL_BF_INSERT[] = "INSERT INTO summary_rule_backfills (rule_id, requested_start, start, end_ticks, "
                                    "created_at) VALUES (?1, ?2, ?2, ?3, ?4)";

int sr_store_backfill_start(store_t *s, int64_t rule_id, int64_t start, int64_t end, int64_t now_s) {
    sqlite3_stmt *st = store_stmt(s, SQL_BF_EXISTING);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, rule_id);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return fail(s, st, "backfill exists");
    bool running = rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), "FAILED") != 0;
    bool failed = rc == SQLITE_ROW && !running;
    sqlite3_reset(st);
    if (running) return 1;
    if (failed) {
        st = store_stmt(s, SQL_BF_DELETE);
        if (!st) return -1;
        sqlite3_bind_int64(st, 1, rule_id);
        if (run(s, st, "replace failed backfill") < 0) return -1;
    }
    st = store_stmt(s, SQL_BF_INSERT);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, rule_id);
    sqlite3_bind_int64(st, 2, start);
    sqlite3_bind_int64(st, 3, end);
    sqlite3_bind_int64(st, 4, now_s);
    return run(s, st, "start backfill") < 0 ? -1 : 0;
}

/* The operation of a cancelled backfill is left to finish in Kusto (issue 9) and keeps being polled,
 * so the history shows how it ended. */
static const char SQL_BF_NOTE[] =
    "UPDATE summary_rule_operations SET message = 'backfill cancelled: the operation is left to finish', "
    "updated_at = ?2 WHERE rule_id = ?1 AND open = 1 AND operation_id = "
    "(SELECT operation_id FROM summary_rule_backfills WHERE rule_id = ?1)";

int sr_store_backfill_cancel(store_t *s, int64_t rule_id, int64_t now) {
    sqlite3_stmt *st = store_stmt(s, SQL_BF_NOTE);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, rule_id);
    sqlite3_bind_int64(st, 2, now);
    if (run(s, st, "note cancelled operation") < 0) return -1;
    st = store_stmt(s, SQL_BF_DELETE);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, rule_id);
    int n = run(s, st, "cancel backfill");
    return n < 0 ? -1 : n == 0 ? 1 : 0;
}

static const char SQL_BF_SUBMITTED[] =
    "UPDATE summary_rule_backfills SET operation_id = ?2, op_start = ?3, op_end = ?4 "
    "WHERE id = ?1 AND operation_id IS NULL AND state = 'RUNNING'";

int sr_store_backfill_submitted(store_t *s, int64_t backfill_id, sr_window w, const char *operation_id) {
    sqlite3_stmt *st = store_stmt(s, SQL_BF_SUBMITTED);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, backfill_id);
    sqlite3_bind_text(st, 2, operation_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, w.start);
    sqlite3_bind_int64(st, 4, w.end);
    return run(s, st, "backfill submitted");
}

/* Seed 002 flow step 3: "If operation completes successfully: Advance start to window end time, clear
 * operationId". */
static const char SQL_BF_COMPLETED[] =
    "UPDATE summary_rule_backfills SET start = op_end, operation_id = NULL, op_start = NULL, op_end = NULL, "
    "failures = 0, permanent_failures = 0, retry_at = 0, message = NULL WHERE rule_id = ?1 AND operation_id = ?2";

int sr_store_backfill_completed(store_t *s, int64_t rule_id, const char *operation_id) {
    sqlite3_stmt *st = store_stmt(s, SQL_BF_COMPLETED);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, rule_id);
    sqlite3_bind_text(st, 2, operation_id, -1, SQLITE_STATIC);
    return run(s, st, "backfill completed");
}

/* Seed 002 flow step 4: "If operation fails: Handle error, clear operationId for retry"; issue 9: "a
 * non-retryable failure after N attempts marks the backfill failed with the message". */
static const char SQL_BF_FAILED[] =
    "UPDATE summary_rule_backfills SET operation_id = NULL, op_start = NULL, op_end = NULL, failures = failures + 1, "
    "permanent_failures = permanent_failures + ?4, retry_at = ?5, message = ?6, "
    "state = CASE WHEN permanent_failures + ?4 >= ?7 THEN 'FAILED' ELSE state END "
    "WHERE state = 'RUNNING' AND ((?3 IS NOT NULL AND rule_id = ?2 AND operation_id = ?3) "
    "OR (?3 IS NULL AND id = ?1 AND operation_id IS NULL))";

int sr_store_backfill_failed(store_t *s, int64_t backfill_id, int64_t rule_id, const char *operation_id, bool permanent,
                             int64_t retry_at, const char *message, int max_attempts) {
    sqlite3_stmt *st = store_stmt(s, SQL_BF_FAILED);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, backfill_id);
    sqlite3_bind_int64(st, 2, rule_id);
    bind_text(st, 3, operation_id);
    sqlite3_bind_int(st, 4, permanent ? 1 : 0);
    sqlite3_bind_int64(st, 5, retry_at);
    bind_text(st, 6, message);
    sqlite3_bind_int(st, 7, max_attempts);
    return run(s, st, "backfill failed");
}

static const char SQL_BF_DONE[] = "DELETE FROM summary_rule_backfills WHERE rule_id = ?1 AND state = 'RUNNING' "
                                  "AND operation_id IS NULL AND start >= end_ticks";

int sr_store_backfill_remove_done(store_t *s, int64_t rule_id) {
    sqlite3_stmt *st = store_stmt(s, SQL_BF_DONE);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, rule_id);
    return run(s, st, "backfill done");
}
