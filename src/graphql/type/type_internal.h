/* type_internal.h -- declarations shared by the files of src/graphql/type/ only (not a public API).
 *
 * A schema is allocated as a gql_schema_box: the public struct first, then the engine's own
 * per-schema state (the introspection meta-field definitions, §4.2 and §6.4 __typename). */
#ifndef ENTITYD_GQL_TYPE_INTERNAL_H
#define ENTITYD_GQL_TYPE_INTERNAL_H

#include "graphql/type/schema.h"

typedef struct {
    gql_schema schema;        /* must stay first: a gql_schema* of a built schema points here */
    gql_field *meta_schema;   /* __schema: __Schema! */
    gql_field *meta_type;     /* __type(name: String!): __Type */
    gql_field *meta_typename; /* __typename: String! */
    strmap_t directive_asts;  /* directive name -> its gql_definition (locations in written order) */
    strmap_t source_names;    /* type name, or "@" + directive name -> name of the source defining it */
} gql_schema_box;

/* The SDL of the built-in scalars, directives and introspection types (introspection.c). */
extern const char gql_introspection_prelude[];

/* Binds the introspection resolvers and creates the meta fields (introspection.c). */
void gql_introspection_setup(gql_schema_box *box);

/* Runs the graphql-js validateSchema checks; appends errors, returns how many were added
 * (validate_schema.c). */
size_t gql_schema_validate(const gql_schema *s, gql_errors *errs);

#endif
