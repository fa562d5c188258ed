/* scheduler.c -- the SummaryRules worker tick (issue 9 "Windows", "Tracking", "Backfill", "Restart
 * safety", "Bad input and faults"; seed 002 execution flow). For each rule, in this order:
 *
 *  1. poll: every stored open operation is looked up with `.show operations <id>` on the cluster it
 *     runs on, and the answers are applied in one transaction. After a crash this is where the
 *     scheduler picks up: stored ids are polled, never resubmitted.
 *  2. schedule: windows whose operation failed are submitted again once their backoff has passed,
 *     then new windows from the rule's position while they are due, at most cfg->summary_max_windows
 *     submissions per rule per tick and at most that many windows open, never skipping one. Each
 *     accepted submission's operation id is committed before the next Kusto call.
 *  3. backfill (seed 002): one operation at a time; with none in flight, submit the window at `start`;
 *     `start` advances when that operation completes (step 1); at start >= end the backfill goes.
 *
 * A failure (Kusto error, 429/5xx after the client's own retries, a garbage answer) is written on the
 * operation and the rule, the rule stops for this tick, and the next tick goes on. */
#include "summaryrules/scheduler.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "federation/clusters.h"
#include "summaryrules/store.h"
#include "summaryrules/submit.h"
#include "util/arena.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/metrics.h"

/* Clusters looked up in this tick (rules share few clusters). */
#define SR_CLUSTER_CACHE 32

typedef struct {
    int64_t id;
    int found; /* 0 found, 1 not found, -1 error */
    adx_cluster_ref ref;
} sr_cluster_slot;

typedef struct {
    const sr_module_state *m;
    store_t *st;
    arena_t *tick_arena; /* cluster refs live for the tick */
    int64_t now;
    int64_t base; /* backoff base: one tick of the worker */
    int64_t cap;
    sr_tick_stats *stats;
    sr_cluster_slot clusters[SR_CLUSTER_CACHE];
    size_t nclusters;
    bool cancelled; /* the Kusto client was cancelled (shutdown): stop at once, write nothing more */
    bool store_failed;
} sr_tick_ctx;

static const char *code_name(kusto_code c) {
    switch (c) {
    case KUSTO_OK:
        return "ok";
    case KUSTO_E_NETWORK:
        return "network error";
    case KUSTO_E_TIMEOUT:
        return "timeout";
    case KUSTO_E_THROTTLED:
        return "throttled (429)";
    case KUSTO_E_SERVER:
        return "server error";
    case KUSTO_E_BAD_REQUEST:
        return "bad request";
    case KUSTO_E_AUTH:
        return "not authorized";
    case KUSTO_E_PARTIAL:
        return "partial failure";
    case KUSTO_E_PROTOCOL:
        return "malformed answer";
    case KUSTO_E_CANCELLED:
        return "cancelled";
    case KUSTO_E_INTERNAL:
        return "internal error";
    }
    return "error";
}

/* "<what>: <code> (HTTP n): <Kusto's message>", bounded. */
static const char *kusto_message(arena_t *a, const char *what, const kusto_error *e) {
    char msg[SR_MESSAGE_MAX];
    char http[24] = "";
    if (e->http_status) snprintf(http, sizeof http, " (HTTP %d)", e->http_status);
    char raw[SR_MESSAGE_MAX + 64];
    snprintf(raw, sizeof raw, "%s: %s%s%s%s", what, code_name(e->code), http, e->message[0] ? ": " : "", e->message);
    sr_bounded_copy(msg, sizeof msg, raw);
    return arena_strdup(a, msg);
}

static const char *bounded(arena_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static const char *bounded(arena_t *a, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *raw = arena_vprintf(a, fmt, ap);
    va_end(ap);
    char *msg = arena_alloc(a, SR_MESSAGE_MAX);
    sr_bounded_copy(msg, SR_MESSAGE_MAX, raw);
    return msg;
}

/* The cluster with this id, looked up once per tick; NULL with *why when it is gone or unreadable. */
static const adx_cluster_ref *cluster_of(sr_tick_ctx *t, int64_t id, int *found, const char **why) {
    sr_cluster_slot *slot = NULL;
    for (size_t i = 0; i < t->nclusters && !slot; i++)
        if (t->clusters[i].id == id) slot = &t->clusters[i];
    if (!slot) {
        slot =
            t->nclusters < SR_CLUSTER_CACHE ? &t->clusters[t->nclusters++] : arena_alloc(t->tick_arena, sizeof *slot);
        slot->id = id;
        char err[256] = "";
        slot->found = adx_cluster_lookup_id(t->st, t->tick_arena, id, &slot->ref, err, sizeof err);
        if (slot->found < 0)
            log_error("summaryrules cannot read a cluster", "cluster_id=%" PRId64 " error=\"%s\"", id, err);
    }
    *found = slot->found;
    *why = slot->found == 1 ? "the cluster no longer exists" : "the cluster cannot be read";
    return slot->found == 0 ? &slot->ref : NULL;
}

/* ---- transactions ---- */

static bool begin(sr_tick_ctx *t) {
    if (store_begin(t->st) == 0) return true;
    t->store_failed = true;
    return false;
}

static void commit(sr_tick_ctx *t, bool ok) {
    if (ok && store_commit(t->st) == 0) return;
    log_error("summaryrules write failed", "%s", "rolled back; the next tick repeats the work");
    store_rollback(t->st);
    t->store_failed = true;
}

/* ---- Kusto calls ---- */

/* Submits w of rule r: on success the GUID is in opid. On failure *msg says why and *permanent
 * whether sending the same command again is pointless. */
static kusto_code submit_window(sr_tick_ctx *t, arena_t *a, const sr_rule *r, const kusto_target *target, sr_window w,
                                char opid[SR_OPID_MAX], const char **msg, bool *permanent) {
    buf_t cmd = BUF_INIT;
    *permanent = false;
    if (sr_command_text(&cmd, r->table, w, r->body) != 0) {
        buf_free(&cmd);
        *msg = bounded(a, "cannot build the command: table \"%s\" is not a valid Kusto name", r->table);
        *permanent = true;
        return KUSTO_E_INTERNAL;
    }
    kusto_result *res = NULL;
    kusto_error err;
    memset(&err, 0, sizeof err);
    /* Not idempotent: the client must not send it again by itself after Kusto may have run it (a
     * window would append its rows twice); this scheduler decides, with its backoff. */
    kusto_code c =
        kusto_mgmt_ex(t->m->kusto, target, r->database, buf_cstr(&cmd), KUSTO_F_NOT_IDEMPOTENT, a, &res, &err);
    buf_free(&cmd);
    if (c == KUSTO_E_CANCELLED) t->cancelled = true;
    if (c != KUSTO_OK) {
        *msg = kusto_message(a, ".set-or-append async failed", &err);
        *permanent = err.permanent;
        t->stats->failures++;
        return c;
    }
    char why[256];
    if (sr_read_operation_id(res, opid, why, sizeof why) != 0) {
        *msg = bounded(a, "%s", why);
        t->stats->failures++;
        return KUSTO_E_PROTOCOL;
    }
    t->stats->submissions++;
    return KUSTO_OK;
}

/* ---- 1. poll ---- */

typedef struct {
    bool polled;
    bool error; /* the lookup failed: message says why */
    bool lost;  /* can never be looked up again (its cluster was deleted) */
    const char *message;
    sr_op_status status;
} sr_poll;

/* 0 for a store call that succeeded (any count of rows), -1 otherwise. */
static int written(int rc) {
    return rc < 0 ? -1 : 0;
}

/* Issue 9 "Tracking": applies one answer. Completed: the window goes (schedule) or the backfill
 * advances. ShouldRetry: the same window is submitted again at once. Failed: the window waits for
 * its backoff (never lost); a backfill counts a non-retryable failure. Not found: kept, until Kusto
 * can no longer know it (6 h after submission), then "Lost" and treated as a retryable failure. */
static int apply_poll(sr_tick_ctx *t, arena_t *a, sr_rule *r, const sr_operation *op, const sr_poll *p,
                      bool *backfill_changed) {
    store_t *st = t->st;
    int64_t now = t->now;
    const sr_op_status *s = &p->status;
    const char *status = s->status[0] ? s->status : NULL;
    if (p->error) {
        if (sr_store_operation_update(st, op->id, op->state, true, op->missing_since, p->message, now) < 0) return -1;
        return written(sr_store_rule_error(st, r->id, p->message, now));
    }
    bool lost = p->lost;
    switch (s->cls) {
    case SR_OP_PENDING:
        if (strcmp(s->state, op->state) == 0 && op->missing_since == SR_NONE) return 0;
        return written(sr_store_operation_update(st, op->id, s->state, true, SR_NONE, status, now));
    case SR_OP_NOT_FOUND:
        if (!lost && now - op->submitted_at < (int64_t)SR_NOT_FOUND_LOST_S * SR_TICKS) {
            if (op->missing_since != SR_NONE) return 0;
            return written(sr_store_operation_update(st, op->id, op->state, true, now,
                                                     "not found by .show operations yet; polled again next tick", now));
        }
        lost = true;
        break;
    case SR_OP_COMPLETED: {
        if (sr_store_operation_update(st, op->id, "Completed", false, SR_NONE, status, now) < 0) return -1;
        if (strcmp(op->kind, "BACKFILL") == 0) {
            *backfill_changed = true;
            return written(sr_store_backfill_completed(st, r->id, op->operation_id));
        }
        int n = sr_store_window_completed(st, r->id, op->operation_id);
        if (n < 0) return -1;
        r->nwindows -= n;
        return written(sr_store_rule_clear_error(st, r->id));
    }
    case SR_OP_FAILED:
        break;
    }
    /* Failed, another final state, or lost. */
    bool retry = !lost && s->should_retry;
    const char *msg;
    if (p->lost)
        msg = "its cluster was deleted, so it can never be looked up: the window is submitted again";
    else if (lost)
        msg = bounded(a,
                      "not found by .show operations %d h after submission (Kusto keeps these records %d h): the "
                      "window is submitted again",
                      SR_NOT_FOUND_LOST_S / 3600, SR_NOT_FOUND_LOST_S / 3600);
    else
        msg = bounded(a, "%s%s%s%s", s->state, status ? ": " : "", status ? status : "",
                      retry ? " (ShouldRetry: the same window is submitted again)" : "");
    if (sr_store_operation_update(st, op->id, lost ? "Lost" : s->state, false, SR_NONE, msg, now) < 0) return -1;
    char ws[DT_MAX], we[DT_MAX];
    sr_format_time(op->window.start, ws);
    sr_format_time(op->window.end, we);
    if (strcmp(op->kind, "BACKFILL") == 0) {
        *backfill_changed = true;
        int64_t wait = retry ? 0 : sr_backoff(r->bf.failures + 1, t->base, t->cap);
        return written(sr_store_backfill_failed(
            st, 0, r->id, op->operation_id, !lost && !retry, now + wait,
            bounded(a, "window [%s, %s) operation %s: %s", ws, we, op->operation_id, msg), SR_BACKFILL_MAX_ATTEMPTS));
    }
    int n = sr_store_window_failed(st, r->id, op->operation_id, now, retry ? 0 : t->base, t->cap);
    if (n <= 0 || retry) return written(n);
    return written(sr_store_rule_error(
        st, r->id, bounded(a, "window [%s, %s) operation %s failed: %s", ws, we, op->operation_id, msg), now));
}

/* Whether apply_poll would write anything: an operation still running in the same state is not
 * written again, so a quiet tick costs no write transaction. */
static bool poll_changes(const sr_tick_ctx *t, const sr_operation *op, const sr_poll *p) {
    if (p->error || p->lost) return true;
    switch (p->status.cls) {
    case SR_OP_PENDING:
        return strcmp(p->status.state, op->state) != 0 || op->missing_since != SR_NONE;
    case SR_OP_NOT_FOUND:
        return op->missing_since == SR_NONE || t->now - op->submitted_at >= (int64_t)SR_NOT_FOUND_LOST_S * SR_TICKS;
    default:
        return true;
    }
}

/* Polls the rule's open operations (issue 9 "poll open operations first"), then applies every answer
 * in one transaction. Returns false when a lookup failed (the rule then submits nothing this tick). */
static bool poll_rule(sr_tick_ctx *t, arena_t *a, sr_rule *r, bool *backfill_changed) {
    size_t limit = (size_t)t->m->cfg->summary_max_windows + 8;
    sr_operation *ops;
    size_t n;
    if (sr_store_open_operations(t->st, a, r->id, limit, &ops, &n) != 0) {
        t->store_failed = true;
        return false;
    }
    sr_poll *polls = arena_alloc(a, (n ? n : 1) * sizeof *polls);
    bool ok = true;
    size_t done = 0;
    for (; done < n && ok; done++) {
        const sr_operation *op = &ops[done];
        sr_poll *p = &polls[done];
        p->polled = true;
        const char *why = NULL;
        int found;
        const adx_cluster_ref *c = cluster_of(t, op->cluster_id, &found, &why);
        if (found == 1) {
            /* The cluster it ran on was deleted: it can never be looked up again, so it is lost and its
             * window is submitted again on the rule's cluster. */
            p->status.cls = SR_OP_NOT_FOUND;
            p->lost = true;
            continue;
        }
        if (!c) {
            p->error = true;
            p->message = bounded(a, "cannot look operation %s up: %s", op->operation_id, why);
            ok = false;
            continue;
        }
        buf_t cmd = BUF_INIT;
        if (sr_show_operation_text(&cmd, op->operation_id) != 0) { /* stored ids are GUIDs; never reached */
            buf_free(&cmd);
            p->status.cls = SR_OP_NOT_FOUND;
            continue;
        }
        kusto_result *res = NULL;
        kusto_error err;
        memset(&err, 0, sizeof err);
        kusto_code c2 = kusto_mgmt(t->m->kusto, &c->target, op->database, buf_cstr(&cmd), a, &res, &err);
        buf_free(&cmd);
        t->stats->polls++;
        if (c2 == KUSTO_E_CANCELLED) {
            t->cancelled = true;
            return false;
        }
        char why2[256];
        if (c2 != KUSTO_OK) {
            p->error = true;
            p->message = kusto_message(a, bounded(a, ".show operations %s failed", op->operation_id), &err);
        } else if (sr_read_operation_status(res, op->operation_id, &p->status, why2, sizeof why2) != 0) {
            p->error = true;
            p->message = bounded(a, ".show operations %s: %s", op->operation_id, why2);
        }
        if (p->error) {
            t->stats->failures++;
            ok = false;
        }
    }
    bool changes = false;
    for (size_t i = 0; i < done && !changes; i++)
        changes = polls[i].polled && poll_changes(t, &ops[i], &polls[i]);
    if (!changes) return ok;
    if (!begin(t)) return false;
    int rc = 0;
    for (size_t i = 0; i < done && rc == 0; i++)
        if (polls[i].polled) rc = apply_poll(t, a, r, &ops[i], &polls[i], backfill_changed);
    commit(t, rc == 0);
    return ok && rc == 0;
}

/* ---- 2. schedule ---- */

/* Records an accepted submission: the operation (history, polled from now on) and whatever moves
 * with it, in one transaction, before any other Kusto call (issue 9 "the operation id from the result
 * is stored with the window before anything else happens"). */
static void record_schedule(sr_tick_ctx *t, sr_rule *r, const adx_cluster_ref *c, sr_window w, const char *opid,
                            bool resubmitted) {
    if (!begin(t)) return;
    int rc = sr_store_insert_operation(t->st, r->id, opid, "SCHEDULE", c->id, r->database, w, t->now);
    if (rc >= 0) {
        if (resubmitted) {
            rc = sr_store_window_resubmitted(t->st, r->id, w.start, opid);
        } else {
            rc = sr_store_window_new(t->st, r->id, w, opid);
            if (rc >= 0) rc = sr_store_rule_submitted(t->st, r->id, w);
            if (rc >= 0 && r->failures > 0) rc = sr_store_rule_clear_error(t->st, r->id);
        }
    }
    if (rc >= 0) rc = sr_store_prune_operations(t->st, r->id);
    commit(t, rc >= 0);
}

static void schedule_rule(sr_tick_ctx *t, arena_t *a, sr_rule *r, const adx_cluster_ref *c) {
    const config_t *cfg = t->m->cfg;
    int64_t iv = r->interval_s * SR_TICKS;
    int64_t delay = r->delay_s == SR_NONE ? 0 : r->delay_s * SR_TICKS;
    size_t budget = (size_t)cfg->summary_max_windows;
    char opid[SR_OPID_MAX];
    const char *msg;
    bool permanent;

    /* Failed windows first, oldest first: none is lost. */
    if (r->nwindows > 0) {
        sr_window *retry;
        size_t n;
        if (sr_store_retry_windows(t->st, a, r->id, t->now, budget, &retry, &n) != 0) {
            t->store_failed = true;
            return;
        }
        for (size_t i = 0; i < n; i++) {
            kusto_code kc = submit_window(t, a, r, &c->target, retry[i], opid, &msg, &permanent);
            if (t->cancelled) return;
            if (kc != KUSTO_OK) {
                if (!begin(t)) return;
                int rc = sr_store_window_submit_failed(t->st, r->id, retry[i].start, t->now, t->base, t->cap);
                if (rc >= 0) rc = sr_store_rule_error(t->st, r->id, msg, t->now);
                commit(t, rc >= 0);
                return;
            }
            record_schedule(t, r, c, retry[i], opid, true);
            if (t->store_failed) return;
            budget--;
        }
    }
    if (r->retry_at > t->now) return;
    int64_t cursor = r->next_start != SR_NONE ? r->next_start : sr_first_window(t->now, iv, delay).start;
    while (budget > 0 && r->nwindows < (int64_t)cfg->summary_max_windows) {
        sr_window w = sr_next_window(cursor, iv);
        if (!sr_window_due(w, t->now, delay)) break;
        kusto_code kc = submit_window(t, a, r, &c->target, w, opid, &msg, &permanent);
        if (t->cancelled) return;
        if (kc != KUSTO_OK) {
            int failures = r->failures + 1;
            if (!begin(t)) return;
            char ws[DT_MAX], we[DT_MAX];
            sr_format_time(w.start, ws);
            sr_format_time(w.end, we);
            commit(t,
                   sr_store_rule_submit_failed(t->st, r->id, failures, t->now + sr_backoff(failures, t->base, t->cap),
                                               bounded(a, "window [%s, %s): %s", ws, we, msg), t->now) >= 0);
            return;
        }
        record_schedule(t, r, c, w, opid, false);
        if (t->store_failed) return;
        r->failures = 0;
        r->nwindows++;
        cursor = w.end;
        budget--;
    }
}

/* ---- 3. backfill (seed 002 execution flow) ---- */

static void backfill_step(sr_tick_ctx *t, arena_t *a, sr_rule *r, const adx_cluster_ref *c) {
    sr_backfill *bf = &r->bf;
    if (!r->has_backfill || strcmp(bf->state, "RUNNING") != 0 || bf->operation_id) return;
    if (bf->start >= bf->end) { /* step 5: "If start >= end: Remove entire backfill" */
        if (!begin(t)) return;
        commit(t, sr_store_backfill_remove_done(t->st, r->id) >= 0);
        log_info("summaryrules backfill completed", "rule=%s", r->name);
        return;
    }
    if (bf->retry_at > t->now) return;
    /* step 1: "If operationId is empty and start < end: Submit next backfill window, store operation ID" */
    sr_window w = sr_backfill_window(bf->start, bf->end, r->interval_s * SR_TICKS);
    char opid[SR_OPID_MAX];
    const char *msg;
    bool permanent;
    kusto_code kc = submit_window(t, a, r, &c->target, w, opid, &msg, &permanent);
    if (t->cancelled) return;
    if (!begin(t)) return;
    int rc;
    if (kc != KUSTO_OK) {
        char ws[DT_MAX], we[DT_MAX];
        sr_format_time(w.start, ws);
        sr_format_time(w.end, we);
        rc = sr_store_backfill_failed(t->st, bf->id, r->id, NULL, permanent,
                                      t->now + sr_backoff(bf->failures + 1, t->base, t->cap),
                                      bounded(a, "window [%s, %s): %s", ws, we, msg), SR_BACKFILL_MAX_ATTEMPTS);
    } else {
        rc = sr_store_insert_operation(t->st, r->id, opid, "BACKFILL", c->id, r->database, w, t->now);
        int n = rc < 0 ? -1 : sr_store_backfill_submitted(t->st, bf->id, w, opid);
        if (n == 0) /* cancelled while the command was on its way: the operation is left to finish */
            n = sr_store_rule_error(t->st, r->id,
                                    "backfill cancelled while a window was submitted: its operation "
                                    "is left to finish",
                                    t->now);
        rc = n < 0 ? -1 : sr_store_prune_operations(t->st, r->id);
    }
    commit(t, rc >= 0);
}

/* ---- the tick ---- */

static void rule_tick(sr_tick_ctx *t, sr_rule *r) {
    arena_t *a = arena_new();
    t->stats->rules++;
    bool matched = sr_criteria_match(r->criteria, &t->m->labels);
    if (!matched) t->stats->skipped++;
    bool backfill_changed = false;
    bool healthy = r->nopen_ops == 0 || poll_rule(t, a, r, &backfill_changed);
    /* Issue 9 "Criteria": a rule whose criteria do not match is skipped, not run (what it already
     * has in flight is still followed to its end above). */
    if (!healthy || !matched || t->cancelled || t->store_failed) goto out;
    const char *why = NULL;
    int found;
    const adx_cluster_ref *c = cluster_of(t, r->cluster_id, &found, &why);
    if (!c) {
        if (begin(t))
            commit(t, sr_store_rule_error(t->st, r->id,
                                          bounded(a, "cluster %s: %s", r->cluster_name ? r->cluster_name : "?", why),
                                          t->now) >= 0);
        goto out;
    }
    schedule_rule(t, a, r, c);
    if (t->cancelled || t->store_failed) goto out;
    if (backfill_changed) {
        sr_rule fresh;
        int rc = sr_store_rule(t->st, a, r->name, &fresh);
        if (rc != 0) goto out;
        r->has_backfill = fresh.has_backfill;
        r->bf = fresh.bf;
    }
    backfill_step(t, a, r, c);
out:
    arena_free(a);
}

static int count_commit(void *arg) {
    ((sr_tick_stats *)arg)->commits++;
    return 0;
}

int sr_tick(const sr_module_state *m, store_t *st, int64_t now, sr_tick_stats *stats) {
    memset(stats, 0, sizeof *stats);
    struct timespec c0, c1;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
    sqlite3 *db = store_db(st);
    sqlite3_commit_hook(db, count_commit, stats);
    long long rows0 = sqlite3_total_changes64(db);

    sr_tick_ctx t = {.m = m, .st = st, .now = now, .stats = stats};
    t.tick_arena = arena_new();
    t.base = (int64_t)(m->cfg->summary_interval > 0 ? m->cfg->summary_interval : 60) * SR_TICKS;
    t.cap = (int64_t)SR_BACKOFF_MAX_S * SR_TICKS;
    sr_rule *rules;
    size_t n;
    int rc = sr_store_rules(st, t.tick_arena, &rules, &n);
    for (size_t i = 0; rc == 0 && i < n && !t.cancelled; i++) {
        rule_tick(&t, &rules[i]);
        t.store_failed = false; /* logged; the next rule may still get through */
    }
    arena_free(t.tick_arena);

    stats->rows = (long)(sqlite3_total_changes64(db) - rows0);
    sqlite3_commit_hook(db, NULL, NULL);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
    stats->cpu_s = (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) / 1e9;
    return rc;
}

int sr_worker_run(store_t *st, const config_t *cfg, void *arg) {
    (void)cfg;
    const sr_module_state *m = arg;
    sr_tick_stats s;
    int rc = sr_tick(m, st, clock_now_ticks(), &s);
    metrics_counter_add("entityd_summaryrules_ticks_total", "SummaryRules scheduler ticks", NULL, 1);
    metrics_counter_add("entityd_summaryrules_tick_cpu_seconds_total",
                        "CPU time of the SummaryRules worker thread in its ticks", NULL, s.cpu_s);
    metrics_counter_add("entityd_summaryrules_sqlite_commits_total",
                        "SQLite write transactions committed by the SummaryRules worker", NULL, (double)s.commits);
    metrics_counter_add("entityd_summaryrules_sqlite_rows_changed_total",
                        "SQLite rows inserted, updated or deleted by the SummaryRules worker", NULL, (double)s.rows);
    metrics_counter_add("entityd_summaryrules_submissions_total",
                        "`.set-or-append async` commands Kusto accepted (windows and backfill windows)", NULL,
                        (double)s.submissions);
    metrics_counter_add("entityd_summaryrules_polls_total", "`.show operations` lookups", NULL, (double)s.polls);
    metrics_counter_add("entityd_summaryrules_failures_total",
                        "Failed SummaryRules submissions and lookups (Kusto errors, garbage answers)", NULL,
                        (double)s.failures);
    metrics_gauge_set("entityd_summaryrules_rules", "SummaryRules defined", NULL, (double)s.rules);
    log_msg(s.submissions || s.failures ? LOG_INFO : LOG_DEBUG, "summaryrules tick",
            "rules=%ld skipped=%ld polls=%ld submissions=%ld failures=%ld commits=%ld rows=%ld cpu_ms=%.2f", s.rules,
            s.skipped, s.polls, s.submissions, s.failures, s.commits, s.rows, s.cpu_s * 1000.0);
    return rc;
}
