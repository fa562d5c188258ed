/* main.c -- entityd entry point: flags and environment -> config, then the store (migrations,
 * first-start admin key), the app: each module of src/modules.c initialized, the schema with every
 * module's resolvers, the engine, the modules' workers and the HTTP server; waits for
 * SIGINT/SIGTERM and shuts everything down in reverse order.
 * `entityd gql ...` runs the GraphQL command-line tools instead. */
#include "config.h" /* src/config.h */

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app.h"
#include "graphql/cli.h"
#include "graphql/graphql.h"
#include "http/http.h"
#include "kusto/kusto.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/clock.h"
#include "util/dirlock.h"
#include "util/embedded.h"
#include "util/log.h"
#include "util/metrics.h"

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

/* The module that claims a schema file (app_module.schema_files); NULL when none does. */
static const app_module *schema_file_owner(const char *name) {
    for (size_t i = 0; i < app_nmodules; i++)
        for (const char *const *f = app_modules[i]->schema_files; f && *f; f++)
            if (strcmp(*f, name) == 0) return app_modules[i];
    return NULL;
}

#define SCHEMA_MAX_FILES 64
#define SCHEMA_MAX_FILE_BYTES (4 * 1024 * 1024)

static int name_cmp(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* --schema-dir: reads the .graphql files of DIR (sorted by name, each at most 4 MiB) into the arena. Returns the
 * number of files, or -1 after a message naming the problem. */
static long read_schema_dir(arena_t *a, const char *dir, const char **srcs, size_t *lens, const char **names) {
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "entityd: --schema-dir %s: %s\n", dir, strerror(errno));
        return -1;
    }
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 9 || strcmp(e->d_name + len - 8, ".graphql") != 0) continue;
        if (n == SCHEMA_MAX_FILES) {
            fprintf(stderr, "entityd: --schema-dir %s: more than %d .graphql files\n", dir, SCHEMA_MAX_FILES);
            closedir(d);
            return -1;
        }
        names[n++] = arena_strndup(a, e->d_name, len);
    }
    closedir(d);
    qsort(names, n, sizeof *names, name_cmp);
    for (size_t i = 0; i < n; i++) {
        char *path = arena_printf(a, "%s/%s", dir, names[i]);
        FILE *f = fopen(path, "rb");
        char *buf = arena_alloc(a, SCHEMA_MAX_FILE_BYTES + 1);
        size_t got = f ? fread(buf, 1, SCHEMA_MAX_FILE_BYTES + 1, f) : 0;
        int bad = !f || ferror(f);
        if (f) fclose(f);
        if (bad || got > SCHEMA_MAX_FILE_BYTES) {
            fprintf(stderr, "entityd: cannot read %s: %s\n", path, bad ? strerror(errno) : "larger than 4 MiB");
            return -1;
        }
        buf[got] = '\0';
        srcs[i] = buf;
        lens[i] = got;
    }
    return (long)n;
}

/* Builds the schema from the embedded schema/ files (or --schema-dir), binds every module's
 * resolvers, and refuses a schema file no module claims or an object field no module binds (a field
 * without a resolver would silently answer null). */
static gql_schema *build_schema(const config_t *cfg) {
    arena_t *a = arena_new();
    size_t n = entityd_schema_nfiles;
    size_t cap = n > SCHEMA_MAX_FILES ? n : SCHEMA_MAX_FILES;
    const char **srcs = arena_alloc(a, (cap + 1) * sizeof *srcs);
    const char **names = arena_alloc(a, (cap + 1) * sizeof *names);
    size_t *lens = arena_alloc(a, (cap + 1) * sizeof *lens);
    if (cfg->schema_dir && *cfg->schema_dir) {
        long got = read_schema_dir(a, cfg->schema_dir, srcs, lens, names);
        if (got < 0) {
            arena_free(a);
            return NULL;
        }
        n = (size_t)got;
    } else {
        for (size_t i = 0; i < n; i++) {
            srcs[i] = entityd_schema_files[i].data;
            lens[i] = entityd_schema_files[i].len;
            names[i] = entityd_schema_files[i].name;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (!schema_file_owner(names[i])) {
            fprintf(stderr, "entityd: schema file %s belongs to no module (src/modules.c)\n", names[i]);
            arena_free(a);
            return NULL;
        }
    }
    gql_errors errs;
    gql_errors_init(&errs, a);
    gql_schema *schema = gql_schema_build((const char *const *)srcs, lens, (const char *const *)names, n, &errs);
    if (!schema) {
        gql_errors_print(stderr, &errs, "entityd", "schema");
        arena_free(a);
        return NULL;
    }
    arena_free(a);
    char err[256];
    for (size_t i = 0; i < app_nmodules; i++) {
        const app_module *m = app_modules[i];
        if (gql_schema_bind_all(schema, m->bindings, m->nbindings, err, sizeof err) != 0) {
            fprintf(stderr, "entityd: module %s: cannot bind resolvers to the schema: %s\n", m->name, err);
            gql_schema_free(schema);
            return NULL;
        }
    }
    size_t unbound = 0;
    if (gql_schema_check_bound(schema, &unbound, err, sizeof err) != 0) {
        fprintf(stderr, "entityd: the schema is not fully bound: %s (%zu field%s without a resolver)\n", err, unbound,
                unbound == 1 ? "" : "s");
        gql_schema_free(schema);
        return NULL;
    }
    return schema;
}

/* Opens the database once at start to apply the migrations. */
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
    }
    /* What is in force, read back from SQLite (0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA). */
    sqlite3_stmt *q = NULL;
    if (rc == 0 && sqlite3_prepare_v2(store_db(st), "PRAGMA synchronous", -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        log_info("database ready", "path=\"%s\" durability=%s synchronous=%d", cfg->db_path, cfg->durability,
                 sqlite3_column_int(q, 0));
    sqlite3_finalize(q);
    store_close(st);
    return rc;
}

/* Stops the modules that were started (or initialized), in reverse order. */
static void stop_modules(app_t *app, size_t ninit) {
    while (ninit-- > 0)
        if (app->modules[ninit]->stop) app->modules[ninit]->stop(app, app->state[ninit]);
}

/* Locks <data-dir>/entityd.lock and <db>.lock: a server owns its data directory (admin.key) and its database,
 * wherever --db puts it, so neither can be shared through the other. */
static int lock_data(const config_t *cfg, int *lock_fd, int *db_lock_fd) {
    char path[PATH_MAX], err[PATH_MAX + 256];
    if ((size_t)snprintf(path, sizeof path, "%s/entityd.lock", cfg->data_dir) >= sizeof path) {
        fprintf(stderr, "entityd: --data-dir is too long\n");
        return -1;
    }
    *lock_fd = dirlock_acquire(path, err, sizeof err);
    if (*lock_fd < 0) {
        fprintf(stderr, "entityd: the data directory %s is in use by another entityd: %s; stop it first or use another "
                "--data-dir\n", cfg->data_dir, err);
        return -1;
    }
    if ((size_t)snprintf(path, sizeof path, "%s.lock", cfg->db_path) >= sizeof path) {
        fprintf(stderr, "entityd: --db is too long\n");
        return -1;
    }
    *db_lock_fd = dirlock_acquire(path, err, sizeof err);
    if (*db_lock_fd < 0) {
        fprintf(stderr, "entityd: the database %s is in use by another entityd: %s; stop it first or use another --db\n",
                cfg->db_path, err);
        return -1;
    }
    return 0;
}

static int run_locked(config_t *cfg, const sigset_t *stop);

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
    if (clock_is_fake()) log_warn("test clock in force", "ENTITYD_TEST_NOW_FILE=%s", getenv("ENTITYD_TEST_NOW_FILE"));
    if (make_dirs(cfg->data_dir) != 0) {
        fprintf(stderr, "entityd: cannot create the data directory %s: %s\n", cfg->data_dir, strerror(errno));
        return 1;
    }
    /* One process per data directory (issue 11 item 10): two servers on one store would each keep
     * their own caches and answer from different states. */
    int lock_fd = -1, db_lock_fd = -1;
    if (lock_data(cfg, &lock_fd, &db_lock_fd) != 0) {
        dirlock_release(lock_fd);
        return 1;
    }
    int rc = run_locked(cfg, &stop);
    dirlock_release(db_lock_fd);
    dirlock_release(lock_fd);
    return rc;
}

/* The server proper, once the data directory is this process's. */
static int run_locked(config_t *cfg, const sigset_t *stop) {
    store_set_durability(strcmp(cfg->durability, "full") == 0);
    if (prepare_store(cfg) != 0) return 1;
    if (app_nmodules > APP_MAX_MODULES) {
        fprintf(stderr, "entityd: too many modules (%zu > %d)\n", app_nmodules, APP_MAX_MODULES);
        return 1;
    }

    app_t app = {.cfg = cfg, .modules = app_modules, .nmodules = app_nmodules};
    char err[512];
    size_t ninit = 0;
    int rc = 1;
    /* The one Kusto client (DESIGN: a service the app owns), made before the modules that use it. */
    kusto_options kopts = {
        .imds_url = cfg->imds_url,
        .aad_url = cfg->aad_url,
        .app_name = "entityd",
        .client_version = "entityd/" PACKAGE_VERSION,
        .timeout_ms = cfg->kusto_timeout * 1000,
        .max_attempts = cfg->kusto_max_attempts,
    };
    app.kusto = kusto_client_new(&kopts);
    if (!app.kusto) {
        fprintf(stderr, "entityd: cannot create the Kusto client (see the log)\n");
        goto out;
    }
    for (; ninit < app.nmodules; ninit++) {
        const app_module *m = app.modules[ninit];
        if (m->init && m->init(&app, &app.state[ninit], err, sizeof err) != 0) {
            fprintf(stderr, "entityd: module %s: %s\n", m->name, err);
            goto out;
        }
    }
    gql_schema *schema = build_schema(cfg);
    if (!schema) goto out;

    gql_limits limits;
    gql_limits_default(&limits);
    limits.max_document_bytes = cfg->max_document_bytes;
    limits.max_tokens = cfg->max_tokens;
    limits.max_depth = cfg->max_depth;
    limits.max_aliases = cfg->max_aliases;
    limits.max_fields = cfg->max_fields;
    limits.cache_entries = cfg->doc_cache_entries;
    limits.max_response_bytes = cfg->max_response_bytes;
    limits.max_cost = (uint64_t)cfg->max_cost;
    limits.cost_list_size = cfg->cost_list_size;
    app.engine = gql_engine_new(schema, &limits);
    if (!app.engine) {
        fprintf(stderr, "entityd: cannot create the GraphQL engine\n");
        goto out;
    }
    app.pool = store_pool_new(cfg->db_path);
    if (!app.pool) {
        fprintf(stderr, "entityd: cannot create the database pool\n");
        goto out;
    }
    for (size_t i = 0; i < app.nmodules; i++) {
        const app_module *m = app.modules[i];
        if (m->start && m->start(&app, app.state[i], err, sizeof err) != 0) {
            fprintf(stderr, "entityd: module %s cannot start: %s\n", m->name, err);
            goto out;
        }
    }
    http_server *http = http_server_start(&app, err, sizeof err);
    if (!http) {
        fprintf(stderr, "entityd: %s\n", err);
        goto out;
    }
    log_info("entityd started", "version=%s graphql=http://%s:%d/graphql graphiql=http://%s:%d/graphiql",
             PACKAGE_VERSION, cfg->listen, cfg->port, cfg->listen, cfg->port);
    int sig = 0;
    while (sigwait(stop, &sig) != 0) {
    }
    log_info("stopping", "signal=%s", sig == SIGINT ? "SIGINT" : "SIGTERM");
    /* First make every Kusto call fail fast, so that neither a worker nor a request waiting on a reconcile
     * holds the shutdown for a Kusto timeout. */
    kusto_client_cancel(app.kusto);
    http_server_stop(http);
    rc = 0;
out:
    if (app.kusto) kusto_client_cancel(app.kusto);
    stop_modules(&app, ninit);
    if (app.kusto) kusto_client_free(app.kusto);
    if (app.engine) gql_engine_free(app.engine);
    if (app.pool) store_pool_free(app.pool);
    if (rc == 0) log_info("entityd stopped", "status=%d", 0);
    metrics_reset();
    return rc;
}

/* glibc gives memory back to the kernel (madvise/brk shrink) whenever the free top of a heap passes
 * M_TRIM_THRESHOLD, and serves blocks above the dynamic mmap threshold with mmap/munmap. Each request
 * frees its 64 KiB arena blocks and response buffer, so with the defaults every request trimmed the
 * heap and faulted the pages back in on the next one. Fixed thresholds keep that memory in the
 * process: freed memory is reused by the next request on the thread. */
static void tune_malloc(void) {
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, 4 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
#endif
}

int main(int argc, char **argv) {
    tune_malloc();
    if (argc > 1 && strcmp(argv[1], "gql") == 0) return gql_cli_main(argc - 1, argv + 1);
    config_t cfg;
    int rc = config_load(&cfg, argc, argv);
    if (rc != 0) return rc > 0 ? 0 : 2;
    rc = run_server(&cfg);
    config_free(&cfg);
    return rc;
}
