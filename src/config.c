/* config.c -- builds the config_t of config.h from defaults, ENTITYD_* environment variables
 * and command-line flags (in that order; a flag wins over the environment). One table lists
 * every setting, so --help, the environment and the flags can never disagree. */
#include "config.h" /* src/config.h: config_t (quoted include: this directory first) */

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/log.h"

/* OPT_LIST: a repeatable flag; each occurrence appends, the environment gives a comma-separated list;
 * stored comma-joined. */
typedef enum { OPT_STR, OPT_INT, OPT_U32, OPT_SIZE, OPT_DOUBLE, OPT_LIST } opt_type;

typedef struct {
    const char *flag; /* without the leading "--" */
    const char *env;  /* ENTITYD_* */
    opt_type type;
    size_t offset;      /* into config_t */
    const char *defval; /* default as text; NULL: computed (see apply_computed_defaults) */
    const char *shown;  /* default as shown by --help */
    double min, max;    /* numeric bounds (inclusive) */
    const char *help;
} opt_def;

#define OFF(f) offsetof(config_t, f)
#define KIB 1024.0
#define MIB (1024.0 * 1024.0)
#define GIB (1024.0 * 1024.0 * 1024.0)

static const opt_def opts[] = {
    {"listen", "ENTITYD_LISTEN", OPT_STR, OFF(listen), "127.0.0.1", "127.0.0.1", 0, 0,
     "address to listen on (IPv4 or IPv6 literal, or a host name)"},
    {"port", "ENTITYD_PORT", OPT_INT, OFF(port), "8080", "8080", 1, 65535, "TCP port"},
    {"data-dir", "ENTITYD_DATA_DIR", OPT_STR, OFF(data_dir), "./data", "./data", 0, 0,
     "directory for the database and admin.key (created if missing)"},
    {"db", "ENTITYD_DB", OPT_STR, OFF(db_path), NULL, "<data-dir>/entityd.db", 0, 0, "SQLite database file"},
    {"durability", "ENTITYD_DURABILITY", OPT_STR, OFF(durability), "normal", "normal", 0, 0,
     "full: every acknowledged write is fsynced (survives power loss, slower); normal: may lose the last ones"},
    {"web-root", "ENTITYD_WEB_ROOT", OPT_STR, OFF(web_root), NULL, ENTITYD_PKGDATADIR "/web if present, else ./web", 0,
     0, "directory holding index.html and node_modules/ for /graphiql"},
    {"log-level", "ENTITYD_LOG_LEVEL", OPT_STR, OFF(log_level), "info", "info", 0, 0, "debug, info, warn or error"},
    {"request-log", "ENTITYD_REQUEST_LOG", OPT_STR, OFF(request_log), "on", "on", 0, 0,
     "on: one info line per request (method, path, status, bytes, ms, key prefix, operation); off: none"},
    {"threads", "ENTITYD_THREADS", OPT_INT, OFF(threads), NULL, "number of CPUs", 1, 1024,
     "HTTP worker threads (libmicrohttpd thread pool)"},
    {"cors-origins", "ENTITYD_CORS_ORIGINS", OPT_STR, OFF(cors_origins), "", "\"\" (none)", 0, 0,
     "origins allowed by CORS: a comma-separated list, or *"},
    {"max-body-bytes", "ENTITYD_MAX_BODY_BYTES", OPT_SIZE, OFF(max_body_bytes), "1M", "1M", 1024, GIB,
     "largest request body accepted (larger: 413); K/M/G suffixes allowed"},
    {"max-document-bytes", "ENTITYD_MAX_DOCUMENT_BYTES", OPT_SIZE, OFF(max_document_bytes), "256K", "256K", 64, GIB,
     "largest GraphQL document accepted"},
    {"max-tokens", "ENTITYD_MAX_TOKENS", OPT_U32, OFF(max_tokens), "20000", "20000", 10, UINT32_MAX,
     "most lexical tokens in a GraphQL document"},
    {"max-depth", "ENTITYD_MAX_DEPTH", OPT_U32, OFF(max_depth), "20", "20", 1, 1000, "deepest selection nesting"},
    {"max-aliases", "ENTITYD_MAX_ALIASES", OPT_U32, OFF(max_aliases), "100", "100", 0, UINT32_MAX,
     "most aliases in a document"},
    {"max-fields", "ENTITYD_MAX_FIELDS", OPT_U32, OFF(max_fields), "2000", "2000", 1, UINT32_MAX,
     "most field selections in a document"},
    {"max-page-size", "ENTITYD_MAX_PAGE_SIZE", OPT_U32, OFF(max_page_size), "500", "500", 1, 1000000,
     "most entities per page"},
    {"max-batch-events", "ENTITYD_MAX_BATCH_EVENTS", OPT_U32, OFF(max_batch_events), "5000", "5000", 1, 10000000,
     "most records per POST /v1/events"},
    {"max-response-bytes", "ENTITYD_MAX_RESPONSE_BYTES", OPT_SIZE, OFF(max_response_bytes), "8M", "8M", 0, 4 * GIB,
     "largest GraphQL response; past it the request stops with RESPONSE_TOO_LARGE (0: no limit)"},
    {"max-cost", "ENTITYD_MAX_COST", OPT_DOUBLE, OFF(max_cost), "200000", "200000", 0, 1e15,
     "highest estimated query cost (fields x page sizes) run; more: MAX_COST_EXCEEDED (0: no limit)"},
    {"cost-list-size", "ENTITYD_COST_LIST_SIZE", OPT_U32, OFF(cost_list_size), "10", "10", 1, 1000000,
     "length the cost estimate assumes for a list field without first/last"},
    {"doc-cache-entries", "ENTITYD_DOC_CACHE_ENTRIES", OPT_SIZE, OFF(doc_cache_entries), "512", "512", 0, 1000000,
     "parsed-document cache size (0 disables it)"},
    {"request-timeout", "ENTITYD_REQUEST_TIMEOUT", OPT_INT, OFF(request_timeout), "30", "30", 1, 86400,
     "seconds an idle or slow connection may stay open"},
    {"header-timeout", "ENTITYD_HEADER_TIMEOUT", OPT_INT, OFF(header_timeout), "10", "10", 1, 3600,
     "seconds a client has to send a request's headers, from connecting or from the previous answer"},
    {"body-timeout", "ENTITYD_BODY_TIMEOUT", OPT_INT, OFF(body_timeout), "60", "60", 1, 86400,
     "seconds a client has to send a request's body once its headers have arrived"},
    {"max-connections", "ENTITYD_MAX_CONNECTIONS", OPT_INT, OFF(max_connections), "4096", "4096", 1, 1000000,
     "most open client connections (more are closed at once)"},
    {"max-connections-per-ip", "ENTITYD_MAX_CONNECTIONS_PER_IP", OPT_INT, OFF(max_connections_per_ip), "128", "128",
     0, 1000000, "most open connections from one client address (0: no limit; raise it behind a proxy)"},
    {"max-inflight-body-bytes", "ENTITYD_MAX_INFLIGHT_BODY_BYTES", OPT_SIZE, OFF(max_inflight_body_bytes), "64M",
     "64M", 1024, 64 * GIB, "request bodies held in memory at once, all connections together (more: 503)"},
    {"default-tenant", "ENTITYD_DEFAULT_TENANT", OPT_STR, OFF(default_tenant), NULL, "none", 0, 0,
     "tenant used for events that carry none"},
    {"reporting-window", "ENTITYD_REPORTING_WINDOW", OPT_INT, OFF(reporting_window), "300", "300", 1, 31536000,
     "seconds after the last event an entity still counts as reporting"},
    {"stale-threshold", "ENTITYD_STALE_THRESHOLD", OPT_INT, OFF(stale_threshold), "86400", "86400", 1, 315360000,
     "seconds after which an entity that stopped reporting is stale"},
    {"tenant-ttl", "ENTITYD_TENANT_TTL", OPT_INT, OFF(tenant_ttl), "604800", "604800", 1, 315360000,
     "seconds a tenant's data is kept after its last event"},
    {"synthetic-max-ttl", "ENTITYD_SYNTHETIC_MAX_TTL", OPT_INT, OFF(synthetic_max_ttl), "604800", "604800", 1,
     315360000, "longest TTL a synthetic entity may ask for, seconds"},
    {"cleanup-interval", "ENTITYD_CLEANUP_INTERVAL", OPT_INT, OFF(cleanup_interval), "60", "60", 1, 86400,
     "seconds between cleanup runs"},
    {"cleanup-batch", "ENTITYD_CLEANUP_BATCH", OPT_INT, OFF(cleanup_batch), "500", "500", 1, 1000000,
     "rows deleted per cleanup transaction"},
    {"lag-warning", "ENTITYD_LAG_WARNING", OPT_DOUBLE, OFF(lag_warning), "10000", "10000", 0, 1e15,
     "consumerLag (messages) at which a consumer group is in warning"},
    {"lag-critical", "ENTITYD_LAG_CRITICAL", OPT_DOUBLE, OFF(lag_critical), "100000", "100000", 0, 1e15,
     "consumerLag (messages) at which a consumer group is critical"},
    {"schema-dir", "ENTITYD_SCHEMA_DIR", OPT_STR, OFF(schema_dir), "", "\"\" (the schema built into the binary)", 0, 0,
     "directory of *.graphql files to serve instead of the built-in schema (each field must have a resolver)"},
    /* ADX (seeds 000, 001, 002) */
    {"adx-config", "ENTITYD_ADX_CONFIG", OPT_STR, OFF(adx_config), "", "\"\" (none)", 0, 0,
     "JSON file of ADX clusters applied at start as upserts (see docs/federation.md)"},
    {"heartbeat-interval", "ENTITYD_HEARTBEAT_INTERVAL", OPT_INT, OFF(heartbeat_interval), "600", "600", 1, 86400,
     "seconds between heartbeats a partition cluster sends to its federated clusters"},
    {"reconcile-interval", "ENTITYD_RECONCILE_INTERVAL", OPT_INT, OFF(reconcile_interval), "600", "600", 1, 86400,
     "seconds between federation reconciles of a federated cluster"},
    {"summary-interval", "ENTITYD_SUMMARY_INTERVAL", OPT_INT, OFF(summary_interval), "60", "60", 1, 86400,
     "seconds between SummaryRule scheduler ticks"},
    {"summary-max-windows", "ENTITYD_SUMMARY_MAX_WINDOWS", OPT_INT, OFF(summary_max_windows), "10", "10", 1, 10000,
     "most windows one rule submits per tick while it catches up"},
    {"cluster-label", "ENTITYD_CLUSTER_LABELS", OPT_LIST, OFF(cluster_labels), "", "none", 0, 0,
     "KEY=VALUE label of this server, matched by SummaryRule criteria (repeatable; env: comma-separated)"},
    {"kusto-timeout", "ENTITYD_KUSTO_TIMEOUT", OPT_INT, OFF(kusto_timeout), "120", "120", 5, 3600,
     "seconds one Kusto request may take (each retry has its own)"},
    {"kusto-max-attempts", "ENTITYD_KUSTO_MAX_ATTEMPTS", OPT_INT, OFF(kusto_max_attempts), "4", "4", 1, 20,
     "tries of a Kusto request on throttling, server and network errors"},
    {"imds-url", "ENTITYD_IMDS_URL", OPT_STR, OFF(imds_url), "http://169.254.169.254/metadata/identity/oauth2/token",
     "http://169.254.169.254/metadata/identity/oauth2/token", 0, 0, "managed identity token endpoint (IMDS)"},
    {"aad-url", "ENTITYD_AAD_URL", OPT_STR, OFF(aad_url), "https://login.microsoftonline.com",
     "https://login.microsoftonline.com", 0, 0, "Azure AD authority for CLIENT_SECRET auth"},
};
#define NOPTS (sizeof opts / sizeof opts[0])

/* Parses a number with an optional K/M/G (binary) suffix for OPT_SIZE; rejects trailing junk. */
static int parse_number(const opt_def *o, const char *s, double *out) {
    if (!*s) return -1;
    char *end = NULL;
    errno = 0;
    double v;
    if (o->type == OPT_DOUBLE) {
        v = strtod(s, &end);
    } else {
        if (*s == '-' || *s == '+') return -1;
        unsigned long long u = strtoull(s, &end, 10);
        v = (double)u;
    }
    if (errno || end == s) return -1;
    if (o->type == OPT_SIZE && *end) {
        double mul = 0;
        switch (*end) {
        case 'k':
        case 'K':
            mul = KIB;
            break;
        case 'm':
        case 'M':
            mul = MIB;
            break;
        case 'g':
        case 'G':
            mul = GIB;
            break;
        default:
            return -1;
        }
        end++;
        if (*end == 'i' || *end == 'I') end++;
        if (*end == 'b' || *end == 'B') end++;
        v *= mul;
    }
    if (*end) return -1;
    if (v != v || v < o->min || v > o->max) return -1;
    *out = v;
    return 0;
}

/* Stores a textual value into the field of o; `from` names the source for messages. */
static int set_value(config_t *c, const opt_def *o, const char *val, const char *from) {
    void *field = (char *)c + o->offset;
    if (o->type == OPT_LIST && *val) {
        char **p = field;
        size_t old = *p ? strlen(*p) : 0, n = strlen(val);
        char *joined = malloc(old + n + 2);
        if (!joined) return -1;
        if (old) memcpy(joined, *p, old), joined[old++] = ',';
        memcpy(joined + old, val, n + 1);
        free(*p);
        *p = joined;
        return 0;
    }
    if (o->type == OPT_STR || o->type == OPT_LIST) {
        char **p = field;
        char *dup = strdup(val);
        if (!dup) return -1;
        free(*p);
        *p = dup;
        return 0;
    }
    double v;
    if (parse_number(o, val, &v) != 0) {
        if (o->type == OPT_DOUBLE)
            fprintf(stderr, "entityd: %s: expected a number in %g..%g, got '%s'\n", from, o->min, o->max, val);
        else
            fprintf(stderr, "entityd: %s: expected an integer in %.0f..%.0f%s, got '%s'\n", from, o->min, o->max,
                    o->type == OPT_SIZE ? " (K/M/G suffixes allowed)" : "", val);
        return -1;
    }
    switch (o->type) {
    case OPT_INT:
        *(int *)field = (int)v;
        break;
    case OPT_U32:
        *(uint32_t *)field = (uint32_t)v;
        break;
    case OPT_SIZE:
        *(size_t *)field = (size_t)v;
        break;
    case OPT_DOUBLE:
        *(double *)field = v;
        break;
    case OPT_STR:
    case OPT_LIST:
        break;
    }
    return 0;
}

static void print_help(FILE *f) {
    fprintf(f, "Usage: entityd [OPTION]...\n"
               "       entityd gql COMMAND [ARG]...   (GraphQL tools: run `entityd gql --help`)\n\n"
               "GraphQL API server for Kafka entities. Every option can also be set with the environment\n"
               "variable shown (the flag wins). Sizes take K/M/G suffixes; durations are seconds.\n\n");
    for (size_t i = 0; i < NOPTS; i++) {
        const opt_def *o = &opts[i];
        const char *arg = o->type == OPT_STR ? "TEXT" : o->type == OPT_LIST ? "LABEL" : o->type == OPT_SIZE ? "SIZE" : "N";
        char left[64];
        snprintf(left, sizeof left, "--%s %s", o->flag, arg);
        fprintf(f, "  %-28s %s\n  %-28s env %s, default %s\n", left, o->help, "", o->env, o->shown);
    }
    fprintf(f, "  %-28s %s\n  %-28s %s\n", "--help", "print this help and exit", "--version",
            "print the version and exit");
    fprintf(f, "\nDocumentation: docs/ in the source tree, man entityd(8).\n");
}

static const opt_def *find_opt(const char *name, size_t len) {
    for (size_t i = 0; i < NOPTS; i++)
        if (strlen(opts[i].flag) == len && memcmp(opts[i].flag, name, len) == 0) return &opts[i];
    return NULL;
}

static bool is_dir_with_index(const char *dir) {
    char path[PATH_MAX];
    struct stat st;
    if ((size_t)snprintf(path, sizeof path, "%s/index.html", dir) >= sizeof path) return false;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Defaults that depend on other settings or on the machine. */
static int apply_computed_defaults(config_t *c) {
    if (!c->db_path) {
        size_t n = strlen(c->data_dir) + sizeof "/entityd.db";
        c->db_path = malloc(n);
        if (!c->db_path) return -1;
        snprintf(c->db_path, n, "%s/entityd.db", c->data_dir);
    }
    if (!c->web_root) {
        const char *root = is_dir_with_index(ENTITYD_PKGDATADIR "/web") ? ENTITYD_PKGDATADIR "/web" : "./web";
        c->web_root = strdup(root);
        if (!c->web_root) return -1;
    }
    if (c->threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        c->threads = n < 1 ? 1 : n > 64 ? 64 : (int)n;
    }
    return 0;
}

static int check_config(const config_t *c) {
    if (log_parse_level(c->log_level) < 0) {
        fprintf(stderr, "entityd: --log-level: expected debug, info, warn or error, got '%s'\n", c->log_level);
        return -1;
    }
    if (strcmp(c->request_log, "on") != 0 && strcmp(c->request_log, "off") != 0) {
        fprintf(stderr, "entityd: --request-log: expected on or off, got '%s'\n", c->request_log);
        return -1;
    }
    if (strcmp(c->durability, "full") != 0 && strcmp(c->durability, "normal") != 0) {
        fprintf(stderr, "entityd: --durability: expected full or normal, got '%s'\n", c->durability);
        return -1;
    }
    if (!*c->listen) {
        fprintf(stderr, "entityd: --listen: must not be empty\n");
        return -1;
    }
    if (!*c->data_dir || !*c->db_path || !*c->web_root) {
        fprintf(stderr, "entityd: --data-dir, --db and --web-root must not be empty\n");
        return -1;
    }
    if (c->lag_critical < c->lag_warning) {
        fprintf(stderr, "entityd: --lag-critical (%g) must not be below --lag-warning (%g)\n", c->lag_critical,
                c->lag_warning);
        return -1;
    }
    /* --cluster-label: each item KEY=VALUE with a non-empty key */
    for (const char *p = c->cluster_labels; p && *p;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', n);
        if (!eq || eq == p) {
            fprintf(stderr, "entityd: --cluster-label: expected KEY=VALUE, got '%.*s'\n", (int)n, p);
            return -1;
        }
        p = end ? end + 1 : p + n;
    }
    if (c->max_inflight_body_bytes < c->max_body_bytes) {
        /* Otherwise a body under --max-body-bytes could never be accepted. */
        fprintf(stderr, "entityd: --max-inflight-body-bytes (%zu) must not be below --max-body-bytes (%zu)\n",
                c->max_inflight_body_bytes, c->max_body_bytes);
        return -1;
    }
    if (c->max_document_bytes > c->max_body_bytes) {
        /* A document can never be larger than the body that carries it; keep the limits honest. */
        fprintf(stderr, "entityd: --max-document-bytes (%zu) must not exceed --max-body-bytes (%zu)\n",
                c->max_document_bytes, c->max_body_bytes);
        return -1;
    }
    return 0;
}

int config_load(config_t *c, int argc, char **argv) {
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < NOPTS; i++)
        if (opts[i].defval && set_value(c, &opts[i], opts[i].defval, opts[i].flag) != 0) goto fail;

    for (size_t i = 0; i < NOPTS; i++) {
        const char *v = getenv(opts[i].env);
        if (v && set_value(c, &opts[i], v, opts[i].env) != 0) goto fail;
    }

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_help(stdout);
            config_free(c);
            return 1;
        }
        if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
            printf("entityd %s\n", PACKAGE_VERSION);
            config_free(c);
            return 1;
        }
        if (strncmp(a, "--", 2) != 0) {
            fprintf(stderr, "entityd: unexpected argument '%s' (see --help)\n", a);
            goto fail;
        }
        const char *name = a + 2;
        const char *eq = strchr(name, '=');
        size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
        const opt_def *o = find_opt(name, nlen);
        if (!o) {
            fprintf(stderr, "entityd: unknown option '%.*s' (see --help)\n", (int)(nlen + 2), a);
            goto fail;
        }
        const char *val;
        if (eq) {
            val = eq + 1;
        } else {
            if (i + 1 >= argc) {
                fprintf(stderr, "entityd: option '--%s' needs a value\n", o->flag);
                goto fail;
            }
            val = argv[++i];
        }
        char from[64];
        snprintf(from, sizeof from, "--%s", o->flag);
        if (set_value(c, o, val, from) != 0) goto fail;
    }
    if (apply_computed_defaults(c) != 0) {
        fprintf(stderr, "entityd: out of memory\n");
        goto fail;
    }
    if (check_config(c) != 0) goto fail;
    return 0;
fail:
    config_free(c);
    return -1;
}

void config_free(config_t *c) {
    for (size_t i = 0; i < NOPTS; i++) {
        if (opts[i].type != OPT_STR && opts[i].type != OPT_LIST) continue;
        char **p = (char **)((char *)c + opts[i].offset);
        free(*p);
        *p = NULL;
    }
}
