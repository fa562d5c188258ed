/* introspection.h -- the §4 introspection system: the __Schema, __Type, __Field, __InputValue,
 * __EnumValue, __Directive, __TypeKind and __DirectiveLocation types (added to every schema by
 * gql_schema_build, resolvers bound) and the meta-fields the executor adds to selections
 * (§4.2 __schema and __type on the query root, §2.7 / §4.1 __typename on every composite type).
 *
 * Introspection values are GQL_V_OBJECT whose obj.ptr points at the described gql_schema, gql_type,
 * gql_field, gql_input_value, gql_enum_value or gql_directive_def, and obj.type is the introspection
 * type that describes it. */
#ifndef ENTITYD_GQL_INTROSPECTION_H
#define ENTITYD_GQL_INTROSPECTION_H

#include <stdbool.h>

#include "graphql/type/schema.h"

/* __schema: __Schema! (resolves to the schema being executed). */
const gql_field *gql_introspection_schema_field(const gql_schema *s);
/* __type(name: String!): __Type (null when the schema has no such type). */
const gql_field *gql_introspection_type_field(const gql_schema *s);
/* __typename: String! (the name of info->parent_type). */
const gql_field *gql_introspection_typename_field(const gql_schema *s);
/* True for the eight introspection types (names starting with "__" defined by the engine). */
bool gql_is_introspection_type(const gql_type *t);

#endif
