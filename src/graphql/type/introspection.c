/* introspection.c -- the introspection types of spec §4 (SDL and descriptions as graphql-js has
 * them, embedded below together with the standard scalars and directives) and their resolvers. */
#include "graphql/type/introspection.h"

#include <string.h>

#include "graphql/type/scalars.h"
#include "graphql/type/type_internal.h"

/* Built-in scalars (§3.5), directives (§3.13) and introspection types (§4.5) as graphql-js 16.15
 * prints them, parsed by every gql_schema_build before the user's sources. One difference: graphql-js
 * 16.15 also lets @deprecated stand on DIRECTIVE_DEFINITION, a location that is not in the spec, that
 * ast.h and the parser do not know, and that graphql-core's buildClientSchema rejects; @deprecated
 * keeps the spec's four locations. */
const char gql_introspection_prelude[] =
    "\"\"\"\n"
    "The `String` scalar type represents textual data, represented as UTF-8 character sequences. The "
    "String type is most often used by GraphQL to represent free-form human-readable text.\n"
    "\"\"\"\n"
    "scalar String\n"
    "\n"
    "\"\"\"\n"
    "The `Int` scalar type represents non-fractional signed whole numeric values. Int can represent "
    "values between -(2^31) and 2^31 - 1.\n"
    "\"\"\"\n"
    "scalar Int\n"
    "\n"
    "\"\"\"\n"
    "The `Float` scalar type represents signed double-precision fractional values as specified by [IEEE "
    "754](https://en.wikipedia.org/wiki/IEEE_floating_point).\n"
    "\"\"\"\n"
    "scalar Float\n"
    "\n"
    "\"\"\"The `Boolean` scalar type represents `true` or `false`.\"\"\"\n"
    "scalar Boolean\n"
    "\n"
    "\"\"\"\n"
    "The `ID` scalar type represents a unique identifier, often used to refetch an object or as key for "
    "a cache. The ID type appears in a JSON response as a String; however, it is not intended to be "
    "human-readable. When expected as an input type, any string (such as `\"4\"`) or integer (such as "
    "`4`) input value will be accepted as an ID.\n"
    "\"\"\"\n"
    "scalar ID\n"
    "\n"
    "\"\"\"\n"
    "Directs the executor to include this field or fragment only when the `if` argument is true.\n"
    "\"\"\"\n"
    "directive @include(\n"
    "  \"\"\"Included when true.\"\"\"\n"
    "  if: Boolean!\n"
    ") on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT\n"
    "\n"
    "\"\"\"\n"
    "Directs the executor to skip this field or fragment when the `if` argument is true.\n"
    "\"\"\"\n"
    "directive @skip(\n"
    "  \"\"\"Skipped when true.\"\"\"\n"
    "  if: Boolean!\n"
    ") on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT\n"
    "\n"
    "\"\"\"Marks an element of a GraphQL schema as no longer supported.\"\"\"\n"
    "directive @deprecated(\n"
    "  \"\"\"\n"
    "  Explains why this element was deprecated, usually also including a suggestion for how to access "
    "supported similar data. Formatted using the Markdown syntax, as specified by "
    "[CommonMark](https://commonmark.org/).\n"
    "  \"\"\"\n"
    "  reason: String = \"No longer supported\"\n"
    ") on FIELD_DEFINITION | ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION | ENUM_VALUE\n"
    "\n"
    "\"\"\"Exposes a URL that specifies the behavior of this scalar.\"\"\"\n"
    "directive @specifiedBy(\n"
    "  \"\"\"The URL that specifies the behavior of this scalar.\"\"\"\n"
    "  url: String!\n"
    ") on SCALAR\n"
    "\n"
    "\"\"\"\n"
    "Indicates exactly one field must be supplied and this field must not be `null`.\n"
    "\"\"\"\n"
    "directive @oneOf on INPUT_OBJECT\n"
    "\n"
    "\"\"\"\n"
    "A GraphQL Schema defines the capabilities of a GraphQL server. It exposes all available types and "
    "directives on the server, as well as the entry points for query, mutation, and subscription "
    "operations.\n"
    "\"\"\"\n"
    "type __Schema {\n"
    "  description: String\n"
    "\n"
    "  \"\"\"A list of all types supported by this server.\"\"\"\n"
    "  types: [__Type!]!\n"
    "\n"
    "  \"\"\"The type that query operations will be rooted at.\"\"\"\n"
    "  queryType: __Type!\n"
    "\n"
    "  \"\"\"\n"
    "  If this server supports mutation, the type that mutation operations will be rooted at.\n"
    "  \"\"\"\n"
    "  mutationType: __Type\n"
    "\n"
    "  \"\"\"\n"
    "  If this server support subscription, the type that subscription operations will be rooted at.\n"
    "  \"\"\"\n"
    "  subscriptionType: __Type\n"
    "\n"
    "  \"\"\"A list of all directives supported by this server.\"\"\"\n"
    "  directives(includeDeprecated: Boolean! = false): [__Directive!]!\n"
    "}\n"
    "\n"
    "\"\"\"\n"
    "The fundamental unit of any GraphQL Schema is the type. There are many kinds of types in GraphQL as "
    "represented by the `__TypeKind` enum.\n"
    "\n"
    "Depending on the kind of a type, certain fields describe information about that type. Scalar types "
    "provide no information beyond a name, description and optional `specifiedByURL`, while Enum types "
    "provide their values. Object and Interface types provide the fields they describe. Abstract types, "
    "Union and Interface, provide the Object types possible at runtime. List and NonNull types compose "
    "other types.\n"
    "\"\"\"\n"
    "type __Type {\n"
    "  kind: __TypeKind!\n"
    "  name: String\n"
    "  description: String\n"
    "  specifiedByURL: String\n"
    "  fields(includeDeprecated: Boolean = false): [__Field!]\n"
    "  interfaces: [__Type!]\n"
    "  possibleTypes: [__Type!]\n"
    "  enumValues(includeDeprecated: Boolean = false): [__EnumValue!]\n"
    "  inputFields(includeDeprecated: Boolean = false): [__InputValue!]\n"
    "  ofType: __Type\n"
    "  isOneOf: Boolean\n"
    "}\n"
    "\n"
    "\"\"\"An enum describing what kind of type a given `__Type` is.\"\"\"\n"
    "enum __TypeKind {\n"
    "  \"\"\"Indicates this type is a scalar.\"\"\"\n"
    "  SCALAR\n"
    "\n"
    "  \"\"\"\n"
    "  Indicates this type is an object. `fields` and `interfaces` are valid fields.\n"
    "  \"\"\"\n"
    "  OBJECT\n"
    "\n"
    "  \"\"\"\n"
    "  Indicates this type is an interface. `fields`, `interfaces`, and `possibleTypes` are valid fields.\n"
    "  \"\"\"\n"
    "  INTERFACE\n"
    "\n"
    "  \"\"\"Indicates this type is a union. `possibleTypes` is a valid field.\"\"\"\n"
    "  UNION\n"
    "\n"
    "  \"\"\"Indicates this type is an enum. `enumValues` is a valid field.\"\"\"\n"
    "  ENUM\n"
    "\n"
    "  \"\"\"\n"
    "  Indicates this type is an input object. `inputFields` is a valid field.\n"
    "  \"\"\"\n"
    "  INPUT_OBJECT\n"
    "\n"
    "  \"\"\"Indicates this type is a list. `ofType` is a valid field.\"\"\"\n"
    "  LIST\n"
    "\n"
    "  \"\"\"Indicates this type is a non-null. `ofType` is a valid field.\"\"\"\n"
    "  NON_NULL\n"
    "}\n"
    "\n"
    "\"\"\"\n"
    "Object and Interface types are described by a list of Fields, each of which has a name, potentially "
    "a list of arguments, and a return type.\n"
    "\"\"\"\n"
    "type __Field {\n"
    "  name: String!\n"
    "  description: String\n"
    "  args(includeDeprecated: Boolean = false): [__InputValue!]!\n"
    "  type: __Type!\n"
    "  isDeprecated: Boolean!\n"
    "  deprecationReason: String\n"
    "}\n"
    "\n"
    "\"\"\"\n"
    "Arguments provided to Fields or Directives and the input fields of an InputObject are represented "
    "as Input Values which describe their type and optionally a default value.\n"
    "\"\"\"\n"
    "type __InputValue {\n"
    "  name: String!\n"
    "  description: String\n"
    "  type: __Type!\n"
    "\n"
    "  \"\"\"\n"
    "  A GraphQL-formatted string representing the default value for this input value.\n"
    "  \"\"\"\n"
    "  defaultValue: String\n"
    "  isDeprecated: Boolean!\n"
    "  deprecationReason: String\n"
    "}\n"
    "\n"
    "\"\"\"\n"
    "One possible value for a given Enum. Enum values are unique values, not a placeholder for a string "
    "or numeric value. However an Enum value is returned in a JSON response as a string.\n"
    "\"\"\"\n"
    "type __EnumValue {\n"
    "  name: String!\n"
    "  description: String\n"
    "  isDeprecated: Boolean!\n"
    "  deprecationReason: String\n"
    "}\n"
    "\n"
    "\"\"\"\n"
    "A Directive provides a way to describe alternate runtime execution and type validation behavior in "
    "a GraphQL document.\n"
    "\n"
    "In some cases, you need to provide options to alter GraphQL's execution behavior in ways field "
    "arguments will not suffice, such as conditionally including or skipping a field. Directives provide "
    "this by describing additional information to the executor.\n"
    "\"\"\"\n"
    "type __Directive {\n"
    "  name: String!\n"
    "  description: String\n"
    "  isRepeatable: Boolean!\n"
    "  locations: [__DirectiveLocation!]!\n"
    "  args(includeDeprecated: Boolean = false): [__InputValue!]!\n"
    "  isDeprecated: Boolean!\n"
    "  deprecationReason: String\n"
    "}\n"
    "\n"
    "\"\"\"\n"
    "A Directive can be adjacent to many parts of the GraphQL language, a __DirectiveLocation describes "
    "one such possible adjacencies.\n"
    "\"\"\"\n"
    "enum __DirectiveLocation {\n"
    "  \"\"\"Location adjacent to a query operation.\"\"\"\n"
    "  QUERY\n"
    "\n"
    "  \"\"\"Location adjacent to a mutation operation.\"\"\"\n"
    "  MUTATION\n"
    "\n"
    "  \"\"\"Location adjacent to a subscription operation.\"\"\"\n"
    "  SUBSCRIPTION\n"
    "\n"
    "  \"\"\"Location adjacent to a field.\"\"\"\n"
    "  FIELD\n"
    "\n"
    "  \"\"\"Location adjacent to a fragment definition.\"\"\"\n"
    "  FRAGMENT_DEFINITION\n"
    "\n"
    "  \"\"\"Location adjacent to a fragment spread.\"\"\"\n"
    "  FRAGMENT_SPREAD\n"
    "\n"
    "  \"\"\"Location adjacent to an inline fragment.\"\"\"\n"
    "  INLINE_FRAGMENT\n"
    "\n"
    "  \"\"\"Location adjacent to a variable definition.\"\"\"\n"
    "  VARIABLE_DEFINITION\n"
    "\n"
    "  \"\"\"Location adjacent to a schema definition.\"\"\"\n"
    "  SCHEMA\n"
    "\n"
    "  \"\"\"Location adjacent to a scalar definition.\"\"\"\n"
    "  SCALAR\n"
    "\n"
    "  \"\"\"Location adjacent to an object type definition.\"\"\"\n"
    "  OBJECT\n"
    "\n"
    "  \"\"\"Location adjacent to a field definition.\"\"\"\n"
    "  FIELD_DEFINITION\n"
    "\n"
    "  \"\"\"Location adjacent to an argument definition.\"\"\"\n"
    "  ARGUMENT_DEFINITION\n"
    "\n"
    "  \"\"\"Location adjacent to an interface definition.\"\"\"\n"
    "  INTERFACE\n"
    "\n"
    "  \"\"\"Location adjacent to a union definition.\"\"\"\n"
    "  UNION\n"
    "\n"
    "  \"\"\"Location adjacent to an enum definition.\"\"\"\n"
    "  ENUM\n"
    "\n"
    "  \"\"\"Location adjacent to an enum value definition.\"\"\"\n"
    "  ENUM_VALUE\n"
    "\n"
    "  \"\"\"Location adjacent to an input object type definition.\"\"\"\n"
    "  INPUT_OBJECT\n"
    "\n"
    "  \"\"\"Location adjacent to an input object field definition.\"\"\"\n"
    "  INPUT_FIELD_DEFINITION\n"
    "\n"
    "  \"\"\"Location adjacent to a directive definition.\"\"\"\n"
    "  DIRECTIVE_DEFINITION\n"
    "}\n";

bool gql_is_introspection_type(const gql_type *t) {
    static const char *const names[] = {"__Schema",    "__Type",      "__Field",    "__InputValue",
                                        "__EnumValue", "__Directive", "__TypeKind", "__DirectiveLocation"};
    if (!t || !t->builtin || !t->name || t->name[0] != '_') return false;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(t->name, names[i]) == 0) return true;
    return false;
}

static const gql_type *itype(const gql_resolve_info *info, const char *name) {
    return gql_schema_type(info->schema, name);
}

static gql_val type_val(const gql_resolve_info *info, const gql_type *t) {
    return t ? gql_object((void *)t, itype(info, "__Type")) : gql_null();
}

static bool include_deprecated(const gql_val *args) {
    bool b = false;
    return gql_arg_bool(args, "includeDeprecated", &b) && b;
}

/* ---- __Schema (§4.2.1) ---- */

static int schema_description(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)info, (void)args;
    *out = gql_str(((const gql_schema *)parent->obj.ptr)->description);
    return 0;
}

static int schema_types(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)args;
    const gql_schema *s = parent->obj.ptr;
    *out = gql_list(info->arena, s->ntypes);
    for (size_t i = 0; i < s->ntypes; i++)
        out->list.items[i] = type_val(info, s->type_list[i]);
    return 0;
}

static int schema_query_type(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)args;
    *out = type_val(info, ((const gql_schema *)parent->obj.ptr)->query);
    return 0;
}

static int schema_mutation_type(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)args;
    *out = type_val(info, ((const gql_schema *)parent->obj.ptr)->mutation);
    return 0;
}

static int schema_subscription_type(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)args;
    *out = type_val(info, ((const gql_schema *)parent->obj.ptr)->subscription);
    return 0;
}

static int schema_directives(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)args;
    const gql_schema *s = parent->obj.ptr;
    const gql_type *dt = itype(info, "__Directive");
    *out = gql_list(info->arena, s->ndirectives);
    for (size_t i = 0; i < s->ndirectives; i++)
        out->list.items[i] = gql_object(s->directives[i], dt);
    return 0;
}

/* ---- __Type (§4.2.2) ---- */

static int type_kind(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)info, (void)args;
    static const char *const kinds[] = {"SCALAR", "OBJECT",       "INTERFACE", "UNION",
                                        "ENUM",   "INPUT_OBJECT", "LIST",      "NON_NULL"};
    *out = gql_enum(kinds[((const gql_type *)parent->obj.ptr)->kind]);
    return 0;
}

static int type_name(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)info, (void)args;
    *out = gql_str(((const gql_type *)parent->obj.ptr)->name);
    return 0;
}

static int type_description(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)info, (void)args;
    *out = gql_str(((const gql_type *)parent->obj.ptr)->description);
    return 0;
}

static int type_specified_by(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)info, (void)args;
    *out = gql_str(((const gql_type *)parent->obj.ptr)->specified_by_url);
    return 0;
}

static int type_fields(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    const gql_type *t = parent->obj.ptr;
    if (t->kind != GQL_OBJECT && t->kind != GQL_INTERFACE) {
        *out = gql_null();
        return 0;
    }
    bool all = include_deprecated(args);
    const gql_type *ft = itype(info, "__Field");
    *out = gql_list(info->arena, t->nfields);
    size_t n = 0;
    for (size_t i = 0; i < t->nfields; i++)
        if (all || !t->fields[i]->deprecated) out->list.items[n++] = gql_object(t->fields[i], ft);
    out->list.count = n;
    return 0;
}

static gql_val type_list_val(const gql_resolve_info *info, gql_type *const *types, size_t n) {
    gql_val v = gql_list(info->arena, n);
    for (size_t i = 0; i < n; i++)
        v.list.items[i] = type_val(info, types[i]);
    return v;
}

static int type_interfaces(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)args;
    const gql_type *t = parent->obj.ptr;
    if (t->kind != GQL_OBJECT && t->kind != GQL_INTERFACE)
        *out = gql_null();
    else
        *out = type_list_val(info, t->interfaces, t->ninterfaces);
    return 0;
}

static int type_possible_types(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)args;
    const gql_type *t = parent->obj.ptr;
    if (!gql_is_abstract_type(t))
        *out = gql_null();
    else
        *out = type_list_val(info, t->possible_types, t->npossible_types);
    return 0;
}

static int type_enum_values(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    const gql_type *t = parent->obj.ptr;
    if (t->kind != GQL_ENUM) {
        *out = gql_null();
        return 0;
    }
    bool all = include_deprecated(args);
    const gql_type *et = itype(info, "__EnumValue");
    *out = gql_list(info->arena, t->nenum_values);
    size_t n = 0;
    for (size_t i = 0; i < t->nenum_values; i++)
        if (all || !t->enum_values[i]->deprecated) out->list.items[n++] = gql_object(t->enum_values[i], et);
    out->list.count = n;
    return 0;
}

static gql_val input_values(const gql_resolve_info *info, gql_input_value *const *vals, size_t count, bool all) {
    const gql_type *it = itype(info, "__InputValue");
    gql_val v = gql_list(info->arena, count);
    size_t n = 0;
    for (size_t i = 0; i < count; i++)
        if (all || !vals[i]->deprecated) v.list.items[n++] = gql_object(vals[i], it);
    v.list.count = n;
    return v;
}

static int type_input_fields(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    const gql_type *t = parent->obj.ptr;
    if (t->kind != GQL_INPUT_OBJECT)
        *out = gql_null();
    else
        *out = input_values(info, t->input_fields, t->ninput_fields, include_deprecated(args));
    return 0;
}

static int type_of_type(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)args;
    *out = type_val(info, ((const gql_type *)parent->obj.ptr)->of_type);
    return 0;
}

static int type_is_one_of(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)info, (void)args;
    const gql_type *t = parent->obj.ptr;
    *out = t->kind == GQL_INPUT_OBJECT ? gql_bool(t->one_of) : gql_null();
    return 0;
}

/* ---- __Field (§4.2.3) ---- */

static int field_name(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)info, (void)args;
    *out = gql_str(((const gql_field *)parent->obj.ptr)->name);
    return 0;
}

static int field_description(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)info, (void)args;
    *out = gql_str(((const gql_field *)parent->obj.ptr)->description);
    return 0;
}

static int field_args(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    const gql_field *f = parent->obj.ptr;
    *out = input_values(info, f->args, f->nargs, include_deprecated(args));
    return 0;
}

static int field_type(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)args;
    *out = type_val(info, ((const gql_field *)parent->obj.ptr)->type);
    return 0;
}

static int field_is_deprecated(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)info, (void)args;
    *out = gql_bool(((const gql_field *)parent->obj.ptr)->deprecated);
    return 0;
}

static int field_deprecation_reason(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)info, (void)args;
    *out = gql_str(((const gql_field *)parent->obj.ptr)->deprecation_reason);
    return 0;
}

/* ---- __InputValue (§4.2.4) ---- */

static int iv_name(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)info, (void)args;
    *out = gql_str(((const gql_input_value *)parent->obj.ptr)->name);
    return 0;
}

static int iv_description(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)info, (void)args;
    *out = gql_str(((const gql_input_value *)parent->obj.ptr)->description);
    return 0;
}

static int iv_type(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)args;
    *out = type_val(info, ((const gql_input_value *)parent->obj.ptr)->type);
    return 0;
}

/* defaultValue: "A GraphQL-formatted string representing the default value" (graphql-js prints
 * astFromValue of the coerced default). */
static int iv_default_value(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)args;
    const gql_input_value *iv = parent->obj.ptr;
    if (!iv->default_value) {
        *out = gql_null();
        return 0;
    }
    buf_t b = BUF_INIT;
    gql_print_default_value(&b, iv->default_value, iv->type);
    *out = gql_str_dup(info->arena, buf_cstr(&b));
    buf_free(&b);
    return 0;
}

static int iv_is_deprecated(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)info, (void)args;
    *out = gql_bool(((const gql_input_value *)parent->obj.ptr)->deprecated);
    return 0;
}

static int iv_deprecation_reason(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)info, (void)args;
    *out = gql_str(((const gql_input_value *)parent->obj.ptr)->deprecation_reason);
    return 0;
}

/* ---- __EnumValue (§4.2.5) ---- */

static int ev_name(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)info, (void)args;
    *out = gql_str(((const gql_enum_value *)parent->obj.ptr)->name);
    return 0;
}

static int ev_description(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)info, (void)args;
    *out = gql_str(((const gql_enum_value *)parent->obj.ptr)->description);
    return 0;
}

static int ev_is_deprecated(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)info, (void)args;
    *out = gql_bool(((const gql_enum_value *)parent->obj.ptr)->deprecated);
    return 0;
}

static int ev_deprecation_reason(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)info, (void)args;
    *out = gql_str(((const gql_enum_value *)parent->obj.ptr)->deprecation_reason);
    return 0;
}

/* ---- __Directive (§4.2.6) ---- */

static int dir_name(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)info, (void)args;
    *out = gql_str(((const gql_directive_def *)parent->obj.ptr)->name);
    return 0;
}

static int dir_description(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)info, (void)args;
    *out = gql_str(((const gql_directive_def *)parent->obj.ptr)->description);
    return 0;
}

static int dir_is_repeatable(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)info, (void)args;
    *out = gql_bool(((const gql_directive_def *)parent->obj.ptr)->repeatable);
    return 0;
}

/* Locations in the order the definition lists them (graphql-js keeps the written order). */
static int dir_locations(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)args;
    const gql_directive_def *d = parent->obj.ptr;
    const gql_schema_box *box = (const gql_schema_box *)info->schema;
    const gql_definition *ast = strmap_get(&box->directive_asts, d->name);
    *out = gql_list(info->arena, GQL_DL_COUNT);
    size_t n = 0;
    if (ast && ast->nlocations) {
        for (size_t i = 0; i < ast->nlocations && n < GQL_DL_COUNT; i++)
            out->list.items[n++] = gql_enum(ast->location_names[i].value);
    } else {
        for (unsigned i = 0; i < GQL_DL_COUNT; i++)
            if (d->locations & (1u << i)) out->list.items[n++] = gql_enum(gql_directive_location_name(1u << i));
    }
    out->list.count = n;
    return 0;
}

static int dir_args(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    const gql_directive_def *d = parent->obj.ptr;
    *out = input_values(info, d->args, d->nargs, include_deprecated(args));
    return 0;
}

/* Directives cannot be deprecated in SDL the parser accepts, so these are constant. */
static int dir_is_deprecated(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)info, (void)parent, (void)args;
    *out = gql_bool(false);
    return 0;
}

static int dir_deprecation_reason(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)info, (void)parent, (void)args;
    *out = gql_null();
    return 0;
}

/* ---- meta fields (§4.2, §4.1) ---- */

static int meta_schema(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)parent, (void)args;
    *out = gql_object((void *)info->schema, itype(info, "__Schema"));
    return 0;
}

static int meta_type(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)parent;
    *out = type_val(info, gql_schema_type(info->schema, gql_arg_str(args, "name")));
    return 0;
}

static int meta_typename(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)args;
    const gql_type *t =
        parent && parent->kind == GQL_V_OBJECT && parent->obj.type ? parent->obj.type : info->parent_type;
    *out = gql_str(t ? t->name : NULL);
    return 0;
}

static const gql_binding bindings[] = {
    {"__Schema.description", schema_description, NULL},
    {"__Schema.types", schema_types, NULL},
    {"__Schema.queryType", schema_query_type, NULL},
    {"__Schema.mutationType", schema_mutation_type, NULL},
    {"__Schema.subscriptionType", schema_subscription_type, NULL},
    {"__Schema.directives", schema_directives, NULL},
    {"__Type.kind", type_kind, NULL},
    {"__Type.name", type_name, NULL},
    {"__Type.description", type_description, NULL},
    {"__Type.specifiedByURL", type_specified_by, NULL},
    {"__Type.fields", type_fields, NULL},
    {"__Type.interfaces", type_interfaces, NULL},
    {"__Type.possibleTypes", type_possible_types, NULL},
    {"__Type.enumValues", type_enum_values, NULL},
    {"__Type.inputFields", type_input_fields, NULL},
    {"__Type.ofType", type_of_type, NULL},
    {"__Type.isOneOf", type_is_one_of, NULL},
    {"__Field.name", field_name, NULL},
    {"__Field.description", field_description, NULL},
    {"__Field.args", field_args, NULL},
    {"__Field.type", field_type, NULL},
    {"__Field.isDeprecated", field_is_deprecated, NULL},
    {"__Field.deprecationReason", field_deprecation_reason, NULL},
    {"__InputValue.name", iv_name, NULL},
    {"__InputValue.description", iv_description, NULL},
    {"__InputValue.type", iv_type, NULL},
    {"__InputValue.defaultValue", iv_default_value, NULL},
    {"__InputValue.isDeprecated", iv_is_deprecated, NULL},
    {"__InputValue.deprecationReason", iv_deprecation_reason, NULL},
    {"__EnumValue.name", ev_name, NULL},
    {"__EnumValue.description", ev_description, NULL},
    {"__EnumValue.isDeprecated", ev_is_deprecated, NULL},
    {"__EnumValue.deprecationReason", ev_deprecation_reason, NULL},
    {"__Directive.name", dir_name, NULL},
    {"__Directive.description", dir_description, NULL},
    {"__Directive.isRepeatable", dir_is_repeatable, NULL},
    {"__Directive.locations", dir_locations, NULL},
    {"__Directive.args", dir_args, NULL},
    {"__Directive.isDeprecated", dir_is_deprecated, NULL},
    {"__Directive.deprecationReason", dir_deprecation_reason, NULL},
};

static gql_type *wrap(arena_t *a, gql_type_kind kind, gql_type *of) {
    gql_type *t = arena_alloc(a, sizeof *t);
    t->kind = kind;
    t->of_type = of;
    return t;
}

static gql_field *meta_field(arena_t *a, const char *name, const char *description, gql_type *type, gql_resolve_fn fn) {
    gql_field *f = arena_alloc(a, sizeof *f);
    f->name = name;
    f->description = description;
    f->type = type;
    f->resolve = fn;
    return f;
}

void gql_introspection_setup(gql_schema_box *box) {
    gql_schema *s = &box->schema;
    arena_t *a = s->arena;
    char err[256];
    /* The prelude defines every coordinate in the table, so binding cannot fail. */
    (void)gql_schema_bind_all(s, bindings, sizeof bindings / sizeof bindings[0], err, sizeof err);
    gql_type *string = gql_schema_type(s, "String");
    box->meta_schema = meta_field(a, "__schema", "Access the current type schema of this server.",
                                  wrap(a, GQL_NON_NULL, gql_schema_type(s, "__Schema")), meta_schema);
    box->meta_schema->parent = s->query;
    box->meta_type = meta_field(a, "__type", "Request the type information of a single type.",
                                gql_schema_type(s, "__Type"), meta_type);
    box->meta_type->parent = s->query;
    gql_input_value *name = arena_alloc(a, sizeof *name);
    name->name = "name";
    name->type = wrap(a, GQL_NON_NULL, string);
    box->meta_type->args = arena_alloc(a, sizeof *box->meta_type->args);
    box->meta_type->args[0] = name;
    box->meta_type->nargs = 1;
    box->meta_typename = meta_field(a, "__typename", "The name of the current Object type at runtime.",
                                    wrap(a, GQL_NON_NULL, string), meta_typename);
}

const gql_field *gql_introspection_schema_field(const gql_schema *s) {
    return ((const gql_schema_box *)s)->meta_schema;
}

const gql_field *gql_introspection_type_field(const gql_schema *s) {
    return ((const gql_schema_box *)s)->meta_type;
}

const gql_field *gql_introspection_typename_field(const gql_schema *s) {
    return ((const gql_schema_box *)s)->meta_typename;
}
