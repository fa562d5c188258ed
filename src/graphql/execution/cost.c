/* cost.c -- the estimated cost of an operation (see cost.h). The walk follows fragments, so a document
 * whose fragments spread each other several times would expand exponentially; it stops as soon as the
 * cost passes the limit, and every visited selection adds at least 1 (a subtree multiplied by 0 is not
 * visited at all), so the work is bounded by the limit. */
#include "graphql/execution/cost.h"

#include <string.h>

#include "graphql/execution/coerce.h"
#include "graphql/type/introspection.h"

typedef struct {
    const gql_schema *schema;
    const gql_document *doc;
    const gql_val *variables;
    uint32_t list_size;
    uint64_t stop_above;
    uint64_t cost;
    arena_t *a;
} cost_walk;

static const gql_definition *fragment(const cost_walk *w, const char *name) {
    for (size_t i = 0; i < w->doc->ndefs; i++) {
        const gql_definition *d = w->doc->defs[i];
        if (d->kind == GQL_DEF_FRAGMENT && d->name.value && strcmp(d->name.value, name) == 0) return d;
    }
    return NULL;
}

static uint64_t mul_sat(uint64_t a, uint64_t b) {
    return b && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

/* The value of an Int `first` or `last` argument of the field at node (a literal, a variable or the
 * argument's default); -1 when it has none. */
static int64_t page_argument(const cost_walk *w, const gql_field *def, const gql_selection *node) {
    bool has = false;
    for (size_t i = 0; i < def->nargs; i++)
        if (strcmp(def->args[i]->name, "first") == 0 || strcmp(def->args[i]->name, "last") == 0) has = true;
    if (!has) return -1;
    gql_errors scratch; /* a bad argument is the executor's to report */
    gql_errors_init(&scratch, w->a);
    gql_val args;
    if (gql_coerce_argument_values(w->schema, def->args, def->nargs, node->args, node->nargs, w->variables, w->a,
                                   &args, &scratch, &node->loc, NULL) != 0)
        return -1;
    int64_t best = -1;
    const char *names[2] = {"first", "last"};
    for (int i = 0; i < 2; i++) {
        const gql_val *v = gql_map_get(&args, names[i]);
        if (v && v->kind == GQL_V_INT && v->i >= 0 && v->i > best) best = v->i;
    }
    return best;
}

static const gql_type *named(const gql_type *t) {
    while (t && (t->kind == GQL_NON_NULL || t->kind == GQL_LIST))
        t = t->of_type;
    return t;
}

static bool is_list(const gql_type *t) {
    if (t && t->kind == GQL_NON_NULL) t = t->of_type;
    return t && t->kind == GQL_LIST;
}

/* Adds the cost of set on parent (each selection times mult). in_page: the set is a paginated field's
 * (its direct list fields are the page itself). */
static void walk(cost_walk *w, const gql_type *parent, const gql_selection_set *set, uint64_t mult, bool in_page,
                 bool introspection) {
    if (!set || mult == 0) return;
    for (size_t i = 0; i < set->count && w->cost <= w->stop_above; i++) {
        const gql_selection *sel = set->items[i];
        if (sel->kind == GQL_SEL_INLINE_FRAGMENT) {
            const gql_type *t = sel->type_condition.value ? gql_schema_type(w->schema, sel->type_condition.value) : parent;
            walk(w, t ? t : parent, sel->selection_set, mult, in_page, introspection);
            continue;
        }
        if (sel->kind == GQL_SEL_FRAGMENT_SPREAD) {
            const gql_definition *f = fragment(w, sel->name.value);
            if (!f) continue;
            const gql_type *t = f->type_condition.value ? gql_schema_type(w->schema, f->type_condition.value) : NULL;
            walk(w, t ? t : parent, f->selection_set, mult, in_page, introspection);
            continue;
        }
        w->cost = w->cost > UINT64_MAX - mult ? UINT64_MAX : w->cost + mult;
        const char *name = sel->name.value;
        if (!sel->selection_set || !parent) continue;
        bool meta = name[0] == '_' && name[1] == '_';
        const gql_field *def = NULL;
        if (meta && parent == w->schema->query && strcmp(name, "__schema") == 0)
            def = gql_introspection_schema_field(w->schema);
        else if (meta && parent == w->schema->query && strcmp(name, "__type") == 0)
            def = gql_introspection_type_field(w->schema);
        else if (parent->kind == GQL_OBJECT || parent->kind == GQL_INTERFACE)
            def = gql_type_field(parent, name);
        if (!def) continue;
        uint64_t child = mult;
        bool page = false;
        if (!introspection && !meta) {
            int64_t n = page_argument(w, def, sel);
            if (n >= 0) {
                child = mul_sat(mult, (uint64_t)n);
                page = !is_list(def->type); /* a connection object: its nodes/edges lists are this page */
            } else if (is_list(def->type) && !in_page) {
                child = mul_sat(mult, w->list_size);
            }
        }
        walk(w, named(def->type), sel->selection_set, child, page, introspection || meta);
    }
}

uint64_t gql_operation_cost(const gql_schema *schema, const gql_document *doc, const gql_definition *op,
                            const gql_val *variables, uint32_t list_size, uint64_t stop_above, arena_t *arena) {
    cost_walk w = {.schema = schema,
                   .doc = doc,
                   .variables = variables,
                   .list_size = list_size,
                   .stop_above = stop_above,
                   .a = arena};
    const gql_type *root = op->operation == GQL_OP_QUERY      ? schema->query
                           : op->operation == GQL_OP_MUTATION ? schema->mutation
                                                              : schema->subscription;
    walk(&w, root, op->selection_set, 1, false, false);
    return w.cost;
}
