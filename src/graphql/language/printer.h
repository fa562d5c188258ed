/* printer.h -- graphql-js language/printer for what the engine prints back: value literals (in
 * validation and coercion messages, default values, the overlap rule's argument comparison), type
 * references, and strings (printString, and blockString's printBlockString for descriptions).
 * The one literal printer of the engine. */
#ifndef ENTITYD_GQL_PRINTER_H
#define ENTITYD_GQL_PRINTER_H

#include <stdbool.h>
#include <stddef.h>

#include "graphql/language/ast.h"
#include "util/arena.h"
#include "util/buf.h"

/* Options of gql_print_value (or-ed). */
enum {
    /* graphql-js utilities/sortValueNode first: object fields in naturalCompare order of their names, at
     * every depth (ties keep document order), as OverlappingFieldsCanBeMerged compares arguments. */
    GQL_PRINT_SORT_FIELDS = 1u << 0,
    /* Strings with printString even when written as block strings: what print(astFromValue(...)) gives,
     * since astFromValue makes plain StringValue nodes (default values). */
    GQL_PRINT_PLAIN_STRINGS = 1u << 1,
};

/* Appends value literal v as graphql-js print() does: strings quoted with printString's escapes (block
 * strings with printBlockString), lists "[1, 2]", objects "{a: 1}", variables "$v". */
void gql_print_value(buf_t *out, const gql_value *v, unsigned flags);
/* The same, as a string in arena a. */
const char *gql_print_value_str(arena_t *a, const gql_value *v, unsigned flags);

/* Appends a string literal: printBlockString when block is set and the string is printable as a block
 * string (blockString's isPrintableAsBlockString), otherwise printString. */
void gql_print_string(buf_t *out, const char *s, size_t len, bool block);

/* A type reference as written ("[Int!]!"), in arena a. */
const char *gql_print_typeref_str(arena_t *a, const gql_typeref *t);

#endif
