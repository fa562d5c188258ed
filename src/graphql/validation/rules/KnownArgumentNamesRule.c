/* KnownArgumentNamesRule.c -- spec §5.4.1 Argument Names: every argument of a field or directive is defined by it
 * (with graphql-js "Did you mean" suggestions). */
#include "graphql/validation/rules.h"

#include <string.h>

static const char *suggest(gql_vctx *ctx, const char *name, gql_input_value *const *args, size_t n) {
    const char **names = arena_alloc(ctx->arena, (n + 1) * sizeof *names);
    for (size_t i = 0; i < n; i++)
        names[i] = args[i]->name;
    ptrvec_t sugg = {0};
    gql_suggestion_list(ctx->arena, name, names, n, &sugg);
    return gql_did_you_mean(ctx->arena, NULL, &sugg);
}

static gql_visit_action enter(gql_vctx *ctx, void *state, gql_vnode_kind kind, const void *node) {
    (void)state;
    if (kind == GQL_VN_DIRECTIVE) {
        const gql_directive *d = node;
        const gql_definition *doc_def = gql_vctx_doc_directive(ctx, d->name.value);
        const gql_directive_def *def = doc_def ? NULL : gql_schema_directive(ctx->schema, d->name.value);
        if (doc_def) {
            const char **names = arena_alloc(ctx->arena, (doc_def->ninput_fields + 1) * sizeof *names);
            for (size_t j = 0; j < doc_def->ninput_fields; j++)
                names[j] = doc_def->input_fields[j]->name.value;
            for (size_t i = 0; i < d->nargs; i++) {
                const gql_argument *arg = d->args[i];
                bool known = false;
                for (size_t j = 0; j < doc_def->ninput_fields && !known; j++)
                    known = strcmp(names[j], arg->name.value) == 0;
                if (known) continue;
                ptrvec_t sugg = {0};
                gql_suggestion_list(ctx->arena, arg->name.value, names, doc_def->ninput_fields, &sugg);
                gql_vctx_report(ctx, &arg->loc, 1, "Unknown argument \"%s\" on directive \"@%s\".%s", arg->name.value,
                                d->name.value, gql_did_you_mean(ctx->arena, NULL, &sugg));
            }
        } else if (def) {
            for (size_t i = 0; i < d->nargs; i++) {
                const gql_argument *arg = d->args[i];
                bool known = false;
                for (size_t j = 0; j < def->nargs && !known; j++)
                    known = strcmp(def->args[j]->name, arg->name.value) == 0;
                if (!known)
                    gql_vctx_report(ctx, &arg->loc, 1, "Unknown argument \"%s\" on directive \"@%s\".%s",
                                    arg->name.value, d->name.value,
                                    suggest(ctx, arg->name.value, def->args, def->nargs));
            }
        }
        return GQL_VISIT_SKIP;
    }
    if (kind == GQL_VN_ARGUMENT) {
        const gql_argument *arg = node;
        const gql_field *fd = gql_vctx_field_def(ctx);
        const gql_type *parent = gql_vctx_parent_type(ctx);
        if (!gql_vctx_argument(ctx) && fd && parent)
            gql_vctx_report(ctx, &arg->loc, 1, "Unknown argument \"%s\" on field \"%s.%s\".%s", arg->name.value,
                            parent->name, fd->name, suggest(ctx, arg->name.value, fd->args, fd->nargs));
    }
    return GQL_VISIT_CONTINUE;
}

const gql_vrule gql_KnownArgumentNamesRule = {"KnownArgumentNamesRule", 0, enter, NULL};
