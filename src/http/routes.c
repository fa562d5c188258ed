/* routes.c -- maps a request path to its route: admission from the headers (unknown path, method,
 * the route's own checks) before the body is read, then the handler once it has arrived; and serves
 * the two small operational endpoints: GET /healthz (the store answers `SELECT 1`) and GET /metrics
 * (Prometheus text exposition format 0.0.4, with the store size gauge refreshed on each scrape, and
 * the process_* and entityd_build_info series read then). */
#include <dirent.h>
#include <jansson.h>
#include <microhttpd.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "http/http.h"
#include "util/log.h"
#include "util/metrics.h"

#define JSON_TYPE "application/json; charset=utf-8"

static bool is_get(const http_request *rq) {
    return strcmp(rq->method, "GET") == 0 || strcmp(rq->method, "HEAD") == 0;
}

static void method_not_allowed(http_response *resp, const char *allow) {
    resp->allow = allow;
    http_set_error(resp, 405, NULL, "METHOD_NOT_ALLOWED", "method not allowed; use %s", allow);
}

static void healthz(const http_request *rq, http_response *resp) {
    (void)rq;
    store_t *st = store_pool_get(rq->pool);
    char *errmsg = NULL;
    if (st && sqlite3_exec(store_db(st), "SELECT 1", NULL, NULL, &errmsg) == SQLITE_OK) {
        static const char ok[] = "{\"status\":\"ok\"}";
        http_set_body(resp, 200, JSON_TYPE, ok, sizeof ok - 1);
        return;
    }
    buf_t b = BUF_INIT;
    const char *why = errmsg ? errmsg : "the database cannot be opened";
    buf_puts(&b, "{\"status\":\"unavailable\",\"error\":");
    buf_json_string(&b, why, strlen(why));
    buf_putc(&b, '}');
    log_warn("health check failed", "error=\"%s\"", why);
    http_set_body(resp, 503, JSON_TYPE, b.data, b.len);
    buf_free(&b);
    sqlite3_free(errmsg);
}

#define REPEAT3(x) x x x
#define REPEAT18(x) REPEAT3(REPEAT3(x)) REPEAT3(REPEAT3(x))

/* The start of this process, seconds since the epoch: /proc/self/stat's starttime (clock ticks
 * after boot, field 22) plus /proc/stat's btime, as Prometheus' client libraries compute it.
 * -1 when /proc does not say. */
static double process_start_time(void) {
    char buf[1024];
    FILE *f = fopen("/proc/self/stat", "r");
    if (!f) return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')'); /* the command name may hold spaces and parentheses */
    if (!p) return -1;
    unsigned long long ticks = 0;
    /* after ")": state (field 3), 18 fields, starttime (field 22); skipped as words, whatever their width */
    if (sscanf(p + 2, "%*s" REPEAT18(" %*s") " %llu", &ticks) != 1)
        return -1;
    f = fopen("/proc/stat", "r");
    if (!f) return -1;
    unsigned long long btime = 0;
    char line[256];
    bool found = false;
    while (!found && fgets(line, sizeof line, f))
        found = sscanf(line, "btime %llu", &btime) == 1;
    fclose(f);
    long hz = sysconf(_SC_CLK_TCK);
    if (!found || hz <= 0) return -1;
    return (double)btime + (double)ticks / (double)hz;
}

/* process_* (the Prometheus client libraries' standard names) and entityd_build_info, read at each
 * scrape (issue 11 item 13). A value /proc cannot give is left out rather than reported as 0. */
static void process_metrics(buf_t *b) {
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0)
        buf_printf(b, "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n"
                      "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total %.6f\n",
                   (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
                       (double)ru.ru_stime.tv_usec / 1e6);
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long long vm = 0, rss = 0;
    if (f) {
        if (fscanf(f, "%llu %llu", &vm, &rss) == 2) {
            double page = (double)sysconf(_SC_PAGESIZE);
            buf_printf(b, "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
                          "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes %.0f\n"
                          "# HELP process_virtual_memory_bytes Virtual memory size in bytes.\n"
                          "# TYPE process_virtual_memory_bytes gauge\nprocess_virtual_memory_bytes %.0f\n",
                       (double)rss * page, (double)vm * page);
        }
        fclose(f);
    }
    DIR *d = opendir("/proc/self/fd");
    if (d) {
        long n = 0;
        for (struct dirent *e; (e = readdir(d)) != NULL;)
            if (e->d_name[0] != '.') n++;
        closedir(d);
        buf_printf(b, "# HELP process_open_fds Number of open file descriptors.\n"
                      "# TYPE process_open_fds gauge\nprocess_open_fds %ld\n", n - 1 /* opendir's own */);
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        buf_printf(b, "# HELP process_max_fds Maximum number of open file descriptors.\n"
                      "# TYPE process_max_fds gauge\nprocess_max_fds %llu\n", (unsigned long long)rl.rlim_cur);
    double start = process_start_time();
    if (start >= 0)
        buf_printf(b, "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.\n"
                      "# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds %.2f\n", start);
    const char *mhd = MHD_get_version();
    buf_printf(b, "# HELP entityd_build_info The running build: entityd, SQLite and libmicrohttpd versions.\n"
                  "# TYPE entityd_build_info gauge\n"
                  "entityd_build_info{version=\"%s\",sqlite=\"%s\",microhttpd=\"%s\"} 1\n",
               PACKAGE_VERSION, sqlite3_libversion(), mhd ? mhd : "unknown");
}

/* GET /readyz (readiness, issue 11 item 7): 200 while the store can be written, 503 while it cannot
 * (the database cannot be opened, or writes fail with a full disk). While the disk is marked full,
 * each call tries a write that changes nothing, so readiness comes back as soon as space is freed.
 * /healthz stays liveness: the process answers and the database can be read. */
static void readyz(const http_request *rq, http_response *resp) {
    store_t *st = store_pool_get(rq->pool);
    const char *why = NULL;
    if (!st)
        why = "the database cannot be opened";
    else if (store_disk_full() && store_probe_write(st) != 0)
        why = store_last_was_full(st) ? "disk full: writes fail" : "writes fail";
    if (!why) {
        static const char ok[] = "{\"status\":\"ready\"}";
        http_set_body(resp, 200, JSON_TYPE, ok, sizeof ok - 1);
        return;
    }
    buf_t b = BUF_INIT;
    buf_puts(&b, "{\"status\":\"not ready\",\"error\":");
    buf_json_string(&b, why, strlen(why));
    buf_putc(&b, '}');
    http_set_body(resp, 503, JSON_TYPE, b.data, b.len);
    buf_free(&b);
}

static void metrics(const http_request *rq, http_response *resp) {
    store_t *st = store_pool_get(rq->pool);
    if (st) {
        long long size = store_size_bytes(st);
        if (size >= 0)
            metrics_gauge_set("entityd_store_size_bytes", "Size of the SQLite database (page_count * page_size)", NULL,
                              (double)size);
    }
    metrics_gauge_set("entityd_store_disk_full", "1 while writes fail because the disk is full, else 0", NULL,
                      store_disk_full() ? 1 : 0);
    buf_t b = BUF_INIT;
    metrics_render(&b);
    process_metrics(&b);
    resp->status = 200;
    resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
    resp->body = buf_detach(&b, &resp->body_len);
}

static void not_found(const http_request *rq, http_response *resp) {
    http_set_error(resp, 404, NULL, "NOT_FOUND", "no such endpoint: %s %s", rq->method, rq->path);
}

static void index_page(const http_request *rq, http_response *resp) {
    static const char idx[] = "{\"graphql\":\"/graphql\",\"graphiql\":\"/graphiql\",\"health\":\"/healthz\","
                              "\"ready\":\"/readyz\",\"metrics\":\"/metrics\",\"events\":\"/v1/events\"}";
    (void)rq;
    http_set_body(resp, 200, JSON_TYPE, idx, sizeof idx - 1);
}

/* GET and HEAD only: 405 otherwise. */
static bool admit_get(const http_request *rq, http_response *resp, principal_t *principal) {
    (void)principal;
    if (is_get(rq)) return false;
    method_not_allowed(resp, "GET, HEAD");
    return true;
}

/* "/" answers GET only; any other method there is an unknown endpoint. */
static bool admit_index(const http_request *rq, http_response *resp, principal_t *principal) {
    (void)principal;
    if (is_get(rq)) return false;
    not_found(rq, resp);
    return true;
}

typedef struct {
    const char *path;
    bool subtree; /* also path + "/..." */
    const char *label; /* metrics label */
    bool (*admit)(const http_request *rq, http_response *resp, principal_t *principal);
    void (*handle)(const http_request *rq, http_response *resp);
} route_def;

static const route_def routes[] = {
    {"/graphql", false, "/graphql", http_graphql_admit, http_graphql},
    {"/graphiql", true, "/graphiql", admit_get, http_static},
    {"/healthz", false, "/healthz", admit_get, healthz},
    {"/readyz", false, "/readyz", admit_get, readyz},
    {"/metrics", false, "/metrics", admit_get, metrics},
    {"/v1/events", false, "/v1/events", http_events_admit, http_events},
    {"/", false, "/", admit_index, index_page},
};

static const route_def *find_route(const char *p) {
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        size_t n = strlen(routes[i].path);
        if (strncmp(p, routes[i].path, n) == 0 && (p[n] == '\0' || (routes[i].subtree && p[n] == '/')))
            return &routes[i];
    }
    return NULL;
}

const char *http_route_label(const char *path) {
    const route_def *r = find_route(path);
    return r ? r->label : "other";
}

bool http_admit(const http_request *rq, http_response *resp, principal_t *principal) {
    const route_def *r = find_route(rq->path);
    resp->route = r ? r->label : "other";
    /* A CORS preflight carries no credentials (Fetch standard, CORS-preflight request): answered whole. */
    if (strcmp(rq->method, "OPTIONS") == 0) return false;
    if (!r) {
        not_found(rq, resp);
        return true;
    }
    bool done = r->admit(rq, resp, principal);
    store_pool_release(rq->pool); /* admission may have authenticated the key */
    return done;
}

/* Every request ends with its thread's connection released, whichever way the handler returned. */
void http_route(const http_request *rq, http_response *resp) {
    const route_def *r = find_route(rq->path);
    resp->route = r ? r->label : "other";
    if (strcmp(rq->method, "OPTIONS") == 0)
        http_cors_preflight(rq, resp);
    else if (r)
        r->handle(rq, resp);
    else
        not_found(rq, resp);
    store_pool_release(rq->pool);
}

/* Counts errors by extensions.code. The engine writes "errors" first, so a body without
 * errors is recognized without parsing it. */
void http_count_graphql_errors(const char *body, size_t len) {
    static const char prefix[] = "{\"errors\"";
    if (len < sizeof prefix - 1 || memcmp(body, prefix, sizeof prefix - 1) != 0) return;
    json_t *root = json_loadb(body, len, 0, NULL);
    json_t *errs = root ? json_object_get(root, "errors") : NULL;
    size_t i;
    json_t *e;
    json_array_foreach(errs, i, e) {
        const char *code = json_string_value(json_object_get(json_object_get(e, "extensions"), "code"));
        char labels[96];
        /* Codes are upper-case identifiers; anything else is bucketed so labels stay bounded. */
        bool plain = code && strlen(code) < 48 && strspn(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") == strlen(code);
        snprintf(labels, sizeof labels, "code=\"%s\"", plain ? code : "OTHER");
        metrics_counter_add("entityd_graphql_errors_total", "GraphQL errors returned, by extensions.code", labels, 1);
    }
    json_decref(root);
}
