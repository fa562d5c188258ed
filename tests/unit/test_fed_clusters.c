/* test_fed_clusters.c -- ADX cluster configuration (src/federation/clusters.c; seed 001 ADXCluster and
 * issue 8 "Configuration"): every field's validation with its error path, endpoint normalization and the
 * https rule, write-only secrets, the --adx-config file (good, bad, idempotent, all-or-nothing) and the lookup
 * API of the shared contract. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "federation/clusters.h"
#include "federation/store.h"
#include "store/store.h"

/* A gql_val from JSON text (what GraphQL input coercion or the file loader hands the validator). */
static gql_val input(arena_t *a, const char *json) {
    json_error_t e;
    json_t *j = json_loads(json, 0, &e);
    if (!j) fail_msg("bad test JSON: %s", e.text);
    gql_val v = gql_val_from_json(a, j);
    json_decref(j);
    return v;
}

static bool has_field(const adx_errors *e, const char *field) {
    for (size_t i = 0; i < e->count; i++)
        if (e->items[i].field && strcmp(e->items[i].field, field) == 0) return true;
    return false;
}

static void test_valid_partition_and_federated(void **state) {
    (void)state;
    arena_t *a = arena_new();
    adx_errors e = {.arena = a};
    adx_cluster c;
    gql_val in =
        input(a, "{\"name\":\"eu-partition\",\"endpoint\":\"HTTPS://EU.Kusto.Windows.net/\",\"role\":\"PARTITION\","
                 "\"databases\":[{\"databaseName\":\"Metrics\",\"telemetryType\":\"metrics\"},"
                 "{\"databaseName\":\"Logs\",\"telemetryType\":\"Logs\",\"retentionInDays\":7}],"
                 "\"auth\":{\"kind\":\"MANAGED_IDENTITY\",\"clientId\":\"1111-2222\"},"
                 "\"federatedClusters\":[{\"endpoint\":\"https://hub.kusto.windows.net\","
                 "\"heartbeatDatabase\":\"FleetDiscovery\",\"heartbeatTable\":\"Heartbeats\","
                 "\"managedIdentityClientId\":\"aaaa-bbbb\"}],"
                 "\"partitioning\":{\"location\":\"westeurope\",\"geo\":\"EU\"}}");
    assert_int_equal(adx_cluster_validate(a, &in, "input", true, &c, &e), 0);
    assert_int_equal(e.count, 0);
    assert_string_equal(c.name, "eu-partition");
    assert_string_equal(c.endpoint, "https://eu.kusto.windows.net");
    assert_int_equal(c.role, ADX_ROLE_PARTITION);
    assert_int_equal(c.ndatabases, 2);
    assert_string_equal(c.databases[0].telemetry_type, "Metrics"); /* canonical spelling */
    assert_int_equal(c.databases[0].retention_days, ADX_DEFAULT_RETENTION_DAYS);
    assert_int_equal(c.databases[1].retention_days, 7);
    assert_int_equal(c.auth.kind, KUSTO_AUTH_MANAGED_IDENTITY);
    assert_string_equal(c.auth.client_id, "1111-2222");
    assert_int_equal(c.ntargets, 1);
    assert_string_equal(c.partitioning, "{\"geo\":\"EU\",\"location\":\"westeurope\"}"); /* sorted */
    /* The heartbeat goes with the target's managed identity; the cluster's own calls with its own. */
    kusto_target t = adx_heartbeat_target(&c, &c.targets[0]);
    assert_int_equal(t.auth.kind, KUSTO_AUTH_MANAGED_IDENTITY);
    assert_string_equal(t.auth.client_id, "aaaa-bbbb");
    assert_string_equal(t.endpoint, "https://hub.kusto.windows.net");
    assert_string_equal(adx_cluster_target(&c).auth.client_id, "1111-2222");

    /* Federated, file spelling of the role and a duration string; defaults applied. */
    in = input(a,
               "{\"name\":\"hub\",\"endpoint\":\"http://127.0.0.1:8080\",\"role\":\"Federated\","
               "\"auth\":{\"kind\":\"TOKEN\",\"token\":\"t0k\"},"
               "\"heartbeatDatabase\":\"FleetDiscovery\",\"heartbeatTable\":\"Heartbeats\",\"heartbeatTTL\":\"90m\"}");
    assert_int_equal(adx_cluster_validate(a, &in, "input", true, &c, &e), 0);
    assert_int_equal(c.role, ADX_ROLE_FEDERATED);
    assert_int_equal(adx_cluster_ttl(&c), 5400);
    assert_string_equal(adx_cluster_prefix(&c), "");
    assert_string_equal(adx_cluster_folder(&c), "federation_facades");
    assert_true(adx_cluster_best_effort(&c));
    /* GraphQL hands the Duration scalar's seconds. */
    in = input(a, "{\"name\":\"hub\",\"endpoint\":\"https://h.x\",\"role\":\"FEDERATED\",\"heartbeatDatabase\":\"D\","
                  "\"heartbeatTable\":\"T\",\"heartbeatTTL\":7200,\"macroExpand\":{\"functionPrefix\":\"fed_\","
                  "\"bestEffort\":false,\"folder\":\"Fed/Facades\"}}");
    assert_int_equal(adx_cluster_validate(a, &in, "input", false, &c, &e), 0);
    assert_int_equal(adx_cluster_ttl(&c), 7200);
    assert_string_equal(adx_cluster_prefix(&c), "fed_");
    assert_false(adx_cluster_best_effort(&c));
    assert_string_equal(adx_cluster_folder(&c), "Fed/Facades");
    assert_int_equal(c.auth.kind, KUSTO_AUTH_NONE);
    arena_free(a);
}

/* Every bad field is reported with its path, not only the first (seed 001 rules, issue 8 per-field errors). */
static void test_field_errors(void **state) {
    (void)state;
    arena_t *a = arena_new();
    struct {
        const char *json;
        const char *field;
    } cases[] = {
        {"{\"endpoint\":\"https://a.x\"}", "input.name"},
        {"{\"name\":\"bad_name\",\"endpoint\":\"https://a.x\"}", "input.name"},
        {"{\"name\":\"x\",\"endpoint\":\"https://a.x/path\"}", "input.endpoint"},
        {"{\"name\":\"x\",\"endpoint\":\"a.x\"}", "input.endpoint"},
        {"{\"name\":\"x\"}", "input.endpoint"},
        /* https unless auth is NONE (loopback aside) */
        {"{\"name\":\"x\",\"endpoint\":\"http://a.x\",\"auth\":{\"kind\":\"TOKEN\",\"token\":\"t\"}}",
         "input.endpoint"},
        {"{\"name\":\"x\",\"endpoint\":\"https://a.x\",\"role\":\"HUB\"}", "input.role"},
        {"{\"name\":\"x\",\"endpoint\":\"https://a.x\",\"databases\":[{\"databaseName\":\"a-b\",\"telemetryType\":"
         "\"Logs\"}]}",
         "input.databases[0].databaseName"},
        {"{\"name\":\"x\",\"endpoint\":\"https://a.x\",\"databases\":[{\"databaseName\":\"a\",\"telemetryType\":"
         "\"Events\"}]}",
         "input.databases[0].telemetryType"},
        {"{\"name\":\"x\",\"endpoint\":\"https://a.x\",\"databases\":[{\"databaseName\":\"a\",\"telemetryType\":"
         "\"Logs\",\"retentionInDays\":0}]}",
         "input.databases[0].retentionInDays"},
        {"{\"name\":\"x\",\"endpoint\":\"https://a.x\",\"databases\":[{\"databaseName\":\"a\",\"telemetryType\":"
         "\"Logs\"},{\"databaseName\":\"a\",\"telemetryType\":\"Logs\"}]}",
         "input.databases[1].databaseName"},
        {"{\"name\":\"x\",\"endpoint\":\"https://a.x\",\"auth\":{\"kind\":\"PASSWORD\"}}", "input.auth.kind"},
        {"{\"name\":\"x\",\"endpoint\":\"https://a.x\",\"auth\":{\"kind\":\"NONE\",\"token\":\"t\"}}",
         "input.auth.token"},
        {"{\"name\":\"x\",\"endpoint\":\"https://a.x\",\"auth\":{\"kind\":\"CLIENT_SECRET\",\"tenantId\":\"a/b\","
         "\"clientId\":\"c\",\"clientSecret\":\"s\"}}",
         "input.auth.tenantId"},
        {"{\"name\":\"x\",\"endpoint\":\"https://a.x\",\"federatedClusters\":[{\"endpoint\":\"https://h.x\","
         "\"heartbeatDatabase\":\"D\",\"heartbeatTable\":\"Heart beats\"}]}",
         "input.federatedClusters[0].heartbeatTable"},
        {"{\"name\":\"x\",\"endpoint\":\"https://a.x\",\"federatedClusters\":[{\"endpoint\":\"https://h.x\","
         "\"heartbeatTable\":\"T\"}]}",
         "input.federatedClusters[0].heartbeatDatabase"},
        {"{\"name\":\"x\",\"endpoint\":\"https://a.x\",\"federatedClusters\":[{\"endpoint\":\"ftp://h.x\","
         "\"heartbeatDatabase\":\"D\",\"heartbeatTable\":\"T\"}]}",
         "input.federatedClusters[0].endpoint"},
        /* a target over http with the cluster's TOKEN auth: refused */
        {"{\"name\":\"x\",\"endpoint\":\"https://a.x\",\"auth\":{\"kind\":\"TOKEN\",\"token\":\"t\"},"
         "\"federatedClusters\":[{\"endpoint\":\"http://h.x\",\"heartbeatDatabase\":\"D\",\"heartbeatTable\":\"T\"}]}",
         "input.federatedClusters[0].endpoint"},
        {"{\"name\":\"x\",\"endpoint\":\"https://a.x\",\"role\":\"FEDERATED\",\"heartbeatDatabase\":\"D\","
         "\"heartbeatTable\":\"T\",\"federatedClusters\":[]}",
         "input.federatedClusters"},
        {"{\"name\":\"x\",\"endpoint\":\"https://a.x\",\"partitioning\":[1]}", "input.partitioning"},
        {"{\"name\":\"x\",\"endpoint\":\"https://a.x\",\"role\":\"FEDERATED\",\"heartbeatTable\":\"T\"}",
         "input.heartbeatDatabase"},
        {"{\"name\":\"x\",\"endpoint\":\"https://a.x\",\"role\":\"FEDERATED\",\"heartbeatDatabase\":\"D\"}",
         "input.heartbeatTable"},
        {"{\"name\":\"x\",\"endpoint\":\"https://a.x\",\"role\":\"FEDERATED\",\"heartbeatDatabase\":\"D\","
         "\"heartbeatTable\":\"T\",\"heartbeatTTL\":0}",
         "input.heartbeatTTL"},
        {"{\"name\":\"x\",\"endpoint\":\"https://a.x\",\"role\":\"FEDERATED\",\"heartbeatDatabase\":\"D\","
         "\"heartbeatTable\":\"T\",\"heartbeatTTL\":\"soon\"}",
         "input.heartbeatTTL"},
        {"{\"name\":\"x\",\"endpoint\":\"https://a.x\",\"role\":\"FEDERATED\",\"heartbeatDatabase\":\"D\","
         "\"heartbeatTable\":\"T\",\"macroExpand\":{\"functionPrefix\":\"f-\"}}",
         "input.macroExpand.functionPrefix"},
        {"{\"name\":\"x\",\"endpoint\":\"https://a.x\",\"role\":\"FEDERATED\",\"heartbeatDatabase\":\"D\","
         "\"heartbeatTable\":\"T\",\"macroExpand\":{\"folder\":\"x'); .drop\"}}",
         "input.macroExpand.folder"},
        {"{\"name\":\"x\",\"endpoint\":\"https://a.x\",\"heartbeatTable\":\"T\"}", "input.heartbeatTable"},
        /* the file spells upstream's field: refused as unknown (strict) */
        {"{\"name\":\"x\",\"endpoint\":\"https://a.x\",\"federatedTargets\":[]}", "input.federatedTargets"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        adx_errors e = {.arena = a};
        adx_cluster c;
        gql_val in = input(a, cases[i].json);
        int rc = adx_cluster_validate(a, &in, "input", true, &c, &e);
        if (rc == 0 || !has_field(&e, cases[i].field))
            fail_msg("case %zu (%s): expected an error on %s, got %zu errors (first: %s)", i, cases[i].json,
                     cases[i].field, e.count, e.count ? e.items[0].field : "-");
    }
    /* Several bad fields at once: each reported. */
    adx_errors e = {.arena = a};
    adx_cluster c;
    gql_val in = input(a, "{\"name\":\"a b\",\"endpoint\":\"nope\",\"role\":\"x\"}");
    assert_int_equal(adx_cluster_validate(a, &in, "input", true, &c, &e), -1);
    assert_true(has_field(&e, "input.name") && has_field(&e, "input.endpoint") && has_field(&e, "input.role"));
    /* 100 characters is the cluster name limit. */
    char name[102];
    memset(name, 'n', 101);
    name[101] = '\0';
    assert_false(adx_cluster_name_valid(name, 101));
    assert_true(adx_cluster_name_valid(name, 100));
    arena_free(a);
}

static void test_endpoints(void **state) {
    (void)state;
    arena_t *a = arena_new();
    struct {
        const char *in, *out;
    } ok[] = {{"https://X.Kusto.Windows.Net", "https://x.kusto.windows.net"},
              {"HTTPS://x.kusto.windows.net/", "https://x.kusto.windows.net"},
              {"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
              {"https://[::1]:443/", "https://[::1]:443"},
              {"http://localhost:1", "http://localhost:1"}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        const char *why;
        const char *n = adx_endpoint_normalize(a, ok[i].in, strlen(ok[i].in), &why);
        assert_non_null(n);
        assert_string_equal(n, ok[i].out);
    }
    const char *bad[] = {"https://",      "https://a.x//", "https://a.x/db", "https://a.x#f",    "https://a.x:0",
                         "https://a.x:",  "https://-a.x",  "https://a.x.",   "https://.a.x",     "https://a'x",
                         "https://a.x\n", "javascript:x",  "https://[zz]",   "https://a.x:65536"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *why = NULL;
        if (adx_endpoint_normalize(a, bad[i], strlen(bad[i]), &why)) fail_msg("accepted %s", bad[i]);
        assert_non_null(why);
    }
    assert_true(adx_endpoint_is_loopback("http://127.0.0.1:8080"));
    assert_true(adx_endpoint_is_loopback("http://127.1.2.3"));
    assert_true(adx_endpoint_is_loopback("https://[::1]:9"));
    assert_true(adx_endpoint_is_loopback("http://localhost:5"));
    assert_false(adx_endpoint_is_loopback("http://127.0.0.1.evil.com"));
    assert_false(adx_endpoint_is_loopback("http://localhost.evil.com"));
    assert_false(adx_endpoint_is_loopback("http://10.0.0.1"));
    assert_true(adx_endpoint_allows_auth("http://a.x", KUSTO_AUTH_NONE));
    assert_false(adx_endpoint_allows_auth("http://a.x", KUSTO_AUTH_MANAGED_IDENTITY));
    assert_true(adx_endpoint_allows_auth("https://a.x", KUSTO_AUTH_CLIENT_SECRET));
    assert_true(adx_endpoint_allows_auth("http://127.0.0.1:9", KUSTO_AUTH_TOKEN));
    arena_free(a);
}

static void test_secrets(void **state) {
    (void)state;
    arena_t *a = arena_new();
    adx_errors e = {.arena = a};
    adx_cluster c, old;
    gql_val in = input(a, "{\"name\":\"x\",\"endpoint\":\"https://a.x\",\"auth\":{\"kind\":\"TOKEN\"}}");
    assert_int_equal(adx_cluster_validate(a, &in, "input", true, &c, &e), 0);
    adx_cluster_complete_secrets(&c, NULL, "input", &e);
    assert_true(has_field(&e, "input.auth.token"));
    /* The stored token is kept when the kind is unchanged. */
    memset(&old, 0, sizeof old);
    old.auth.kind = KUSTO_AUTH_TOKEN;
    old.auth.token = "stored";
    e.count = 0;
    adx_cluster_complete_secrets(&c, &old, "input", &e);
    assert_int_equal(e.count, 0);
    assert_string_equal(c.auth.token, "stored");
    /* A different kind does not inherit. */
    in = input(a, "{\"name\":\"x\",\"endpoint\":\"https://a.x\",\"auth\":{\"kind\":\"CLIENT_SECRET\","
                  "\"clientId\":\"app\"}}");
    assert_int_equal(adx_cluster_validate(a, &in, "input", true, &c, &e), 0);
    adx_cluster_complete_secrets(&c, &old, "input", &e);
    assert_true(has_field(&e, "input.auth.tenantId") && has_field(&e, "input.auth.clientSecret"));
    assert_false(has_field(&e, "input.auth.clientId"));
    arena_free(a);
}

static char db_path[64];

static store_t *fresh_store(void) {
    snprintf(db_path, sizeof db_path, "/tmp/test_fed_clusters_XXXXXX");
    int fd = mkstemp(db_path);
    assert_true(fd >= 0);
    close(fd);
    char err[256];
    store_t *st = store_open(db_path, err, sizeof err);
    assert_non_null(st);
    assert_int_equal(store_migrate(st, err, sizeof err), 0);
    return st;
}

static void drop_store(store_t *st) {
    store_close(st);
    unlink(db_path);
    char side[80];
    snprintf(side, sizeof side, "%s-wal", db_path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", db_path);
    unlink(side);
}

static const char *write_file(const char *text) {
    static char path[64];
    snprintf(path, sizeof path, "/tmp/test_fed_config_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static const char GOOD_FILE[] =
    "{\"clusters\":[{\"name\":\"hub\",\"endpoint\":\"https://hub.kusto.windows.net\",\"role\":\"Federated\","
    "\"auth\":{\"kind\":\"CLIENT_SECRET\",\"tenantId\":\"t\",\"clientId\":\"c\",\"clientSecret\":\"s3cret\"},"
    "\"heartbeatDatabase\":\"FleetDiscovery\",\"heartbeatTable\":\"Heartbeats\",\"heartbeatTTL\":\"1h\","
    "\"macroExpand\":{\"functionPrefix\":\"federated_\",\"bestEffort\":true,\"folder\":\"federation_facades\"}},"
    "{\"name\":\"eu\",\"endpoint\":\"https://eu.kusto.windows.net\",\"databases\":[{\"databaseName\":\"Logs\","
    "\"telemetryType\":\"Logs\",\"retentionInDays\":14}],\"federatedClusters\":[{\"endpoint\":"
    "\"https://hub.kusto.windows.net\",\"heartbeatDatabase\":\"FleetDiscovery\",\"heartbeatTable\":\"Heartbeats\","
    "\"managedIdentityClientId\":\"abcd\"}],\"partitioning\":{\"geo\":\"EU\"}}]}";

static void test_config_file(void **state) {
    (void)state;
    store_t *st = fresh_store();
    char err[512] = "";
    size_t applied = 0;
    const char *path = write_file(GOOD_FILE);
    assert_int_equal(adx_config_load_file(st, path, 1000, &applied, err, sizeof err), 0);
    assert_int_equal(applied, 2);
    arena_t *a = arena_new();
    adx_cluster c;
    assert_int_equal(fed_store_cluster_get(st, a, "hub", 0, &c, err, sizeof err), 0);
    assert_string_equal(c.source, path);
    assert_string_equal(c.auth.client_secret, "s3cret");
    assert_int_equal(c.heartbeat_ttl, 3600);
    assert_string_equal(c.function_prefix, "federated_");
    assert_int_equal(fed_store_cluster_get(st, a, "eu", 0, &c, err, sizeof err), 0);
    assert_int_equal(c.ntargets, 1);
    assert_string_equal(c.targets[0].managed_identity_client_id, "abcd");
    assert_int_equal(c.databases[0].retention_days, 14);
    int64_t updated = c.updated_at;
    /* Applied again at the next start: idempotent, nothing rewritten. */
    assert_int_equal(adx_config_load_file(st, path, 2000, &applied, err, sizeof err), 0);
    assert_int_equal(applied, 0);
    assert_int_equal(fed_store_cluster_get(st, a, "eu", 0, &c, err, sizeof err), 0);
    assert_int_equal(c.updated_at, updated);
    unlink(path);

    /* The lookup API of the shared contract. */
    adx_cluster_ref ref;
    assert_int_equal(adx_cluster_lookup(st, a, "hub", &ref, err, sizeof err), 0);
    assert_string_equal(ref.role, "FEDERATED");
    assert_string_equal(ref.target.endpoint, "https://hub.kusto.windows.net");
    assert_int_equal(ref.target.auth.kind, KUSTO_AUTH_CLIENT_SECRET);
    assert_string_equal(ref.target.auth.client_secret, "s3cret");
    adx_cluster_ref by_id;
    assert_int_equal(adx_cluster_lookup_id(st, a, ref.id, &by_id, err, sizeof err), 0);
    assert_string_equal(by_id.name, "hub");
    assert_int_equal(adx_cluster_lookup(st, a, "nope", &ref, err, sizeof err), 1);
    assert_int_equal(adx_cluster_lookup_id(st, a, 9999, &ref, err, sizeof err), 1);

    /* A bad file names the cluster and the field, and changes nothing (one transaction). */
    path = write_file("{\"clusters\":[{\"name\":\"new-one\",\"endpoint\":\"https://n.x\"},"
                      "{\"name\":\"hub\",\"endpoint\":\"https://hub.x\",\"role\":\"FEDERATED\","
                      "\"heartbeatDatabase\":\"D\",\"heartbeatTable\":\"bad table\"}]}");
    assert_int_equal(adx_config_load_file(st, path, 3000, &applied, err, sizeof err), -1);
    assert_non_null(strstr(err, "cluster \"hub\""));
    assert_non_null(strstr(err, "clusters[1].heartbeatTable"));
    assert_int_equal(fed_store_cluster_get(st, a, "new-one", 0, &c, err, sizeof err), 1);
    unlink(path);
    const char *bad[] = {
        "not json",
        "[]",
        "{\"clusters\":{}}",
        "{\"clusters\":[],\"extra\":1}",
        "{\"clusters\":[{\"name\":\"a\",\"endpoint\":\"https://a.x\"},{\"name\":\"a\","
        "\"endpoint\":\"https://b.x\"}]}",
        "{\"clusters\":[{\"name\":\"t\",\"endpoint\":\"https://a.x\",\"auth\":{\"kind\":\"TOKEN\"}}]}"};
    const char *want[] = {"not JSON",     "must be an object", "must be an object", "unknown top-level field",
                          "listed twice", "auth.token"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        path = write_file(bad[i]);
        err[0] = '\0';
        assert_int_equal(adx_config_load_file(st, path, 3000, &applied, err, sizeof err), -1);
        if (!strstr(err, want[i])) fail_msg("file %zu: \"%s\" does not mention \"%s\"", i, err, want[i]);
        unlink(path);
    }
    assert_int_equal(adx_config_load_file(st, "/nonexistent/adx.json", 3000, &applied, err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/adx.json"));
    arena_free(a);
    drop_store(st);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_partition_and_federated),
        cmocka_unit_test(test_field_errors),
        cmocka_unit_test(test_endpoints),
        cmocka_unit_test(test_secrets),
        cmocka_unit_test(test_config_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
