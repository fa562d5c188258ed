/* summaryrules.h -- SummaryRules with backfill control (seed 002, issue 9): the module's shared
 * definitions. A rule runs a KQL body over consecutive, epoch-aligned time windows on an ADX cluster
 * as `.set-or-append async` operations; a backfill runs it over a past range, one operation at a time.
 *
 *   windows.c    window math in Kusto ticks (pure functions)
 *   rules.c      rule validation with per-field errors, cluster labels, criteria matching
 *   submit.c     the exact command texts and the parsing of Kusto's answers
 *   store.c      all the module's SQL (summary_rule* tables, migrations/0005_summary_rules.sql)
 *   scheduler.c  the worker tick: poll open operations, submit due windows, step the backfill
 *   resolvers.c  GraphQL (schema/summaryrules.graphql) and the module descriptor
 *
 * Instants are Kusto ticks (100 ns since the Unix epoch, UTC) everywhere below; "now" comes from
 * clock_now_ticks() so tests drive time with ENTITYD_TEST_NOW_FILE. */
#ifndef ENTITYD_SUMMARYRULES_H
#define ENTITYD_SUMMARYRULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/datetime.h"

#define SR_TICKS DT_TICKS_PER_SEC /* ticks per second */

/* The module descriptor (app.h): schema/summaryrules.graphql, its resolvers, the scheduler thread.
 * Registered by one line in src/modules.c. */
extern const struct app_module summaryrules_module;

/* Limits (documented in docs/summaryrules.md). */
#define SR_NAME_MAX 128                /* rule name bytes */
#define SR_IDENT_MAX 1024              /* Kusto database and table names (Kusto's own limit) */
#define SR_BODY_MAX (64 * 1024)        /* KQL body bytes */
#define SR_INTERVAL_MAX_S (30 * 86400) /* interval at most 30 days */
#define SR_DELAY_MAX_S (7 * 86400)     /* ingestionDelay at most 7 days */
#define SR_CRITERIA_MAX_KEYS 32
#define SR_CRITERIA_MAX_VALUES 32          /* per key */
#define SR_CRITERIA_VALUE_MAX 256          /* bytes of a key or a value */
#define SR_MESSAGE_MAX 1024                /* Kusto messages stored on operations, rules, backfills */
#define SR_HISTORY_MAX 200                 /* operations kept per rule (issue 9: latest 200) */
#define SR_BACKFILL_MAX_AGE_S (30 * 86400) /* seed 002: backfill start no older than 30 days */
#define SR_BACKFILL_MAX_ATTEMPTS 3         /* non-retryable failures of one window before FAILED */
#define SR_NOT_FOUND_LOST_S (6 * 3600)     /* Kusto keeps `.show operations <id>` records 6 h */
#define SR_BACKOFF_MAX_S 3600              /* retry backoff cap */

typedef struct {
    int64_t start; /* inclusive */
    int64_t end;   /* exclusive; Kusto receives end - 1 tick as _endTime */
} sr_window;

/* ---- windows.c (pure) ---- */

/* Largest multiple of iv (counted from the Unix epoch) <= t; iv > 0. */
int64_t sr_align_floor(int64_t t, int64_t iv);
/* Smallest multiple of iv >= t. */
int64_t sr_align_ceil(int64_t t, int64_t iv);
/* First run (issue 9): end = floor(now - delay, iv), start = end - iv. */
sr_window sr_first_window(int64_t now, int64_t iv, int64_t delay);
/* The window that starts at cursor: [cursor, floor(cursor, iv) + iv). A cursor left unaligned by an
 * interval change gives one shorter window up to the next boundary, so nothing is skipped or run twice. */
sr_window sr_next_window(int64_t cursor, int64_t iv);
/* A window may run once its end is at or before now - delay. */
bool sr_window_due(sr_window w, int64_t now, int64_t delay);
/* Catch-up: the windows due from cursor, in order, at most max (the per-tick bound); returns how many. */
size_t sr_due_windows(int64_t cursor, int64_t iv, int64_t now, int64_t delay, size_t max, sr_window *out);
/* The backfill window at position pos: sr_next_window clipped to end. */
sr_window sr_backfill_window(int64_t pos, int64_t end, int64_t iv);
/* Retry delay in ticks after `failures` consecutive failures (>= 1): base * 2^(failures-1), capped. */
int64_t sr_backoff(int failures, int64_t base, int64_t cap);
/* Backfill progress 0.0 .. 1.0. */
double sr_progress(int64_t requested_start, int64_t pos, int64_t end);

typedef enum {
    SR_BF_OK = 0,
    SR_BF_ORDER,     /* start >= end */
    SR_BF_TOO_OLD,   /* start older than now - 30 days */
    SR_BF_TOO_NEW,   /* end after now - ingestionDelay */
    SR_BF_UNALIGNED, /* start or end not a multiple of the interval; *suggest holds the aligned range */
} sr_backfill_verdict;

/* Backfill range validation (seed 002 + issue 9): start < end, start >= now - 30 days,
 * end <= now - delay, both aligned to iv. For SR_BF_UNALIGNED, *suggest is the aligned range to use
 * (the smallest covering one when that is allowed, else shrunk inward; start >= end if none fits). */
sr_backfill_verdict sr_backfill_check(int64_t start, int64_t end, int64_t now, int64_t iv, int64_t delay,
                                      sr_window *suggest);

/* "2024-01-01T00:00:00Z", or with seven fraction digits when t is not a whole second. */
size_t sr_format_time(int64_t ticks, char out[DT_MAX]);

/* ---- rules.c ---- */

typedef struct {
    char *key;
    char *value;
} sr_label;

typedef struct {
    sr_label *items;
    size_t n;
} sr_labels;

/* Parses --cluster-label's "k=v,k2=v2" (split at the first '='). Heap; sr_labels_free. 0 or -1. */
int sr_labels_parse(const char *s, sr_labels *out);
void sr_labels_free(sr_labels *l);

/* Criteria (issue 9, upstream matchesCriteria): a JSON object label -> [allowed values]. NULL or {}
 * matches; otherwise any key whose label exists (key compared case-insensitively) with a value equal
 * case-insensitively to one of the allowed values matches. Unparseable text does not match. */
bool sr_criteria_match(const char *criteria_json, const sr_labels *labels);
/* Validates criteria JSON and writes its canonical compact form (sorted keys) into out (heap, free()).
 * Returns 0, or -1 with the reason in err. */
int sr_criteria_normalize(const char *json, char **out, char *err, size_t errlen);

/* A rule as given to upsertSummaryRule, before validation. Strings may be NULL (absent). */
typedef struct {
    const char *name;
    const char *cluster;
    const char *database;
    const char *table;
    const char *body;
    int64_t interval_s;        /* -1 when absent */
    int64_t ingestion_delay_s; /* -1 when absent/null */
    const char *criteria_json; /* NULL when absent/null */
} sr_rule_input;

/* Receives one error per bad field ("input.interval", "interval must be ..."). */
typedef void (*sr_error_fn)(void *ctx, const char *field, const char *message);

/* Per-field validation (issue 9): every bad field is reported. Returns the number of errors.
 * Checks names and identifiers, interval > 0, ingestionDelay >= 0, body non-empty, criteria shape;
 * the cluster's existence is the caller's (it needs the store). */
int sr_rule_validate(const sr_rule_input *in, sr_error_fn add, void *ctx);
/* Rule names: 1..128 bytes of A-Z a-z 0-9 _ - . (they appear in logs and URLs unquoted). */
bool sr_rule_name_valid(const char *s);
/* Kusto database/table names (entity naming rules, 1..1024 characters). */
bool sr_kusto_name_valid(const char *s);

/* Copies s into out (size outlen) cut at a UTF-8 character boundary, so stored messages stay bounded
 * (SR_MESSAGE_MAX) and valid. Control characters other than \n and \t become spaces. */
void sr_bounded_copy(char *out, size_t outlen, const char *s);

#endif
