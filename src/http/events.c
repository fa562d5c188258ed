/* events.c -- POST /v1/events: authenticates the API-Key header, picks the body format from the
 * Content-Type (415 for one it does not read), inflates a `Content-Encoding: gzip` body up to
 * --max-body-bytes (issue 11 item 15), hands the body to the Kafka ingest (kafka_ingest), and maps
 * its outcome to HTTP:
 * 202 with the batch summary, or one error shape for every failure (docs/http.md):
 * {"errors":[{"message":"…","extensions":{"code":"…"}}]}. */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <zlib.h>

#include "auth/auth.h"
#include "context.h"
#include "http/http.h"
#include "kafka/kafka.h"
#include "util/arena.h"
#include "util/metrics.h"

#define CT_JSON "application/json; charset=utf-8"

/* The media types the ingest reads: JSON, and NDJSON under its usual names. */
static const char *const json_types[] = {"application/json"};
static const char *const ndjson_types[] = {"application/x-ndjson", "application/ndjson", "application/jsonl",
                                           "application/x-jsonlines"};
#define EVENTS_TYPES \
    "application/json, application/x-ndjson, application/ndjson, application/jsonl, application/x-jsonlines"
#define EVENTS_ENCODINGS "gzip (or x-gzip), identity"

/* Whether the media type of a Content-Type value (parameters after ';' ignored) is one of types. */
static bool media_type_in(const char *content_type, const char *const *types, size_t n) {
    while (*content_type == ' ' || *content_type == '\t')
        content_type++;
    for (size_t i = 0; i < n; i++) {
        size_t k = strlen(types[i]);
        if (strncasecmp(content_type, types[i], k) == 0 &&
            (content_type[k] == '\0' || content_type[k] == ';' || content_type[k] == ' ' || content_type[k] == '\t'))
            return true;
    }
    return false;
}

/* NDJSON media types; a missing Content-Type or application/json is read as JSON. */
static bool is_ndjson(const char *content_type) {
    return content_type && media_type_in(content_type, ndjson_types, sizeof ndjson_types / sizeof *ndjson_types);
}

/* 0: identity (no or an empty header, or "identity"); 1: gzip; -1: a coding the ingest does not read. */
static int content_coding(const char *enc) {
    if (!enc) return 0;
    while (*enc == ' ' || *enc == '\t')
        enc++;
    size_t n = strcspn(enc, " \t");
    const char *rest = enc + n + strspn(enc + n, " \t");
    if (*rest) return -1; /* a list of codings ("gzip, gzip") is not read */
    if (n == 0 || (n == 8 && strncasecmp(enc, "identity", 8) == 0)) return 0;
    if ((n == 4 && strncasecmp(enc, "gzip", 4) == 0) || (n == 6 && strncasecmp(enc, "x-gzip", 6) == 0)) return 1;
    return -1;
}

/* Inflates a gzip body (one member or several, RFC 1952) into a malloc'ed NUL-terminated buffer of at
 * most `limit` bytes: the output is bounded whatever the ratio, so a zip bomb costs at most `limit`
 * bytes of memory and the CPU to inflate that much. Returns 0; 1 when the output would pass the limit;
 * -1 when the data is not gzip (message in err). */
static int gunzip_bounded(const char *in, size_t in_len, size_t limit, char **out, size_t *out_len, char *err,
                          size_t errlen) {
    *out = NULL;
    *out_len = 0;
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 15 + 16) != Z_OK) { /* 15: the largest window; +16: gzip framing only */
        snprintf(err, errlen, "cannot start the gzip decoder");
        return -1;
    }
    size_t cap = in_len * 4 + 1024 < limit ? in_len * 4 + 1024 : limit;
    char *buf = malloc(cap + 1);
    if (!buf) abort();
    size_t len = 0;
    int rc = 0;
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = in_len > UINT_MAX ? UINT_MAX : (uInt)in_len;
    for (;;) {
        if (len == cap) {
            if (cap >= limit) { /* full, and more is coming: over the limit */
                rc = 1;
                break;
            }
            cap = cap * 2 < limit ? cap * 2 : limit;
            char *grown = realloc(buf, cap + 1);
            if (!grown) abort();
            buf = grown;
        }
        z.next_out = (Bytef *)buf + len;
        z.avail_out = (uInt)(cap - len > UINT_MAX ? UINT_MAX : cap - len);
        int zr = inflate(&z, Z_NO_FLUSH);
        len = (size_t)((char *)z.next_out - buf);
        if (zr == Z_STREAM_END) {
            if (z.avail_in == 0) break;
            if (inflateReset(&z) != Z_OK) { /* another member follows */
                rc = -1;
                snprintf(err, errlen, "the gzip body is not valid");
                break;
            }
            continue;
        }
        if (zr == Z_BUF_ERROR && z.avail_out != 0) { /* no progress with room left: the input ended early */
            rc = -1;
            snprintf(err, errlen, "the gzip body is truncated");
            break;
        }
        if (zr != Z_OK && zr != Z_BUF_ERROR) {
            rc = -1;
            snprintf(err, errlen, "the gzip body is not valid: %s", z.msg ? z.msg : "bad data");
            break;
        }
        if (len == cap && cap >= limit) {
            /* the output is full: over the limit unless the stream ends exactly here */
            char probe;
            z.next_out = (Bytef *)&probe;
            z.avail_out = 1;
            zr = inflate(&z, Z_NO_FLUSH);
            if (z.avail_out == 0) {
                rc = 1;
                break;
            }
            if (zr == Z_STREAM_END && z.avail_in == 0) break;
            if (zr == Z_STREAM_END) {
                rc = 1; /* another member would add to it */
                break;
            }
            rc = -1;
            snprintf(err, errlen, "the gzip body is not valid");
            break;
        }
    }
    inflateEnd(&z);
    if (rc != 0) {
        free(buf);
        return rc;
    }
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    return 0;
}

/* A batch that was not processed: the error body, and the failure counted by status. */
static void events_fail(http_response *resp, int status, const char *code, const char *message) {
    http_set_error(resp, status, CT_JSON, code, "%s", message);
    char labels[32];
    snprintf(labels, sizeof labels, "status=\"%d\"", status);
    metrics_counter_add("entityd_ingest_batches_failed_total", "POST /v1/events requests not processed, by status",
                        labels, 1);
}

/* From the headers alone (issue 11 item 2): the method and the API key. */
bool http_events_admit(const http_request *rq, http_response *resp, principal_t *principal) {
    if (strcmp(rq->method, "POST") != 0) {
        resp->allow = "POST, OPTIONS";
        http_set_error(resp, 405, NULL, "METHOD_NOT_ALLOWED", "use POST for /v1/events");
        return true;
    }
    store_t *store = store_pool_get(rq->pool);
    if (!store) {
        events_fail(resp, 503, "INTERNAL", "the database is unavailable");
        return true;
    }
    const char *key = http_header(rq, "API-Key");
    if (!key || !*key || strlen(key) > 256 || auth_authenticate(store, key, principal) != 0 ||
        !principal->authenticated) {
        http_set_error(resp, 401, CT_JSON, "UNAUTHENTICATED",
                       key && *key ? "the API key is invalid or revoked" : "an API-Key header is required");
        return true;
    }
    /* What the body is, from the headers too: a type or coding the ingest does not read is refused
     * before the body is read (RFC 9110 §15.5.16), naming the ones it does. */
    const char *ctype = http_header(rq, "Content-Type");
    if (ctype && !media_type_in(ctype, json_types, sizeof json_types / sizeof *json_types) && !is_ndjson(ctype)) {
        events_fail(resp, 415, "UNSUPPORTED_MEDIA_TYPE",
                    "unsupported Content-Type; /v1/events reads " EVENTS_TYPES);
        return true;
    }
    if (content_coding(http_header(rq, "Content-Encoding")) < 0) {
        events_fail(resp, 415, "UNSUPPORTED_MEDIA_TYPE",
                    "unsupported Content-Encoding; /v1/events reads " EVENTS_ENCODINGS);
        return true;
    }
    return false;
}

/* An admitted request (http_events_admit): the ingest. */
void http_events(const http_request *rq, http_response *resp) {
    store_t *store = store_pool_get(rq->pool);
    if (!store || !rq->principal) {
        events_fail(resp, 503, "INTERNAL", "the database is unavailable");
        return;
    }
    request_ctx ctx = {
        .app = rq->app, .cfg = rq->cfg, .store = store, .principal = *rq->principal, .now = (int64_t)time(NULL)};
    arena_t *arena = arena_new();
    ctx.arena = arena;
    buf_t out = BUF_INIT;
    char err[512] = "";
    kafka_body_format format = is_ndjson(http_header(rq, "Content-Type")) ? KAFKA_BODY_NDJSON : KAFKA_BODY_JSON;
    const char *body = rq->body;
    size_t body_len = rq->body_len;
    char *inflated = NULL;
    if (content_coding(http_header(rq, "Content-Encoding")) == 1) {
        size_t limit = rq->cfg->max_body_bytes;
        switch (gunzip_bounded(rq->body, rq->body_len, limit, &inflated, &body_len, err, sizeof err)) {
        case 0: body = inflated; break;
        case 1:
            snprintf(err, sizeof err, "the gzip body inflates to more than the limit of %zu bytes", limit);
            events_fail(resp, 413, "PAYLOAD_TOO_LARGE", err);
            arena_free(arena);
            return;
        default:
            events_fail(resp, 400, "BAD_REQUEST", err);
            arena_free(arena);
            return;
        }
    }
    switch (kafka_ingest(&ctx, body, body_len, format, &out, err, sizeof err)) {
    case KAFKA_INGEST_OK:
        resp->status = 202;
        resp->content_type = CT_JSON;
        resp->body = buf_detach(&out, &resp->body_len);
        break;
    case KAFKA_INGEST_UNAUTHENTICATED: events_fail(resp, 401, "UNAUTHENTICATED", err); break;
    case KAFKA_INGEST_BAD_BODY: events_fail(resp, 400, "BAD_REQUEST", err); break;
    case KAFKA_INGEST_TOO_LARGE: events_fail(resp, 413, "PAYLOAD_TOO_LARGE", err); break;
    case KAFKA_INGEST_STORE_ERROR: events_fail(resp, 500, "INTERNAL", err); break;
    /* RFC 4918 §11.5 507 Insufficient Storage: the batch was not stored, and a retry after space is
     * freed will be (issue 11 item 7). */
    case KAFKA_INGEST_DISK_FULL: events_fail(resp, 507, "DISK_FULL", err); break;
    }
    free(inflated);
    buf_free(&out);
    arena_free(arena);
}
