/* config.h -- every setting of the server. Each has a flag and an ENTITYD_* environment
 * variable (flag wins); `entityd --help` lists them with their defaults. Durations are
 * in seconds. Parsed by config.c; read-only after start. */
#ifndef ENTITYD_CONFIG_H
#define ENTITYD_CONFIG_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    /* server */
    char *listen;       /* --listen ENTITYD_LISTEN, default "127.0.0.1" */
    int port;           /* --port ENTITYD_PORT, default 8080 */
    char *data_dir;     /* --data-dir ENTITYD_DATA_DIR, default "./data" */
    char *db_path;      /* --db ENTITYD_DB, default "<data dir>/entityd.db" */
    char *web_root;     /* --web-root ENTITYD_WEB_ROOT, default: installed pkgdatadir/web, else ./web */
    char *log_level;    /* --log-level ENTITYD_LOG_LEVEL, default "info" */
    int threads;        /* --threads ENTITYD_THREADS, default: number of CPUs */
    char *cors_origins; /* --cors-origins ENTITYD_CORS_ORIGINS, comma list or "*", default "" (none) */
    char *request_log;  /* --request-log ENTITYD_REQUEST_LOG, "on" (default) or "off": one info line per request */
    char *durability;   /* --durability ENTITYD_DURABILITY, "full" or "normal" (default): SQLite synchronous */

    /* limits */
    size_t max_body_bytes;     /* --max-body-bytes, default 1 MiB */
    size_t max_document_bytes; /* --max-document-bytes, default 256 KiB */
    uint32_t max_tokens;       /* --max-tokens, default 20000 */
    uint32_t max_depth;        /* --max-depth, default 20 */
    uint32_t max_aliases;      /* --max-aliases, default 100 */
    uint32_t max_fields;       /* --max-fields, default 2000 */
    uint32_t max_page_size;    /* --max-page-size, default 500 (entities per page) */
    uint32_t max_batch_events; /* --max-batch-events, default 5000 (records per POST /v1/events) */
    size_t doc_cache_entries;  /* --doc-cache-entries, default 512 */
    size_t max_response_bytes; /* --max-response-bytes, default 8 MiB (issue 11 item 1) */
    double max_cost;           /* --max-cost, default 200000 (0: none) */
    uint32_t cost_list_size;   /* --cost-list-size, default 10 */
    int request_timeout;       /* --request-timeout seconds, default 30 */
    int header_timeout;        /* --header-timeout seconds, default 10 (issue 11 item 3) */
    int body_timeout;          /* --body-timeout seconds, default 60 */
    int max_connections;       /* --max-connections, default 4096 */
    int max_connections_per_ip; /* --max-connections-per-ip, default 128 (0: no limit) */
    size_t max_inflight_body_bytes; /* --max-inflight-body-bytes, default 64 MiB (issue 11 item 2) */

    /* entity platform (seeds 003, 004) */
    char *default_tenant;  /* --default-tenant ENTITYD_DEFAULT_TENANT, default NULL (none) */
    int reporting_window;  /* --reporting-window, default 300 */
    int stale_threshold;   /* --stale-threshold, default 86400 */
    int tenant_ttl;        /* --tenant-ttl, default 604800 (7 days) */
    int synthetic_max_ttl; /* --synthetic-max-ttl, default 604800 */
    int cleanup_interval;  /* --cleanup-interval, default 60 */
    int cleanup_batch;     /* --cleanup-batch, default 500 rows per transaction */
    double lag_warning;    /* --lag-warning, default 10000 (consumerLag messages) */
    double lag_critical;   /* --lag-critical, default 100000 */
    char *schema_dir;      /* --schema-dir, default "" (the embedded schema) */

    /* ADX: federation (seeds 000, 001) and SummaryRules (seed 002) */
    char *adx_config;        /* --adx-config FILE, default "" (none) */
    int heartbeat_interval;  /* --heartbeat-interval seconds, default 600 */
    int reconcile_interval;  /* --reconcile-interval seconds, default 600 */
    int summary_interval;    /* --summary-interval seconds, default 60 */
    int summary_max_windows; /* --summary-max-windows, default 10 (per rule per tick) */
    char *cluster_labels;    /* --cluster-label K=V (repeatable), comma-joined "k=v,k2=v2", default "" */
    int kusto_timeout;       /* --kusto-timeout seconds per attempt, default 120 */
    int kusto_max_attempts;  /* --kusto-max-attempts, default 4 */
    char *imds_url;          /* --imds-url, default the Azure IMDS token endpoint */
    char *aad_url;           /* --aad-url, default https://login.microsoftonline.com */
} config_t;

/* Fills defaults, then environment, then argv. Returns 0, 1 when --help/--version was printed
 * (exit 0), or -1 with a message on stderr (exit 2). */
int config_load(config_t *c, int argc, char **argv);
void config_free(config_t *c);

#endif
