/* scalars.h -- coercion for the built-in scalars (spec §3.5: Int, Float, String, Boolean, ID) and the
 * engine's custom scalars JSON, DateTime and Duration, plus the literal printer used for
 * default values (graphql-js print / astFromValue). gql_schema_build sets these on the types. */
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

#define GQL_DATETIME_MAX 64
/* Normalises an RFC 3339 date-time to UTC ("2024-01-01T10:00:00.5Z"). Returns 0, or -1 when invalid. */
int gql_datetime_normalize(const char *s, size_t len, char out[GQL_DATETIME_MAX]);

/* Formats a double as JavaScript's Number.prototype.toString does ("1.5", "100", "1e+21"). */
void gql_js_number(double d, char out[40]);
/* Prints a value literal as graphql-js print() does (strings quoted with JSON-like escapes,
 * lists "[1, 2]", objects "{a: 1}"). Block strings are printed as block strings. */
void gql_print_literal(buf_t *out, const gql_value *v);
/* Prints a string as a GraphQL string literal, block string form when block is set. */
void gql_print_string(buf_t *out, const char *s, size_t len, bool block);
/* Prints a default value the way graphql-js prints astFromValue(valueFromAST(lit, type), type):
 * floats normalised, IDs that look like integers unquoted, object fields in type order. */
void gql_print_default_value(buf_t *out, const gql_value *lit, const gql_type *type);

#endif
