/* KnownDirectivesRule.c -- spec §5.7.1 Directives Are Defined and §5.7.2 Directives Are In Valid Locations. */
#include "graphql/validation/rules.h"

/* Locations of a directive defined in the schema or (for completeness) in the document itself; 0 if unknown. */
static bool directive_locations(gql_vctx *ctx, const char *name, uint32_t *locs) {
    const gql_definition *def = gql_vctx_doc_directive(ctx, name);
    if (def) {
        *locs = def->locations;
        return true;
    }
    const gql_directive_def *d = gql_schema_directive(ctx->schema, name);
    if (d) {
        *locs = d->locations;
        return true;
    }
    return false;
}

static gql_visit_action enter(gql_vctx *ctx, void *state, gql_vnode_kind kind, const void *node) {
    (void)state;
    if (kind != GQL_VN_DIRECTIVE) return GQL_VISIT_CONTINUE;
    const gql_directive *d = node;
    uint32_t locs = 0;
    if (!directive_locations(ctx, d->name.value, &locs)) {
        gql_vctx_report(ctx, &d->loc, 1, "Unknown directive \"@%s\".", d->name.value);
    } else if (ctx->directive_location && !(locs & ctx->directive_location)) {
        const char *where = gql_directive_location_name(ctx->directive_location);
        gql_vctx_report(ctx, &d->loc, 1, "Directive \"@%s\" may not be used on %s.", d->name.value,
                        where ? where : "this location");
    }
    return GQL_VISIT_CONTINUE;
}

const gql_vrule gql_KnownDirectivesRule = {"KnownDirectivesRule", 0, enter, NULL};
