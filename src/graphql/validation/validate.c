/* validate.c -- gql_validate: runs the rules of spec §5 over a document in one traversal (graphql-js
 * specifiedRules, in that order), then the server's protection limits: selection depth and field count with
 * fragments expanded, and alias count. The limits are computed with memoisation per fragment, so a document
 * that doubles its size through nested fragments costs linear time, and a fragment cycle counts as nothing
 * (NoFragmentCyclesRule reports it; the limits may run on a document that failed it). */
#include "graphql/validation/validate.h"

#include <stdint.h>
#include <string.h>

#include "graphql/validation/rules.h"

const gql_vrule *const gql_specified_rules[] = {
    &gql_ExecutableDefinitionsRule,
    &gql_UniqueOperationNamesRule,
    &gql_LoneAnonymousOperationRule,
    &gql_SingleFieldSubscriptionsRule,
    &gql_KnownTypeNamesRule,
    &gql_FragmentsOnCompositeTypesRule,
    &gql_VariablesAreInputTypesRule,
    &gql_ScalarLeafsRule,
    &gql_FieldsOnCorrectTypeRule,
    &gql_UniqueFragmentNamesRule,
    &gql_KnownFragmentNamesRule,
    &gql_NoUnusedFragmentsRule,
    &gql_PossibleFragmentSpreadsRule,
    &gql_NoFragmentCyclesRule,
    &gql_UniqueVariableNamesRule,
    &gql_NoUndefinedVariablesRule,
    &gql_NoUnusedVariablesRule,
    &gql_KnownDirectivesRule,
    &gql_UniqueDirectivesPerLocationRule,
    &gql_KnownArgumentNamesRule,
    &gql_UniqueArgumentNamesRule,
    &gql_ValuesOfCorrectTypeRule,
    &gql_ProvidedRequiredArgumentsRule,
    &gql_VariablesInAllowedPositionRule,
    &gql_OverlappingFieldsCanBeMergedRule,
    &gql_UniqueInputFieldNamesRule,
    &gql_MaxIntrospectionDepthRule, /* ...recommendedRules, as graphql-js 16.9+ specifiedRules ends */
};
const size_t gql_specified_rules_count = sizeof gql_specified_rules / sizeof gql_specified_rules[0];

/* ---- limits ---- */

typedef struct {
    uint64_t depth;
    uint64_t fields;
    int state; /* 0 unvisited, 1 in progress (a cycle), 2 done */
} frag_measure;

typedef struct {
    const gql_document *doc;
    arena_t *arena;
    strmap_t frags;    /* name -> const gql_definition * */
    strmap_t measures; /* name -> frag_measure * */
} measurer;

static uint64_t sat_add(uint64_t a, uint64_t b) {
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static void measure_set(measurer *m, const gql_selection_set *ss, uint64_t *depth, uint64_t *fields);

static frag_measure *measure_fragment(measurer *m, const char *name) {
    frag_measure *fm = strmap_get(&m->measures, name);
    if (fm) return fm; /* done, or in progress: a cycle adds nothing more */
    fm = arena_alloc(m->arena, sizeof *fm);
    fm->state = 1;
    strmap_put(&m->measures, name, fm);
    const gql_definition *def = strmap_get(&m->frags, name);
    if (def && def->selection_set) measure_set(m, def->selection_set, &fm->depth, &fm->fields);
    fm->state = 2;
    return fm;
}

/* depth: nesting of field selection sets below ss (a leaf field counts 1); fields: field nodes, expanded. */
static void measure_set(measurer *m, const gql_selection_set *ss, uint64_t *depth, uint64_t *fields) {
    uint64_t d = 0, f = 0;
    for (size_t i = 0; i < ss->count; i++) {
        const gql_selection *sel = ss->items[i];
        uint64_t sd = 0, sf = 0;
        if (sel->kind == GQL_SEL_FIELD) {
            if (sel->selection_set) measure_set(m, sel->selection_set, &sd, &sf);
            sd += 1;
            sf = sat_add(sf, 1);
        } else if (sel->kind == GQL_SEL_INLINE_FRAGMENT) {
            if (sel->selection_set) measure_set(m, sel->selection_set, &sd, &sf);
        } else {
            frag_measure *fm = measure_fragment(m, sel->name.value);
            if (fm->state == 2) {
                sd = fm->depth;
                sf = fm->fields;
            }
        }
        if (sd > d) d = sd;
        f = sat_add(f, sf);
    }
    *depth = d;
    *fields = f;
}

static void count_aliases(const gql_selection_set *ss, uint64_t *n, uint32_t max, const gql_loc **over) {
    for (size_t i = 0; i < ss->count; i++) {
        const gql_selection *sel = ss->items[i];
        if (sel->kind == GQL_SEL_FIELD && sel->alias.value) {
            (*n)++;
            if (*n == (uint64_t)max + 1) *over = &sel->alias.loc;
        }
        if (sel->selection_set) count_aliases(sel->selection_set, n, max, over);
    }
}

static void check_limits(const gql_document *doc, const gql_validate_limits *lim, gql_errors *errs) {
    measurer m = {.doc = doc, .arena = errs->arena};
    strmap_init(&m.frags, errs->arena);
    strmap_init(&m.measures, errs->arena);
    for (size_t i = 0; i < doc->ndefs; i++) {
        const gql_definition *d = doc->defs[i];
        if (d->kind == GQL_DEF_FRAGMENT && d->name.value) strmap_put(&m.frags, d->name.value, (void *)d);
    }
    for (size_t i = 0; i < doc->ndefs; i++) {
        const gql_definition *op = doc->defs[i];
        if (op->kind != GQL_DEF_OPERATION || !op->selection_set) continue;
        uint64_t depth = 0, fields = 0;
        measure_set(&m, op->selection_set, &depth, &fields);
        const char *who =
            op->name.value ? arena_printf(errs->arena, "Operation \"%s\"", op->name.value) : "The anonymous operation";
        if (lim->max_depth && depth > lim->max_depth)
            gql_errors_add(errs, GQL_CODE_LIMIT_EXCEEDED, &op->loc, 1, NULL,
                           "%s has a selection depth of %llu, more than the maximum of %u.", who,
                           (unsigned long long)depth, lim->max_depth);
        if (lim->max_fields && fields > lim->max_fields) {
            if (fields == UINT64_MAX)
                gql_errors_add(errs, GQL_CODE_LIMIT_EXCEEDED, &op->loc, 1, NULL,
                               "%s selects too many fields (fragments expanded), more than the maximum of %u.", who,
                               lim->max_fields);
            else
                gql_errors_add(errs, GQL_CODE_LIMIT_EXCEEDED, &op->loc, 1, NULL,
                               "%s selects %llu fields (fragments expanded), more than the maximum of %u.", who,
                               (unsigned long long)fields, lim->max_fields);
        }
    }
    if (lim->max_aliases) {
        uint64_t n = 0;
        const gql_loc *over = NULL;
        for (size_t i = 0; i < doc->ndefs; i++) {
            const gql_definition *d = doc->defs[i];
            if ((d->kind == GQL_DEF_OPERATION || d->kind == GQL_DEF_FRAGMENT) && d->selection_set)
                count_aliases(d->selection_set, &n, lim->max_aliases, &over);
        }
        if (n > lim->max_aliases)
            gql_errors_add(errs, GQL_CODE_LIMIT_EXCEEDED, over, over ? 1 : 0, NULL,
                           "The document uses %llu aliases, more than the maximum of %u.", (unsigned long long)n,
                           lim->max_aliases);
    }
}

size_t gql_validate(const gql_schema *s, const gql_document *doc, const gql_validate_limits *limits, gql_errors *errs) {
    size_t before = errs->count;
    gql_vctx ctx;
    gql_vctx_init(&ctx, s, doc, errs);
    gql_vctx_run(&ctx, gql_specified_rules, gql_specified_rules_count);
    if (limits && (limits->max_depth || limits->max_aliases || limits->max_fields)) check_limits(doc, limits, errs);
    return errs->count - before;
}
