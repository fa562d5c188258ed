/* plan.c -- the pure part of the federated role (see plan.h): heartbeat rows -> partitions, the desired
 * {Database}_Partitions groups and macro-expand functions, their command text, change detection and script
 * batching. No I/O: reconcile.c feeds it what the hub answered and sends what it returns. */
#include "federation/plan.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "federation/clusters.h"
#include "kusto/kql.h"
#include "util/buf.h"

/* ---- errors ---- */

void fed_errlist_init(fed_errlist *e, arena_t *a, int64_t now) {
    memset(e, 0, sizeof *e);
    e->arena = a;
    e->now = now;
}

void fed_err(fed_errlist *e, const char *scope, const char *fmt, ...) {
    if (e->count >= FED_MAX_ERRORS) {
        e->dropped++;
        return;
    }
    e->items = arena_grow(e->arena, e->items, e->count, &e->cap, sizeof *e->items, 16);
    va_list ap;
    va_start(ap, fmt);
    char *msg = arena_vprintf(e->arena, fmt, ap);
    va_end(ap);
    /* Bounded: messages may quote Kusto answers. */
    if (strlen(msg) > 1000) strcpy(msg + 997, "...");
    e->items[e->count++] = (fed_error){e->now, arena_strdup(e->arena, scope), msg};
}

/* ---- names ---- */

bool fed_name_ok(const char *s) {
    return s && strlen(s) <= FED_MAX_NAME && kql_is_valid_name(s);
}

/* A name for an error message: printable ASCII only, bounded, so a hostile name cannot forge log lines. */
static const char *shown(arena_t *a, const char *s) {
    size_t n = strlen(s);
    if (n > 80) n = 80;
    char *out = arena_alloc(a, n + 4);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        out[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    if (strlen(s) > 80) strcpy(out + n, "...");
    return out;
}

static int cmp_str(const void *x, const void *y) {
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Sorts and removes duplicates; returns the new count. */
static size_t sort_unique(const char **v, size_t n) {
    if (n < 2) return n;
    qsort(v, n, sizeof *v, cmp_str);
    size_t k = 1;
    for (size_t i = 1; i < n; i++)
        if (strcmp(v[i], v[k - 1]) != 0) v[k++] = v[i];
    return k;
}

/* ---- heartbeat rows ---- */

/* The names of a "tables" or "views" member (an array of strings, or null as upstream sends for none). Bad
 * names are errors and skipped. Appends to *names. Returns -1 when the member has the wrong shape. */
static int read_names(arena_t *a, json_t *list, const char *what, const char *scope, const char ***names, size_t *n,
                      fed_errlist *errs) {
    if (!list || json_is_null(list)) return 0;
    if (!json_is_array(list)) {
        fed_err(errs, scope, "\"%s\" is not an array of names: ignored", what);
        return -1;
    }
    size_t count = json_array_size(list);
    if (count > FED_MAX_TABLES_PER_DB) {
        fed_err(errs, scope, "%zu %s: more than %d; the database is skipped", count, what, FED_MAX_TABLES_PER_DB);
        return -1;
    }
    const char **out = arena_realloc(a, *names, *n * sizeof **names, (*n + count) * sizeof **names);
    size_t k = *n;
    for (size_t i = 0; i < count; i++) {
        json_t *it = json_array_get(list, i);
        const char *s = json_string_value(it);
        if (!s || strlen(s) != json_string_length(it)) {
            fed_err(errs, scope, "%s[%zu] is not a string: skipped", what, i);
            continue;
        }
        if (!fed_name_ok(s)) {
            fed_err(errs, scope, "%s name \"%s\" is not a valid Kusto name: skipped", what, shown(a, s));
            continue;
        }
        out[k++] = arena_strdup(a, s);
    }
    *names = out;
    *n = k;
    return 0;
}

static int cmp_pdb(const void *x, const void *y) {
    return strcmp(((const fed_pdb *)x)->name, ((const fed_pdb *)y)->name);
}

int fed_parse_heartbeat(arena_t *a, const char *endpoint, int64_t ts, const char *schema, size_t schema_len,
                        const char *metadata, fed_partition *out, fed_errlist *errs) {
    memset(out, 0, sizeof *out);
    const char *why = NULL;
    const char *ep = endpoint ? adx_endpoint_normalize(a, endpoint, strlen(endpoint), &why) : NULL;
    if (!ep) {
        fed_err(errs, arena_printf(a, "heartbeat %s", endpoint ? shown(a, endpoint) : "(null)"),
                "ClusterEndpoint is not a cluster endpoint (%s): row skipped", why ? why : "missing");
        return -1;
    }
    const char *scope = arena_printf(a, "partition %s", ep);
    if (schema_len > FED_MAX_SCHEMA_BYTES) {
        fed_err(errs, scope, "Schema is %zu bytes, more than %u: row skipped", schema_len, FED_MAX_SCHEMA_BYTES);
        return -1;
    }
    json_error_t jerr;
    json_t *root = schema ? json_loadb(schema, schema_len, JSON_DECODE_ANY, &jerr) : NULL;
    if (!root || !json_is_array(root)) {
        fed_err(errs, scope, "Schema is not a JSON array of databases%s%s: row skipped", root ? "" : ": ",
                root ? "" : (schema ? jerr.text : "null"));
        json_decref(root);
        return -1;
    }
    size_t ndb = json_array_size(root);
    if (ndb > FED_MAX_DBS_PER_PARTITION) {
        fed_err(errs, scope, "Schema lists %zu databases, more than %d: row skipped", ndb, FED_MAX_DBS_PER_PARTITION);
        json_decref(root);
        return -1;
    }
    fed_pdb *dbs = arena_alloc(a, (ndb ? ndb : 1) * sizeof *dbs);
    size_t k = 0;
    for (size_t i = 0; i < ndb; i++) {
        json_t *d = json_array_get(root, i);
        json_t *name = json_is_object(d) ? json_object_get(d, "database") : NULL;
        const char *dn = json_string_value(name);
        if (!dn || strlen(dn) != json_string_length(name)) {
            fed_err(errs, scope, "Schema[%zu] has no \"database\" string: skipped", i);
            continue;
        }
        if (!fed_name_ok(dn) || !fed_name_ok(arena_printf(a, "%s" FED_GROUP_SUFFIX, dn))) {
            fed_err(errs, scope, "database name \"%s\" is not a valid Kusto name: skipped", shown(a, dn));
            continue;
        }
        const char *dscope = arena_printf(a, "%s database %s", scope, dn);
        fed_pdb db = {.name = arena_strdup(a, dn)};
        if (read_names(a, json_object_get(d, "tables"), "table", dscope, &db.tables, &db.ntables, errs) < 0 ||
            read_names(a, json_object_get(d, "views"), "view", dscope, &db.views, &db.nviews, errs) < 0)
            continue;
        /* A database listed twice in one row is one database (upstream would list the endpoint twice). */
        size_t j = 0;
        while (j < k && strcmp(dbs[j].name, db.name) != 0)
            j++;
        if (j < k) {
            fed_pdb *m = &dbs[j];
            m->tables = arena_realloc(a, m->tables, m->ntables * sizeof *m->tables,
                                      (m->ntables + db.ntables) * sizeof *m->tables);
            if (db.ntables) memcpy(m->tables + m->ntables, db.tables, db.ntables * sizeof *db.tables);
            m->ntables += db.ntables;
            m->views =
                arena_realloc(a, m->views, m->nviews * sizeof *m->views, (m->nviews + db.nviews) * sizeof *m->views);
            if (db.nviews) memcpy(m->views + m->nviews, db.views, db.nviews * sizeof *db.views);
            m->nviews += db.nviews;
        } else {
            dbs[k++] = db;
        }
    }
    json_decref(root);
    for (size_t i = 0; i < k; i++) {
        dbs[i].ntables = sort_unique(dbs[i].tables, dbs[i].ntables);
        dbs[i].nviews = sort_unique(dbs[i].views, dbs[i].nviews);
    }
    qsort(dbs, k, sizeof *dbs, cmp_pdb);
    out->endpoint = ep;
    out->last_heartbeat = ts;
    out->live = true;
    out->dbs = dbs;
    out->ndbs = k;
    /* PartitionMetadata is informational (the hub does not use it): kept when it is a bounded JSON object. */
    if (metadata && *metadata && strcmp(metadata, "null") != 0) {
        json_t *m = strlen(metadata) <= FED_MAX_METADATA_BYTES ? json_loads(metadata, JSON_DECODE_ANY, NULL) : NULL;
        if (m && json_is_object(m)) {
            char *text = json_dumps(m, JSON_COMPACT | JSON_SORT_KEYS);
            out->metadata = text ? arena_strdup(a, text) : NULL;
            free(text);
        } else {
            fed_err(errs, scope, "PartitionMetadata is not a JSON object of at most %d bytes: ignored",
                    FED_MAX_METADATA_BYTES);
        }
        json_decref(m);
    }
    return 0;
}

static int cmp_partition(const void *x, const void *y) {
    const fed_partition *p = x, *q = y;
    int c = strcmp(p->endpoint, q->endpoint);
    if (c) return c;
    /* newest first, so the merge below keeps the first of a run */
    return p->last_heartbeat < q->last_heartbeat ? 1 : p->last_heartbeat > q->last_heartbeat ? -1 : 0;
}

size_t fed_merge_partitions(fed_partition *p, size_t n) {
    if (n < 2) return n;
    qsort(p, n, sizeof *p, cmp_partition);
    size_t k = 1;
    for (size_t i = 1; i < n; i++)
        if (strcmp(p[i].endpoint, p[k - 1].endpoint) != 0) p[k++] = p[i];
    return k;
}

/* ---- the desired state ---- */

/* (database, table, endpoint) of one live partition: the unit the plan groups. */
typedef struct {
    const char *db;
    const char *table; /* NULL: the partition has the database (group membership) */
    const char *endpoint;
} fed_tuple;

static int cmp_tuple(const void *x, const void *y) {
    const fed_tuple *p = x, *q = y;
    int c = strcmp(p->db, q->db);
    if (c) return c;
    if (!p->table || !q->table) {
        if (p->table != q->table) return p->table ? 1 : -1;
    } else if ((c = strcmp(p->table, q->table)) != 0) {
        return c;
    }
    return strcmp(p->endpoint, q->endpoint);
}

static int cmp_fn(const void *x, const void *y) {
    return strcmp(((const fed_want_fn *)x)->function, ((const fed_want_fn *)y)->function);
}

void fed_plan_build(arena_t *a, const fed_partition *p, size_t n, const char *prefix, fed_plan *out,
                    fed_errlist *errs) {
    memset(out, 0, sizeof *out);
    if (!prefix) prefix = "";
    size_t nt = 0;
    for (size_t i = 0; i < n; i++) {
        if (!p[i].live) continue;
        for (size_t j = 0; j < p[i].ndbs; j++)
            nt += 1 + p[i].dbs[j].ntables + p[i].dbs[j].nviews;
    }
    fed_tuple *t = malloc((nt ? nt : 1) * sizeof *t);
    if (!t) abort();
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!p[i].live) continue;
        for (size_t j = 0; j < p[i].ndbs; j++) {
            const fed_pdb *d = &p[i].dbs[j];
            t[k++] = (fed_tuple){d->name, NULL, p[i].endpoint};
            for (size_t x = 0; x < d->ntables; x++)
                t[k++] = (fed_tuple){d->name, d->tables[x], p[i].endpoint};
            for (size_t x = 0; x < d->nviews; x++)
                t[k++] = (fed_tuple){d->name, d->views[x], p[i].endpoint};
        }
    }
    qsort(t, k, sizeof *t, cmp_tuple);
    /* Count databases for the allocation, then walk the sorted tuples once. */
    size_t ndbs = 0;
    for (size_t i = 0; i < k; i++)
        if (i == 0 || strcmp(t[i].db, t[i - 1].db) != 0) ndbs++;
    out->dbs = arena_alloc(a, (ndbs ? ndbs : 1) * sizeof *out->dbs);
    size_t i = 0;
    while (i < k) {
        size_t dend = i;
        while (dend < k && strcmp(t[dend].db, t[i].db) == 0)
            dend++;
        fed_want_db *d = &out->dbs[out->ndbs++];
        d->database = t[i].db;
        d->group = arena_printf(a, "%s" FED_GROUP_SUFFIX, t[i].db);
        size_t m = i;
        while (m < dend && !t[m].table)
            m++;
        d->endpoints = arena_alloc(a, ((m - i) ? (m - i) : 1) * sizeof *d->endpoints);
        for (size_t x = i; x < m; x++)
            if (d->nendpoints == 0 || strcmp(d->endpoints[d->nendpoints - 1], t[x].endpoint) != 0)
                d->endpoints[d->nendpoints++] = t[x].endpoint;
        size_t nfns = 0;
        for (size_t x = m; x < dend; x++)
            if (x == m || strcmp(t[x].table, t[x - 1].table) != 0) nfns++;
        d->fns = arena_alloc(a, (nfns ? nfns : 1) * sizeof *d->fns);
        size_t x = m;
        while (x < dend) {
            size_t tend = x;
            while (tend < dend && strcmp(t[tend].table, t[x].table) == 0)
                tend++;
            const char *name = arena_printf(a, "%s%s", prefix, t[x].table);
            if (!fed_name_ok(name)) {
                fed_err(errs, arena_printf(a, "database %s", d->database),
                        "function name \"%s\" (prefix + table) is not a valid Kusto name: skipped", shown(a, name));
            } else {
                fed_want_fn *f = &d->fns[d->nfns++];
                f->table = t[x].table;
                f->function = name;
                f->endpoints = arena_alloc(a, (tend - x) * sizeof *f->endpoints);
                for (size_t y = x; y < tend; y++)
                    if (f->nendpoints == 0 || strcmp(f->endpoints[f->nendpoints - 1], t[y].endpoint) != 0)
                        f->endpoints[f->nendpoints++] = t[y].endpoint;
            }
            x = tend;
        }
        qsort(d->fns, d->nfns, sizeof *d->fns, cmp_fn);
        out->nfns += d->nfns;
        i = dend;
    }
    free(t);
}

const fed_want_db *fed_plan_db(const fed_plan *p, const char *database) {
    size_t lo = 0, hi = p->ndbs;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(p->dbs[mid].database, database);
        if (c == 0) return &p->dbs[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* ---- command text ---- */

/* Characters that could end or escape a '...' literal. Validated endpoints and names never hold them; this is
 * the last line of defence. */
static bool literal_safe(const char *s) {
    for (; *s; s++)
        if (*s == '\'' || *s == '"' || *s == '\\' || (unsigned char)*s < 0x20 || *s == 0x7f) return false;
    return true;
}

static void append_ref(buf_t *b, const char *endpoint, const char *db) {
    buf_puts(b, "cluster('");
    buf_puts(b, endpoint);
    buf_puts(b, "').database('");
    buf_puts(b, db);
    buf_puts(b, "')");
}

const char *fed_entity_ref(arena_t *a, const char *endpoint, const char *database) {
    if (!literal_safe(endpoint) || !literal_safe(database)) return NULL;
    return arena_printf(a, "cluster('%s').database('%s')", endpoint, database);
}

static const char *detach(arena_t *a, buf_t *b) {
    const char *s = arena_strndup(a, buf_cstr(b), b->len);
    buf_free(b);
    return s;
}

static bool refs_safe(const char *db, const char *const *endpoints, size_t n) {
    if (!literal_safe(db)) return false;
    for (size_t i = 0; i < n; i++)
        if (!literal_safe(endpoints[i])) return false;
    return true;
}

const char *fed_group_command(arena_t *a, const char *verb, const fed_want_db *d) {
    if (!refs_safe(d->database, d->endpoints, d->nendpoints)) return NULL;
    buf_t b = BUF_INIT;
    buf_printf(&b, ".%s entity_group ", verb);
    kql_append_name(&b, d->group);
    buf_puts(&b, " (");
    for (size_t i = 0; i < d->nendpoints; i++) {
        if (i) buf_puts(&b, ", ");
        append_ref(&b, d->endpoints[i], d->database);
    }
    buf_putc(&b, ')');
    return detach(a, &b);
}

const char *fed_group_drop_command(arena_t *a, const char *group) {
    buf_t b = BUF_INIT;
    buf_puts(&b, ".drop entity_group ");
    kql_append_name(&b, group);
    return detach(a, &b);
}

/* Real Kusto syntax (docs macro-expand-operator): macro-expand [isfuzzy=true] entity_group [refs] as X
 * (Subquery); the subquery in parentheses, the table qualified with the alias. */
const char *fed_function_body(arena_t *a, const fed_want_db *d, const fed_want_fn *f, bool best_effort) {
    if (!refs_safe(d->database, f->endpoints, f->nendpoints)) return NULL;
    buf_t b = BUF_INIT;
    buf_puts(&b, best_effort ? "{ macro-expand isfuzzy=true entity_group [" : "{ macro-expand entity_group [");
    for (size_t i = 0; i < f->nendpoints; i++) {
        if (i) buf_puts(&b, ", ");
        append_ref(&b, f->endpoints[i], d->database);
    }
    buf_puts(&b, "] as X ( X.");
    kql_append_name(&b, f->table);
    buf_puts(&b, " ) }");
    return detach(a, &b);
}

const char *fed_function_docstring(arena_t *a, const fed_want_db *d, const fed_want_fn *f) {
    return arena_printf(a, "Federated %s: %s of database %s across the live partitions (entityd federation)",
                        f->function, f->table, d->database);
}

const char *fed_function_command(arena_t *a, const char *name, const char *folder, const char *docstring,
                                 const char *body) {
    buf_t b = BUF_INIT;
    buf_puts(&b, ".create-or-alter function with (folder=");
    kql_append_string(&b, folder);
    buf_puts(&b, ", docstring=");
    kql_append_string(&b, docstring);
    buf_puts(&b, ", skipvalidation=\"true\") ");
    kql_append_name(&b, name);
    buf_puts(&b, "() ");
    buf_puts(&b, body);
    return detach(a, &b);
}

const char *fed_function_drop_command(arena_t *a, const char *name) {
    buf_t b = BUF_INIT;
    buf_puts(&b, ".drop function ");
    kql_append_name(&b, name);
    buf_puts(&b, " ifexists");
    return detach(a, &b);
}

/* ---- change detection ---- */

static void skip_ws(const char **p) {
    while (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r')
        (*p)++;
}

/* Reads 'text' or "text" (no escapes: validated names never need them). */
static const char *read_literal(arena_t *a, const char **p) {
    char q = **p;
    if (q != '\'' && q != '"') return NULL;
    const char *start = ++(*p);
    while (**p && **p != q && **p != '\\')
        (*p)++;
    if (**p != q) return NULL;
    const char *s = arena_strndup(a, start, (size_t)(*p - start));
    (*p)++;
    return s;
}

static bool read_word(const char **p, const char *w) {
    size_t n = strlen(w);
    if (strncmp(*p, w, n) != 0) return false;
    *p += n;
    return true;
}

/* A reference in canonical form: cluster('<normalized endpoint>').database('<db>'); the raw text when it is
 * not of that shape (so it never compares equal to a wanted member). */
static const char *canonical_ref(arena_t *a, const char *ref) {
    const char *p = ref;
    skip_ws(&p);
    if (!read_word(&p, "cluster")) return ref;
    skip_ws(&p);
    if (*p++ != '(') return ref;
    skip_ws(&p);
    const char *ep = read_literal(a, &p);
    skip_ws(&p);
    if (!ep || *p++ != ')') return ref;
    skip_ws(&p);
    if (*p++ != '.') return ref;
    skip_ws(&p);
    if (!read_word(&p, "database")) return ref;
    skip_ws(&p);
    if (*p++ != '(') return ref;
    skip_ws(&p);
    const char *db = read_literal(a, &p);
    skip_ws(&p);
    if (!db || *p++ != ')') return ref;
    skip_ws(&p);
    if (*p) return ref;
    const char *why;
    const char *norm = adx_endpoint_normalize(a, ep, strlen(ep), &why);
    return arena_printf(a, "cluster('%s').database('%s')", norm ? norm : ep, db);
}

bool fed_members_equal(arena_t *a, const fed_want_db *d, const char *entities) {
    if (!entities) return false;
    json_t *arr = json_loads(entities, JSON_DECODE_ANY, NULL);
    /* Entities may arrive as a string holding the JSON array (protocol doc: declared string in [KL]). */
    if (arr && json_is_string(arr)) {
        json_t *inner = json_loads(json_string_value(arr), JSON_DECODE_ANY, NULL);
        json_decref(arr);
        arr = inner;
    }
    if (!arr || !json_is_array(arr)) {
        json_decref(arr);
        return false;
    }
    size_t n = json_array_size(arr);
    const char **got = arena_alloc(a, (n ? n : 1) * sizeof *got);
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        const char *s = json_string_value(json_array_get(arr, i));
        if (!s)
            ok = false;
        else
            got[i] = canonical_ref(a, s);
    }
    json_decref(arr);
    if (!ok) return false;
    n = sort_unique(got, n);
    if (n != d->nendpoints) return false;
    const char **want = arena_alloc(a, (n ? n : 1) * sizeof *want);
    for (size_t i = 0; i < n; i++)
        want[i] = arena_printf(a, "cluster('%s').database('%s')", d->endpoints[i], d->database);
    n = sort_unique(want, n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(want[i], got[i]) != 0) return false;
    return true;
}

bool fed_body_equal(const char *x, const char *y) {
    if (!x || !y) return false;
    static const char punct[] = "()[]{},.=";
    char prev = '\0';
    for (;;) {
        bool wx = false, wy = false;
        while (*x == ' ' || *x == '\t' || *x == '\n' || *x == '\r') {
            x++;
            wx = true;
        }
        while (*y == ' ' || *y == '\t' || *y == '\n' || *y == '\r') {
            y++;
            wy = true;
        }
        if (!*x || !*y) return !*x && !*y;
        /* A whitespace run matches a whitespace run, or none next to punctuation (`( X` vs `(X`). */
        if (wx != wy && !(prev && strchr(punct, prev)) && !strchr(punct, *x)) return false;
        if (*x != *y) return false;
        prev = *x;
        x++;
        y++;
    }
}

bool fed_function_is_ours(const char *name, const char *folder, const char *our_folder, const char *prefix) {
    if (!name || !folder || !our_folder || strcmp(folder, our_folder) != 0) return false;
    return !prefix || !*prefix || strncmp(name, prefix, strlen(prefix)) == 0;
}

/* ---- batching ---- */

void fed_batch_statements(arena_t *a, const char *const *stmts, size_t n, size_t max_bytes, fed_batch **out,
                          size_t *nout, bool *too_big) {
    const size_t head = strlen(FED_SCRIPT_HEAD);
    fed_batch *batches = arena_alloc(a, (n ? n : 1) * sizeof *batches);
    size_t *index = arena_alloc(a, (n ? n : 1) * sizeof *index);
    size_t nb = 0, used = 0;
    buf_t b = BUF_INIT;
    fed_batch cur = {0};
    for (size_t i = 0; i < n; i++) {
        size_t add = 3 + strlen(stmts[i]) + 1; /* "//\n" + statement + "\n" */
        too_big[i] = head + add >= max_bytes;  /* a script stays under max_bytes (issue 8: < 1 MiB) */
        if (too_big[i]) continue;
        if (cur.count > 0 && b.len + add >= max_bytes) {
            cur.text = arena_strndup(a, buf_cstr(&b), b.len);
            cur.len = b.len;
            batches[nb++] = cur;
            cur.count = 0;
        }
        if (cur.count == 0) {
            buf_reset(&b);
            buf_puts(&b, FED_SCRIPT_HEAD);
            cur.index = index + used;
        }
        buf_puts(&b, "//\n");
        buf_puts(&b, stmts[i]);
        buf_putc(&b, '\n');
        cur.index[cur.count++] = i;
        used++;
    }
    if (cur.count > 0) {
        cur.text = arena_strndup(a, buf_cstr(&b), b.len);
        cur.len = b.len;
        batches[nb++] = cur;
    }
    buf_free(&b);
    *out = batches;
    *nout = nb;
}
