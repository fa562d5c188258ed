/* execute.c -- execution (spec §6): GetOperation, ExecuteOperation with serial mutations,
 * CollectFields with @skip/@include, ExecuteField with argument coercion, CompleteValue for
 * every type kind (abstract types resolved from the value), null propagation (§6.4.4) and
 * leaf result coercion. The result tree is built in the request arena and written by response.c. */
#include "graphql/execution/execute.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graphql/execution/coerce.h"
#include "graphql/jsutils/inspect.h"
#include "graphql/execution/response.h"
#include "graphql/execution/cost.h"
#include "graphql/type/introspection.h"

/* CollectSubfields memo: list items share field nodes and usually their runtime type. */
#define SUBFIELD_MEMO 64
typedef struct {
    const void *nodes;
    const struct gql_type *type;
    struct grouped_fields *g;
} subfield_memo;

typedef struct {
    const gql_schema *schema;
    const gql_document *doc;
    const gql_definition *op;
    strmap_t fragments; /* name -> gql_definition* */
    gql_val variables;  /* GQL_V_MAP */
    gql_errors errs;
    arena_t *a;
    void *context;
    subfield_memo memo[SUBFIELD_MEMO];
    size_t max_response_bytes; /* 0: no budget */
    size_t response_bytes;     /* the serialized size of what has been completed so far (an estimate) */
    bool too_large;            /* past the budget: no more fields run */
} exec_ctx;

/* One entry of a grouped field set (§6.3.2): a response key and the field nodes merged under it. */
typedef struct {
    const char *key;
    ptrvec_t nodes; /* gql_selection* */
} field_group;

typedef struct grouped_fields {
    field_group *items;
    size_t count;
    size_t cap;
    strmap_t index; /* key -> (void *)(uintptr_t)(i + 1) */
} grouped_fields;

/* What an error raised while completing a field needs: the field and its nodes. */
typedef struct {
    const gql_type *parent_type;
    const char *field_name;
    gql_selection *const *nodes;
    size_t nnodes;
    gql_resolve_info *info;
} field_exec;

/* §6.1 GetOperation(document, operationName). */
const gql_definition *gql_get_operation(const gql_document *doc, const char *operation_name, gql_errors *errs) {
    const gql_definition *found = NULL;
    size_t nops = 0;
    for (size_t i = 0; i < doc->ndefs; i++) {
        const gql_definition *d = doc->defs[i];
        if (d->kind != GQL_DEF_OPERATION) continue;
        nops++;
        if (operation_name) {
            if (d->name.value && strcmp(d->name.value, operation_name) == 0) return d;
        } else if (!found) {
            found = d;
        }
    }
    if (operation_name) {
        gql_errors_add(errs, GQL_CODE_BAD_USER_INPUT, NULL, 0, NULL, "Unknown operation named \"%s\".", operation_name);
        return NULL;
    }
    if (nops == 0) {
        gql_errors_add(errs, GQL_CODE_BAD_USER_INPUT, NULL, 0, NULL, "Must provide an operation.");
        return NULL;
    }
    if (nops > 1) {
        gql_errors_add(errs, GQL_CODE_BAD_USER_INPUT, NULL, 0, NULL,
                       "Must provide operation name if query contains multiple operations.");
        return NULL;
    }
    return found;
}

/* ---- errors ---- */

static void raise_error(exec_ctx *c, const field_exec *fe, const gql_path *path, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void raise_error(exec_ctx *c, const field_exec *fe, const gql_path *path, const char *code, const char *fmt,
                        ...) {
    gql_loc *locs = arena_alloc(c->a, (fe->nnodes ? fe->nnodes : 1) * sizeof *locs);
    for (size_t i = 0; i < fe->nnodes; i++)
        locs[i] = fe->nodes[i]->loc;
    va_list ap;
    va_start(ap, fmt);
    gql_errors_vadd(&c->errs, code, locs, fe->nnodes, path, fmt, ap);
    va_end(ap);
}

/* ---- §6.3.2 CollectFields ---- */

/* The boolean value of a directive's "if" argument (literal or variable); -1 when unusable. */
static int directive_if(exec_ctx *c, const gql_directive *d) {
    for (size_t i = 0; i < d->nargs; i++) {
        if (strcmp(d->args[i]->name.value, "if") != 0) continue;
        const gql_value *v = d->args[i]->value;
        if (v->kind == GQL_VALUE_BOOLEAN) return v->boolean;
        if (v->kind == GQL_VALUE_VARIABLE) {
            const gql_val *vv = gql_map_get(&c->variables, v->str);
            if (vv && vv->kind == GQL_V_BOOL) return vv->b;
        }
        return -1;
    }
    return -1;
}

/* §6.3.2 steps for @skip(if:) and @include(if:). */
static bool should_include(exec_ctx *c, gql_directive *const *dirs, size_t n) {
    for (size_t i = 0; i < n; i++) {
        const char *name = dirs[i]->name.value;
        if (strcmp(name, "skip") == 0 && directive_if(c, dirs[i]) == 1) return false;
        if (strcmp(name, "include") == 0 && directive_if(c, dirs[i]) == 0) return false;
    }
    return true;
}

/* §6.3.2 DoesFragmentTypeApply(objectType, fragmentType). */
static bool fragment_type_applies(exec_ctx *c, const gql_type *object_type, const char *type_name) {
    const gql_type *t = gql_schema_type(c->schema, type_name);
    if (!t) return false;
    if (t == object_type) return true;
    if (t->kind == GQL_INTERFACE || t->kind == GQL_UNION) return gql_is_possible_type(t, object_type);
    return false;
}

static void group_add(exec_ctx *c, grouped_fields *g, const char *key, gql_selection *node) {
    size_t idx = (size_t)(uintptr_t)strmap_get(&g->index, key);
    if (!idx) {
        if (g->count == g->cap) {
            size_t ncap = g->cap ? g->cap * 2 : 8;
            g->items = arena_realloc(c->a, g->items, g->cap * sizeof *g->items, ncap * sizeof *g->items);
            g->cap = ncap;
        }
        g->items[g->count].key = key;
        g->count++;
        idx = g->count;
        strmap_put(&g->index, key, (void *)(uintptr_t)idx);
    }
    ptrvec_push(c->a, &g->items[idx - 1].nodes, node);
}

static void collect_fields(exec_ctx *c, const gql_type *object_type, const gql_selection_set *set, strmap_t *visited,
                           grouped_fields *g) {
    if (!set) return;
    for (size_t i = 0; i < set->count; i++) {
        gql_selection *sel = set->items[i];
        if (!should_include(c, sel->directives, sel->ndirectives)) continue;
        switch (sel->kind) {
        case GQL_SEL_FIELD:
            group_add(c, g, sel->alias.value ? sel->alias.value : sel->name.value, sel);
            break;
        case GQL_SEL_FRAGMENT_SPREAD: {
            const char *name = sel->name.value;
            if (strmap_get(visited, name)) continue;
            strmap_put(visited, name, (void *)1);
            const gql_definition *frag = strmap_get(&c->fragments, name);
            if (!frag || !fragment_type_applies(c, object_type, frag->type_condition.value)) continue;
            collect_fields(c, object_type, frag->selection_set, visited, g);
            break;
        }
        case GQL_SEL_INLINE_FRAGMENT:
            if (sel->type_condition.value && !fragment_type_applies(c, object_type, sel->type_condition.value))
                continue;
            collect_fields(c, object_type, sel->selection_set, visited, g);
            break;
        }
    }
}

static void grouped_init(exec_ctx *c, grouped_fields *g) {
    memset(g, 0, sizeof *g);
    strmap_init(&g->index, c->a);
}

/* ---- the response budget (issue 11 item 1) ---- */

/* The JSON size of a completed value, stopping once it passes `cap`. Strings count their bytes and quotes
 * (escapes are caught by the check on the written response). */
static size_t json_size(const gql_val *v, size_t cap) {
    switch (v->kind) {
    case GQL_V_NULL: return 4;
    case GQL_V_BOOL: return 5;
    case GQL_V_INT:
    case GQL_V_FLOAT: return 24;
    case GQL_V_STRING:
    case GQL_V_ENUM: return v->s.len + 2;
    case GQL_V_RAW_JSON: return v->s.len;
    case GQL_V_LIST: {
        size_t n = 2 + v->list.count;
        for (size_t i = 0; i < v->list.count && n <= cap; i++)
            n += json_size(&v->list.items[i], cap);
        return n;
    }
    case GQL_V_MAP: {
        size_t n = 2;
        for (size_t i = 0; i < v->map.count && n <= cap; i++)
            n += strlen(v->map.keys[i]) + 4 + json_size(&v->map.vals[i], cap);
        return n;
    }
    case GQL_V_OBJECT: return 4;
    }
    return 4;
}

/* Adds n bytes to the response; past the budget, execution stops where it is. */
static void charge(exec_ctx *c, size_t n) {
    if (!c->max_response_bytes) return;
    c->response_bytes += n;
    if (c->response_bytes > c->max_response_bytes) c->too_large = true;
}

/* ---- leaf result coercion (§3.5 Result Coercion, graphql-js serialize) ---- */

/* Serializes a leaf. Returns 0, or -1 with *err set. */
static int serialize_leaf(exec_ctx *c, const gql_type *t, const gql_val *in, gql_val *out, const char **err) {
    arena_t *a = c->a;
    if (t->kind == GQL_ENUM) {
        if (in->kind == GQL_V_STRING || in->kind == GQL_V_ENUM) {
            for (size_t i = 0; i < t->nenum_values; i++) {
                const char *n = t->enum_values[i]->name;
                if (strlen(n) == in->s.len && memcmp(n, in->s.ptr, in->s.len) == 0) {
                    *out = gql_enum(n);
                    return 0;
                }
            }
        }
        *err = arena_printf(a, "Enum \"%s\" cannot represent value: %s", t->name, gql_inspect(a, in));
        return -1;
    }
    /* Scalars, built-in ones included: their result coercion lives in type/scalars.c (§3.5). */
    const char *name = t->name;
    if (t->scalar && t->scalar->serialize) {
        *err = NULL;
        if (t->scalar->serialize(a, in, out, err)) {
            if (!*err) *err = arena_printf(a, "%s cannot represent value: %s", name, gql_inspect(a, in));
            return -1;
        }
        return 0;
    }
    if (in->kind == GQL_V_OBJECT) {
        *err = arena_printf(a, "%s cannot represent value: {}", name);
        return -1;
    }
    *out = *in;
    return 0;
}

/* ---- §6.4 executing fields ---- */

static int execute_selection_set(exec_ctx *c, const gql_type *object_type, const gql_val *source,
                                 const grouped_fields *g, const gql_path *path, gql_val *out);

static const gql_type *resolve_abstract_type(exec_ctx *c, const gql_type *abstract, const field_exec *fe,
                                             const gql_path *path, const gql_val *value) {
    const gql_type *rt = NULL;
    const char *rt_name = NULL;
    if (value->kind == GQL_V_OBJECT && value->obj.type) {
        rt = value->obj.type;
        rt_name = rt->name;
    } else if (value->kind == GQL_V_MAP && gql_map_get(value, "__typename") &&
               gql_map_get(value, "__typename")->kind == GQL_V_STRING) {
        const gql_val *tn = gql_map_get(value, "__typename");
        rt_name = arena_strndup(c->a, tn->s.ptr, tn->s.len);
        rt = gql_schema_type(c->schema, rt_name);
        if (!rt) {
            raise_error(c, fe, path, GQL_CODE_INTERNAL,
                        "Abstract type \"%s\" was resolved to a type \"%s\" that does not exist inside the schema.",
                        abstract->name, rt_name);
            return NULL;
        }
    } else if (abstract->resolve_type) {
        rt = abstract->resolve_type(value, fe->info);
        rt_name = rt ? rt->name : NULL;
    }
    if (!rt) {
        raise_error(c, fe, path, GQL_CODE_INTERNAL,
                    "Abstract type \"%s\" must resolve to an Object type at runtime for field \"%s.%s\". Either the "
                    "\"%s\" type should provide a \"resolveType\" function or each possible type should provide an "
                    "\"isTypeOf\" function.",
                    abstract->name, fe->parent_type->name, fe->field_name, abstract->name);
        return NULL;
    }
    if (rt->kind != GQL_OBJECT) {
        raise_error(c, fe, path, GQL_CODE_INTERNAL, "Abstract type \"%s\" was resolved to a non-object type \"%s\".",
                    abstract->name, rt_name);
        return NULL;
    }
    if (!gql_is_possible_type(abstract, rt)) {
        raise_error(c, fe, path, GQL_CODE_INTERNAL, "Runtime Object type \"%s\" is not a possible type for \"%s\".",
                    rt->name, abstract->name);
        return NULL;
    }
    return rt;
}

/* CollectSubfields (§6.4.3 "Merging Selection Sets"): all field nodes' selection sets, one visited
 * set; memoized per (field nodes, object type) since every item of a list asks the same question. */
static const grouped_fields *collect_subfields(exec_ctx *c, const gql_type *object_type, const field_exec *fe) {
    size_t h = (((uintptr_t)fe->nodes >> 4) ^ ((uintptr_t)object_type >> 4) * 31u) % SUBFIELD_MEMO;
    subfield_memo *m = &c->memo[h];
    if (m->g && m->nodes == fe->nodes && m->type == object_type) return m->g;
    grouped_fields *g = arena_alloc(c->a, sizeof *g);
    grouped_init(c, g);
    strmap_t visited;
    strmap_init(&visited, c->a);
    for (size_t i = 0; i < fe->nnodes; i++)
        collect_fields(c, object_type, fe->nodes[i]->selection_set, &visited, g);
    m->nodes = fe->nodes;
    m->type = object_type;
    m->g = g;
    return g;
}

/* §6.4.3 CompleteValue. Returns 0 with *out set (possibly null), or -1 when an error was raised
 * for a non-null position: the caller propagates it to the nearest nullable parent (§6.4.4). */
static int complete_value(exec_ctx *c, const gql_type *type, const field_exec *fe, const gql_path *path,
                          const gql_val *result, gql_val *out) {
    if (type->kind == GQL_NON_NULL) {
        if (complete_value(c, type->of_type, fe, path, result, out)) return -1;
        if (out->kind == GQL_V_NULL) {
            raise_error(c, fe, path, GQL_CODE_INTERNAL, "Cannot return null for non-nullable field %s.%s.",
                        fe->parent_type->name, fe->field_name);
            return -1;
        }
        return 0;
    }
    if (result->kind == GQL_V_NULL) {
        *out = gql_null();
        return 0;
    }
    switch (type->kind) {
    case GQL_LIST: {
        if (result->kind != GQL_V_LIST) {
            raise_error(c, fe, path, GQL_CODE_INTERNAL, "Expected Iterable, but did not find one for field \"%s.%s\".",
                        fe->parent_type->name, fe->field_name);
            return -1;
        }
        const gql_type *item_type = type->of_type;
        charge(c, 2 + result->list.count);
        gql_val l = gql_list(c->a, result->list.count);
        for (size_t i = 0; i < result->list.count; i++) {
            gql_path ip = {.prev = path, .key = NULL, .index = i};
            if (complete_value(c, item_type, fe, &ip, &result->list.items[i], &l.list.items[i])) {
                if (item_type->kind == GQL_NON_NULL) return -1;
                l.list.items[i] = gql_null();
            }
        }
        *out = l;
        return 0;
    }
    case GQL_SCALAR:
    case GQL_ENUM: {
        const char *err = NULL;
        if (serialize_leaf(c, type, result, out, &err)) {
            raise_error(c, fe, path, GQL_CODE_INTERNAL, "%s", err);
            return -1;
        }
        if (c->max_response_bytes) charge(c, json_size(out, c->max_response_bytes));
        return 0;
    }
    case GQL_INTERFACE:
    case GQL_UNION:
    case GQL_OBJECT: {
        const gql_type *ot = type;
        if (type->kind != GQL_OBJECT) {
            ot = resolve_abstract_type(c, type, fe, path, result);
            if (!ot) return -1;
        }
        return execute_selection_set(c, ot, result, collect_subfields(c, ot, fe), path, out);
    }
    default:
        raise_error(c, fe, path, GQL_CODE_INTERNAL, "Field \"%s.%s\" has a type that cannot be output.",
                    fe->parent_type->name, fe->field_name);
        return -1;
    }
}

/* The field definition for a field name on object_type, including the meta-fields of §4.4
 * (__schema and __type on the query root; __typename is answered directly). */
static const gql_field *field_definition(exec_ctx *c, const gql_type *object_type, const char *name) {
    if (name[0] == '_' && name[1] == '_' && object_type == c->schema->query) {
        if (strcmp(name, "__schema") == 0) return gql_introspection_schema_field(c->schema);
        if (strcmp(name, "__type") == 0) return gql_introspection_type_field(c->schema);
    }
    return gql_type_field(object_type, name);
}

/* §6.4 ExecuteField: CoerceArgumentValues, ResolveFieldValue (default resolver: map lookup by
 * field name), CompleteValue; a field error makes a nullable field null (§6.4.4). */
static int execute_field(exec_ctx *c, const gql_type *object_type, const gql_val *source, const gql_field *def,
                         const field_group *grp, const gql_path *path, gql_val *out) {
    if (c->too_large) { /* the response is abandoned: resolve nothing more */
        *out = gql_null();
        return 0;
    }
    gql_selection *const *nodes = (gql_selection *const *)grp->nodes.items;
    /* on the stack: resolvers use it only during the call, and fields are many */
    gql_resolve_info info_storage;
    memset(&info_storage, 0, sizeof info_storage);
    gql_resolve_info *info = &info_storage;
    info->schema = c->schema;
    info->field = def;
    info->parent_type = object_type;
    info->return_type = def->type;
    info->field_nodes = nodes;
    info->nfield_nodes = grp->nodes.count;
    info->path = path;
    info->variables = &c->variables;
    info->document = c->doc;
    info->operation = c->op;
    info->arena = c->a;
    info->context = c->context;
    field_exec fe = {
        .parent_type = object_type, .field_name = def->name, .nodes = nodes, .nnodes = grp->nodes.count, .info = info};

    int rc;
    gql_val args;
    gql_val result = gql_null();
    if (gql_coerce_argument_values(c->schema, def->args, def->nargs, nodes[0]->args, nodes[0]->nargs, &c->variables,
                                   c->a, &args, &c->errs, &nodes[0]->loc, path)) {
        rc = -1;
    } else if (def->resolve) {
        rc = def->resolve(info, source, &args, &result);
        if (rc) {
            if (info->error_message)
                raise_error(c, &fe, path, info->error_code, "%s", info->error_message);
            else
                raise_error(c, &fe, path, GQL_CODE_INTERNAL, "Unexpected error resolving field \"%s.%s\".",
                            object_type->name, def->name);
        } else {
            rc = complete_value(c, def->type, &fe, path, &result, out);
        }
    } else {
        const gql_val *v = gql_map_get(source, def->name);
        if (v) result = *v;
        rc = complete_value(c, def->type, &fe, path, &result, out);
    }
    if (rc) {
        if (def->type->kind == GQL_NON_NULL) return -1;
        *out = gql_null();
    }
    return 0;
}

/* §6.3 ExecuteSelectionSet (also §6.2.2's serial form: C execution is sequential, so fields run
 * in request order either way). Returns -1 when a non-null field failed (the object is null). */
static int execute_selection_set(exec_ctx *c, const gql_type *object_type, const gql_val *source,
                                 const grouped_fields *g, const gql_path *path, gql_val *out) {
    gql_val m = gql_map(c->a, g->count);
    for (size_t i = 0; i < g->count; i++) {
        const field_group *grp = &g->items[i];
        const gql_selection *first = grp->nodes.items[0];
        const char *name = first->name.value;
        gql_val v;
        if (strcmp(name, "__typename") == 0) {
            v = gql_str(object_type->name);
        } else {
            const gql_field *def = field_definition(c, object_type, name);
            if (!def) continue; /* unknown fields are skipped (validation reports them) */
            gql_path fp = {.prev = path, .key = grp->key, .index = 0};
            if (execute_field(c, object_type, source, def, grp, &fp, &v)) return -1;
        }
        charge(c, strlen(grp->key) + 4);
        m.map.keys[m.map.count] = grp->key;
        m.map.vals[m.map.count] = v;
        m.map.count++;
    }
    *out = m;
    return 0;
}

static const char *op_name(gql_op_type t) {
    switch (t) {
    case GQL_OP_QUERY:
        return "query";
    case GQL_OP_MUTATION:
        return "mutation";
    case GQL_OP_SUBSCRIPTION:
        return "subscription";
    }
    return "query";
}

/* §6.2 ExecuteRequest: GetOperation, CoerceVariableValues, then ExecuteQuery/ExecuteMutation. */
gql_exec_status gql_execute(const gql_exec_params *p, buf_t *out) {
    exec_ctx c;
    memset(&c, 0, sizeof c);
    c.schema = p->schema;
    c.doc = p->document;
    c.a = p->arena;
    c.context = p->context;
    gql_errors_init(&c.errs, c.a);

    c.op = gql_get_operation(c.doc, p->operation_name, &c.errs);
    if (!c.op) {
        gql_response_write(out, &c.errs, false, NULL);
        return GQL_EXEC_REQUEST_ERROR;
    }
    strmap_init(&c.fragments, c.a);
    for (size_t i = 0; i < c.doc->ndefs; i++) {
        const gql_definition *d = c.doc->defs[i];
        if (d->kind == GQL_DEF_FRAGMENT && d->name.value) strmap_put(&c.fragments, d->name.value, (void *)d);
    }
    if (gql_coerce_variable_values(c.schema, c.op, p->variables, c.a, &c.variables, &c.errs)) {
        gql_response_write(out, &c.errs, false, NULL);
        return GQL_EXEC_REQUEST_ERROR;
    }

    const gql_type *root = c.op->operation == GQL_OP_QUERY      ? c.schema->query
                           : c.op->operation == GQL_OP_MUTATION ? c.schema->mutation
                                                                : c.schema->subscription;
    if (!root) {
        gql_errors_add(&c.errs, NULL, &c.op->loc, 1, NULL, "Schema is not configured to execute %s operation.",
                       op_name(c.op->operation));
        /* A subscription is a request error, without "data" (the spec's CreateSourceEventStream, and
         * graphql-js's subscribe()); a missing query or mutation root answers data: null, as
         * graphql-js's execute() does. */
        if (c.op->operation == GQL_OP_SUBSCRIPTION) {
            gql_response_write(out, &c.errs, false, NULL);
            return GQL_EXEC_REQUEST_ERROR;
        }
        gql_response_write(out, &c.errs, true, NULL);
        return GQL_EXEC_OK;
    }
    if (p->max_cost) {
        /* Refuse an absurd document before any resolver runs (issue 11 item 1). */
        uint64_t cost = gql_operation_cost(c.schema, c.doc, c.op, &c.variables, p->cost_list_size, p->max_cost, c.a);
        if (cost > p->max_cost) {
            gql_errors_add(&c.errs, GQL_CODE_MAX_COST_EXCEEDED, &c.op->loc, 1, NULL,
                           "The query's estimated cost exceeds the limit of %llu (each field counts once per item "
                           "of the lists it is in; `first`/`last` give a page's size): request smaller pages or "
                           "fewer fields.",
                           (unsigned long long)p->max_cost);
            gql_response_write(out, &c.errs, false, NULL);
            return GQL_EXEC_REQUEST_ERROR;
        }
    }
    c.max_response_bytes = p->max_response_bytes;
    grouped_fields g;
    grouped_init(&c, &g);
    strmap_t visited;
    strmap_init(&visited, c.a);
    collect_fields(&c, root, c.op->selection_set, &visited, &g);
    gql_val root_value = gql_null();
    gql_val data;
    if (execute_selection_set(&c, root, &root_value, &g, NULL, &data)) data = gql_null();
    size_t mark = out->len;
    if (!c.too_large) gql_response_write(out, &c.errs, true, &data);
    /* The estimate leaves out escapes and error entries: the written size is checked too. */
    if (c.too_large || (p->max_response_bytes && out->len - mark > p->max_response_bytes)) {
        out->len = mark;
        gql_errors too_large;
        gql_errors_init(&too_large, c.a);
        gql_errors_add(&too_large, GQL_CODE_RESPONSE_TOO_LARGE, NULL, 0, NULL,
                       "The response is larger than the limit of %zu bytes: request smaller pages or fewer fields.",
                       p->max_response_bytes);
        gql_response_write(out, &too_large, false, NULL);
        return GQL_EXEC_REQUEST_ERROR;
    }
    return GQL_EXEC_OK;
}
