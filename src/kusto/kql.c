/* kql.c -- KQL names and literals, see kql.h. The keyword list holds the identifier-shaped words
 * of the Kusto grammar (Microsoft's Kusto.Language SyntaxFacts: keywords, type names), the
 * literals true/false and the entity-group words: any of them used as a name must be bracketed
 * (Kusto docs, "Entity names": language keywords and literals are referenced as ['where'] /
 * ["1day"]). Quoting a name that did not need it is harmless, so the list errs on the long side. */
#include "kusto/kql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/datetime.h"

/* Sorted by strcmp (bsearch). */
static const char *const kql_keywords[] = {
    "__crossCluster",
    "__crossDB",
    "__executeAndCache",
    "__isFuzzy",
    "__packedColumn",
    "__projectAway",
    "__sourceColumnIndex",
    "access",
    "accounts",
    "accumulate",
    "add",
    "admin",
    "admins",
    "alias",
    "all",
    "alter",
    "and",
    "append",
    "artifacts",
    "as",
    "asc",
    "async",
    "attach",
    "bagexpansion",
    "basicauth",
    "between",
    "bin",
    "bin_legacy",
    "bool",
    "boolean",
    "by",
    "byte",
    "cache",
    "caching",
    "cachingpolicy",
    "callout",
    "cancel",
    "capacity",
    "char",
    "characters",
    "cluster",
    "column",
    "columns",
    "commands",
    "commpools",
    "completed",
    "compressed",
    "consume",
    "contains",
    "contains_cs",
    "containscs",
    "count",
    "crash",
    "create",
    "createdon",
    "csl",
    "cslschema",
    "csv",
    "data",
    "database",
    "databasecreators",
    "databases",
    "datascope",
    "datatable",
    "date",
    "datetime",
    "decimal",
    "declare",
    "default",
    "define",
    "delete",
    "desc",
    "detach",
    "details",
    "diagnostics",
    "disable",
    "distinct",
    "docstring",
    "double",
    "drop",
    "dynamic",
    "earliest",
    "echo",
    "effective",
    "enable",
    "encoding",
    "encodingpolicy",
    "endswith",
    "endswith_cs",
    "entity",
    "entity_group", /* macro-expand entity_group [...] and the entity-group commands */
    "entity_groups",
    "ephemeral",
    "evaluate",
    "except",
    "execute",
    "expandoutput",
    "export",
    "extend",
    "extent",
    "extentcontainers",
    "extents",
    "extentsmerge",
    "external",
    "external_data",
    "externaldata",
    "fabric",
    "fabriccache",
    "fabricclocks",
    "fabriclocks",
    "facet",
    "failures",
    "false",
    "filter",
    "find",
    "first",
    "flags",
    "float",
    "folder",
    "force",
    "fork",
    "freshness",
    "from",
    "function",
    "functions",
    "getschema",
    "groups",
    "guid",
    "harddelete",
    "has",
    "has_any",
    "has_cs",
    "hash",
    "hasprefix",
    "hasprefix_cs",
    "hassuffix",
    "hassuffix_cs",
    "hot",
    "hotcache",
    "hotdata",
    "hotindex",
    "hours",
    "id",
    "if_later_than",
    "ifexists",
    "ifnotexists",
    "in",
    "ingest",
    "ingestion",
    "ingestions",
    "ingestiontime",
    "ingestors",
    "inline",
    "int",
    "int16",
    "int32",
    "int64",
    "int8",
    "into",
    "invoke",
    "isfuzzy",
    "join",
    "journal",
    "json",
    "keys",
    "kind",
    "last",
    "latest",
    "let",
    "like",
    "likecs",
    "limit",
    "load",
    "local",
    "long",
    "lookup",
    "mapping",
    "mappings",
    "materialize",
    "mdm",
    "memory",
    "merge",
    "metadata",
    "missing",
    "monitoring",
    "move",
    "mvapply",
    "mvexpand",
    "nan",
    "none",
    "notcontains",
    "notcontainscs",
    "notlike",
    "notlikecs",
    "null",
    "nulls",
    "of",
    "older",
    "on",
    "operations",
    "or",
    "order",
    "others",
    "pack",
    "parse",
    "partition",
    "partitioning",
    "password",
    "pattern",
    "persist",
    "plugin",
    "plugins",
    "policies",
    "policy",
    "pretend",
    "prettyname",
    "principal",
    "principals",
    "print",
    "project",
    "purge",
    "queries",
    "query",
    "query_parameters",
    "queryexecution",
    "queryplan",
    "querythrottling",
    "quick",
    "range",
    "readonly",
    "readwrite",
    "real",
    "rebalance",
    "rebuild",
    "recycle",
    "reduce",
    "regex",
    "relaxed",
    "rename",
    "render",
    "replace",
    "reset",
    "restrict",
    "retention",
    "roles",
    "roworder",
    "roworderpolicy",
    "rowstore",
    "rowstorepolicy",
    "rowstores",
    "run",
    "running",
    "sample",
    "sandbox",
    "sandboxes",
    "save",
    "schema",
    "script",
    "seal",
    "search",
    "serialize",
    "servicepoints",
    "set",
    "sharding",
    "show",
    "simple",
    "single",
    "softdelete",
    "sort",
    "sql",
    "startswith",
    "startswith_cs",
    "state",
    "step",
    "storage",
    "stream",
    "string",
    "summarize",
    "table",
    "tablepurge",
    "tables",
    "tags",
    "take",
    "tempstorage",
    "threadpools",
    "threshold",
    "throw",
    "time",
    "timeout",
    "timespan",
    "title",
    "to",
    "top",
    "toscalar",
    "totable",
    "trace",
    "traceresults",
    "true",
    "tsv",
    "type",
    "typeof",
    "uint",
    "uint16",
    "uint32",
    "uint64",
    "uint8",
    "ulong",
    "undo",
    "union",
    "uniqueid",
    "update",
    "user",
    "users",
    "uuid",
    "verbose",
    "version",
    "view",
    "viewers",
    "volatile",
    "warm",
    "warming",
    "whatif",
    "where",
    "with",
    "writeaheadlog",
};

static int kql_cmp(const void *key, const void *elem) {
    return strcmp((const char *)key, *(const char *const *)elem);
}

bool kql_is_keyword(const char *s) {
    if (!s) return false;
    return bsearch(s, kql_keywords, sizeof kql_keywords / sizeof kql_keywords[0], sizeof kql_keywords[0], kql_cmp) !=
           NULL;
}

static bool kql_is_alpha(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool kql_is_digit(char c) {
    return c >= '0' && c <= '9';
}

bool kql_is_valid_name(const char *s) {
    if (!s) return false;
    size_t n = strlen(s);
    if (n < 1 || n > 1024) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!kql_is_alpha(c) && !kql_is_digit(c) && c != '_' && c != '-' && c != '.' && c != ' ') return false;
    }
    if (s[0] == ' ' || s[n - 1] == ' ') return false;
    /* KQL reserves identifiers that start or end with two underscores. */
    if (n >= 2 && ((s[0] == '_' && s[1] == '_') || (s[n - 1] == '_' && s[n - 2] == '_'))) return false;
    return true;
}

bool kql_needs_quoting(const char *s) {
    if (!s || !*s) return true;
    if (!kql_is_alpha(s[0]) && s[0] != '_') return true;
    for (const char *p = s + 1; *p; p++)
        if (!kql_is_alpha(*p) && !kql_is_digit(*p) && *p != '_') return true;
    return kql_is_keyword(s);
}

/* The body of a quoted literal: backslash escapes for the quote, the backslash, \n \r \t, and
 * \uXXXX for every other control character, so that nothing in s can end the literal or the line. */
static void kql_escape_into(buf_t *b, const char *s, char quote) {
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        if (c == (unsigned char)quote || c == '\\') {
            buf_putc(b, '\\');
            buf_putc(b, (char)c);
        } else if (c == '\n') {
            buf_puts(b, "\\n");
        } else if (c == '\r') {
            buf_puts(b, "\\r");
        } else if (c == '\t') {
            buf_puts(b, "\\t");
        } else if (c < 0x20 || c == 0x7f) {
            buf_printf(b, "\\u%04x", c);
        } else {
            buf_putc(b, (char)c);
        }
    }
}

void kql_append_name(buf_t *b, const char *s) {
    if (!s) s = "";
    if (!kql_needs_quoting(s)) {
        buf_puts(b, s);
        return;
    }
    buf_puts(b, "['");
    kql_escape_into(b, s, '\'');
    buf_puts(b, "']");
}

void kql_append_string(buf_t *b, const char *s) {
    buf_putc(b, '"');
    kql_escape_into(b, s ? s : "", '"');
    buf_putc(b, '"');
}

void kql_append_datetime(buf_t *b, int64_t ticks) {
    char out[DT_MAX];
    if (dt_format_ticks(ticks, out) == 0) {
        buf_puts(b, "datetime(null)");
        return;
    }
    buf_printf(b, "datetime(%s)", out);
}

void kql_append_timespan(buf_t *b, int64_t ticks) {
    /* Magnitude as unsigned so that INT64_MIN has one. */
    uint64_t m = ticks < 0 ? (uint64_t)0 - (uint64_t)ticks : (uint64_t)ticks;
    uint64_t frac = m % 10000000u, secs = m / 10000000u;
    uint64_t days = secs / 86400u, rem = secs % 86400u;
    buf_puts(b, "timespan(");
    if (ticks < 0) buf_putc(b, '-');
    if (days) buf_printf(b, "%llu.", (unsigned long long)days);
    buf_printf(b, "%02u:%02u:%02u.%07llu)", (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60), (unsigned)(rem % 60),
               (unsigned long long)frac);
}

static bool csv_is_space(char c) {
    return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

void csv_append_field(buf_t *b, const char *s) {
    if (!s) s = "";
    size_t n = strlen(s);
    bool quote = n > 0 && (csv_is_space(s[0]) || csv_is_space(s[n - 1]));
    for (size_t i = 0; i < n && !quote; i++)
        if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n') quote = true;
    if (!quote) {
        buf_append(b, s, n);
        return;
    }
    buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"') buf_putc(b, '"');
        buf_putc(b, s[i]);
    }
    buf_putc(b, '"');
}
