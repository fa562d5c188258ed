/* coerce.h -- input coercion (spec §3.10 Input Coercion, §6.1.2 Coercing Variable Values,
 * §6.4.1 Coercing Field Arguments), mirroring graphql-js utilities/coerceInputValue and
 * utilities/valueFromAST and execution/values. Results are gql_val values in the request arena:
 * input objects become GQL_V_MAP (absent fields stay absent), enum values GQL_V_ENUM, ID a STRING. */
#ifndef ENTITYD_GQL_COERCE_H
#define ENTITYD_GQL_COERCE_H

#include <jansson.h>

#include "graphql/error.h"
#include "graphql/jsutils/value.h"
#include "graphql/language/ast.h"
#include "graphql/type/schema.h"
#include "util/arena.h"

/* §6.1.2 CoerceVariableValues for operation op from the request's JSON object inputs (NULL:
 * none). Returns 0 with *out a GQL_V_MAP holding only provided or defaulted variables, or -1
 * after adding every problem to errs (code BAD_USER_INPUT, located at the variable definition),
 * with graphql-js messages: `Variable "$x" got invalid value "a"; Int cannot represent ...`. */
int gql_coerce_variable_values(const gql_schema *s, const gql_definition *op, const json_t *inputs, arena_t *a,
                               gql_val *out, gql_errors *errs);

/* §6.4.1 CoerceArgumentValues: coerces argument nodes args[] against definitions defs[] with
 * the coerced variables (a GQL_V_MAP or NULL). Returns 0 with *out a GQL_V_MAP, or -1 after
 * adding one error (code BAD_USER_INPUT, at the argument's node, with path) to errs. */
int gql_coerce_argument_values(const gql_schema *s, gql_input_value *const *defs, size_t ndefs,
                               gql_argument *const *args, size_t nargs, const gql_val *variables, arena_t *a,
                               gql_val *out, gql_errors *errs, const gql_loc *loc, const gql_path *path);

/* graphql-js valueFromAST: the internal value of literal lit for input type type; variables
 * resolve $refs. Returns 0 and *out, or -1 when the literal is not valid for the type
 * ("undefined" in graphql-js; an absent variable in a nullable position yields null). */
int gql_value_from_ast(const gql_schema *s, const gql_value *lit, const gql_type *type, const gql_val *variables,
                       arena_t *a, gql_val *out);

/* Reports one coercion problem: path (NULL at the top) and the offending value. */
typedef void (*gql_coerce_error_fn)(void *ud, const gql_path *path, const gql_val *value, const char *message);

/* graphql-js coerceInputValue (§3.10 Input Coercion) of an external value (from JSON) to
 * type. Returns 0 and *out, or -1 after calling on_error once per problem. */
int gql_coerce_input_value(const gql_schema *s, arena_t *a, const gql_val *in, const gql_type *type, gql_val *out,
                           gql_coerce_error_fn on_error, void *ud);

#endif
