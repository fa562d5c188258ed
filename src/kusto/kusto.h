/* kusto.h -- the Kusto (Azure Data Explorer) REST client that the federation and summary-rule
 * workers call (API: notes/kusto-client-api.md; wire facts: shared/reference/kusto-protocol.md).
 *
 * Knows no GraphQL and no SQLite. Thread safe: one kusto_client, owned by the app, is used from
 * any thread. Results live in an arena_t the caller passes; there is nothing to free but the
 * arena. Every call returns a kusto_code and, on failure, fills a kusto_error with a bounded,
 * readable message; nothing is retried silently beyond the documented policy (429, 5xx without
 * @permanent, network errors and timeouts, with capped exponential backoff and full jitter). */
#ifndef ENTITYD_KUSTO_H
#define ENTITYD_KUSTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"

typedef struct kusto_client kusto_client;

typedef enum {
    KUSTO_AUTH_NONE,
    KUSTO_AUTH_TOKEN,
    KUSTO_AUTH_MANAGED_IDENTITY,
    KUSTO_AUTH_CLIENT_SECRET
} kusto_auth_kind;

typedef struct {
    kusto_auth_kind kind;
    const char *token;         /* TOKEN */
    const char *tenant_id;     /* CLIENT_SECRET */
    const char *client_id;     /* CLIENT_SECRET; MANAGED_IDENTITY: optional user-assigned identity */
    const char *client_secret; /* CLIENT_SECRET */
} kusto_auth;

typedef struct {
    const char *endpoint; /* "https://c.region.kusto.windows.net" or "http://127.0.0.1:PORT" */
    kusto_auth auth;
} kusto_target;

/* Zero / NULL fields take their defaults, so `kusto_options o = {0}` is valid. */
typedef struct {
    const char *imds_url;       /* default "http://169.254.169.254/metadata/identity/oauth2/token" */
    const char *aad_url;        /* default "https://login.microsoftonline.com" (then /{tenant}/oauth2/v2.0/token) */
    const char *app_name;       /* x-ms-app, default "entityd" */
    const char *client_version; /* x-ms-client-version, default "entityd/" PACKAGE_VERSION */
    int timeout_ms;             /* per attempt, default 120000 (servertimeout sent = timeout - 30 s, min 10 s) */
    int max_attempts;           /* default 4 */
    int backoff_base_ms;        /* default 500, doubled per attempt, full jitter, capped at backoff_max_ms */
    int backoff_max_ms;         /* default 30000; Retry-After honoured up to this cap */
    size_t max_response_bytes;  /* default 64 MiB: a larger answer is an error, never truncated silently */
    /* Added to the notes' list (all optional): */
    int connect_timeout_ms;       /* default 10000 (never more than timeout_ms) */
    size_t max_tables;            /* tables in one response, default 1000 */
    size_t max_columns;           /* columns in one table, default 10000 (Kusto's own table limit) */
    size_t max_cells;             /* cells in one response (a row without columns counts 1), default 10 M */
    bool fragment_primary_tables; /* queries ask for TableHeader/TableFragment/TableCompletion frames
                                     (results_v2_fragment_primary_tables + newlines_between_frames) */
} kusto_options;

/* curl-style codes */
typedef enum {
    KUSTO_OK = 0,
    KUSTO_E_NETWORK,     /* connect/send/receive failed (transient) */
    KUSTO_E_TIMEOUT,     /* transient */
    KUSTO_E_THROTTLED,   /* 429 (transient) */
    KUSTO_E_SERVER,      /* 5xx (transient unless @permanent) */
    KUSTO_E_BAD_REQUEST, /* 400 and other 4xx (permanent) */
    KUSTO_E_AUTH,        /* 401/403 or the token endpoint refused (permanent until config changes) */
    KUSTO_E_PARTIAL,     /* 200 with OneApiErrors / Exceptions / HasErrors */
    KUSTO_E_PROTOCOL,    /* malformed body, wrong shape, over the size bound */
    KUSTO_E_CANCELLED,   /* kusto_client_cancel() (shutdown) */
    KUSTO_E_INTERNAL
} kusto_code;

typedef struct {
    kusto_code code;
    int http_status;     /* 0 when none */
    bool permanent;      /* do not retry the same command */
    int attempts;        /* HTTP requests made to Kusto by the call; when getting the token failed,
                            the requests made to the token endpoint instead */
    char kusto_code[64]; /* error.code, e.g. "General_BadRequest" */
    char message[512];   /* bounded: error.@message or message or plain text, first line(s) */
    char request_id[80]; /* x-ms-client-request-id of the last attempt */
} kusto_error;

typedef enum {
    KUSTO_T_NULL,
    KUSTO_T_BOOL,
    KUSTO_T_INT,
    KUSTO_T_LONG,
    KUSTO_T_REAL,
    KUSTO_T_STRING,
    KUSTO_T_DATETIME,
    KUSTO_T_TIMESPAN,
    KUSTO_T_GUID,
    KUSTO_T_DECIMAL,
    KUSTO_T_DYNAMIC
} kusto_type;

typedef struct {
    kusto_type type; /* KUSTO_T_NULL when the cell is null (strings are never null: "" ) */
    bool b;          /* BOOL */
    int64_t i;       /* INT, LONG; DATETIME: 100 ns ticks since the Unix epoch; TIMESPAN: ticks */
    double d;        /* REAL (NaN and infinities included) */
    /* STRING, GUID, DECIMAL; DYNAMIC: compact JSON text of the value (a dynamic sent as a JSON
     * string holding JSON is parsed to its value). NUL-terminated; len excludes the NUL. */
    const char *s;
    size_t len;
} kusto_value;

typedef struct {
    const char *name;
    kusto_type type;
} kusto_column;

typedef struct {
    const char *name; /* TableName */
    const char *kind; /* v2 TableKind ("PrimaryResult"...); v1: NULL */
    kusto_column *columns;
    size_t ncolumns;
    kusto_value **rows; /* rows[r][c] */
    size_t nrows;
} kusto_table;

typedef struct {
    kusto_table *tables;
    size_t ntables;
} kusto_result;

kusto_client *kusto_client_new(const kusto_options *opts); /* NULL opts = defaults; NULL on bad options (logged) */
void kusto_client_free(kusto_client *kc);
void kusto_client_cancel(kusto_client *kc); /* makes in-flight and later calls fail fast (shutdown) */

/* POST /v1/rest/mgmt. Returns KUSTO_OK and *out, or a code with err filled (*out = NULL).
 * db may be NULL for commands that need none (.show databases). err may be NULL; when given it is
 * filled on success too (attempts, request_id, http_status). */
kusto_code kusto_mgmt(kusto_client *kc, const kusto_target *t, const char *db, const char *csl, arena_t *a,
                      kusto_result **out, kusto_error *err);
/* POST /v2/rest/query. *out holds only the PrimaryResult tables, in order. */
kusto_code kusto_query(kusto_client *kc, const kusto_target *t, const char *db, const char *csl, arena_t *a,
                       kusto_result **out, kusto_error *err);

const kusto_table *kusto_primary(const kusto_result *r);        /* first table, NULL if none */
int kusto_column_index(const kusto_table *t, const char *name); /* -1 if absent (case-sensitive) */
const char *kusto_value_str(const kusto_value *v); /* "" for null; the string for STRING/GUID/DECIMAL/DYNAMIC text */

/* ---- Added to the notes' API ---- */

/* kusto_mgmt for a command that must not run twice (.ingest inline, .set-or-append, ...): with
 * KUSTO_F_NOT_IDEMPOTENT a failure after which Kusto may have run the command (a timeout or a
 * dropped connection once the request was sent, a 5xx) is returned at once instead of retried;
 * failures where it cannot have run (connection refused, DNS, TLS handshake, 429, the 401 token
 * refresh) are still retried. The message then ends with "(not retried: ...)". */
#define KUSTO_F_NOT_IDEMPOTENT 0x1u
kusto_code kusto_mgmt_ex(kusto_client *kc, const kusto_target *t, const char *db, const char *csl, unsigned flags,
                         arena_t *a, kusto_result **out, kusto_error *err);

/* "KUSTO_E_THROTTLED" etc. */
const char *kusto_code_name(kusto_code c);
/* The type named by a v2 ColumnType ("long") or a v1 DataType ("Int64", "System.Int64"); -1 if unknown. */
int kusto_type_parse(const char *name);
const char *kusto_type_name(kusto_type t); /* "long"...; "null" for KUSTO_T_NULL */

/* The response parsers behind kusto_mgmt / kusto_query, public so that module tests can feed
 * recorded bodies. opts (NULL = defaults) supplies the bounds; err may be NULL. http_status 200
 * is assumed. */
kusto_code kusto_parse_v1(const char *body, size_t len, const kusto_options *opts, arena_t *a, kusto_result **out,
                          kusto_error *err);
/* primary_only: keep only TableKind PrimaryResult tables (what kusto_query returns). */
kusto_code kusto_parse_v2(const char *body, size_t len, const kusto_options *opts, bool primary_only, arena_t *a,
                          kusto_result **out, kusto_error *err);
/* Classifies a non-2xx answer: code, permanent, kusto_code and message from a OneApiError body
 * ({"error":{...}}), an OAuth error body ({"error":"...","error_description":...}) or plain text. */
kusto_code kusto_parse_error(int http_status, const char *body, size_t len, kusto_error *err);

/* Counters since kusto_client_new (for /metrics and tests). */
typedef struct {
    uint64_t calls;         /* kusto_mgmt + kusto_query calls */
    uint64_t attempts;      /* HTTP requests to Kusto endpoints (retries included) */
    uint64_t retries;       /* attempts after the first of a call */
    uint64_t failures;      /* calls that returned an error */
    uint64_t connects;      /* new TCP connections opened (CURLINFO_NUM_CONNECTS), token endpoints included */
    uint64_t bytes_wire;    /* response body bytes as received (compressed when gzip/deflate) */
    uint64_t bytes_body;    /* response body bytes after decompression */
    uint64_t token_fetches; /* successful token endpoint answers */
} kusto_stats;
void kusto_client_stats(kusto_client *kc, kusto_stats *out);

#endif
