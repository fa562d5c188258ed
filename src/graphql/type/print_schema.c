/* print_schema.c -- gql_schema_print: the schema as SDL, byte for byte what graphql-js
 * utilities/printSchema prints (no standard scalars, built-in directives or introspection types;
 * a schema block only when a description or non-default root type names need it). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "graphql/language/printer.h"
#include "graphql/type/introspection.h"
#include "graphql/type/scalars.h"
#include "graphql/type/schema.h"
#include "graphql/type/type_internal.h"

#define DEFAULT_DEPRECATION_REASON "No longer supported"

static void put_type(buf_t *out, const gql_type *t) {
    if (t->kind == GQL_LIST) {
        buf_putc(out, '[');
        put_type(out, t->of_type);
        buf_putc(out, ']');
    } else if (t->kind == GQL_NON_NULL) {
        put_type(out, t->of_type);
        buf_putc(out, '!');
    } else {
        buf_puts(out, t->name);
    }
}

/* graphql-js printDescription: block string when printable as one, indented, with a blank line
 * before every description but the first in a block. */
static void print_description(buf_t *out, const char *desc, const char *indent, bool first) {
    if (!desc) return;
    if (indent[0] && !first) {
        buf_putc(out, '\n');
        buf_puts(out, indent);
    } else {
        buf_puts(out, indent);
    }
    buf_t s = BUF_INIT;
    gql_print_string(&s, desc, strlen(desc), true);
    for (size_t i = 0; i < s.len; i++) {
        buf_putc(out, s.data[i]);
        if (s.data[i] == '\n') buf_puts(out, indent);
    }
    buf_free(&s);
    buf_putc(out, '\n');
}

static void print_deprecated(buf_t *out, bool deprecated, const char *reason) {
    if (!deprecated || !reason) return;
    if (strcmp(reason, DEFAULT_DEPRECATION_REASON) == 0) {
        buf_puts(out, " @deprecated");
        return;
    }
    buf_puts(out, " @deprecated(reason: ");
    gql_print_string(out, reason, strlen(reason), false);
    buf_putc(out, ')');
}

static void print_input_value(buf_t *out, const gql_input_value *iv) {
    buf_printf(out, "%s: ", iv->name);
    put_type(out, iv->type);
    if (iv->default_value) {
        buf_puts(out, " = ");
        gql_print_default_value(out, iv->default_value, iv->type);
    }
    print_deprecated(out, iv->deprecated, iv->deprecation_reason);
}

/* graphql-js printArgs: one line when no argument has a description. */
static void print_args(buf_t *out, gql_input_value *const *args, size_t n, const char *indent) {
    if (n == 0) return;
    bool any_desc = false;
    for (size_t i = 0; i < n; i++)
        any_desc = any_desc || args[i]->description;
    if (!any_desc) {
        buf_putc(out, '(');
        for (size_t i = 0; i < n; i++) {
            if (i) buf_puts(out, ", ");
            print_input_value(out, args[i]);
        }
        buf_putc(out, ')');
        return;
    }
    char inner[64];
    snprintf(inner, sizeof inner, "  %s", indent);
    buf_puts(out, "(\n");
    for (size_t i = 0; i < n; i++) {
        if (i) buf_putc(out, '\n');
        print_description(out, args[i]->description, inner, i == 0);
        buf_puts(out, inner);
        print_input_value(out, args[i]);
    }
    buf_printf(out, "\n%s)", indent);
}

static void print_fields(buf_t *out, const gql_type *t) {
    if (!t->nfields) return;
    buf_puts(out, " {\n");
    for (size_t i = 0; i < t->nfields; i++) {
        const gql_field *f = t->fields[i];
        if (i) buf_putc(out, '\n');
        print_description(out, f->description, "  ", i == 0);
        buf_printf(out, "  %s", f->name);
        print_args(out, f->args, f->nargs, "  ");
        buf_puts(out, ": ");
        put_type(out, f->type);
        print_deprecated(out, f->deprecated, f->deprecation_reason);
    }
    buf_puts(out, "\n}");
}

static void print_interfaces(buf_t *out, const gql_type *t) {
    for (size_t i = 0; i < t->ninterfaces; i++)
        buf_printf(out, "%s%s", i ? " & " : " implements ", t->interfaces[i]->name);
}

static void print_type(buf_t *out, const gql_type *t) {
    print_description(out, t->description, "", true);
    switch (t->kind) {
    case GQL_SCALAR:
        buf_printf(out, "scalar %s", t->name);
        if (t->specified_by_url) {
            buf_puts(out, " @specifiedBy(url: ");
            gql_print_string(out, t->specified_by_url, strlen(t->specified_by_url), false);
            buf_putc(out, ')');
        }
        break;
    case GQL_OBJECT:
    case GQL_INTERFACE:
        buf_printf(out, "%s %s", t->kind == GQL_OBJECT ? "type" : "interface", t->name);
        print_interfaces(out, t);
        print_fields(out, t);
        break;
    case GQL_UNION:
        buf_printf(out, "union %s", t->name);
        for (size_t i = 0; i < t->npossible_types; i++)
            buf_printf(out, "%s%s", i ? " | " : " = ", t->possible_types[i]->name);
        break;
    case GQL_ENUM:
        buf_printf(out, "enum %s", t->name);
        if (!t->nenum_values) break;
        buf_puts(out, " {\n");
        for (size_t i = 0; i < t->nenum_values; i++) {
            const gql_enum_value *e = t->enum_values[i];
            if (i) buf_putc(out, '\n');
            print_description(out, e->description, "  ", i == 0);
            buf_printf(out, "  %s", e->name);
            print_deprecated(out, e->deprecated, e->deprecation_reason);
        }
        buf_puts(out, "\n}");
        break;
    case GQL_INPUT_OBJECT:
        buf_printf(out, "input %s%s", t->name, t->one_of ? " @oneOf" : "");
        if (!t->ninput_fields) break;
        buf_puts(out, " {\n");
        for (size_t i = 0; i < t->ninput_fields; i++) {
            if (i) buf_putc(out, '\n');
            print_description(out, t->input_fields[i]->description, "  ", i == 0);
            buf_puts(out, "  ");
            print_input_value(out, t->input_fields[i]);
        }
        buf_puts(out, "\n}");
        break;
    default:
        break;
    }
}

static void print_directive(buf_t *out, const gql_schema *s, const gql_directive_def *d) {
    print_description(out, d->description, "", true);
    buf_printf(out, "directive @%s", d->name);
    print_args(out, d->args, d->nargs, "");
    if (d->repeatable) buf_puts(out, " repeatable");
    buf_puts(out, " on ");
    const gql_definition *ast = strmap_get(&((const gql_schema_box *)s)->directive_asts, d->name);
    bool first = true;
    if (ast && ast->nlocations) {
        for (size_t i = 0; i < ast->nlocations; i++) {
            buf_printf(out, "%s%s", first ? "" : " | ", ast->location_names[i].value);
            first = false;
        }
        return;
    }
    for (unsigned i = 0; i < GQL_DL_COUNT; i++) {
        if (!(d->locations & (1u << i))) continue;
        buf_printf(out, "%s%s", first ? "" : " | ", gql_directive_location_name(1u << i));
        first = false;
    }
}

/* graphql-js printSchemaDefinition / isSchemaOfCommonNames. */
static bool print_schema_definition(buf_t *out, const gql_schema *s) {
    bool common = (!s->query || strcmp(s->query->name, "Query") == 0) &&
                  (!s->mutation || strcmp(s->mutation->name, "Mutation") == 0) &&
                  (!s->subscription || strcmp(s->subscription->name, "Subscription") == 0);
    if (!s->description && common) return false;
    print_description(out, s->description, "", true);
    buf_puts(out, "schema {");
    if (s->query) buf_printf(out, "\n  query: %s", s->query->name);
    if (s->mutation) buf_printf(out, "\n  mutation: %s", s->mutation->name);
    if (s->subscription) buf_printf(out, "\n  subscription: %s", s->subscription->name);
    buf_puts(out, "\n}");
    return true;
}

void gql_schema_print(const gql_schema *s, buf_t *out) {
    bool any = print_schema_definition(out, s);
    for (size_t i = 0; i < s->ndirectives; i++) {
        const char *n = s->directives[i]->name;
        if (!strcmp(n, "include") || !strcmp(n, "skip") || !strcmp(n, "deprecated") || !strcmp(n, "specifiedBy") ||
            !strcmp(n, "oneOf"))
            continue; /* graphql-js isSpecifiedDirective compares names */
        if (any) buf_puts(out, "\n\n");
        print_directive(out, s, s->directives[i]);
        any = true;
    }
    for (size_t i = 0; i < s->ntypes; i++) {
        const gql_type *t = s->type_list[i];
        if (t->builtin) continue;
        if (any) buf_puts(out, "\n\n");
        print_type(out, t);
        any = true;
    }
}
