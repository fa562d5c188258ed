/* KnownTypeNamesRule.c -- spec §5.5.1.2 Fragment Spread Type Existence and §5.8.2's premise: every type named
 * in a type condition or a variable type must exist in the schema (or be defined in the document). */
#include "graphql/validation/rules.h"

#include <string.h>

static bool defined_in_document(const gql_document *doc, const char *name) {
    for (size_t i = 0; i < doc->ndefs; i++) {
        const gql_definition *d = doc->defs[i];
        if (d->kind >= GQL_DEF_SCALAR && d->kind <= GQL_DEF_INPUT_OBJECT && !d->extension && d->name.value &&
            strcmp(d->name.value, name) == 0)
            return true;
    }
    return false;
}

static gql_visit_action enter(gql_vctx *ctx, void *state, gql_vnode_kind kind, const void *node) {
    (void)state;
    if (kind != GQL_VN_NAMED_TYPE) return GQL_VISIT_CONTINUE;
    const gql_name *n = node;
    if (gql_schema_type(ctx->schema, n->value) || defined_in_document(ctx->doc, n->value)) return GQL_VISIT_CONTINUE;
    ptrvec_t names = {0};
    for (size_t i = 0; i < ctx->schema->ntypes; i++)
        ptrvec_push(ctx->arena, &names, (void *)ctx->schema->type_list[i]->name);
    for (size_t i = 0; i < ctx->doc->ndefs; i++) {
        const gql_definition *d = ctx->doc->defs[i];
        if (d->kind >= GQL_DEF_SCALAR && d->kind <= GQL_DEF_INPUT_OBJECT && !d->extension && d->name.value)
            ptrvec_push(ctx->arena, &names, (void *)d->name.value);
    }
    ptrvec_t sugg = {0};
    gql_suggestion_list(ctx->arena, n->value, (const char *const *)names.items, names.count, &sugg);
    gql_vctx_report(ctx, &n->loc, 1, "Unknown type \"%s\".%s", n->value, gql_did_you_mean(ctx->arena, NULL, &sugg));
    return GQL_VISIT_CONTINUE;
}

const gql_vrule gql_KnownTypeNamesRule = {"KnownTypeNamesRule", 0, enter, NULL};
