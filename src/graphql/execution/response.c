/* response.c -- writing the response (spec §7.1 Response Format, §7.2 JSON serialization). */
#include "graphql/execution/response.h"

void gql_response_write(buf_t *out, const gql_errors *errs, bool has_data, const gql_val *data) {
    buf_putc(out, '{');
    bool first = true;
    if (errs && errs->count) {
        buf_puts(out, "\"errors\":");
        gql_errors_write_json(errs, out);
        first = false;
    }
    if (has_data) {
        if (!first) buf_putc(out, ',');
        buf_puts(out, "\"data\":");
        size_t mark = out->len;
        if (!data || gql_val_write_json(data, out) != 0) {
            /* a completed result tree holds no OBJECT leaves; stay valid JSON regardless */
            out->len = mark;
            buf_puts(out, "null");
        }
    }
    buf_putc(out, '}');
}
