/* main.c -- entityd entry point: flags and environment -> config, then the store (migrations,
 * first-start admin key), the schema with its resolvers, the engine, the cleanup worker and the
 * HTTP server; waits for SIGINT/SIGTERM and shuts everything down in reverse order.
 * `entityd gql ...` runs the GraphQL command-line tools instead. */
#include "config.h" /* src/config.h */

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "auth/auth.h"
#include "graphql/cli.h"
#include "graphql/graphql.h"
#include "http/http.h"
#include "kafka/kafka.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/embedded.h"
#include "util/log.h"
#include "util/metrics.h"
#include "workers/worker.h"

/* mkdir -p: creates dir and its missing parents (mode 0700: the directory holds admin.key). */
static int make_dirs(const char *dir) {
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path) return -1;
    for (char *p = path + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(path, 0700) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    if (mkdir(path, 0700) != 0 && errno != EEXIST) return -1;
    return 0;
}

/* Builds the schema from the embedded schema/ files and binds every module's resolvers. */
static gql_schema *build_schema(void) {
    arena_t *a = arena_new();
    size_t n = entityd_schema_nfiles;
    const char **srcs = arena_alloc(a, (n + 1) * sizeof *srcs);
    const char **names = arena_alloc(a, (n + 1) * sizeof *names);
    size_t *lens = arena_alloc(a, (n + 1) * sizeof *lens);
    for (size_t i = 0; i < n; i++) {
        srcs[i] = entityd_schema_files[i].data;
        lens[i] = entityd_schema_files[i].len;
        names[i] = entityd_schema_files[i].name;
    }
    gql_errors errs;
    gql_errors_init(&errs, a);
    gql_schema *schema = gql_schema_build((const char *const *)srcs, lens, (const char *const *)names, n, &errs);
    if (!schema) {
        for (const gql_error *e = errs.head; e; e = e->next) {
            if (e->nlocations)
                fprintf(stderr, "entityd: schema error: %s (line %u, column %u)\n", e->message,
                        (unsigned)e->locations[0].line, (unsigned)e->locations[0].column);
            else
                fprintf(stderr, "entityd: schema error: %s\n", e->message);
        }
        arena_free(a);
        return NULL;
    }
    arena_free(a);
    char err[256];
    if (gql_schema_bind_all(schema, auth_bindings, auth_nbindings, err, sizeof err) != 0 ||
        gql_schema_bind_all(schema, kafka_bindings, kafka_nbindings, err, sizeof err) != 0) {
        fprintf(stderr, "entityd: cannot bind resolvers to the schema: %s\n", err);
        gql_schema_free(schema);
        return NULL;
    }
    return schema;
}

/* Opens the database once at start: migrations, then the first-start admin key. */
static int prepare_store(const config_t *cfg) {
    char err[512];
    store_t *st = store_open(cfg->db_path, err, sizeof err);
    if (!st) {
        fprintf(stderr, "entityd: cannot open the database %s: %s\n", cfg->db_path, err);
        return -1;
    }
    int rc = 0;
    if (store_migrate(st, err, sizeof err) != 0) {
        fprintf(stderr, "entityd: database migration failed: %s\n", err);
        rc = -1;
    } else if (auth_bootstrap(st, cfg->data_dir, err, sizeof err) != 0) {
        fprintf(stderr, "entityd: cannot create the admin key: %s\n", err);
        rc = -1;
    }
    store_close(st);
    return rc;
}

static int run_server(config_t *cfg) {
    /* Block the stop signals before any thread starts (threads inherit the mask), so only sigwait() below receives
     * them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    log_set_level((log_level_t)log_parse_level(cfg->log_level));
    if (make_dirs(cfg->data_dir) != 0) {
        fprintf(stderr, "entityd: cannot create the data directory %s: %s\n", cfg->data_dir, strerror(errno));
        return 1;
    }
    if (prepare_store(cfg) != 0) return 1;
    gql_schema *schema = build_schema();
    if (!schema) return 1;

    gql_limits limits;
    gql_limits_default(&limits);
    limits.max_document_bytes = cfg->max_document_bytes;
    limits.max_tokens = cfg->max_tokens;
    limits.max_depth = cfg->max_depth;
    limits.max_aliases = cfg->max_aliases;
    limits.max_fields = cfg->max_fields;
    limits.cache_entries = cfg->doc_cache_entries;
    gql_engine *engine = gql_engine_new(schema, &limits);
    if (!engine) {
        fprintf(stderr, "entityd: cannot create the GraphQL engine\n");
        return 1;
    }
    store_pool_t *pool = store_pool_new(cfg->db_path);
    if (!pool) {
        fprintf(stderr, "entityd: cannot create the database pool\n");
        gql_engine_free(engine);
        return 1;
    }

    worker_t *cleanup = worker_start("cleanup", cfg->db_path, cfg, cfg->cleanup_interval, kafka_cleanup_run, NULL);
    char err[256];
    http_server *http = http_server_start(cfg, engine, pool, err, sizeof err);
    int rc = 0;
    if (!http) {
        fprintf(stderr, "entityd: %s\n", err);
        rc = 1;
    } else {
        log_info("entityd started", "version=%s graphql=http://%s:%d/graphql graphiql=http://%s:%d/graphiql",
                 PACKAGE_VERSION, cfg->listen, cfg->port, cfg->listen, cfg->port);
        int sig = 0;
        while (sigwait(&stop, &sig) != 0) {
        }
        log_info("stopping", "signal=%s", sig == SIGINT ? "SIGINT" : "SIGTERM");
        http_server_stop(http);
    }
    worker_stop(cleanup);
    gql_engine_free(engine);
    store_pool_free(pool);
    if (rc == 0) log_info("entityd stopped", "status=%d", 0);
    metrics_reset();
    return rc;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "gql") == 0) return gql_cli_main(argc - 1, argv + 1);
    config_t cfg;
    int rc = config_load(&cfg, argc, argv);
    if (rc != 0) return rc > 0 ? 0 : 2;
    rc = run_server(&cfg);
    config_free(&cfg);
    return rc;
}
