/* cors.c -- Cross-Origin Resource Sharing for browser frontends (Fetch standard, "CORS
 * protocol"). Allowed origins come from --cors-origins: "" (none), "*" (any), or a comma list of
 * exact origins such as "https://app.example.com,http://localhost:3000". */
#include <microhttpd.h>
#include <stdio.h>
#include <string.h>

#include "http/http.h"

#define ALLOW_METHODS "GET, POST, OPTIONS"
#define ALLOW_HEADERS "API-Key, Content-Type, Accept"

/* True when origin (exact, case-sensitive per RFC 6454 serialization) is in the list. */
static bool origin_allowed(const config_t *cfg, const char *origin) {
    const char *list = cfg->cors_origins;
    if (!origin || !*origin || !list || !*list) return false;
    size_t olen = strlen(origin);
    for (const char *p = list; *p;) {
        p += strspn(p, " ,");
        const char *tok = p;
        size_t n = strcspn(p, ",");
        p += n;
        while (n > 0 && tok[n - 1] == ' ')
            n--;
        if (n == 1 && tok[0] == '*') return true;
        while (n > 0 && tok[n - 1] == '/')
            n--; /* "https://a.example/" names the same origin */
        if (n > 0 && n == olen && memcmp(tok, origin, n) == 0) return true;
    }
    return false;
}

static bool allow_any(const config_t *cfg) {
    return cfg->cors_origins && strcmp(cfg->cors_origins, "*") == 0;
}

void http_cors_headers(const http_request *rq, struct MHD_Response *mr) {
    const char *origin = http_header(rq, "Origin");
    if (!origin || !origin_allowed(rq->cfg, origin)) return;
    MHD_add_response_header(mr, "Access-Control-Allow-Origin", allow_any(rq->cfg) ? "*" : origin);
    if (!allow_any(rq->cfg)) MHD_add_response_header(mr, "Vary", "Origin");
    if (strcmp(rq->method, "OPTIONS") == 0) {
        MHD_add_response_header(mr, "Access-Control-Allow-Methods", ALLOW_METHODS);
        MHD_add_response_header(mr, "Access-Control-Allow-Headers", ALLOW_HEADERS);
        MHD_add_response_header(mr, "Access-Control-Max-Age", "600");
    }
}

/* OPTIONS: a CORS preflight (Origin + Access-Control-Request-Method) from an allowed origin gets
 * 204 with the Access-Control-* headers; from any other origin 403. A plain OPTIONS gets 204 and
 * the Allow header. */
void http_cors_preflight(const http_request *rq, http_response *resp) {
    const char *origin = http_header(rq, "Origin");
    const char *req_method = http_header(rq, "Access-Control-Request-Method");
    resp->route = strcmp(rq->path, "/graphql") == 0     ? "/graphql"
                  : strcmp(rq->path, "/v1/events") == 0 ? "/v1/events"
                                                        : "other";
    resp->allow = ALLOW_METHODS;
    if (origin && req_method) {
        if (!origin_allowed(rq->cfg, origin)) {
            resp->preflight = true; /* no Access-Control-* headers: the browser refuses */
            http_set_error(resp, 403, NULL, "FORBIDDEN", "origin %.200s is not allowed (see --cors-origins)", origin);
            return;
        }
    }
    resp->status = 204;
    resp->content_type = NULL;
    resp->body = NULL;
    resp->body_len = 0;
}
