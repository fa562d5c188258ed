/* framing.c -- refuses requests whose message framing is ambiguous (issue 11 item 8). Behind a proxy
 * that reads the framing differently, such a request is how one client smuggles a second request into
 * another client's connection (RFC 9112 §11.2). libmicrohttpd 0.9.75 accepts all of them: it uses the
 * first of two Content-Length headers, lets Transfer-Encoding silently win over Content-Length, reads a
 * body with an unknown transfer coding until the connection closes, and needs a strictness option for
 * Host. Each is answered 400 (501 for a coding it does not implement) from the headers, and the
 * connection is closed. */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/http.h"

typedef struct {
    unsigned hosts;
    unsigned lengths;
    unsigned long long length; /* the first Content-Length */
    bool lengths_differ;
    bool length_bad;
    unsigned encodings;
    char te[256]; /* the Transfer-Encoding field values, comma-joined (truncated: refused as too long) */
    bool te_long;
} framing;

static enum MHD_Result collect(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
    framing *f = cls;
    (void)kind;
    if (!key) return MHD_YES;
    if (!value) value = "";
    if (strcasecmp(key, MHD_HTTP_HEADER_HOST) == 0) {
        f->hosts++;
    } else if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
        char *end;
        unsigned long long n = strtoull(value, &end, 10);
        if (end == value || *end || value[0] == '-' || value[0] == '+') f->length_bad = true;
        if (f->lengths++ == 0)
            f->length = n;
        else if (n != f->length)
            f->lengths_differ = true;
    } else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
        size_t used = strlen(f->te), n = strlen(value);
        if (used + n + 2 > sizeof f->te) {
            f->te_long = true;
        } else {
            if (used) f->te[used++] = ',';
            memcpy(f->te + used, value, n + 1);
        }
        f->encodings++;
    }
    return MHD_YES;
}

/* The last coding of the Transfer-Encoding list, and whether it is the only one. */
static void last_coding(const char *te, char *out, size_t outlen, bool *only) {
    const char *comma = strrchr(te, ',');
    const char *p = comma ? comma + 1 : te;
    while (*p == ' ' || *p == '\t')
        p++;
    size_t n = strcspn(p, " \t;");
    if (n >= outlen) n = outlen - 1;
    memcpy(out, p, n);
    out[n] = '\0';
    *only = comma == NULL;
}

bool http_check_framing(const http_request *rq, const char *version, http_response *resp) {
    framing f = {0};
    MHD_get_connection_values(rq->conn, MHD_HEADER_KIND, collect, &f);
    bool http11 = version && strcmp(version, MHD_HTTP_VERSION_1_1) == 0;
    const char *why = NULL;
    int status = 400;
    if (http11 && f.hosts == 0)
        why = "an HTTP/1.1 request must carry a Host header (RFC 9112 section 3.2)";
    else if (f.hosts > 1)
        why = "a request must carry one Host header, not several (RFC 9112 section 3.2)";
    else if (f.lengths_differ)
        why = "the request has Content-Length headers with different values (RFC 9110 section 8.6)";
    else if (f.encodings && f.lengths)
        why = "the request has both Transfer-Encoding and Content-Length (RFC 9112 section 6.3); send one";
    else if (f.encodings && !http11)
        why = "Transfer-Encoding is not allowed in an HTTP/1.0 request (RFC 9112 section 6.1)";
    else if (f.te_long)
        why = "the Transfer-Encoding header is too long";
    else if (f.encodings) {
        char last[32];
        bool only = false;
        last_coding(f.te, last, sizeof last, &only);
        if (strcasecmp(last, "chunked") != 0) {
            why = "the last Transfer-Encoding must be chunked (RFC 9112 section 6.1)";
        } else if (!only) {
            status = 501;
            why = "only Transfer-Encoding: chunked is implemented";
        }
    }
    if (!why) return false;
    http_set_error(resp, status, NULL, status == 501 ? "NOT_IMPLEMENTED" : "BAD_REQUEST", "%s", why);
    resp->close = true;
    return true;
}
