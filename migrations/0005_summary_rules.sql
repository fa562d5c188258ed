-- 0005_summary_rules.sql: SummaryRules with backfill control (seed 002, issue 9). A rule runs a KQL
-- body over consecutive time windows on an ADX cluster (adx_clusters, migration 0004) as async
-- `.set-or-append` operations; everything the scheduler knows is here, so that after a crash it
-- re-polls stored operation ids instead of resubmitting (src/summaryrules/scheduler.c).
-- Instants are Kusto ticks (100 ns since the Unix epoch, UTC); durations are seconds.

-- One row per rule. next_start is the schedule's position: the start of the next window to submit
-- (NULL until the first run computes it from the clock); it only moves when a window is submitted,
-- and a submitted window stays in summary_rule_windows until its operation completes.
CREATE TABLE summary_rules (
    id                INTEGER PRIMARY KEY,
    name              TEXT    NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 128),
    cluster_id        INTEGER NOT NULL REFERENCES adx_clusters(id) ON DELETE RESTRICT,
    database_name     TEXT    NOT NULL,
    table_name        TEXT    NOT NULL,
    body              TEXT    NOT NULL,
    interval_s        INTEGER NOT NULL CHECK (interval_s > 0),
    ingestion_delay_s INTEGER CHECK (ingestion_delay_s IS NULL OR ingestion_delay_s >= 0), -- NULL: not set (0)
    criteria          TEXT,             -- JSON object {label: [values]}; NULL: none (always runs)
    created_at        INTEGER NOT NULL, -- unix seconds
    updated_at        INTEGER NOT NULL,
    origin            INTEGER,          -- start of the first window ever submitted
    next_start        INTEGER,
    last_success_end  INTEGER,          -- end of the longest run of completed windows from origin
    retry_at          INTEGER NOT NULL DEFAULT 0, -- no new window before this (backoff after a failed submission)
    failures          INTEGER NOT NULL DEFAULT 0, -- consecutive failed submissions of a new window
    last_error        TEXT,             -- bounded (1 KiB); cleared when the schedule is healthy again
    last_error_at     INTEGER
);
CREATE INDEX summary_rules_cluster ON summary_rules(cluster_id);

-- Schedule windows submitted and not yet completed. operation_id NULL: the window's operation failed
-- and the window waits for retry_at to be submitted again (a failed window is retried, never lost).
CREATE TABLE summary_rule_windows (
    rule_id      INTEGER NOT NULL REFERENCES summary_rules(id) ON DELETE CASCADE,
    start        INTEGER NOT NULL,
    end_ticks    INTEGER NOT NULL CHECK (end_ticks > start),
    operation_id TEXT,
    attempts     INTEGER NOT NULL DEFAULT 1,
    retry_at     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (rule_id, start)
) WITHOUT ROWID;

-- The backfill of a rule (at most one): position `start` moves one interval per completed
-- operation, one operation at a time (seed 002 "Single Backfill Operation Tracking"); the row is
-- removed when start >= end_ticks. FAILED after SR_BACKFILL_MAX_ATTEMPTS non-retryable failures.
CREATE TABLE summary_rule_backfills (
    id              INTEGER PRIMARY KEY,
    rule_id         INTEGER NOT NULL UNIQUE REFERENCES summary_rules(id) ON DELETE CASCADE,
    requested_start INTEGER NOT NULL,
    start           INTEGER NOT NULL,
    end_ticks       INTEGER NOT NULL CHECK (end_ticks > requested_start),
    operation_id    TEXT,
    op_start        INTEGER,          -- the window of operation_id
    op_end          INTEGER,
    failures        INTEGER NOT NULL DEFAULT 0, -- consecutive failures of the current window (backoff)
    permanent_failures INTEGER NOT NULL DEFAULT 0, -- non-retryable ones among them
    retry_at        INTEGER NOT NULL DEFAULT 0,
    state           TEXT    NOT NULL DEFAULT 'RUNNING' CHECK (state IN ('RUNNING', 'FAILED')),
    message         TEXT,
    created_at      INTEGER NOT NULL  -- unix seconds
);

-- Every operation submitted for a rule, latest 200 kept per rule (operations still open are never
-- dropped). open = 1 while the scheduler polls it with `.show operations <id>`; an operation whose
-- window or backfill went away (cancel) is still polled to its end, so its outcome stays visible.
CREATE TABLE summary_rule_operations (
    id            INTEGER PRIMARY KEY,
    rule_id       INTEGER NOT NULL REFERENCES summary_rules(id) ON DELETE CASCADE,
    operation_id  TEXT    NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('SCHEDULE', 'BACKFILL')),
    cluster_id    INTEGER NOT NULL, -- where it runs; no foreign key: history outlives a cluster change
    database_name TEXT    NOT NULL,
    start         INTEGER NOT NULL,
    end_ticks     INTEGER NOT NULL,
    state         TEXT    NOT NULL,
    open          INTEGER NOT NULL DEFAULT 1 CHECK (open IN (0, 1)),
    submitted_at  INTEGER NOT NULL, -- ticks
    updated_at    INTEGER NOT NULL, -- ticks
    missing_since INTEGER,          -- ticks: first poll that did not find it (NULL once found)
    message       TEXT,             -- bounded (1 KiB)
    UNIQUE (rule_id, operation_id)
);
-- Newest first per rule (rowid order within rule_id), and the open ones alone for the scheduler's polls.
CREATE INDEX summary_rule_operations_rule ON summary_rule_operations(rule_id);
CREATE INDEX summary_rule_operations_open ON summary_rule_operations(rule_id) WHERE open = 1;
