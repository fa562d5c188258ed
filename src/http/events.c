/* events.c -- POST /v1/events: authenticates the API-Key header, then hands the body to the
 * Kafka ingest (kafka_ingest), which validates, authorizes and stores the records. */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "auth/auth.h"
#include "context.h"
#include "http/http.h"
#include "kafka/kafka.h"
#include "util/arena.h"

#define CT_JSON "application/json; charset=utf-8"

void http_events(const http_request *rq, http_response *resp) {
    if (strcmp(rq->method, "POST") != 0) {
        resp->allow = "POST, OPTIONS";
        http_set_error(resp, 405, NULL, "METHOD_NOT_ALLOWED", "use POST for /v1/events");
        return;
    }
    store_t *store = store_pool_get(rq->pool);
    if (!store) {
        http_set_error(resp, 503, CT_JSON, "INTERNAL", "the database is unavailable");
        return;
    }
    request_ctx ctx = {.app = rq->app, .cfg = rq->cfg, .store = store, .now = (int64_t)time(NULL)};
    const char *key = http_header(rq, "API-Key");
    if (!key || !*key || strlen(key) > 256 || auth_authenticate(store, key, &ctx.principal) != 0 ||
        !ctx.principal.authenticated) {
        http_set_error(resp, 401, CT_JSON, "UNAUTHENTICATED",
                       key && *key ? "the API key is invalid or revoked" : "an API-Key header is required");
        return;
    }
    arena_t *arena = arena_new();
    ctx.arena = arena;
    buf_t out = BUF_INIT;
    int status = 500;
    kafka_ingest(&ctx, rq->body, rq->body_len, http_header(rq, "Content-Type"), &out, &status);
    resp->status = status;
    resp->content_type = CT_JSON;
    resp->body = buf_detach(&out, &resp->body_len);
    arena_free(arena);
}
