/* scalars.h -- coercion for the built-in scalars (spec §3.5: Int, Float, String, Boolean, ID) and the
 * engine's custom scalars JSON, DateTime and Duration, plus default values printed as graphql-js
 * prints astFromValue (printSchema, introspection). gql_schema_build sets these on the types.
 * Literals and strings are printed by language/printer.h. */
#ifndef ENTITYD_GQL_SCALARS_H
#define ENTITYD_GQL_SCALARS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "graphql/type/schema.h"
#include "util/buf.h"

extern const gql_scalar_funcs gql_scalar_int;
extern const gql_scalar_funcs gql_scalar_float;
extern const gql_scalar_funcs gql_scalar_string;
extern const gql_scalar_funcs gql_scalar_boolean;
extern const gql_scalar_funcs gql_scalar_id;
/* Any JSON value; literals may contain variables. */
extern const gql_scalar_funcs gql_scalar_json;
/* RFC 3339 date-time with Z or an offset; coerced to UTC "YYYY-MM-DDTHH:MM:SS[.frac]Z". */
extern const gql_scalar_funcs gql_scalar_datetime;
/* "90s", "10m", "1h30m", "7d": input coerces to an INT of seconds; output is the canonical string. */
extern const gql_scalar_funcs gql_scalar_duration;

/* Prints a default value the way graphql-js prints astFromValue(valueFromAST(lit, type), type):
 * floats normalised, IDs that look like integers unquoted, object fields in type order. */
void gql_print_default_value(buf_t *out, const gql_value *lit, const gql_type *type);

#endif
