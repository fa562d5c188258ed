/* kusto_internal.h -- what client.c, token.c and response.c share and nobody else sees: the
 * client struct, one HTTP exchange over the client's handle pool, backoff sleeps that wake on
 * cancel, the token cache, and small error helpers. */
#ifndef ENTITYD_KUSTO_INTERNAL_H
#define ENTITYD_KUSTO_INTERNAL_H

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>

#include "kusto/kusto.h"
#include "util/buf.h"

#define KUSTO_POOL_MAX 8               /* idle easy handles kept (each keeps its own connections) */
#define KUSTO_TOKEN_MAX_BYTES 16384    /* an access token longer than this is refused */
#define KUSTO_TOKEN_RESPONSE_MAX 65536 /* token endpoint answers are small */
#define KUSTO_IMDS_TRIES 5             /* protocol doc §6: 5 tries, delays ~0, 2, 6, 14, 30 s */

typedef struct kusto_token_entry {
    struct kusto_token_entry *next;
    char *key;            /* kind|resource|tenant|client id */
    char *token;          /* access token */
    int64_t expires_mono; /* CLOCK_MONOTONIC ms at which the token expires */
    int64_t lifetime_ms;  /* as granted, for the refresh margin */
} kusto_token_entry;

struct kusto_client {
    kusto_options opts; /* defaults applied; strings point at the copies below */
    char *imds_url, *aad_url, *app_name, *client_version;

    CURLSH *share; /* DNS cache and TLS sessions, shared under share_mu */
    pthread_mutex_t share_mu[CURL_LOCK_DATA_LAST];

    pthread_mutex_t pool_mu; /* guards pool/npool: idle easy handles, each with its live connections */
    CURL *pool[KUSTO_POOL_MAX];
    size_t npool;

    atomic_int cancelled;
    pthread_mutex_t cancel_mu; /* with cancel_cv: backoff sleeps wake at once on cancel */
    pthread_cond_t cancel_cv;

    pthread_mutex_t token_mu; /* guards tokens */
    kusto_token_entry *tokens;

    atomic_uint_fast64_t st_calls, st_attempts, st_retries, st_failures, st_connects, st_bytes_wire, st_bytes_body,
        st_token_fetches;
};

/* One HTTP request. */
typedef struct {
    const char *method; /* "GET" or "POST" */
    const char *url;
    struct curl_slist *headers;
    const char *body; /* POST body (may be NULL for GET) */
    size_t body_len;
    size_t max_bytes; /* response body bound (decoded) */
    long timeout_ms;  /* whole exchange */
    bool no_proxy;    /* IMDS: never through a proxy (protocol doc §6) */
} kusto_http_req;

/* Its outcome. */
typedef struct {
    CURLcode rc;                    /* CURLE_OK when an HTTP status was received */
    long status;                    /* 0 when none */
    buf_t body;                     /* decoded body (the caller frees) */
    long retry_after_ms;            /* -1 when absent */
    bool too_large;                 /* stopped past max_bytes */
    bool cancelled;                 /* stopped by kusto_client_cancel */
    bool maybe_sent;                /* the request may have reached the server (false: failed while
                                       resolving, connecting or in the TLS handshake) */
    char curl_err[CURL_ERROR_SIZE]; /* curl's detail when rc != CURLE_OK */
} kusto_http_resp;

/* Performs one request on a pooled handle. Always returns with resp filled (resp->body owned by
 * the caller, also on failure). */
void kusto_http_perform(kusto_client *kc, const kusto_http_req *req, kusto_http_resp *resp);

/* Full-jitter backoff before retry number `retry` (1 = first retry): uniform in
 * [0, min(backoff_max_ms, backoff_base_ms * 2^(retry-1))]. */
long kusto_backoff_ms(const kusto_client *kc, int retry);
/* Sleeps ms; returns false at once when the client is (or becomes) cancelled. */
bool kusto_sleep_ms(kusto_client *kc, long ms);
bool kusto_is_cancelled(kusto_client *kc);

/* A new request id "entityd;<uuid v4>" (random from getrandom). */
void kusto_new_request_id(char out[80]);

/* Gets a bearer token for auth (kind TOKEN, MANAGED_IDENTITY or CLIENT_SECRET) and the resource
 * (scheme://host of the cluster). force_refresh drops a cached token first (after a 401).
 * Returns KUSTO_OK and *token (malloc'ed, the caller frees), or fills err. */
kusto_code kusto_token_get(kusto_client *kc, const kusto_auth *auth, const char *resource, bool force_refresh,
                           char **token, kusto_error *err);
/* The resource of an endpoint: "scheme://host" (no port, no path), malloc'ed; NULL if unparsable. */
char *kusto_endpoint_resource(const char *endpoint);
void kusto_token_cache_free(kusto_client *kc);

/* Error helpers. */
void kusto_err_reset(kusto_error *err);
/* Sets code and a printf message (truncated to fit, cut on a UTF-8 boundary); returns code. */
kusto_code kusto_err_set(kusto_error *err, kusto_code code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Copies at most ~400 bytes of text into dst (size n): line breaks and tabs become one space,
 * other control bytes and invalid UTF-8 become '?', trimmed, never cut inside a UTF-8 sequence. */
void kusto_text_excerpt(char *dst, size_t n, const char *text, size_t len);
/* Monotonic milliseconds. */
int64_t kusto_mono_ms(void);

/* opts with every zero field replaced by its default (opts may be NULL). Strings are not copied. */
void kusto_options_resolve(const kusto_options *opts, kusto_options *out);
/* Parses a timespan as Kusto writes it, [-][d.]hh:mm:ss[.fffffff] (protocol doc §4); 0 or -1. */
int kusto_parse_timespan(const char *s, size_t len, int64_t *ticks);

#endif
