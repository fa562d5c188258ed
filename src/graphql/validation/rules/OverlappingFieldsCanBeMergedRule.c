/* OverlappingFieldsCanBeMergedRule.c -- spec §5.3.2 Field Selection Merging: fields with the same response name
 * in a selection set (fragments included) must be mergeable: same field and arguments unless their parents
 * are distinct object types, compatible return shapes, and mergeable sub-selections.
 *
 * The algorithm is graphql-js's: each selection set is collected once into (fields by response name, fragment
 * names) and cached; fields are compared within a set, then between the set and each fragment, and between
 * fragments, remembering every fragment pair already compared (with the mutual-exclusivity it was compared
 * under) so repeated and nested fragments are never compared twice. */
#include "graphql/validation/rules.h"

#include <stdio.h>
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
    ptrvec_t frags;   /* const char * fragment names, unique, in order */
} fmap;

typedef struct conflict {
    const char *name;
    const char *reason; /* NULL when the reason is the sub-conflicts */
    ptrvec_t subs;      /* struct conflict * */
    ptrvec_t fields1, fields2; /* const gql_selection * */
} conflict;

typedef struct {
    gql_vctx *ctx;
    strmap_t cache; /* "%p" of a selection set -> fmap * */
    strmap_t pairs; /* fragment name -> strmap_t * (other name -> 1 not exclusive, 2 exclusive) */
} omc;

typedef struct {
    omc m;
    bool ready;
} state_t;

/* ---- compared fragment pairs (graphql-js PairSet) ---- */

static bool pairs_has(omc *m, const char *a, const char *b, bool excl) {
    if (strcmp(a, b) > 0) {
        const char *t = a;
        a = b;
        b = t;
    }
    strmap_t *inner = strmap_get(&m->pairs, a);
    if (!inner) return false;
    uintptr_t r = (uintptr_t)strmap_get(inner, b);
    if (!r) return false;
    /* a pair compared as not mutually exclusive also covers the exclusive case */
    return excl ? true : r == 1;
}

static void pairs_add(omc *m, const char *a, const char *b, bool excl) {
    if (strcmp(a, b) > 0) {
        const char *t = a;
        a = b;
        b = t;
    }
    strmap_t *inner = strmap_get(&m->pairs, a);
    if (!inner) {
        inner = arena_alloc(m->ctx->arena, sizeof *inner);
        strmap_init(inner, m->ctx->arena);
        strmap_put(&m->pairs, a, inner);
    }
    strmap_put(inner, b, (void *)(uintptr_t)(excl ? 2 : 1));
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
                ptrvec_push(a, &out->frags, (void *)sel->name.value);
            }
        } else if (sel->selection_set) {
            const gql_type *t =
                sel->type_condition.value ? gql_schema_type(m->ctx->schema, sel->type_condition.value) : parent;
            collect(m, t, sel->selection_set, out, seen_frags);
        }
    }
}

static fmap *fields_and_fragments(omc *m, const gql_type *parent, const gql_selection_set *ss) {
    char key[32];
    snprintf(key, sizeof key, "%p", (const void *)ss);
    fmap *f = strmap_get(&m->cache, key);
    if (f) return f;
    f = arena_alloc(m->ctx->arena, sizeof *f);
    strmap_init(&f->index, m->ctx->arena);
    strmap_t seen;
    strmap_init(&seen, m->ctx->arena);
    collect(m, parent, ss, f, &seen);
    strmap_put(&m->cache, arena_strdup(m->ctx->arena, key), f);
    return f;
}

static fmap *fragment_fields(omc *m, const gql_definition *frag) {
    const gql_type *t = frag->type_condition.value ? gql_schema_type(m->ctx->schema, frag->type_condition.value) : NULL;
    return fields_and_fragments(m, t, frag->selection_set);
}

/* ---- comparing ---- */

static conflict *find_conflict(omc *m, bool parents_excl, const char *name, const nad *f1, const nad *f2);

static void between(omc *m, ptrvec_t *out, bool excl, fmap *a, fmap *b) {
    for (size_t i = 0; i < a->entries.count; i++) {
        fentry *e1 = a->entries.items[i];
        fentry *e2 = strmap_get(&b->index, e1->name);
        if (!e2) continue;
        for (size_t x = 0; x < e1->fields.count; x++)
            for (size_t y = 0; y < e2->fields.count; y++) {
                conflict *c = find_conflict(m, excl, e1->name, e1->fields.items[x], e2->fields.items[y]);
                if (c) ptrvec_push(m->ctx->arena, out, c);
            }
    }
}

static void within(omc *m, ptrvec_t *out, fmap *f) {
    for (size_t i = 0; i < f->entries.count; i++) {
        fentry *e = f->entries.items[i];
        for (size_t x = 0; x < e->fields.count; x++)
            for (size_t y = x + 1; y < e->fields.count; y++) {
                conflict *c = find_conflict(m, false, e->name, e->fields.items[x], e->fields.items[y]);
                if (c) ptrvec_push(m->ctx->arena, out, c);
            }
    }
}

/* graphql-js collectConflictsBetweenFieldsAndFragment */
static void fields_and_fragment(omc *m, ptrvec_t *out, bool excl, fmap *f, const char *frag_name) {
    const gql_definition *frag = gql_vctx_fragment(m->ctx, frag_name);
    if (!frag || !frag->selection_set) return;
    fmap *f2 = fragment_fields(m, frag);
    if (f == f2) return;
    between(m, out, excl, f, f2);
    for (size_t i = 0; i < f2->frags.count; i++) {
        const char *ref = f2->frags.items[i];
        if (pairs_has(m, ref, frag_name, excl)) continue;
        pairs_add(m, ref, frag_name, excl);
        fields_and_fragment(m, out, excl, f, ref);
    }
}

/* graphql-js collectConflictsBetweenFragments */
static void fragments_between(omc *m, ptrvec_t *out, bool excl, const char *n1, const char *n2) {
    if (strcmp(n1, n2) == 0) return;
    if (pairs_has(m, n1, n2, excl)) return;
    pairs_add(m, n1, n2, excl);
    const gql_definition *fr1 = gql_vctx_fragment(m->ctx, n1), *fr2 = gql_vctx_fragment(m->ctx, n2);
    if (!fr1 || !fr2 || !fr1->selection_set || !fr2->selection_set) return;
    fmap *f1 = fragment_fields(m, fr1), *f2 = fragment_fields(m, fr2);
    between(m, out, excl, f1, f2);
    for (size_t i = 0; i < f2->frags.count; i++) fragments_between(m, out, excl, n1, f2->frags.items[i]);
    for (size_t i = 0; i < f1->frags.count; i++) fragments_between(m, out, excl, f1->frags.items[i], n2);
}

/* graphql-js findConflictsBetweenSubSelectionSets */
static void sub_selections(omc *m, ptrvec_t *out, bool excl, const gql_type *p1, const gql_selection_set *s1,
                           const gql_type *p2, const gql_selection_set *s2) {
    fmap *f1 = fields_and_fragments(m, p1, s1), *f2 = fields_and_fragments(m, p2, s2);
    between(m, out, excl, f1, f2);
    for (size_t i = 0; i < f2->frags.count; i++) fields_and_fragment(m, out, excl, f1, f2->frags.items[i]);
    for (size_t i = 0; i < f1->frags.count; i++) fields_and_fragment(m, out, excl, f2, f1->frags.items[i]);
    for (size_t i = 0; i < f1->frags.count; i++)
        for (size_t j = 0; j < f2->frags.count; j++) fragments_between(m, out, excl, f1->frags.items[i], f2->frags.items[j]);
}

static bool same_arguments(arena_t *a, const gql_selection *x, const gql_selection *y) {
    if (x->nargs != y->nargs) return false;
    for (size_t i = 0; i < x->nargs; i++) {
        const gql_argument *a1 = x->args[i], *a2 = NULL;
        for (size_t j = 0; j < y->nargs && !a2; j++)
            if (strcmp(y->args[j]->name.value, a1->name.value) == 0) a2 = y->args[j];
        if (!a2) return false;
        if (strcmp(gql_value_print(a, a1->value, true), gql_value_print(a, a2->value, true)) != 0) return false;
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
    while (t && (t->kind == GQL_LIST || t->kind == GQL_NON_NULL)) t = t->of_type;
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
        if (!same_arguments(a, n1, n2)) return new_conflict(m, name, "they have differing arguments", n1, n2);
    }
    if (t1 && t2 && types_conflict(t1, t2))
        return new_conflict(m, name,
                            arena_printf(a, "they return conflicting types \"%s\" and \"%s\"", gql_type_str(a, t1),
                                         gql_type_str(a, t2)),
                            n1, n2);
    if (n1->selection_set && n2->selection_set) {
        ptrvec_t subs = {0};
        sub_selections(m, &subs, excl, named_of(t1), n1->selection_set, named_of(t2), n2->selection_set);
        if (!subs.count) return NULL;
        conflict *c = arena_alloc(a, sizeof *c);
        c->name = name;
        c->subs = subs;
        ptrvec_push(a, &c->fields1, (void *)n1);
        ptrvec_push(a, &c->fields2, (void *)n2);
        for (size_t i = 0; i < subs.count; i++) {
            conflict *s = subs.items[i];
            for (size_t j = 0; j < s->fields1.count; j++) ptrvec_push(a, &c->fields1, s->fields1.items[j]);
            for (size_t j = 0; j < s->fields2.count; j++) ptrvec_push(a, &c->fields2, s->fields2.items[j]);
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
        strmap_init(&m->cache, ctx->arena);
        strmap_init(&m->pairs, ctx->arena);
        st->ready = true;
    }
    /* graphql-js findConflictsWithinSelectionSet */
    ptrvec_t out = {0};
    fmap *f = fields_and_fragments(m, gql_vctx_parent_type(ctx), node);
    within(m, &out, f);
    for (size_t i = 0; i < f->frags.count; i++) {
        fields_and_fragment(m, &out, false, f, f->frags.items[i]);
        for (size_t j = i + 1; j < f->frags.count; j++) fragments_between(m, &out, false, f->frags.items[i], f->frags.items[j]);
    }
    for (size_t i = 0; i < out.count; i++) {
        const conflict *c = out.items[i];
        size_t n = c->fields1.count + c->fields2.count;
        gql_loc *locs = arena_alloc(ctx->arena, n * sizeof *locs);
        for (size_t j = 0; j < c->fields1.count; j++) locs[j] = ((const gql_selection *)c->fields1.items[j])->loc;
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
