/* OverlappingFieldsCanBeMergedRule.c -- spec §5.3.2 Field Selection Merging: fields with the same response name
 * in a selection set (fragments included) must be mergeable: same field and arguments unless their parents
 * are distinct object types, compatible return shapes, and mergeable sub-selections.
 *
 * The algorithm is graphql-js's: each selection set is collected once into (fields by response name, fragment
 * names) and cached; fields are compared within a set, then between the set and each fragment, and between
 * fragments, remembering every fragment pair already compared (with the mutual-exclusivity it was compared
 * under) so repeated and nested fragments are never compared twice. */
#include "graphql/validation/rules.h"

#include <stdint.h>
#include <string.h>

typedef struct {
    const gql_type *parent;
    const gql_selection *node;
    const gql_field *def;
} nad; /* node and definition */

typedef struct {
    const char *name;
    ptrvec_t fields; /* nad * */
} fentry;

typedef struct {
    ptrvec_t entries; /* fentry *, in response-name order of first appearance */
    strmap_t index;   /* response name -> fentry * */
    ptrvec_t frags;   /* const gql_definition * of the spread fragments, unique, in order (unknown ones do
                         nothing in the comparisons, so they are left out) */
} fmap;

typedef struct conflict {
    const char *name;
    const char *reason;        /* NULL when the reason is the sub-conflicts */
    ptrvec_t subs;             /* struct conflict * */
    ptrvec_t fields1, fields2; /* const gql_selection * */
} conflict;

typedef struct {
    const void *a, *b; /* a < b */
    int excl;          /* 1 compared as not mutually exclusive, 2 as exclusive; 0 empty slot */
} pair_slot;

/* Fragment pairs already compared: a dense 2-bit matrix indexed by fragment number when the document has at
 * most MATRIX_MAX fragments (a 1500-fragment document needs 560 KiB), else a hash set. */
#define MATRIX_MAX 4096

typedef struct {
    gql_vctx *ctx;
    gql_ptrmap cache;   /* selection set -> fmap * */
    gql_ptrmap numbers; /* fragment definition -> its number + 1 */
    size_t nfrags;
    unsigned char *matrix; /* 2 bits per ordered pair (i < j): 1 not exclusive, 2 exclusive */
    pair_slot *pairs;      /* open addressing, when there is no matrix */
    size_t pairs_cap, pairs_count;
    /* Sub-selection comparisons in progress (the recursion stack). Fragments that spread themselves inside
     * nested fields would otherwise make the comparison recurse forever (graphql-js and graphql-core overflow
     * their stacks on such documents); a comparison already in progress adds nothing new, so it is cut. */
    pair_slot *active;
    size_t nactive, active_cap;
    /* Printed argument values (value node -> text), so that comparing n fields prints each value once rather
     * than twice per pair: n(n-1) prints into the request arena were hundreds of MB for a 240 KB document. */
    gql_ptrmap printed;
    /* Conflicts worth collecting for the selection set being checked: the context's error budget. A set of n
     * same-named different fields has n(n-1)/2 conflicts; beyond the budget they would never be reported. */
    size_t limit;
} omc;

/* Deepest nesting of sub-selection comparisons; deeper comparisons are not made (it bounds the C stack). */
#define MAX_COMPARE_DEPTH 1000

typedef struct {
    omc m;
    bool ready;
} state_t;

/* ---- compared fragment pairs (graphql-js PairSet) ---- */

static size_t pair_hash(const void *a, const void *b) {
    uint64_t x = (uint64_t)(uintptr_t)a * 0x9e3779b97f4a7c15ULL ^ (uint64_t)(uintptr_t)b;
    x ^= x >> 31;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 29;
    return (size_t)x;
}

static pair_slot *pairs_find(omc *m, const void *a, const void *b) {
    if ((uintptr_t)a > (uintptr_t)b) {
        const void *t = a;
        a = b;
        b = t;
    }
    if (!m->pairs_cap) return NULL;
    for (size_t i = pair_hash(a, b) & (m->pairs_cap - 1);; i = (i + 1) & (m->pairs_cap - 1)) {
        pair_slot *p = &m->pairs[i];
        if (!p->excl || (p->a == a && p->b == b)) return p;
    }
}

static size_t matrix_bit(omc *m, const void *a, const void *b) {
    size_t i = (size_t)(uintptr_t)gql_ptrmap_get(&m->numbers, a) - 1;
    size_t j = (size_t)(uintptr_t)gql_ptrmap_get(&m->numbers, b) - 1;
    if (i > j) {
        size_t t = i;
        i = j;
        j = t;
    }
    return 2 * (i * m->nfrags + j);
}

static bool pairs_has(omc *m, const void *a, const void *b, bool excl) {
    if (m->matrix) {
        size_t bit = matrix_bit(m, a, b);
        int v = (m->matrix[bit / 8] >> (bit % 8)) & 3;
        if (!v) return false;
        return excl ? true : v == 1;
    }
    pair_slot *p = pairs_find(m, a, b);
    if (!p || !p->excl) return false;
    /* a pair compared as not mutually exclusive also covers the exclusive case */
    return excl ? true : p->excl == 1;
}

static void pairs_add(omc *m, const void *a, const void *b, bool excl) {
    if (m->matrix) {
        size_t bit = matrix_bit(m, a, b);
        m->matrix[bit / 8] =
            (unsigned char)((m->matrix[bit / 8] & ~(3u << (bit % 8))) | ((excl ? 2u : 1u) << (bit % 8)));
        return;
    }
    if ((m->pairs_count + 1) * 2 > m->pairs_cap) {
        size_t old = m->pairs_cap;
        pair_slot *slots = m->pairs;
        m->pairs_cap = old ? old * 2 : 64;
        m->pairs = arena_alloc(m->ctx->arena, m->pairs_cap * sizeof *m->pairs);
        m->pairs_count = 0;
        for (size_t i = 0; i < old; i++)
            if (slots[i].excl) {
                pair_slot *p = pairs_find(m, slots[i].a, slots[i].b);
                *p = slots[i];
                m->pairs_count++;
            }
    }
    if ((uintptr_t)a > (uintptr_t)b) {
        const void *t = a;
        a = b;
        b = t;
    }
    pair_slot *p = pairs_find(m, a, b);
    if (!p->excl) m->pairs_count++;
    p->a = a;
    p->b = b;
    p->excl = excl ? 2 : 1;
}

/* ---- collecting fields ---- */

static void collect(omc *m, const gql_type *parent, const gql_selection_set *ss, fmap *out, strmap_t *seen_frags) {
    arena_t *a = m->ctx->arena;
    for (size_t i = 0; i < ss->count; i++) {
        const gql_selection *sel = ss->items[i];
        if (sel->kind == GQL_SEL_FIELD) {
            const gql_field *def = NULL;
            if (parent && (parent->kind == GQL_OBJECT || parent->kind == GQL_INTERFACE))
                def = gql_type_field(parent, sel->name.value);
            const char *key = sel->alias.value ? sel->alias.value : sel->name.value;
            fentry *e = strmap_get(&out->index, key);
            if (!e) {
                e = arena_alloc(a, sizeof *e);
                e->name = key;
                strmap_put(&out->index, key, e);
                ptrvec_push(a, &out->entries, e);
            }
            nad *n = arena_alloc(a, sizeof *n);
            n->parent = parent;
            n->node = sel;
            n->def = def;
            ptrvec_push(a, &e->fields, n);
        } else if (sel->kind == GQL_SEL_FRAGMENT_SPREAD) {
            if (!strmap_get(seen_frags, sel->name.value)) {
                strmap_put(seen_frags, sel->name.value, (void *)sel);
                const gql_definition *frag = gql_vctx_fragment(m->ctx, sel->name.value);
                if (frag && frag->selection_set) ptrvec_push(a, &out->frags, (void *)frag);
            }
        } else if (sel->selection_set) {
            const gql_type *t =
                sel->type_condition.value ? gql_schema_type(m->ctx->schema, sel->type_condition.value) : parent;
            collect(m, t, sel->selection_set, out, seen_frags);
        }
    }
}

static fmap *fields_and_fragments(omc *m, const gql_type *parent, const gql_selection_set *ss) {
    fmap *f = gql_ptrmap_get(&m->cache, ss);
    if (f) return f;
    f = arena_alloc(m->ctx->arena, sizeof *f);
    strmap_init(&f->index, m->ctx->arena);
    strmap_t seen;
    strmap_init(&seen, m->ctx->arena);
    collect(m, parent, ss, f, &seen);
    gql_ptrmap_put(&m->cache, ss, f);
    return f;
}

static fmap *fragment_fields(omc *m, const gql_definition *frag) {
    fmap *cached = gql_ptrmap_get(&m->cache, frag->selection_set);
    if (cached) return cached;
    const gql_type *t = frag->type_condition.value ? gql_schema_type(m->ctx->schema, frag->type_condition.value) : NULL;
    return fields_and_fragments(m, t, frag->selection_set);
}

/* ---- comparing ---- */

static conflict *find_conflict(omc *m, bool parents_excl, const char *name, const nad *f1, const nad *f2);

static void between(omc *m, ptrvec_t *out, bool excl, fmap *a, fmap *b) {
    for (size_t i = 0; i < a->entries.count && out->count < m->limit; i++) {
        fentry *e1 = a->entries.items[i];
        fentry *e2 = strmap_get(&b->index, e1->name);
        if (!e2) continue;
        for (size_t x = 0; x < e1->fields.count && out->count < m->limit; x++)
            for (size_t y = 0; y < e2->fields.count && out->count < m->limit; y++) {
                conflict *c = find_conflict(m, excl, e1->name, e1->fields.items[x], e2->fields.items[y]);
                if (c) ptrvec_push(m->ctx->arena, out, c);
            }
    }
}

static void within(omc *m, ptrvec_t *out, fmap *f) {
    for (size_t i = 0; i < f->entries.count && out->count < m->limit; i++) {
        fentry *e = f->entries.items[i];
        for (size_t x = 0; x < e->fields.count && out->count < m->limit; x++)
            for (size_t y = x + 1; y < e->fields.count && out->count < m->limit; y++) {
                conflict *c = find_conflict(m, false, e->name, e->fields.items[x], e->fields.items[y]);
                if (c) ptrvec_push(m->ctx->arena, out, c);
            }
    }
}

/* graphql-js collectConflictsBetweenFieldsAndFragment */
static void fields_and_fragment(omc *m, ptrvec_t *out, bool excl, fmap *f, const gql_definition *frag) {
    fmap *f2 = fragment_fields(m, frag);
    if (f == f2) return;
    between(m, out, excl, f, f2);
    for (size_t i = 0; i < f2->frags.count; i++) {
        const gql_definition *ref = f2->frags.items[i];
        if (pairs_has(m, ref, frag, excl)) continue;
        pairs_add(m, ref, frag, excl);
        fields_and_fragment(m, out, excl, f, ref);
    }
}

/* graphql-js collectConflictsBetweenFragments */
static void fragments_between(omc *m, ptrvec_t *out, bool excl, const gql_definition *fr1, const gql_definition *fr2) {
    if (fr1 == fr2) return;
    if (pairs_has(m, fr1, fr2, excl)) return;
    pairs_add(m, fr1, fr2, excl);
    fmap *f1 = fragment_fields(m, fr1), *f2 = fragment_fields(m, fr2);
    between(m, out, excl, f1, f2);
    for (size_t i = 0; i < f2->frags.count; i++)
        fragments_between(m, out, excl, fr1, f2->frags.items[i]);
    for (size_t i = 0; i < f1->frags.count; i++)
        fragments_between(m, out, excl, f1->frags.items[i], fr2);
}

/* graphql-js findConflictsBetweenSubSelectionSets */
static void sub_selections(omc *m, ptrvec_t *out, bool excl, const gql_type *p1, const gql_selection_set *s1,
                           const gql_type *p2, const gql_selection_set *s2) {
    fmap *f1 = fields_and_fragments(m, p1, s1), *f2 = fields_and_fragments(m, p2, s2);
    between(m, out, excl, f1, f2);
    for (size_t i = 0; i < f2->frags.count; i++)
        fields_and_fragment(m, out, excl, f1, f2->frags.items[i]);
    for (size_t i = 0; i < f1->frags.count; i++)
        fields_and_fragment(m, out, excl, f2, f1->frags.items[i]);
    for (size_t i = 0; i < f1->frags.count; i++)
        for (size_t j = 0; j < f2->frags.count; j++)
            fragments_between(m, out, excl, f1->frags.items[i], f2->frags.items[j]);
}

static const char *printed_value(omc *m, const gql_value *v) {
    const char *text = gql_ptrmap_get(&m->printed, v);
    if (!text) {
        text = gql_print_value_str(m->ctx->arena, v, GQL_PRINT_SORT_FIELDS);
        gql_ptrmap_put(&m->printed, v, (void *)text);
    }
    return text;
}

static bool same_arguments(omc *m, const gql_selection *x, const gql_selection *y) {
    if (x->nargs != y->nargs) return false;
    for (size_t i = 0; i < x->nargs; i++) {
        const gql_argument *a1 = x->args[i], *a2 = NULL;
        for (size_t j = 0; j < y->nargs && !a2; j++)
            if (strcmp(y->args[j]->name.value, a1->name.value) == 0) a2 = y->args[j];
        if (!a2) return false;
        if (strcmp(printed_value(m, a1->value), printed_value(m, a2->value)) != 0) return false;
    }
    return true;
}

/* graphql-js doTypesConflict: list and non-null wrappers must match, leaves must be the same type. */
static bool types_conflict(const gql_type *t1, const gql_type *t2) {
    if (t1->kind == GQL_LIST) return t2->kind == GQL_LIST ? types_conflict(t1->of_type, t2->of_type) : true;
    if (t2->kind == GQL_LIST) return true;
    if (t1->kind == GQL_NON_NULL) return t2->kind == GQL_NON_NULL ? types_conflict(t1->of_type, t2->of_type) : true;
    if (t2->kind == GQL_NON_NULL) return true;
    if (gql_is_leaf_type(t1) || gql_is_leaf_type(t2)) return t1 != t2;
    return false;
}

static conflict *new_conflict(omc *m, const char *name, const char *reason, const gql_selection *n1,
                              const gql_selection *n2) {
    conflict *c = arena_alloc(m->ctx->arena, sizeof *c);
    c->name = name;
    c->reason = reason;
    ptrvec_push(m->ctx->arena, &c->fields1, (void *)n1);
    ptrvec_push(m->ctx->arena, &c->fields2, (void *)n2);
    return c;
}

static const gql_type *named_of(const gql_type *t) {
    while (t && (t->kind == GQL_LIST || t->kind == GQL_NON_NULL))
        t = t->of_type;
    return t;
}

/* graphql-js findConflict */
static conflict *find_conflict(omc *m, bool parents_excl, const char *name, const nad *f1, const nad *f2) {
    arena_t *a = m->ctx->arena;
    bool excl = parents_excl || (f1->parent != f2->parent && f1->parent && f2->parent &&
                                 f1->parent->kind == GQL_OBJECT && f2->parent->kind == GQL_OBJECT);
    const gql_selection *n1 = f1->node, *n2 = f2->node;
    const gql_type *t1 = f1->def ? f1->def->type : NULL, *t2 = f2->def ? f2->def->type : NULL;
    if (!excl) {
        if (strcmp(n1->name.value, n2->name.value) != 0)
            return new_conflict(
                m, name, arena_printf(a, "\"%s\" and \"%s\" are different fields", n1->name.value, n2->name.value), n1,
                n2);
        if (!same_arguments(m, n1, n2)) return new_conflict(m, name, "they have differing arguments", n1, n2);
    }
    if (t1 && t2 && types_conflict(t1, t2))
        return new_conflict(m, name,
                            arena_printf(a, "they return conflicting types \"%s\" and \"%s\"", gql_type_str(a, t1),
                                         gql_type_str(a, t2)),
                            n1, n2);
    if (n1->selection_set && n2->selection_set) {
        for (size_t i = 0; i < m->nactive; i++)
            if (m->active[i].a == n1->selection_set && m->active[i].b == n2->selection_set &&
                m->active[i].excl == (excl ? 2 : 1))
                return NULL;
        if (m->nactive >= MAX_COMPARE_DEPTH) return NULL;
        if (m->nactive == m->active_cap) {
            size_t ncap = m->active_cap ? m->active_cap * 2 : 16;
            m->active = arena_realloc(a, m->active, m->active_cap * sizeof *m->active, ncap * sizeof *m->active);
            m->active_cap = ncap;
        }
        m->active[m->nactive++] = (pair_slot){n1->selection_set, n2->selection_set, excl ? 2 : 1};
        ptrvec_t subs = {0};
        sub_selections(m, &subs, excl, named_of(t1), n1->selection_set, named_of(t2), n2->selection_set);
        m->nactive--;
        if (!subs.count) return NULL;
        conflict *c = arena_alloc(a, sizeof *c);
        c->name = name;
        c->subs = subs;
        ptrvec_push(a, &c->fields1, (void *)n1);
        ptrvec_push(a, &c->fields2, (void *)n2);
        for (size_t i = 0; i < subs.count; i++) {
            conflict *s = subs.items[i];
            for (size_t j = 0; j < s->fields1.count; j++)
                ptrvec_push(a, &c->fields1, s->fields1.items[j]);
            for (size_t j = 0; j < s->fields2.count; j++)
                ptrvec_push(a, &c->fields2, s->fields2.items[j]);
        }
        return c;
    }
    return NULL;
}

static void reason_message(buf_t *b, const conflict *c) {
    if (c->reason) {
        buf_puts(b, c->reason);
        return;
    }
    for (size_t i = 0; i < c->subs.count; i++) {
        const conflict *s = c->subs.items[i];
        if (i) buf_puts(b, " and ");
        buf_printf(b, "subfields \"%s\" conflict because ", s->name);
        reason_message(b, s);
    }
}

static gql_visit_action enter(gql_vctx *ctx, void *state, gql_vnode_kind kind, const void *node) {
    state_t *st = state;
    if (kind != GQL_VN_SELECTION_SET) return GQL_VISIT_CONTINUE;
    omc *m = &st->m;
    if (!st->ready) {
        m->ctx = ctx;
        gql_ptrmap_init(&m->cache, ctx->arena);
        gql_ptrmap_init(&m->numbers, ctx->arena);
        gql_ptrmap_init(&m->printed, ctx->arena);
        for (size_t i = 0; i < ctx->doc->ndefs; i++) {
            const gql_definition *d = ctx->doc->defs[i];
            if (d->kind == GQL_DEF_FRAGMENT) gql_ptrmap_put(&m->numbers, d, (void *)(uintptr_t)++m->nfrags);
        }
        if (m->nfrags && m->nfrags <= MATRIX_MAX)
            m->matrix = arena_alloc(ctx->arena, (2 * m->nfrags * m->nfrags + 7) / 8);
        st->ready = true;
    }
    /* graphql-js findConflictsWithinSelectionSet */
    m->limit = gql_vctx_error_budget(ctx);
    if (m->limit == 0) return GQL_VISIT_CONTINUE;
    ptrvec_t out = {0};
    fmap *f = fields_and_fragments(m, gql_vctx_parent_type(ctx), node);
    within(m, &out, f);
    for (size_t i = 0; i < f->frags.count; i++) {
        fields_and_fragment(m, &out, false, f, f->frags.items[i]);
        for (size_t j = i + 1; j < f->frags.count; j++)
            fragments_between(m, &out, false, f->frags.items[i], f->frags.items[j]);
    }
    for (size_t i = 0; i < out.count; i++) {
        const conflict *c = out.items[i];
        size_t n = c->fields1.count + c->fields2.count;
        gql_loc *locs = arena_alloc(ctx->arena, n * sizeof *locs);
        for (size_t j = 0; j < c->fields1.count; j++)
            locs[j] = ((const gql_selection *)c->fields1.items[j])->loc;
        for (size_t j = 0; j < c->fields2.count; j++)
            locs[c->fields1.count + j] = ((const gql_selection *)c->fields2.items[j])->loc;
        buf_t b = BUF_INIT;
        reason_message(&b, c);
        gql_vctx_report(ctx, locs, n,
                        "Fields \"%s\" conflict because %s. Use different aliases on the fields to fetch both if this "
                        "was intentional.",
                        c->name, buf_cstr(&b));
        buf_free(&b);
    }
    return GQL_VISIT_CONTINUE;
}

const gql_vrule gql_OverlappingFieldsCanBeMergedRule = {"OverlappingFieldsCanBeMergedRule", sizeof(state_t), enter,
                                                        NULL};
