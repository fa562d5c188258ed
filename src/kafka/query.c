/* query.c -- SQL behind the Kafka GraphQL API (seed 004, Entity Query API): the filtered entity
 * list (keyset pagination on guid, never OFFSET), totalCount, GUID lookups, relationships of a
 * whole page in one statement, tenants with entity counts (seed 003). See query.h. */
#include "kafka/query.h"

#include <stdio.h>
#include <string.h>

#include "util/base64.h"
#include "util/buf.h"
#include "util/strmap.h"
#include "util/utf8.h"

#define ENTITY_COLUMNS                                                                                                 \
    "guid, account_id, type, provider, name, cluster_name, tenant, external_id, synthetic, created_at, "               \
    "last_seen, expires_at, metadata, throughput_in, throughput_out, consumer_lag, metrics_updated_at, "               \
    "COALESCE(alert_severity, 'NOT_ALERTING')"

/* ---- small helpers ---- */

static void set_err(char *err, size_t errlen, const char *what, sqlite3 *db) {
    if (err && errlen) snprintf(err, errlen, "%s: %s", what, db ? sqlite3_errmsg(db) : "error");
}

static const char *col_text(arena_t *a, sqlite3_stmt *st, int col) {
    const unsigned char *t = sqlite3_column_text(st, col);
    if (!t) return NULL;
    return arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(st, col));
}

const char *kafka_type_twin(const char *type) {
    static const char *const twins[][2] = {
        {"KAFKA_CLUSTER", "AWSMSKCLUSTER"},
        {"KAFKA_BROKER", "AWSMSKBROKER"},
        {"KAFKA_TOPIC", "AWSMSKTOPIC"},
    };
    if (!type) return NULL;
    for (size_t i = 0; i < sizeof twins / sizeof twins[0]; i++) {
        if (strcmp(type, twins[i][0]) == 0) return twins[i][1];
        if (strcmp(type, twins[i][1]) == 0) return twins[i][0];
    }
    return NULL;
}

int kafka_filter_add(arena_t *a, const char ***list, size_t *n, const char *value) {
    if (*n >= KAFKA_MAX_LIST_FILTER) return -1;
    const char **nl = arena_alloc(a, (*n + 1) * sizeof *nl);
    if (*n) memcpy(nl, *list, *n * sizeof *nl);
    nl[*n] = value;
    *list = nl;
    (*n)++;
    return 0;
}

/* ---- WHERE clause builder, shared by the page and the count so both see the same rows ---- */

typedef struct {
    bool is_int;
    const char *s;
    int64_t i;
} qbind;

#define QB_MAX_BINDS 16

typedef struct {
    buf_t sql;
    qbind binds[QB_MAX_BINDS];
    int nbinds;
    arena_t *arena;
} qbuild;

static void qb_text(qbuild *q, const char *s) {
    q->binds[q->nbinds].is_int = false;
    q->binds[q->nbinds].s = s;
    q->nbinds++;
}

static void qb_int(qbuild *q, int64_t i) {
    q->binds[q->nbinds].is_int = true;
    q->binds[q->nbinds].i = i;
    q->nbinds++;
}

/* A list filter becomes `col IN (SELECT value FROM json_each(?))`: one statement shape whatever
 * the list length, the values bound as a JSON array. */
static void qb_in_list(qbuild *q, const char *col, const char *const *vals, size_t n, bool twins) {
    buf_t j = BUF_INIT;
    buf_putc(&j, '[');
    for (size_t i = 0; i < n; i++) {
        if (i) buf_putc(&j, ',');
        buf_json_string(&j, vals[i], strlen(vals[i]));
        const char *twin = twins ? kafka_type_twin(vals[i]) : NULL;
        if (twin) {
            buf_putc(&j, ',');
            buf_json_string(&j, twin, strlen(twin));
        }
    }
    buf_putc(&j, ']');
    buf_printf(&q->sql, " AND %s IN (SELECT value FROM json_each(?))", col);
    qb_text(q, arena_strdup(q->arena, buf_cstr(&j)));
    buf_free(&j);
}

/* nameContains: LIKE with %, _ and the escape character itself escaped (ESCAPE '\'). */
static const char *like_pattern(arena_t *a, const char *s) {
    size_t n = strlen(s);
    char *p = arena_alloc(a, 2 * n + 3);
    size_t k = 0;
    p[k++] = '%';
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' || s[i] == '_' || s[i] == '\\') p[k++] = '\\';
        p[k++] = s[i];
    }
    p[k++] = '%';
    p[k] = '\0';
    return p;
}

/* Query plans (measured on 1,000,000 entities, bench/query.py): a page is cheap when SQLite walks an
 * index in guid order and stops after `limit` rows. With a type, cluster or tenant filter the
 * (account_id, x, guid) indexes of 0002_kafka.sql do that, and so do 0003's for provider and alert severity. Without
 * one, the planner would take any account_id index and sort the whole account; so for pages the account_id and provider
 * terms are made unusable for indexes (unary +) and the primary key is walked over the account's GUID range instead:
 * every GUID of account N starts with "N|" (identity.h), so guid in ("N|", "N}") holds exactly the account's rows ('}'
 * follows '|' in ASCII) and account_id = N stays as a check. Counts need no order, so they keep the plain terms (a
 * covering index scan). */
static void qb_where(qbuild *q, int64_t account_id, const kafka_filter *f, int64_t reporting_since, bool page) {
    /* One provider or one severity is an equality term, and 0003's (account_id, provider|alert_severity,
     * guid) indexes then yield the page in guid order; several values would need a sort. */
    bool one_provider = f && f->nproviders == 1, one_severity = f && f->nseverities == 1;
    bool indexed = f && (f->ntypes || f->cluster_name || f->tenant || one_provider || one_severity);
    if (page && !indexed) {
        buf_puts(&q->sql, " FROM entities WHERE +account_id = ? AND guid > ? AND guid < ?");
        qb_int(q, account_id);
        qb_text(q, arena_printf(q->arena, "%lld|", (long long)account_id));
        qb_text(q, arena_printf(q->arena, "%lld}", (long long)account_id));
    } else {
        buf_puts(&q->sql, " FROM entities WHERE account_id = ?");
        qb_int(q, account_id);
    }
    if (!f) return;
    if (f->ntypes) qb_in_list(q, "type", f->types, f->ntypes, true);
    if (one_provider) {
        buf_puts(&q->sql, " AND provider = ?");
        qb_text(q, f->providers[0]);
    } else if (f->nproviders) {
        qb_in_list(q, page ? "+provider" : "provider", f->providers, f->nproviders, false);
    }
    /* alert_severity is NOT NULL (0002_kafka.sql), so the plain column lets 0003's index serve it. */
    if (one_severity) {
        buf_puts(&q->sql, " AND alert_severity = ?");
        qb_text(q, f->severities[0]);
    } else if (f->nseverities) {
        qb_in_list(q, page ? "+alert_severity" : "alert_severity", f->severities, f->nseverities, false);
    }
    if (f->cluster_name) {
        buf_puts(&q->sql, " AND cluster_name = ?");
        qb_text(q, f->cluster_name);
    }
    if (f->name_contains) {
        buf_puts(&q->sql, " AND name LIKE ? ESCAPE '\\'");
        qb_text(q, like_pattern(q->arena, f->name_contains));
    }
    if (f->tenant) {
        buf_puts(&q->sql, " AND tenant = ?");
        qb_text(q, f->tenant);
    }
    if (f->synthetic >= 0) {
        buf_puts(&q->sql, " AND synthetic = ?");
        qb_int(q, f->synthetic ? 1 : 0);
        /* Synthetic entities are exactly those of provider API (seed 004: 'api' is the synthetic
         * source; ingest.c and synthetic.c set synthetic = provider is api). Saying so lets SQLite
         * use the (provider, last_seen) index instead of scanning the account: 1 s -> 0.1 ms on 1M. */
        if (f->synthetic) buf_puts(&q->sql, " AND provider = 'API'");
    }
    /* Reporting is computed in SQL against the request time, so paging and counting agree. */
    if (f->reporting >= 0) {
        buf_puts(&q->sql, f->reporting ? " AND last_seen >= ?" : " AND last_seen < ?");
        qb_int(q, reporting_since);
    }
}

/* The statement comes from the connection's cache (store_stmt, keyed by the SQL text): the text
 * depends only on which filters are present (list filters are one json_each(?) each, whatever their
 * length), so the number of shapes is bounded by the filter combinations, not by the values.
 * Text is bound SQLITE_STATIC from the caller's arena: qb_done() resets the statement and clears
 * the bindings before that arena goes away. */
static sqlite3_stmt *qb_prepare(store_t *s, qbuild *q, char *err, size_t errlen) {
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st = store_stmt(s, buf_cstr(&q->sql));
    if (!st) {
        set_err(err, errlen, "prepare entity query", db);
        return NULL;
    }
    for (int i = 0; i < q->nbinds; i++) {
        int rc = q->binds[i].is_int ? sqlite3_bind_int64(st, i + 1, q->binds[i].i)
                                    : sqlite3_bind_text(st, i + 1, q->binds[i].s, -1, SQLITE_STATIC);
        if (rc != SQLITE_OK) {
            set_err(err, errlen, "bind entity query", db);
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            return NULL;
        }
    }
    return st;
}

/* Done with a cached statement from qb_prepare: ends its read and drops the arena pointers. */
static void qb_done(sqlite3_stmt *st) {
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

static kafka_entity *read_entity(arena_t *a, sqlite3_stmt *st) {
    kafka_entity *e = arena_alloc(a, sizeof *e);
    e->guid = col_text(a, st, 0);
    e->account_id = sqlite3_column_int64(st, 1);
    e->type = col_text(a, st, 2);
    e->provider = col_text(a, st, 3);
    e->name = col_text(a, st, 4);
    e->cluster_name = col_text(a, st, 5);
    e->tenant = col_text(a, st, 6);
    e->external_id = col_text(a, st, 7);
    e->synthetic = sqlite3_column_int(st, 8) != 0;
    e->created_at = sqlite3_column_int64(st, 9);
    e->last_seen = sqlite3_column_int64(st, 10);
    e->has_expires_at = sqlite3_column_type(st, 11) != SQLITE_NULL;
    e->expires_at = sqlite3_column_int64(st, 11);
    e->metadata = col_text(a, st, 12);
    e->has_throughput_in = sqlite3_column_type(st, 13) != SQLITE_NULL;
    e->throughput_in = sqlite3_column_double(st, 13);
    e->has_throughput_out = sqlite3_column_type(st, 14) != SQLITE_NULL;
    e->throughput_out = sqlite3_column_double(st, 14);
    e->has_consumer_lag = sqlite3_column_type(st, 15) != SQLITE_NULL;
    e->consumer_lag = sqlite3_column_double(st, 15);
    e->has_metrics_updated_at = sqlite3_column_type(st, 16) != SQLITE_NULL;
    e->metrics_updated_at = sqlite3_column_int64(st, 16);
    e->alert_severity = col_text(a, st, 17);
    if (!e->guid) e->guid = "";
    if (!e->type) e->type = "";
    if (!e->provider) e->provider = "";
    if (!e->name) e->name = "";
    if (!e->cluster_name) e->cluster_name = "";
    return e;
}

/* ---- the entity list ---- */

int kafka_query_entities(store_t *s, arena_t *a, int64_t account_id, const kafka_filter *f, int64_t reporting_since,
                         const char *after_guid, uint32_t limit, kafka_page **out, char *err, size_t errlen) {
    qbuild q = {.sql = BUF_INIT, .arena = a};
    buf_puts(&q.sql, "SELECT " ENTITY_COLUMNS);
    qb_where(&q, account_id, f, reporting_since, true);
    /* Keyset pagination: stable order by the primary key, the next page starts after the cursor. */
    if (after_guid) {
        buf_puts(&q.sql, " AND guid > ?");
        qb_text(&q, after_guid);
    }
    buf_puts(&q.sql, " ORDER BY guid LIMIT ?");
    qb_int(&q, (int64_t)limit + 1); /* one more row tells whether a next page exists */
    sqlite3_stmt *st = qb_prepare(s, &q, err, errlen);
    buf_free(&q.sql);
    if (!st) return -1;

    kafka_page *page = arena_alloc(a, sizeof *page);
    page->items = arena_alloc_uninit(a, (size_t)limit * sizeof *page->items); /* count entries used */
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (page->count == limit) {
            page->has_next = true;
            break;
        }
        kafka_entity *e = read_entity(a, st);
        e->page = page;
        page->items[page->count++] = e;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        set_err(err, errlen, "entity query", store_db(s));
        qb_done(st);
        return -1;
    }
    qb_done(st);
    *out = page;
    return 0;
}

int kafka_count_entities(store_t *s, int64_t account_id, const kafka_filter *f, int64_t reporting_since, int64_t *out,
                         char *err, size_t errlen) {
    arena_t *tmp = arena_new();
    qbuild q = {.sql = BUF_INIT, .arena = tmp};
    buf_puts(&q.sql, "SELECT COUNT(*)");
    qb_where(&q, account_id, f, reporting_since, false);
    sqlite3_stmt *st = qb_prepare(s, &q, err, errlen);
    buf_free(&q.sql);
    int ret = -1;
    if (st) {
        if (sqlite3_step(st) == SQLITE_ROW) {
            *out = sqlite3_column_int64(st, 0);
            ret = 0;
        } else {
            set_err(err, errlen, "count entities", store_db(s));
        }
        qb_done(st);
    }
    arena_free(tmp);
    return ret;
}

int kafka_get_entity(store_t *s, arena_t *a, const char *guid, int64_t account_id, kafka_entity **out, char *err,
                     size_t errlen) {
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st = NULL;
    static const char sql[] = "SELECT " ENTITY_COLUMNS " FROM entities WHERE guid = ?1 AND (?2 < 0 OR account_id = ?2)";
    if (!(st = store_stmt(s, sql))) {
        set_err(err, errlen, "prepare entity lookup", db);
        return -1;
    }
    sqlite3_bind_text(st, 1, guid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, account_id);
    int rc = sqlite3_step(st);
    int ret;
    if (rc == SQLITE_ROW) {
        kafka_entity *e = read_entity(a, st);
        kafka_page *page = arena_alloc(a, sizeof *page);
        page->items = arena_alloc(a, sizeof *page->items);
        page->items[0] = e;
        page->count = 1;
        e->page = page;
        *out = e;
        ret = 0;
    } else if (rc == SQLITE_DONE) {
        ret = 1;
    } else {
        set_err(err, errlen, "entity lookup", db);
        ret = -1;
    }
    sqlite3_reset(st);
    return ret;
}

/* ---- relationships, one statement per page ---- */

/* The type segment of a GUID {accountId}|{domain}|{type}|{id}, for an end that is neither a stored
 * entity nor named by the relationship row (e.g. a host known only by GUID). */
static const char *type_from_guid(arena_t *a, const char *guid) {
    const char *p = guid;
    for (int i = 0; i < 2 && p; i++) {
        p = strchr(p, '|');
        if (p) p++;
    }
    if (!p) return "UNKNOWN";
    const char *end = strchr(p, '|');
    if (!end || end == p) return "UNKNOWN";
    return arena_strndup(a, p, (size_t)(end - p));
}

typedef struct {
    const char *owner;
    kafka_entity_rel rel;
} rel_row;

/* Both directions: the page's entity as source, then as target (a self-loop counted once).
 * Names and types come from the entities table when the end is a stored entity, else from the
 * names the relationship row carries (hosts, cloud accounts). */
static const char REL_SQL[] =
    "WITH page(g) AS (SELECT DISTINCT value FROM json_each(?1)) "
    "SELECT page.g, r.source_guid, r.target_guid, r.type, COALESCE(se.name, r.source_name), "
    "  COALESCE(se.type, r.source_type), COALESCE(te.name, r.target_name), COALESCE(te.type, r.target_type) "
    "FROM page JOIN relationships r ON r.source_guid = page.g "
    "LEFT JOIN entities se ON se.guid = r.source_guid LEFT JOIN entities te ON te.guid = r.target_guid "
    "UNION ALL "
    "SELECT page.g, r.source_guid, r.target_guid, r.type, COALESCE(se.name, r.source_name), "
    "  COALESCE(se.type, r.source_type), COALESCE(te.name, r.target_name), COALESCE(te.type, r.target_type) "
    "FROM page JOIN relationships r ON r.target_guid = page.g AND r.source_guid <> r.target_guid "
    "LEFT JOIN entities se ON se.guid = r.source_guid LEFT JOIN entities te ON te.guid = r.target_guid "
    "ORDER BY 1, 4, 2, 3";

int kafka_load_relationships(store_t *s, arena_t *a, kafka_page *page, char *err, size_t errlen) {
    if (page->rels_loaded) return 0;
    if (page->count == 0) {
        page->rels_loaded = true;
        return 0;
    }
    buf_t j = BUF_INIT;
    buf_putc(&j, '[');
    strmap_t owners;
    strmap_init(&owners, a);
    for (size_t i = 0; i < page->count; i++) {
        kafka_entity *e = page->items[i];
        e->rels = NULL;
        e->nrels = 0;
        if (i) buf_putc(&j, ',');
        buf_json_string(&j, e->guid, strlen(e->guid));
        strmap_put(&owners, e->guid, e);
    }
    buf_putc(&j, ']');

    sqlite3 *db = store_db(s);
    sqlite3_stmt *st = NULL;
    if (!(st = store_stmt(s, REL_SQL))) {
        set_err(err, errlen, "prepare relationships", db);
        buf_free(&j);
        return -1;
    }
    sqlite3_bind_text(st, 1, buf_cstr(&j), (int)j.len, SQLITE_TRANSIENT);
    buf_free(&j);

    ptrvec_t rows = {0};
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        rel_row *r = arena_alloc(a, sizeof *r);
        r->owner = col_text(a, st, 0);
        r->rel.source.guid = col_text(a, st, 1);
        r->rel.target.guid = col_text(a, st, 2);
        r->rel.type = col_text(a, st, 3);
        r->rel.source.name = col_text(a, st, 4);
        r->rel.source.type = col_text(a, st, 5);
        r->rel.target.name = col_text(a, st, 6);
        r->rel.target.type = col_text(a, st, 7);
        if (!r->owner || !r->rel.source.guid || !r->rel.target.guid || !r->rel.type) continue;
        if (!r->rel.source.type) r->rel.source.type = type_from_guid(a, r->rel.source.guid);
        if (!r->rel.target.type) r->rel.target.type = type_from_guid(a, r->rel.target.guid);
        kafka_entity *e = strmap_get(&owners, r->owner);
        if (!e) continue;
        e->nrels++;
        ptrvec_push(a, &rows, r);
    }
    if (rc != SQLITE_DONE) {
        set_err(err, errlen, "relationships", db);
        sqlite3_reset(st);
        return -1;
    }
    sqlite3_reset(st);

    /* Distribute: rows are ordered by owner, so each entity's relationships are contiguous. */
    for (size_t i = 0; i < page->count; i++) {
        kafka_entity *e = page->items[i];
        if (e->nrels) e->rels = arena_alloc(a, e->nrels * sizeof *e->rels);
        e->nrels = 0;
    }
    for (size_t i = 0; i < rows.count; i++) {
        rel_row *r = rows.items[i];
        kafka_entity *e = strmap_get(&owners, r->owner);
        e->rels[e->nrels++] = r->rel;
    }
    page->rels_loaded = true;
    return 0;
}

/* ---- cursors ---- */

#define CURSOR_PREFIX "v1:"

/* A cursor is the unpadded base64url of "v1:" + the GUID of the last entity of the page. */
const char *kafka_cursor_encode(arena_t *a, const char *guid) {
    const char *plain = arena_printf(a, CURSOR_PREFIX "%s", guid);
    return b64_encode_arena(a, plain, strlen(plain), B64_URL | B64_NOPAD);
}

int kafka_cursor_decode(arena_t *a, const char *cursor, const char **guid) {
    size_t n = strnlen(cursor, KAFKA_MAX_CURSOR + 1);
    if (n == 0 || n > KAFKA_MAX_CURSOR || memchr(cursor, '=', n)) return -1; /* written unpadded */
    unsigned char *out = arena_alloc(a, n / 4 * 3 + 4);
    long k = b64_decode(cursor, n, B64_URL, out);
    if (k < 0) return -1;
    out[k] = '\0';
    size_t plen = strlen(CURSOR_PREFIX);
    if ((size_t)k <= plen || memcmp(out, CURSOR_PREFIX, plen) != 0) return -1;
    if (memchr(out, '\0', (size_t)k) || !utf8_valid((const char *)out, (size_t)k, NULL)) return -1;
    *guid = (const char *)out + plen;
    return 0;
}

/* ---- tenants (seed 003) ---- */

int kafka_list_tenants(store_t *s, arena_t *a, int64_t account_id, kafka_tenant **out, size_t *n, char *err,
                       size_t errlen) {
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st = NULL;
    static const char sql[] = "SELECT t.id, t.first_seen, t.last_seen, "
                      "  (SELECT COUNT(*) FROM entities e WHERE e.account_id = t.account_id AND e.tenant = t.id) "
                      "FROM tenants t WHERE t.account_id = ?1 ORDER BY t.id";
    if (!(st = store_stmt(s, sql))) {
        set_err(err, errlen, "prepare tenants", db);
        return -1;
    }
    sqlite3_bind_int64(st, 1, account_id);
    ptrvec_t v = {0};
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        kafka_tenant *t = arena_alloc(a, sizeof *t);
        t->id = col_text(a, st, 0);
        if (!t->id) t->id = "";
        t->first_seen = sqlite3_column_int64(st, 1);
        t->last_seen = sqlite3_column_int64(st, 2);
        t->entity_count = sqlite3_column_int64(st, 3);
        ptrvec_push(a, &v, t);
    }
    if (rc != SQLITE_DONE) {
        set_err(err, errlen, "tenants", db);
        sqlite3_reset(st);
        return -1;
    }
    sqlite3_reset(st);
    kafka_tenant *arr = v.count ? arena_alloc(a, v.count * sizeof *arr) : NULL;
    for (size_t i = 0; i < v.count; i++)
        arr[i] = *(kafka_tenant *)v.items[i];
    *out = arr;
    *n = v.count;
    return 0;
}
