/* error.c -- collecting and serializing GraphQL errors (spec §7.1.2). */
#include "graphql/error.h"

#include <string.h>

void gql_errors_init(gql_errors *e, arena_t *a) {
    memset(e, 0, sizeof *e);
    e->arena = a;
}

gql_error *gql_errors_vadd(gql_errors *e, const char *code, const gql_loc *locs, size_t nlocs, const gql_path *path,
                           const char *fmt, va_list ap) {
    gql_error *err = arena_alloc(e->arena, sizeof *err);
    err->message = arena_vprintf(e->arena, fmt, ap);
    if (nlocs) {
        err->locations = arena_alloc(e->arena, nlocs * sizeof *locs);
        memcpy(err->locations, locs, nlocs * sizeof *locs);
        err->nlocations = nlocs;
    }
    if (path) {
        size_t n = 0;
        for (const gql_path *p = path; p; p = p->prev)
            n++;
        err->path = arena_alloc(e->arena, n * sizeof *err->path);
        err->npath = n;
        size_t i = n;
        for (const gql_path *p = path; p; p = p->prev) {
            i--;
            err->path[i].key = p->key;
            err->path[i].index = p->index;
        }
    }
    err->code = code;
    if (e->tail)
        e->tail->next = err;
    else
        e->head = err;
    e->tail = err;
    e->count++;
    return err;
}

gql_error *gql_errors_add(gql_errors *e, const char *code, const gql_loc *locs, size_t nlocs, const gql_path *path,
                          const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    gql_error *err = gql_errors_vadd(e, code, locs, nlocs, path, fmt, ap);
    va_end(ap);
    return err;
}

void gql_errors_write_json(const gql_errors *e, buf_t *out) {
    buf_putc(out, '[');
    for (const gql_error *err = e->head; err; err = err->next) {
        if (err != e->head) buf_putc(out, ',');
        buf_puts(out, "{\"message\":");
        buf_json_string(out, err->message, strlen(err->message));
        if (err->nlocations) {
            buf_puts(out, ",\"locations\":[");
            for (size_t i = 0; i < err->nlocations; i++) {
                buf_printf(out, "%s{\"line\":%u,\"column\":%u}", i ? "," : "", err->locations[i].line,
                           err->locations[i].column);
            }
            buf_putc(out, ']');
        }
        if (err->path) {
            buf_puts(out, ",\"path\":[");
            for (size_t i = 0; i < err->npath; i++) {
                if (i) buf_putc(out, ',');
                if (err->path[i].key)
                    buf_json_string(out, err->path[i].key, strlen(err->path[i].key));
                else
                    buf_printf(out, "%zu", err->path[i].index);
            }
            buf_putc(out, ']');
        }
        if (err->code) {
            buf_puts(out, ",\"extensions\":{\"code\":");
            buf_json_string(out, err->code, strlen(err->code));
            buf_putc(out, '}');
        }
        buf_putc(out, '}');
    }
    buf_putc(out, ']');
}

void gql_errors_print(FILE *f, const gql_errors *e, const char *prefix, const char *what) {
    for (const gql_error *x = e->head; x; x = x->next) {
        if (x->nlocations)
            fprintf(f, "%s: %s error: %s (line %u, column %u)\n", prefix, what, x->message,
                    (unsigned)x->locations[0].line, (unsigned)x->locations[0].column);
        else
            fprintf(f, "%s: %s error: %s\n", prefix, what, x->message);
    }
}
