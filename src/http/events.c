/* events.c -- POST /v1/events: authenticates the API-Key header, picks the body format from the
 * Content-Type, hands the body to the Kafka ingest (kafka_ingest), and maps its outcome to HTTP:
 * 202 with the batch summary, or one error shape for every failure (docs/http.md):
 * {"errors":[{"message":"…","extensions":{"code":"…"}}]}. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth/auth.h"
#include "context.h"
#include "http/http.h"
#include "kafka/kafka.h"
#include "util/arena.h"
#include "util/metrics.h"

#define CT_JSON "application/json; charset=utf-8"

/* NDJSON media types (application/x-ndjson and its aliases); anything else is read as JSON. */
static bool is_ndjson(const char *content_type) {
    if (!content_type) return false;
    while (*content_type == ' ')
        content_type++;
    static const char *types[] = {"application/x-ndjson", "application/ndjson", "application/jsonl",
                                  "application/x-jsonlines"};
    for (size_t i = 0; i < sizeof types / sizeof *types; i++) {
        size_t n = strlen(types[i]);
        if (strncasecmp(content_type, types[i], n) == 0 &&
            (content_type[n] == '\0' || content_type[n] == ';' || content_type[n] == ' '))
            return true;
    }
    return false;
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
    switch (kafka_ingest(&ctx, rq->body, rq->body_len, format, &out, err, sizeof err)) {
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
    buf_free(&out);
    arena_free(arena);
}
