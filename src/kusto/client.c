/* client.c -- the Kusto REST client's transport: libcurl requests to /v1/rest/mgmt and
 * /v2/rest/query (protocol doc §1), retries with backoff (§7), cancel for shutdown.
 *
 * Connections: libcurl documents sharing its connection cache between concurrent threads as
 * unsupported, so the client keeps a small pool of idle easy handles instead (each keeps its own
 * live connections, and curl_easy_reset keeps them); DNS cache and TLS sessions are shared
 * across all handles through one CURLSH with a mutex per data kind. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "kusto/kusto_internal.h"
#include "util/log.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0"
#endif

/* ---------------------------------------------------------------- options */

void kusto_options_resolve(const kusto_options *in, kusto_options *o) {
    if (in)
        *o = *in;
    else
        memset(o, 0, sizeof *o);
    if (!o->imds_url || !*o->imds_url) o->imds_url = "http://169.254.169.254/metadata/identity/oauth2/token";
    if (!o->aad_url || !*o->aad_url) o->aad_url = "https://login.microsoftonline.com";
    if (!o->app_name || !*o->app_name) o->app_name = "entityd";
    if (!o->client_version || !*o->client_version) o->client_version = "entityd/" PACKAGE_VERSION;
    if (o->timeout_ms <= 0) o->timeout_ms = 120000;
    if (o->max_attempts <= 0) o->max_attempts = 4;
    if (o->backoff_base_ms <= 0) o->backoff_base_ms = 500;
    if (o->backoff_max_ms <= 0) o->backoff_max_ms = 30000;
    if (o->max_response_bytes == 0) o->max_response_bytes = (size_t)64 << 20;
    if (o->connect_timeout_ms <= 0) o->connect_timeout_ms = 10000;
    if (o->connect_timeout_ms > o->timeout_ms) o->connect_timeout_ms = o->timeout_ms;
    if (o->max_tables == 0) o->max_tables = 1000;
    if (o->max_columns == 0) o->max_columns = 10000;
    if (o->max_cells == 0) o->max_cells = 10000000;
}

static bool kusto_is_http_url(const char *s) {
    return s && (strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0) && !strpbrk(s, " \r\n\t");
}

/* A header value copy: bytes outside printable ASCII become '?' (as the Go SDK does). */
static char *kusto_header_value(const char *s) {
    char *c = strdup(s);
    if (!c) abort();
    for (char *p = c; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e) *p = '?';
    return c;
}

/* ---------------------------------------------------------------- client */

static pthread_once_t kusto_curl_once = PTHREAD_ONCE_INIT;
static CURLcode kusto_curl_init_rc;

static void kusto_curl_init(void) {
    kusto_curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void kusto_share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *userp) {
    (void)h, (void)access;
    kusto_client *kc = userp;
    pthread_mutex_lock(&kc->share_mu[(unsigned)data < CURL_LOCK_DATA_LAST ? data : 0]);
}

static void kusto_share_unlock(CURL *h, curl_lock_data data, void *userp) {
    (void)h;
    kusto_client *kc = userp;
    pthread_mutex_unlock(&kc->share_mu[(unsigned)data < CURL_LOCK_DATA_LAST ? data : 0]);
}

kusto_client *kusto_client_new(const kusto_options *opts) {
    pthread_once(&kusto_curl_once, kusto_curl_init);
    if (kusto_curl_init_rc != CURLE_OK) {
        log_error("kusto: curl_global_init failed", "error=\"%s\"", curl_easy_strerror(kusto_curl_init_rc));
        return NULL;
    }
    kusto_options o;
    kusto_options_resolve(opts, &o);
    if (!kusto_is_http_url(o.imds_url) || !kusto_is_http_url(o.aad_url)) {
        log_error("kusto: imds_url and aad_url must be http:// or https:// URLs", "imds_url=%s aad_url=%s", o.imds_url,
                  o.aad_url);
        return NULL;
    }
    kusto_client *kc = calloc(1, sizeof *kc);
    if (!kc) abort();
    kc->imds_url = strdup(o.imds_url);
    kc->aad_url = strdup(o.aad_url);
    kc->app_name = kusto_header_value(o.app_name);
    kc->client_version = kusto_header_value(o.client_version);
    if (!kc->imds_url || !kc->aad_url) abort();
    o.imds_url = kc->imds_url;
    o.aad_url = kc->aad_url;
    o.app_name = kc->app_name;
    o.client_version = kc->client_version;
    kc->opts = o;

    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_init(&kc->share_mu[i], NULL);
    pthread_mutex_init(&kc->pool_mu, NULL);
    pthread_mutex_init(&kc->token_mu, NULL);
    pthread_mutex_init(&kc->cancel_mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&kc->cancel_cv, &ca);
    pthread_condattr_destroy(&ca);

    kc->share = curl_share_init();
    if (!kc->share) abort();
    curl_share_setopt(kc->share, CURLSHOPT_USERDATA, kc);
    curl_share_setopt(kc->share, CURLSHOPT_LOCKFUNC, kusto_share_lock);
    curl_share_setopt(kc->share, CURLSHOPT_UNLOCKFUNC, kusto_share_unlock);
    curl_share_setopt(kc->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(kc->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    return kc;
}

void kusto_client_cancel(kusto_client *kc) {
    if (!kc) return;
    pthread_mutex_lock(&kc->cancel_mu);
    atomic_store(&kc->cancelled, 1);
    pthread_cond_broadcast(&kc->cancel_cv);
    pthread_mutex_unlock(&kc->cancel_mu);
}

bool kusto_is_cancelled(kusto_client *kc) {
    return atomic_load(&kc->cancelled) != 0;
}

/* Callers must have returned from every call (the app cancels, stops its workers, then frees). */
void kusto_client_free(kusto_client *kc) {
    if (!kc) return;
    for (size_t i = 0; i < kc->npool; i++)
        curl_easy_cleanup(kc->pool[i]);
    curl_share_cleanup(kc->share);
    kusto_token_cache_free(kc);
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_destroy(&kc->share_mu[i]);
    pthread_mutex_destroy(&kc->pool_mu);
    pthread_mutex_destroy(&kc->token_mu);
    pthread_mutex_destroy(&kc->cancel_mu);
    pthread_cond_destroy(&kc->cancel_cv);
    free(kc->imds_url);
    free(kc->aad_url);
    free(kc->app_name);
    free(kc->client_version);
    free(kc);
}

void kusto_client_stats(kusto_client *kc, kusto_stats *out) {
    memset(out, 0, sizeof *out);
    if (!kc) return;
    out->calls = atomic_load(&kc->st_calls);
    out->attempts = atomic_load(&kc->st_attempts);
    out->retries = atomic_load(&kc->st_retries);
    out->failures = atomic_load(&kc->st_failures);
    out->connects = atomic_load(&kc->st_connects);
    out->bytes_wire = atomic_load(&kc->st_bytes_wire);
    out->bytes_body = atomic_load(&kc->st_bytes_body);
    out->token_fetches = atomic_load(&kc->st_token_fetches);
}

/* ---------------------------------------------------------------- randomness, time */

static void kusto_random(void *buf, size_t n) {
    unsigned char *p = buf;
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(p + got, n - got, 0);
        if (r > 0) {
            got += (size_t)r;
        } else if (r < 0 && errno != EINTR) {
            break;
        }
    }
    if (got == n) return;
    /* No getrandom (very old kernel): /dev/urandom, else a clock-and-counter mix that is at least
     * unique within the process (request ids and jitter need no secrecy). */
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        while (got < n) {
            ssize_t r = read(fd, p + got, n - got);
            if (r <= 0) break;
            got += (size_t)r;
        }
        close(fd);
    }
    static atomic_uint_fast64_t counter;
    for (; got < n; got++) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)atomic_fetch_add(&counter, 1) * 0x9E3779B97F4A7C15u);
        p[got] = (unsigned char)(x >> ((got % 8) * 8));
    }
}

void kusto_new_request_id(char out[80]) {
    unsigned char u[16];
    kusto_random(u, sizeof u);
    u[6] = (unsigned char)((u[6] & 0x0f) | 0x40); /* version 4 */
    u[8] = (unsigned char)((u[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    snprintf(out, 80, "entityd;%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2],
             u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

int64_t kusto_mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long kusto_backoff_ms(const kusto_client *kc, int retry) {
    long cap = kc->opts.backoff_max_ms;
    long ceil = kc->opts.backoff_base_ms;
    for (int i = 1; i < retry && ceil < cap; i++)
        ceil *= 2;
    if (ceil > cap) ceil = cap;
    uint64_t r;
    kusto_random(&r, sizeof r);
    return (long)(r % ((uint64_t)ceil + 1)); /* full jitter: uniform in [0, ceil] */
}

bool kusto_sleep_ms(kusto_client *kc, long ms) {
    if (ms <= 0) return !kusto_is_cancelled(kc);
    struct timespec dl;
    clock_gettime(CLOCK_MONOTONIC, &dl);
    dl.tv_sec += ms / 1000;
    dl.tv_nsec += (ms % 1000) * 1000000L;
    if (dl.tv_nsec >= 1000000000L) dl.tv_sec++, dl.tv_nsec -= 1000000000L;
    pthread_mutex_lock(&kc->cancel_mu);
    while (!atomic_load(&kc->cancelled))
        if (pthread_cond_timedwait(&kc->cancel_cv, &kc->cancel_mu, &dl) == ETIMEDOUT) break;
    bool ok = !atomic_load(&kc->cancelled);
    pthread_mutex_unlock(&kc->cancel_mu);
    return ok;
}

/* ---------------------------------------------------------------- one HTTP exchange */

typedef struct {
    kusto_client *kc;
    kusto_http_resp *resp;
    size_t max;
} kusto_xfer;

/* Keeps the body up to max bytes (after decompression); one byte more stops the transfer. */
static size_t kusto_write_cb(char *data, size_t size, size_t nmemb, void *userp) {
    kusto_xfer *x = userp;
    size_t n = size * nmemb;
    if (n > x->max - x->resp->body.len) {
        x->resp->too_large = true;
        return 0; /* CURLE_WRITE_ERROR */
    }
    buf_append(&x->resp->body, data, n);
    return n;
}

/* Retry-After as delta-seconds or an HTTP-date (RFC 9110 §10.2.3). */
static long kusto_retry_after(const char *v, size_t n) {
    char tmp[64];
    while (n > 0 && (*v == ' ' || *v == '\t'))
        v++, n--;
    while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    if (n == 0 || n >= sizeof tmp) return -1;
    memcpy(tmp, v, n);
    tmp[n] = '\0';
    size_t i = 0;
    while (i < n && tmp[i] >= '0' && tmp[i] <= '9')
        i++;
    if (i == n) {
        if (n > 7) return 86400L * 1000; /* absurd: the cap applies anyway */
        return atol(tmp) * 1000L;
    }
    time_t when = curl_getdate(tmp, NULL);
    if (when < 0) return -1;
    time_t now = time(NULL);
    return when > now ? (long)(when - now) * 1000L : 0;
}

static size_t kusto_header_cb(char *data, size_t size, size_t nitems, void *userp) {
    kusto_xfer *x = userp;
    size_t n = size * nitems;
    if (n >= 5 && memcmp(data, "HTTP/", 5) == 0) {
        x->resp->retry_after_ms = -1; /* a new response (after 100 Continue, say) */
    } else if (n > 12 && strncasecmp(data, "Retry-After:", 12) == 0) {
        x->resp->retry_after_ms = kusto_retry_after(data + 12, n - 12);
    }
    return n;
}

static int kusto_xferinfo_cb(void *userp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow) {
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    kusto_xfer *x = userp;
    if (atomic_load(&x->kc->cancelled)) {
        x->resp->cancelled = true;
        return 1; /* CURLE_ABORTED_BY_CALLBACK */
    }
    return 0;
}

static CURL *kusto_handle_get(kusto_client *kc) {
    CURL *h = NULL;
    pthread_mutex_lock(&kc->pool_mu);
    if (kc->npool > 0) h = kc->pool[--kc->npool];
    pthread_mutex_unlock(&kc->pool_mu);
    if (h) {
        curl_easy_reset(h); /* options only: live connections stay */
        return h;
    }
    h = curl_easy_init();
    if (!h) abort();
    return h;
}

static void kusto_handle_put(kusto_client *kc, CURL *h) {
    pthread_mutex_lock(&kc->pool_mu);
    if (kc->npool < KUSTO_POOL_MAX) {
        kc->pool[kc->npool++] = h;
        h = NULL;
    }
    pthread_mutex_unlock(&kc->pool_mu);
    if (h) curl_easy_cleanup(h);
}

void kusto_http_perform(kusto_client *kc, const kusto_http_req *req, kusto_http_resp *resp) {
    memset(resp, 0, sizeof *resp);
    buf_init(&resp->body);
    resp->retry_after_ms = -1;
    if (kusto_is_cancelled(kc)) {
        resp->cancelled = true;
        resp->rc = CURLE_ABORTED_BY_CALLBACK;
        return;
    }
    CURL *h = kusto_handle_get(kc);
    kusto_xfer x = {kc, resp, req->max_bytes};
    long timeout = req->timeout_ms > 0 ? req->timeout_ms : kc->opts.timeout_ms;
    long ctimeout = kc->opts.connect_timeout_ms < timeout ? kc->opts.connect_timeout_ms : timeout;
    curl_easy_setopt(h, CURLOPT_URL, req->url);
    curl_easy_setopt(h, CURLOPT_SHARE, kc->share);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, ""); /* gzip and deflate, decoded by libcurl */
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ctimeout);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, req->headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, kusto_write_cb);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, kusto_header_cb);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, kusto_xferinfo_cb);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &x);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, resp->curl_err);
    if (req->no_proxy) curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    if (strcmp(req->method, "POST") == 0) {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body ? req->body : "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    } else {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    }
    resp->rc = curl_easy_perform(h);
    long status = 0, connects = 0;
    curl_off_t wire = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &connects);
    curl_easy_getinfo(h, CURLINFO_SIZE_DOWNLOAD_T, &wire);
    resp->status = resp->rc == CURLE_OK ? status : 0;
    long request_bytes = 0; /* request headers written to the socket */
    curl_off_t upload = 0;
    curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &request_bytes);
    curl_easy_getinfo(h, CURLINFO_SIZE_UPLOAD_T, &upload);
    bool wrote = request_bytes > 0 || upload > 0;
    switch (resp->rc) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
        resp->maybe_sent = false;
        break;
    case CURLE_OPERATION_TIMEDOUT: /* while connecting, or after sending? */
    case CURLE_ABORTED_BY_CALLBACK:
        resp->maybe_sent = wrote;
        break;
    default:
        resp->maybe_sent = true;
        break;
    }
    if (connects > 0) atomic_fetch_add(&kc->st_connects, (uint64_t)connects);
    if (wire > 0) atomic_fetch_add(&kc->st_bytes_wire, (uint64_t)wire);
    atomic_fetch_add(&kc->st_bytes_body, (uint64_t)resp->body.len);
    if (resp->rc == CURLE_OK) resp->too_large = false;
    if (resp->rc != CURLE_ABORTED_BY_CALLBACK) resp->cancelled = false;
    /* Detach the stack buffers from the pooled handle before anyone else gets it. */
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    kusto_handle_put(kc, h);
}

/* ---------------------------------------------------------------- Kusto calls */

/* servertimeout as a timespan "[d.]hh:mm:ss" (protocol doc §7: the client waits 30 s longer). */
static void kusto_servertimeout(int timeout_ms, char out[32]) {
    long secs = timeout_ms / 1000 - 30;
    if (secs < 10) secs = 10;
    long d = secs / 86400, r = secs % 86400;
    if (d)
        snprintf(out, 32, "%ld.%02ld:%02ld:%02ld", d, r / 3600, r / 60 % 60, r % 60);
    else
        snprintf(out, 32, "%02ld:%02ld:%02ld", r / 3600, r / 60 % 60, r % 60);
}

/* {"db":…,"csl":…,"properties":{"Options":{"servertimeout":…}}} (protocol doc §1 "Request body"). */
static char *kusto_request_body(const kusto_client *kc, bool v2, const char *db, const char *csl, kusto_error *err) {
    json_t *jcsl = json_string(csl);
    json_t *jdb = db ? json_string(db) : NULL;
    if (!jcsl || (db && !jdb)) {
        json_decref(jcsl);
        json_decref(jdb);
        kusto_err_set(err, KUSTO_E_BAD_REQUEST, "%s is not valid UTF-8", jcsl ? "db" : "csl");
        err->permanent = true;
        return NULL;
    }
    char st[32];
    kusto_servertimeout(kc->opts.timeout_ms, st);
    json_t *options = json_pack("{s:s}", "servertimeout", st);
    if (v2 && kc->opts.fragment_primary_tables) {
        json_object_set_new(options, "results_v2_fragment_primary_tables", json_true());
        json_object_set_new(options, "results_v2_newlines_between_frames", json_true());
    }
    json_t *root = json_object();
    if (jdb) json_object_set_new(root, "db", jdb);
    json_object_set_new(root, "csl", jcsl);
    json_object_set_new(root, "properties", json_pack("{s:o}", "Options", options));
    char *text = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    if (!text) abort();
    return text;
}

static struct curl_slist *kusto_headers(const kusto_client *kc, const char *token, const char *request_id) {
    struct curl_slist *h = NULL;
    char line[256];
    h = curl_slist_append(h, "Accept: application/json");
    h = curl_slist_append(h, "Content-Type: application/json; charset=utf-8");
    snprintf(line, sizeof line, "x-ms-client-request-id: %s", request_id);
    h = curl_slist_append(h, line);
    snprintf(line, sizeof line, "x-ms-app: %.200s", kc->app_name);
    h = curl_slist_append(h, line);
    snprintf(line, sizeof line, "x-ms-client-version: %.200s", kc->client_version);
    h = curl_slist_append(h, line);
    h = curl_slist_append(h, "Connection: Keep-Alive");
    h = curl_slist_append(h, "Expect:"); /* no 100-continue round trip */
    if (token) {
        buf_t b = BUF_INIT;
        buf_printf(&b, "Authorization: Bearer %s", token);
        h = curl_slist_append(h, b.data);
        explicit_bzero(b.data, b.len);
        buf_free(&b);
    }
    if (!h) abort();
    return h;
}

/* Turns one exchange into a code: transport failures, non-2xx answers, or the parsed body. */
static kusto_code kusto_outcome(kusto_client *kc, bool v2, const kusto_http_resp *rs, arena_t *a, kusto_result **out,
                                kusto_error *err) {
    err->http_status = (int)rs->status;
    err->permanent = false;
    err->kusto_code[0] = '\0';
    if (rs->cancelled) return kusto_err_set(err, KUSTO_E_CANCELLED, "cancelled (the client is shutting down)");
    if (rs->too_large) {
        err->http_status = (int)rs->status;
        return kusto_err_set(err, KUSTO_E_PROTOCOL,
                             "response larger than max_response_bytes (%zu bytes); refusing to truncate it",
                             kc->opts.max_response_bytes);
    }
    if (rs->rc == CURLE_OPERATION_TIMEDOUT)
        return kusto_err_set(err, KUSTO_E_TIMEOUT, "no complete answer within %d ms: %s", kc->opts.timeout_ms,
                             rs->curl_err[0] ? rs->curl_err : curl_easy_strerror(rs->rc));
    if (rs->rc == CURLE_URL_MALFORMAT || rs->rc == CURLE_UNSUPPORTED_PROTOCOL) {
        err->permanent = true;
        return kusto_err_set(err, KUSTO_E_BAD_REQUEST, "bad endpoint URL: %s",
                             rs->curl_err[0] ? rs->curl_err : curl_easy_strerror(rs->rc));
    }
    if (rs->rc != CURLE_OK)
        return kusto_err_set(err, KUSTO_E_NETWORK, "%s: %s", curl_easy_strerror(rs->rc),
                             rs->curl_err[0] ? rs->curl_err : "no detail");
    if (rs->status >= 200 && rs->status <= 299) {
        /* The parsers reset the error they fill: keep this call's attempt count and request id. */
        kusto_error pe;
        kusto_code c = v2 ? kusto_parse_v2(rs->body.data, rs->body.len, &kc->opts, true, a, out, &pe)
                          : kusto_parse_v1(rs->body.data, rs->body.len, &kc->opts, a, out, &pe);
        pe.attempts = err->attempts;
        memcpy(pe.request_id, err->request_id, sizeof pe.request_id);
        pe.http_status = (int)rs->status;
        *err = pe;
        return c;
    }
    return kusto_parse_error((int)rs->status, rs->body.data, rs->body.len, err);
}

static bool kusto_transient(const kusto_error *err) {
    switch (err->code) {
    case KUSTO_E_NETWORK:
    case KUSTO_E_TIMEOUT:
    case KUSTO_E_THROTTLED:
        return true;
    case KUSTO_E_SERVER:
        return !err->permanent;
    default:
        return false;
    }
}

/* Logs a failure; the texts that come from outside (message, Kusto's code) are quoted and escaped
 * so that the line stays key=value. */
static void kusto_log_failure(log_level_t level, const char *what, const char *path, const kusto_error *err,
                              int max_attempts, long delay_ms) {
    buf_t m = BUF_INIT, kc = BUF_INIT, d = BUF_INIT;
    buf_json_string(&m, err->message, strlen(err->message));
    buf_json_string(&kc, err->kusto_code, strlen(err->kusto_code));
    if (delay_ms >= 0) buf_printf(&d, " delay_ms=%ld", delay_ms);
    log_msg(level, what, "request_id=%s path=%s attempt=%d/%d code=%s http_status=%d kusto_code=%s%s error=%s",
            err->request_id[0] ? err->request_id : "-", path, err->attempts, max_attempts, kusto_code_name(err->code),
            err->http_status, buf_cstr(&kc), buf_cstr(&d), buf_cstr(&m));
    buf_free(&m);
    buf_free(&kc);
    buf_free(&d);
}

/* After this failure, may a non-idempotent command have run on the server? */
static bool kusto_may_have_run(const kusto_error *err, const kusto_http_resp *rs) {
    switch (err->code) {
    case KUSTO_E_NETWORK:
    case KUSTO_E_TIMEOUT:
        return rs->maybe_sent;
    case KUSTO_E_SERVER:
        return true;
    default:
        return false; /* 429: throttled before it ran */
    }
}

static kusto_code kusto_call(kusto_client *kc, const kusto_target *t, bool v2, const char *db, const char *csl,
                             unsigned flags, arena_t *a, kusto_result **out, kusto_error *err_in) {
    kusto_error local = {0};
    kusto_error *err = err_in ? err_in : &local;
    kusto_err_reset(err);
    if (out) *out = NULL;
    if (!kc || !t || !csl || !a || !out)
        return kusto_err_set(err, KUSTO_E_INTERNAL, "kusto: missing argument (client, target, csl, arena or out)");
    atomic_fetch_add(&kc->st_calls, 1);
    const char *path = v2 ? "/v2/rest/query" : "/v1/rest/mgmt";
    if (!kusto_is_http_url(t->endpoint)) {
        atomic_fetch_add(&kc->st_failures, 1);
        err->permanent = true;
        return kusto_err_set(err, KUSTO_E_BAD_REQUEST, "endpoint must be an http:// or https:// URL, got '%.200s'",
                             t->endpoint ? t->endpoint : "(null)");
    }
    char *resource = NULL;
    if (t->auth.kind != KUSTO_AUTH_NONE && !(resource = kusto_endpoint_resource(t->endpoint))) {
        atomic_fetch_add(&kc->st_failures, 1);
        err->permanent = true;
        return kusto_err_set(err, KUSTO_E_BAD_REQUEST, "cannot parse endpoint URL '%.200s'", t->endpoint);
    }
    char *body = kusto_request_body(kc, v2, db, csl, err);
    if (!body) {
        free(resource);
        atomic_fetch_add(&kc->st_failures, 1);
        return err->code;
    }
    buf_t url = BUF_INIT;
    size_t elen = strlen(t->endpoint);
    while (elen > 0 && t->endpoint[elen - 1] == '/')
        elen--;
    buf_append(&url, t->endpoint, elen);
    buf_puts(&url, path);

    kusto_code code = KUSTO_E_INTERNAL;
    int attempt = 0, max = kc->opts.max_attempts;
    bool force_refresh = false, refreshed = false;
    for (;;) {
        if (kusto_is_cancelled(kc)) {
            err->permanent = false;
            code = kusto_err_set(err, KUSTO_E_CANCELLED, "cancelled (the client is shutting down)");
            break;
        }
        char *token = NULL;
        if (t->auth.kind != KUSTO_AUTH_NONE) {
            code = kusto_token_get(kc, &t->auth, resource, force_refresh, &token, err);
            force_refresh = false;
            if (code != KUSTO_OK) break; /* err describes the token endpoint's failure */
        }
        attempt++;
        err->attempts = attempt;
        kusto_new_request_id(err->request_id);
        buf_t qdb = BUF_INIT;
        buf_json_string(&qdb, db ? db : "", db ? strlen(db) : 0);
        log_debug("kusto request", "request_id=%s path=%s db=%s attempt=%d", err->request_id, path, buf_cstr(&qdb),
                  attempt);
        buf_free(&qdb);
        kusto_http_req rq = {.method = "POST",
                             .url = url.data,
                             .headers = kusto_headers(kc, token, err->request_id),
                             .body = body,
                             .body_len = strlen(body),
                             .max_bytes = kc->opts.max_response_bytes,
                             .timeout_ms = kc->opts.timeout_ms};
        if (token) {
            explicit_bzero(token, strlen(token));
            free(token);
        }
        kusto_http_resp rs;
        kusto_http_perform(kc, &rq, &rs);
        curl_slist_free_all(rq.headers);
        atomic_fetch_add(&kc->st_attempts, 1);
        if (attempt > 1) atomic_fetch_add(&kc->st_retries, 1);
        code = kusto_outcome(kc, v2, &rs, a, out, err);
        long retry_after = rs.retry_after_ms;
        bool may_have_run = code != KUSTO_OK && kusto_may_have_run(err, &rs);
        buf_free(&rs.body);
        if (code == KUSTO_OK) break;
        /* A 401 with a token from a provider: the token may have been revoked or rotated early;
         * drop it and try once more with a fresh one (not counted against max_attempts). */
        if (code == KUSTO_E_AUTH && err->http_status == 401 && !refreshed &&
            (t->auth.kind == KUSTO_AUTH_MANAGED_IDENTITY || t->auth.kind == KUSTO_AUTH_CLIENT_SECRET)) {
            refreshed = force_refresh = true;
            max++;
            kusto_log_failure(LOG_WARN, "kusto request unauthorized, refreshing the token", path, err, max, 0);
            continue;
        }
        if (!kusto_transient(err) || attempt >= max) break;
        if ((flags & KUSTO_F_NOT_IDEMPOTENT) && may_have_run) {
            size_t n = strlen(err->message);
            const char *note = " (not retried: the command may have run)";
            if (n + strlen(note) < sizeof err->message) memcpy(err->message + n, note, strlen(note) + 1);
            break;
        }
        long delay = retry_after >= 0 ? (retry_after < kc->opts.backoff_max_ms ? retry_after : kc->opts.backoff_max_ms)
                                      : kusto_backoff_ms(kc, attempt);
        kusto_log_failure(LOG_WARN, "kusto request failed, retrying", path, err, max, delay);
        if (!kusto_sleep_ms(kc, delay)) {
            code = kusto_err_set(err, KUSTO_E_CANCELLED, "cancelled (the client is shutting down)");
            break;
        }
    }
    if (code != KUSTO_OK) {
        atomic_fetch_add(&kc->st_failures, 1);
        if (code != KUSTO_E_CANCELLED) kusto_log_failure(LOG_WARN, "kusto request failed", path, err, max, -1);
        *out = NULL;
    }
    buf_free(&url);
    free(body);
    free(resource);
    return code;
}

kusto_code kusto_mgmt(kusto_client *kc, const kusto_target *t, const char *db, const char *csl, arena_t *a,
                      kusto_result **out, kusto_error *err) {
    return kusto_call(kc, t, false, db, csl, 0, a, out, err);
}

kusto_code kusto_mgmt_ex(kusto_client *kc, const kusto_target *t, const char *db, const char *csl, unsigned flags,
                         arena_t *a, kusto_result **out, kusto_error *err) {
    return kusto_call(kc, t, false, db, csl, flags, a, out, err);
}

kusto_code kusto_query(kusto_client *kc, const kusto_target *t, const char *db, const char *csl, arena_t *a,
                       kusto_result **out, kusto_error *err) {
    return kusto_call(kc, t, true, db, csl, 0, a, out, err);
}
