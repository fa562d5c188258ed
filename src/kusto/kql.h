/* kql.h -- building KQL text safely: entity names, string / datetime / timespan literals, and CSV
 * fields for `.ingest inline` (protocol doc §5; Kusto docs "Entity names" and "The string data
 * type"). Everything a caller splices into a command goes through one of these. */
#ifndef ENTITYD_KUSTO_KQL_H
#define ENTITYD_KUSTO_KQL_H

#include <stdbool.h>
#include <stdint.h>

#include "util/buf.h"

/* Kusto entity naming rules: 1..1024 characters of letters, digits, '_', '-', '.' and space, with
 * no leading or trailing space, and not starting or ending with "__" (reserved by KQL). Only
 * ASCII letters are accepted (the docs allow Unicode letters; we have no Unicode tables and
 * refuse rather than guess). NULL is not valid. */
bool kql_is_valid_name(const char *s);
/* True unless s is [A-Za-z_][A-Za-z0-9_]* and not a KQL keyword (then it may go bare). */
bool kql_needs_quoting(const char *s);
/* True for a word of the KQL grammar (operators, commands, type names, literals: "where",
 * "count", "string", "true"...). Case-sensitive, like KQL. */
bool kql_is_keyword(const char *s);
/* s bare, or ['s'] with ' and \ escaped (and control characters escaped as in strings). */
void kql_append_name(buf_t *b, const char *s);
/* "..." with \\ \" \n \r \t and \uXXXX for other control characters. */
void kql_append_string(buf_t *b, const char *s);
/* datetime(2024-01-01T00:00:00.0000000Z); datetime(null) outside years 0001-9999. */
void kql_append_datetime(buf_t *b, int64_t ticks);
/* timespan(1.02:03:04.0000000): days only when non-zero, always seven fraction digits. */
void kql_append_timespan(buf_t *b, int64_t ticks);
/* RFC 4180: quoted when it holds , " CR LF or leading/trailing whitespace; " doubled. NULL = "". */
void csv_append_field(buf_t *b, const char *s);

#endif
