/* token.c -- bearer tokens for Kusto (protocol doc §6 "Authentication"): a static token, Azure
 * managed identity through IMDS, and AAD v2 client credentials. Tokens are cached in the client
 * per (kind, resource, tenant, client id) and refreshed when less than min(5 min, 10% of their
 * lifetime) remains. Secrets and tokens are never logged; the client id and tenant are. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kusto/kusto_internal.h"
#include "util/log.h"

/* scheme://host of the cluster (no port, no path): the audience (protocol doc §6 "Resource"). */
char *kusto_endpoint_resource(const char *endpoint) {
    CURLU *u = curl_url();
    if (!u) return NULL;
    char *scheme = NULL, *host = NULL, *out = NULL;
    if (curl_url_set(u, CURLUPART_URL, endpoint, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && *host &&
        (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0)) {
        size_t n = strlen(scheme) + 3 + strlen(host) + 1;
        out = malloc(n);
        if (!out) abort();
        snprintf(out, n, "%s://%s", scheme, host);
    }
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return out;
}

/* application/x-www-form-urlencoded and query-string escaping: RFC 3986 unreserved kept. */
static void tok_pct(buf_t *b, const char *s) {
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
            c == '_' || c == '~') {
            buf_putc(b, (char)c);
        } else {
            buf_putc(b, '%');
            buf_putc(b, hex[c >> 4]);
            buf_putc(b, hex[c & 15]);
        }
    }
}

/* A bearer token goes into a header: printable ASCII without spaces only. */
static bool tok_header_safe(const char *t) {
    if (!t || !*t) return false;
    for (const unsigned char *p = (const unsigned char *)t; *p; p++)
        if (*p <= 0x20 || *p > 0x7e) return false;
    return true;
}

static const char *tok_kind_name(kusto_auth_kind k) {
    switch (k) {
    case KUSTO_AUTH_NONE:
        return "none";
    case KUSTO_AUTH_TOKEN:
        return "token";
    case KUSTO_AUTH_MANAGED_IDENTITY:
        return "managed_identity";
    case KUSTO_AUTH_CLIENT_SECRET:
        return "client_secret";
    }
    return "?";
}

static char *tok_dup(const char *s) {
    char *d = strdup(s);
    if (!d) abort();
    return d;
}

/* Seconds from a JSON number or a string of digits (IMDS sends strings, AAD v2 numbers). */
static bool tok_seconds(json_t *j, int64_t *out) {
    if (json_is_integer(j)) return *out = json_integer_value(j), true;
    if (json_is_real(j)) return *out = (int64_t)json_real_value(j), true;
    const char *s = json_string_value(j);
    if (!s || !*s || strlen(s) > 18) return false;
    int64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9') return false;
        v = v * 10 + (*p - '0');
    }
    *out = v;
    return true;
}

/* One token endpoint exchange with retries. IMDS (protocol doc §6): 404, 410, 429, 5xx and network
 * failures are retried, 5 tries waiting about 0, 2, 6, 14 and 30 s before them (with the default
 * backoff_base_ms of 500: 2*base*(2^k - 2)), and never through a proxy. AAD: 429, 5xx and network
 * failures, with the client's usual backoff and max_attempts. On success body holds the answer. */
static kusto_code tok_exchange(kusto_client *kc, const char *what, bool imds, kusto_http_req *rq, buf_t *body,
                               kusto_error *err) {
    int tries = imds ? KUSTO_IMDS_TRIES : kc->opts.max_attempts;
    kusto_code code = KUSTO_E_INTERNAL;
    for (int k = 1; k <= tries; k++) {
        kusto_http_resp rs;
        kusto_http_perform(kc, rq, &rs);
        err->attempts = k;
        err->http_status = (int)rs.status;
        err->permanent = false;
        err->kusto_code[0] = '\0';
        bool transient = false;
        if (rs.cancelled) {
            code = kusto_err_set(err, KUSTO_E_CANCELLED, "cancelled (the client is shutting down)");
        } else if (rs.too_large) {
            code = kusto_err_set(err, KUSTO_E_PROTOCOL, "%s: answer larger than %zu bytes", what, rq->max_bytes);
        } else if (rs.rc == CURLE_OPERATION_TIMEDOUT) {
            code = kusto_err_set(err, KUSTO_E_TIMEOUT, "%s: no answer within %ld ms", what, rq->timeout_ms);
            transient = true;
        } else if (rs.rc != CURLE_OK) {
            code = kusto_err_set(err, KUSTO_E_NETWORK, "%s: %s: %s", what, curl_easy_strerror(rs.rc),
                                 rs.curl_err[0] ? rs.curl_err : "no detail");
            transient = rs.rc != CURLE_URL_MALFORMAT && rs.rc != CURLE_UNSUPPORTED_PROTOCOL;
        } else if (rs.status >= 200 && rs.status <= 299) {
            buf_free(body);
            *body = rs.body;
            return KUSTO_OK;
        } else {
            kusto_parse_error((int)rs.status, rs.body.data, rs.body.len, err);
            buf_t msg = BUF_INIT;
            buf_printf(&msg, "%s answered HTTP %ld: %s%s%s", what, rs.status, err->kusto_code,
                       err->kusto_code[0] ? ": " : "", err->message);
            long st = rs.status;
            transient = st == 429 || (st >= 500 && st <= 599) || (imds && (st == 404 || st == 410));
            code = st == 429 ? KUSTO_E_THROTTLED : transient ? KUSTO_E_SERVER : KUSTO_E_AUTH;
            kusto_err_set(err, code, "%s", msg.data);
            buf_free(&msg);
            err->permanent = !transient;
        }
        long retry_after = rs.retry_after_ms;
        buf_free(&rs.body);
        if (!transient || k == tries) break;
        long delay;
        if (imds) /* before try k+1 (k <= 4): 2, 6, 14, 30 units of 2 * backoff_base_ms */
            delay = 2L * kc->opts.backoff_base_ms * ((2L << k) - 2);
        else
            delay = kusto_backoff_ms(kc, k);
        if (retry_after > delay) delay = retry_after;
        if (delay > kc->opts.backoff_max_ms) delay = kc->opts.backoff_max_ms;
        log_warn("kusto token request failed, retrying",
                 "endpoint=\"%s\" attempt=%d/%d code=%s http_status=%d delay_ms=%ld", what, k, tries,
                 kusto_code_name(code), err->http_status, delay);
        if (!kusto_sleep_ms(kc, delay))
            return kusto_err_set(err, KUSTO_E_CANCELLED, "cancelled (the client is shutting down)");
    }
    return code;
}

/* Reads {"access_token", "expires_in" | "expires_on"} (strings or numbers). */
static kusto_code tok_parse(const char *what, const buf_t *body, char **token, int64_t *lifetime_ms, kusto_error *err) {
    json_t *root = body->len ? json_loadb(body->data, body->len, 0, NULL) : NULL;
    const char *at = json_string_value(json_object_get(root, "access_token"));
    kusto_code code = KUSTO_OK;
    int64_t in = 0, on = 0;
    if (!root || !json_is_object(root)) {
        char ex[128];
        kusto_text_excerpt(ex, sizeof ex, body->data ? body->data : "", body->len);
        code = kusto_err_set(err, KUSTO_E_PROTOCOL, "%s answered 200 without a JSON object: %s", what, ex);
    } else if (!at || !*at) {
        code = kusto_err_set(err, KUSTO_E_PROTOCOL, "%s answer has no access_token", what);
    } else if (strlen(at) > KUSTO_TOKEN_MAX_BYTES || !tok_header_safe(at)) {
        code = kusto_err_set(err, KUSTO_E_PROTOCOL, "%s answer has an access_token that is too long or not header-safe",
                             what);
    } else if (tok_seconds(json_object_get(root, "expires_in"), &in) && in > 0) {
        *lifetime_ms = in * 1000;
    } else if (tok_seconds(json_object_get(root, "expires_on"), &on) && on > (int64_t)time(NULL)) {
        *lifetime_ms = (on - (int64_t)time(NULL)) * 1000;
    } else {
        code = kusto_err_set(err, KUSTO_E_PROTOCOL, "%s answer has no usable expires_in or expires_on", what);
    }
    if (code == KUSTO_OK && at) *token = tok_dup(at);
    json_decref(root);
    return code;
}

static kusto_code tok_fetch_imds(kusto_client *kc, const kusto_auth *auth, const char *resource, char **token,
                                 int64_t *lifetime_ms, kusto_error *err) {
    buf_t url = BUF_INIT, body = BUF_INIT;
    buf_puts(&url, kc->imds_url);
    buf_puts(&url, strchr(kc->imds_url, '?') ? "&" : "?");
    buf_puts(&url, "api-version=2018-02-01&resource=");
    tok_pct(&url, resource);
    if (auth->client_id && *auth->client_id) {
        buf_puts(&url, "&client_id=");
        tok_pct(&url, auth->client_id);
    }
    struct curl_slist *h = curl_slist_append(NULL, "Metadata: true");
    h = curl_slist_append(h, "Accept: application/json");
    if (!h) abort();
    kusto_http_req rq = {.method = "GET",
                         .url = url.data,
                         .headers = h,
                         .max_bytes = KUSTO_TOKEN_RESPONSE_MAX,
                         .timeout_ms = kc->opts.timeout_ms < 30000 ? kc->opts.timeout_ms : 30000,
                         .no_proxy = true};
    kusto_code code = tok_exchange(kc, "IMDS token endpoint", true, &rq, &body, err);
    if (code == KUSTO_OK) code = tok_parse("IMDS token endpoint", &body, token, lifetime_ms, err);
    curl_slist_free_all(h);
    buf_free(&url);
    if (body.data) explicit_bzero(body.data, body.len);
    buf_free(&body);
    return code;
}

static kusto_code tok_fetch_aad(kusto_client *kc, const kusto_auth *auth, const char *resource, char **token,
                                int64_t *lifetime_ms, kusto_error *err) {
    buf_t url = BUF_INIT, form = BUF_INIT, body = BUF_INIT;
    size_t n = strlen(kc->aad_url);
    while (n > 0 && kc->aad_url[n - 1] == '/')
        n--;
    buf_append(&url, kc->aad_url, n);
    buf_putc(&url, '/');
    tok_pct(&url, auth->tenant_id);
    buf_puts(&url, "/oauth2/v2.0/token");
    buf_puts(&form, "client_id=");
    tok_pct(&form, auth->client_id);
    buf_puts(&form, "&scope=");
    buf_t scope = BUF_INIT;
    buf_printf(&scope, "%s/.default", resource);
    tok_pct(&form, scope.data);
    buf_free(&scope);
    buf_puts(&form, "&client_secret=");
    tok_pct(&form, auth->client_secret);
    buf_puts(&form, "&grant_type=client_credentials");
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/x-www-form-urlencoded");
    h = curl_slist_append(h, "Accept: application/json");
    h = curl_slist_append(h, "Expect:");
    if (!h) abort();
    kusto_http_req rq = {.method = "POST",
                         .url = url.data,
                         .headers = h,
                         .body = form.data,
                         .body_len = form.len,
                         .max_bytes = KUSTO_TOKEN_RESPONSE_MAX,
                         .timeout_ms = kc->opts.timeout_ms < 60000 ? kc->opts.timeout_ms : 60000};
    kusto_code code = tok_exchange(kc, "AAD token endpoint", false, &rq, &body, err);
    if (code == KUSTO_OK) code = tok_parse("AAD token endpoint", &body, token, lifetime_ms, err);
    curl_slist_free_all(h);
    buf_free(&url);
    explicit_bzero(form.data, form.len);
    buf_free(&form);
    if (body.data) explicit_bzero(body.data, body.len);
    buf_free(&body);
    return code;
}

static void tok_entry_free(kusto_token_entry *e) {
    explicit_bzero(e->token, strlen(e->token));
    free(e->token);
    free(e->key);
    free(e);
}

/* Removes the entry for key (token_mu held). */
static void tok_remove(kusto_client *kc, const char *key) {
    for (kusto_token_entry **pp = &kc->tokens; *pp; pp = &(*pp)->next) {
        if (strcmp((*pp)->key, key) == 0) {
            kusto_token_entry *e = *pp;
            *pp = e->next;
            tok_entry_free(e);
            return;
        }
    }
}

/* Refresh margin: min(5 minutes, 10% of the lifetime granted). */
static int64_t tok_margin_ms(int64_t lifetime_ms) {
    int64_t tenth = lifetime_ms / 10;
    return tenth < 300000 ? tenth : 300000;
}

kusto_code kusto_token_get(kusto_client *kc, const kusto_auth *auth, const char *resource, bool force_refresh,
                           char **token, kusto_error *err) {
    *token = NULL;
    if (auth->kind == KUSTO_AUTH_TOKEN) {
        if (!tok_header_safe(auth->token)) {
            err->permanent = true;
            return kusto_err_set(err, KUSTO_E_AUTH,
                                 "static token is empty or holds characters not allowed in a header");
        }
        *token = tok_dup(auth->token);
        return KUSTO_OK;
    }
    bool mi = auth->kind == KUSTO_AUTH_MANAGED_IDENTITY;
    if (!mi && auth->kind != KUSTO_AUTH_CLIENT_SECRET) {
        err->permanent = true;
        return kusto_err_set(err, KUSTO_E_INTERNAL, "unknown auth kind %d", (int)auth->kind);
    }
    if (!mi && (!auth->tenant_id || !*auth->tenant_id || !auth->client_id || !*auth->client_id ||
                !auth->client_secret || !*auth->client_secret)) {
        err->permanent = true;
        return kusto_err_set(err, KUSTO_E_AUTH, "client-secret auth needs tenant_id, client_id and client_secret");
    }
    const char *tenant = mi ? "" : auth->tenant_id;
    const char *cid = auth->client_id ? auth->client_id : "";
    buf_t key = BUF_INIT;
    buf_printf(&key, "%s|%s|%s|%s", tok_kind_name(auth->kind), resource, tenant, cid);

    pthread_mutex_lock(&kc->token_mu);
    if (force_refresh) {
        tok_remove(kc, key.data);
    } else {
        for (kusto_token_entry *e = kc->tokens; e; e = e->next) {
            if (strcmp(e->key, key.data) != 0) continue;
            if (kusto_mono_ms() < e->expires_mono - tok_margin_ms(e->lifetime_ms)) *token = tok_dup(e->token);
            break;
        }
    }
    pthread_mutex_unlock(&kc->token_mu);
    if (*token) {
        buf_free(&key);
        return KUSTO_OK;
    }

    /* Fetched without the lock: a slow token endpoint must not stall calls to other clusters.
     * Two threads may both fetch; the later answer wins the cache, both are valid. */
    int64_t lifetime_ms = 0, t0 = kusto_mono_ms();
    kusto_code code = mi ? tok_fetch_imds(kc, auth, resource, token, &lifetime_ms, err)
                         : tok_fetch_aad(kc, auth, resource, token, &lifetime_ms, err);
    if (code != KUSTO_OK) {
        buf_t m = BUF_INIT;
        buf_json_string(&m, err->message, strlen(err->message));
        log_warn("kusto token request failed", "kind=%s client_id=%s tenant=%s resource=%s code=%s error=%s",
                 tok_kind_name(auth->kind), *cid ? cid : "-", *tenant ? tenant : "-", resource, kusto_code_name(code),
                 buf_cstr(&m));
        buf_free(&m);
        buf_free(&key);
        return code;
    }
    atomic_fetch_add(&kc->st_token_fetches, 1);
    log_debug("kusto token fetched", "kind=%s client_id=%s tenant=%s resource=%s expires_in_s=%lld",
              tok_kind_name(auth->kind), *cid ? cid : "-", *tenant ? tenant : "-", resource,
              (long long)(lifetime_ms / 1000));
    kusto_token_entry *e = calloc(1, sizeof *e);
    if (!e) abort();
    e->key = buf_detach(&key, NULL);
    e->token = tok_dup(*token);
    e->lifetime_ms = lifetime_ms;
    e->expires_mono = t0 + lifetime_ms;
    pthread_mutex_lock(&kc->token_mu);
    tok_remove(kc, e->key);
    e->next = kc->tokens;
    kc->tokens = e;
    pthread_mutex_unlock(&kc->token_mu);
    return KUSTO_OK;
}

void kusto_token_cache_free(kusto_client *kc) {
    while (kc->tokens) {
        kusto_token_entry *e = kc->tokens;
        kc->tokens = e->next;
        tok_entry_free(e);
    }
}
