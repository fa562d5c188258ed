/* ProvidedRequiredArgumentsRule.c -- spec §5.4.2.1 Required Arguments: non-null arguments without a default must
 * be given, on fields and on directives. Reported when leaving the node, as graphql-js does. */
#include "graphql/validation/rules.h"

#include <string.h>

static bool provided(gql_argument *const *args, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(args[i]->name.value, name) == 0) return true;
    return false;
}

static void leave(gql_vctx *ctx, void *state, gql_vnode_kind kind, const void *node) {
    (void)state;
    if (kind == GQL_VN_FIELD) {
        const gql_selection *f = node;
        const gql_field *fd = gql_vctx_field_def(ctx);
        if (!fd) return;
        for (size_t i = 0; i < fd->nargs; i++) {
            const gql_input_value *a = fd->args[i];
            if (gql_is_required_input(a) && !provided(f->args, f->nargs, a->name))
                gql_vctx_report(ctx, &f->loc, 1,
                                "Field \"%s\" argument \"%s\" of type \"%s\" is required, but it was not provided.",
                                fd->name, a->name, gql_type_str(ctx->arena, a->type));
        }
    } else if (kind == GQL_VN_DIRECTIVE) {
        const gql_directive *d = node;
        const gql_definition *doc_def = gql_vctx_doc_directive(ctx, d->name.value);
        if (doc_def) {
            for (size_t i = 0; i < doc_def->ninput_fields; i++) {
                const gql_input_value_def *a = doc_def->input_fields[i];
                if (a->type && a->type->kind == GQL_TYPEREF_NON_NULL && !a->default_value &&
                    !provided(d->args, d->nargs, a->name.value))
                    gql_vctx_report(
                        ctx, &d->loc, 1,
                        "Directive \"@%s\" argument \"%s\" of type \"%s\" is required, but it was not provided.",
                        d->name.value, a->name.value, gql_print_typeref_str(ctx->arena, a->type));
            }
            return;
        }
        const gql_directive_def *def = gql_schema_directive(ctx->schema, d->name.value);
        if (!def) return;
        for (size_t i = 0; i < def->nargs; i++) {
            const gql_input_value *a = def->args[i];
            if (gql_is_required_input(a) && !provided(d->args, d->nargs, a->name))
                gql_vctx_report(
                    ctx, &d->loc, 1,
                    "Directive \"@%s\" argument \"%s\" of type \"%s\" is required, but it was not provided.",
                    d->name.value, a->name, gql_type_str(ctx->arena, a->type));
        }
    }
}

const gql_vrule gql_ProvidedRequiredArgumentsRule = {"ProvidedRequiredArgumentsRule", 0, NULL, leave};
