/* response.h -- the response (spec §7): the result tree and its JSON serialization.
 *
 * The result tree is made of gql_val values allocated in the request arena: objects are
 * GQL_V_MAP (keys in request order, §7.2.2 "Serialization Format" ordering), lists GQL_V_LIST,
 * leaves the serialized scalar/enum values. Numbers are printed as JavaScript's
 * Number.prototype.toString would print them (gql_write_number, jsutils/value.h), so responses match
 * graphql-js byte for byte. */
#ifndef ENTITYD_GQL_RESPONSE_H
#define ENTITYD_GQL_RESPONSE_H

#include <stdbool.h>

#include "graphql/error.h"
#include "graphql/jsutils/value.h"
#include "util/buf.h"

/* Writes the complete response object (§7.1): {"errors":[...],"data":...}. "errors" is
 * omitted when errs is NULL or empty; "data" is omitted when has_data is false (request
 * errors, §7.1.1), written as null when data is NULL or a null value. */
void gql_response_write(buf_t *out, const gql_errors *errs, bool has_data, const gql_val *data);

#endif
