/* cli.c -- `entityd gql validate --schema FILE [--schema FILE...] --document FILE` prints the document's parse or
 * validation errors (spec §5) as a JSON array of {message, locations}, `[]` when it is valid; and
 * `entityd gql print-schema [--schema FILE...]` prints a schema as SDL, by default the server's own schema from
 * the files embedded at build time. Handy for checking client documents against the API in CI scripts. */
#include "graphql/cli.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graphql/error.h"
#include "graphql/language/parser.h"
#include "graphql/type/schema.h"
#include "graphql/validation/validate.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/embedded.h"

#define MAX_SCHEMAS 64

static void usage(FILE *f) {
    fputs("usage: entityd gql validate --schema FILE [--schema FILE...] --document FILE\n"
          "       entityd gql print-schema [--schema FILE...]\n"
          "validate prints the document's errors as a JSON array ([] when valid) and exits 0 when valid,\n"
          "1 when invalid, 2 on a usage or schema error. print-schema prints SDL; without --schema it prints\n"
          "the server's own schema.\n",
          f);
}

/* Reads a whole file into the arena (NUL-terminated). */
static char *read_file(arena_t *a, const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "entityd gql: cannot open %s: %s\n", path, strerror(errno));
        return NULL;
    }
    buf_t b = BUF_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, n);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        fprintf(stderr, "entityd gql: cannot read %s\n", path);
        buf_free(&b);
        return NULL;
    }
    char *s = arena_strndup(a, b.data ? b.data : "", b.len);
    *len = b.len;
    buf_free(&b);
    return s;
}

/* Prints errors as [{"message":..,"locations":[{"line":..,"column":..}]}]: no extensions, like graphql-js's
 * validate() result serialized with locations only. */
static void print_errors(const gql_errors *errs) {
    buf_t b = BUF_INIT;
    buf_putc(&b, '[');
    for (const gql_error *e = errs->head; e; e = e->next) {
        if (e != errs->head) buf_putc(&b, ',');
        buf_puts(&b, "{\"message\":");
        buf_json_string(&b, e->message, strlen(e->message));
        if (e->nlocations) {
            buf_puts(&b, ",\"locations\":[");
            for (size_t i = 0; i < e->nlocations; i++)
                buf_printf(&b, "%s{\"line\":%u,\"column\":%u}", i ? "," : "", (unsigned)e->locations[i].line,
                           (unsigned)e->locations[i].column);
            buf_putc(&b, ']');
        }
        buf_putc(&b, '}');
    }
    buf_puts(&b, "]\n");
    fwrite(b.data, 1, b.len, stdout);
    buf_free(&b);
}

/* Builds from the given files, or from the embedded schema/ files when there are none. */
static gql_schema *load_schema(arena_t *a, const char **files, size_t nfiles) {
    const char *srcs[MAX_SCHEMAS], *names[MAX_SCHEMAS];
    size_t lens[MAX_SCHEMAS], n = 0;
    if (nfiles) {
        for (; n < nfiles; n++) {
            srcs[n] = read_file(a, files[n], &lens[n]);
            if (!srcs[n]) return NULL;
            names[n] = files[n];
        }
    } else {
        for (; n < entityd_schema_nfiles && n < MAX_SCHEMAS; n++) {
            srcs[n] = entityd_schema_files[n].data;
            lens[n] = entityd_schema_files[n].len;
            names[n] = entityd_schema_files[n].name;
        }
    }
    gql_errors errs;
    gql_errors_init(&errs, a);
    gql_schema *s = gql_schema_build(srcs, lens, names, n, &errs);
    if (!s) {
        gql_errors_print(stderr, &errs, "entityd gql", "schema");
        if (!errs.head) fputs("entityd gql: schema error\n", stderr);
    }
    return s;
}

static int cmd_validate(arena_t *a, const char **schemas, size_t nschemas, const char *document) {
    if (!nschemas || !document) {
        usage(stderr);
        return 2;
    }
    gql_schema *s = load_schema(a, schemas, nschemas);
    if (!s) return 2;
    size_t len = 0;
    char *src = read_file(a, document, &len);
    if (!src) {
        gql_schema_free(s);
        return 2;
    }
    gql_errors errs;
    gql_errors_init(&errs, a);
    gql_document *doc = gql_parse(a, src, len, NULL, &errs);
    if (doc) gql_validate(s, doc, NULL, &errs);
    print_errors(&errs);
    gql_schema_free(s);
    return errs.count ? 1 : 0;
}

static int cmd_print_schema(arena_t *a, const char **schemas, size_t nschemas) {
    gql_schema *s = load_schema(a, schemas, nschemas);
    if (!s) return 2;
    buf_t b = BUF_INIT;
    gql_schema_print(s, &b);
    fwrite(b.data ? b.data : "", 1, b.len, stdout);
    buf_free(&b);
    gql_schema_free(s);
    return 0;
}

int gql_cli_main(int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *cmd = argv[1];
    const char *schemas[MAX_SCHEMAS];
    size_t nschemas = 0;
    const char *document = NULL;
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        const char *val = NULL;
        bool is_schema = false, is_doc = false;
        if (strncmp(arg, "--schema=", 9) == 0) {
            is_schema = true;
            val = arg + 9;
        } else if (strncmp(arg, "--document=", 11) == 0) {
            is_doc = true;
            val = arg + 11;
        } else if (strcmp(arg, "--schema") == 0 || strcmp(arg, "--document") == 0) {
            is_schema = arg[2] == 's';
            is_doc = !is_schema;
            if (i + 1 >= argc) {
                fprintf(stderr, "entityd gql: %s needs a file\n", arg);
                return 2;
            }
            val = argv[++i];
        } else {
            fprintf(stderr, "entityd gql: unknown option %s\n", arg);
            usage(stderr);
            return 2;
        }
        if (is_schema) {
            if (nschemas == MAX_SCHEMAS) {
                fprintf(stderr, "entityd gql: at most %d --schema files\n", MAX_SCHEMAS);
                return 2;
            }
            schemas[nschemas++] = val;
        } else if (is_doc) {
            if (document) {
                fputs("entityd gql: only one --document\n", stderr);
                return 2;
            }
            document = val;
        }
    }
    arena_t *a = arena_new();
    int rc;
    if (strcmp(cmd, "validate") == 0) {
        rc = cmd_validate(a, schemas, nschemas, document);
    } else if (strcmp(cmd, "print-schema") == 0) {
        if (document) {
            usage(stderr);
            rc = 2;
        } else {
            rc = cmd_print_schema(a, schemas, nschemas);
        }
    } else {
        fprintf(stderr, "entityd gql: unknown command %s\n", cmd);
        usage(stderr);
        rc = 2;
    }
    arena_free(a);
    return rc;
}
