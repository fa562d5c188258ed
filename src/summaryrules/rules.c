/* rules.c -- the SummaryRule model's checks (issue 9 "Rules", "Criteria"): per-field validation of
 * upsertSummaryRule's input, this server's cluster labels (--cluster-label) and the criteria match
 * (upstream matchesCriteria: case-insensitive, any single match passes, empty matches). */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kusto/kql.h"
#include "summaryrules/summaryrules.h"
#include "util/utf8.h"

/* ---- cluster labels ---- */

void sr_labels_free(sr_labels *l) {
    if (!l) return;
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].key);
        free(l->items[i].value);
    }
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

/* config.c has checked the syntax (each item KEY=VALUE, key non-empty); items without '=' are skipped. */
int sr_labels_parse(const char *s, sr_labels *out) {
    out->items = NULL;
    out->n = 0;
    size_t cap = 0;
    for (const char *p = s; p && *p;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', n);
        if (eq && eq > p) {
            if (out->n == cap) {
                size_t ncap = cap ? cap * 2 : 4;
                sr_label *items = realloc(out->items, ncap * sizeof *items);
                if (!items) goto oom;
                out->items = items;
                cap = ncap;
            }
            sr_label *l = &out->items[out->n];
            l->key = strndup(p, (size_t)(eq - p));
            l->value = strndup(eq + 1, n - (size_t)(eq - p) - 1);
            out->n++;
            if (!l->key || !l->value) goto oom;
        }
        p = end ? end + 1 : p + n;
    }
    return 0;
oom:
    sr_labels_free(out);
    return -1;
}

/* ---- criteria ---- */

bool sr_criteria_match(const char *criteria_json, const sr_labels *labels) {
    if (!criteria_json || !*criteria_json) return true;
    json_t *c = json_loads(criteria_json, 0, NULL);
    if (!json_is_object(c)) {
        json_decref(c);
        return false;
    }
    bool match = json_object_size(c) == 0;
    const char *key;
    json_t *values;
    json_object_foreach(c, key, values) {
        if (match) break;
        for (size_t i = 0; i < labels->n && !match; i++) {
            if (strcasecmp(labels->items[i].key, key) != 0) continue;
            size_t j;
            json_t *v;
            json_array_foreach(values, j, v) {
                if (json_is_string(v) && strcasecmp(json_string_value(v), labels->items[i].value) == 0) {
                    match = true;
                    break;
                }
            }
        }
    }
    json_decref(c);
    return match;
}

static bool printable_utf8(const char *s, size_t len) {
    if (!utf8_valid(s, len, NULL)) return false;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) return false;
    return true;
}

int sr_criteria_normalize(const char *text, char **out, char *err, size_t errlen) {
    *out = NULL;
    json_error_t je;
    json_t *c = json_loads(text, JSON_REJECT_DUPLICATES, &je);
    if (!c) {
        snprintf(err, errlen, "criteria must be a JSON object: %s", je.text);
        return -1;
    }
    int rc = -1;
    if (!json_is_object(c)) {
        snprintf(err, errlen,
                 "criteria must be an object of label -> list of allowed values, e.g. "
                 "{\"region\": [\"eastus\", \"westus\"]}");
        goto done;
    }
    if (json_object_size(c) > SR_CRITERIA_MAX_KEYS) {
        snprintf(err, errlen, "criteria may have at most %d labels", SR_CRITERIA_MAX_KEYS);
        goto done;
    }
    const char *key;
    json_t *values;
    json_object_foreach(c, key, values) {
        size_t klen = strlen(key);
        if (klen == 0 || klen > SR_CRITERIA_VALUE_MAX || !printable_utf8(key, klen)) {
            snprintf(err, errlen, "criteria labels must be 1 to %d bytes of printable UTF-8", SR_CRITERIA_VALUE_MAX);
            goto done;
        }
        if (!json_is_array(values) || json_array_size(values) == 0 ||
            json_array_size(values) > SR_CRITERIA_MAX_VALUES) {
            snprintf(err, errlen, "criteria.%.64s must be a list of 1 to %d allowed values (strings)", key,
                     SR_CRITERIA_MAX_VALUES);
            goto done;
        }
        size_t i;
        json_t *v;
        json_array_foreach(values, i, v) {
            size_t vlen = json_is_string(v) ? json_string_length(v) : 0;
            if (!json_is_string(v) || vlen > SR_CRITERIA_VALUE_MAX || !printable_utf8(json_string_value(v), vlen) ||
                strlen(json_string_value(v)) != vlen) {
                snprintf(err, errlen,
                         "criteria.%.64s: each allowed value must be a string of at most %d bytes of "
                         "printable UTF-8",
                         key, SR_CRITERIA_VALUE_MAX);
                goto done;
            }
        }
    }
    *out = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
    if (!*out) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    rc = 0;
done:
    json_decref(c);
    return rc;
}

/* ---- names ---- */

bool sr_rule_name_valid(const char *s) {
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > SR_NAME_MAX) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
              c == '.'))
            return false;
    }
    return true;
}

bool sr_kusto_name_valid(const char *s) {
    return s && strlen(s) <= SR_IDENT_MAX && kql_is_valid_name(s);
}

/* ---- the rule ---- */

static bool blank(const char *s) {
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') return false;
    return true;
}

typedef struct {
    sr_error_fn add;
    void *ctx;
    int n;
} sr_verdict;

static void reject(sr_verdict *v, const char *field, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void reject(sr_verdict *v, const char *field, const char *fmt, ...) {
    char msg[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    v->add(v->ctx, field, msg);
    v->n++;
}

/* Issue 9: "names and table identifiers valid for Kusto, interval > 0, ingestionDelay ≥ 0, the
 * cluster exists, body non-empty" -- every field checked, each error names its field. */
int sr_rule_validate(const sr_rule_input *in, sr_error_fn add, void *ctx) {
    sr_verdict v = {add, ctx, 0};
    if (!sr_rule_name_valid(in->name))
        reject(&v, "input.name", "name must be 1 to %d characters of A-Z a-z 0-9 _ - .", SR_NAME_MAX);
    if (!in->cluster || !*in->cluster) reject(&v, "input.cluster", "cluster must name an AdxCluster");
    if (!sr_kusto_name_valid(in->database))
        reject(&v, "input.database",
               "database must be a valid Kusto database name (1 to %d letters, digits, "
               "_ - . or spaces)",
               SR_IDENT_MAX);
    if (!sr_kusto_name_valid(in->table))
        reject(&v, "input.table", "table must be a valid Kusto table name (1 to %d letters, digits, _ - . or spaces)",
               SR_IDENT_MAX);
    if (!in->body || blank(in->body))
        reject(&v, "input.body", "body must be a non-empty KQL query using _startTime and _endTime");
    else if (strlen(in->body) > SR_BODY_MAX || !utf8_valid(in->body, strlen(in->body), NULL))
        reject(&v, "input.body", "body must be at most %d bytes of UTF-8", SR_BODY_MAX);
    if (in->interval_s <= 0)
        reject(&v, "input.interval", "interval must be greater than 0 (e.g. \"1h\")");
    else if (in->interval_s > SR_INTERVAL_MAX_S)
        reject(&v, "input.interval", "interval must be at most %dd", SR_INTERVAL_MAX_S / 86400);
    if (in->ingestion_delay_s > SR_DELAY_MAX_S)
        reject(&v, "input.ingestionDelay", "ingestionDelay must be between 0s and %dd", SR_DELAY_MAX_S / 86400);
    if (in->criteria_json) {
        char *norm = NULL;
        char err[256];
        if (sr_criteria_normalize(in->criteria_json, &norm, err, sizeof err) != 0)
            reject(&v, "input.criteria", "%s", err);
        free(norm);
    }
    return v.n;
}

void sr_bounded_copy(char *out, size_t outlen, const char *s) {
    if (outlen == 0) return;
    size_t o = 0;
    size_t len = s ? strlen(s) : 0;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        size_t k = c < 0x80 ? 1 : utf8_valid_prefix((const unsigned char *)s + i, len - i);
        if (k == 0) { /* a malformed byte: replaced, so the stored text is valid UTF-8 */
            if (o + 1 >= outlen) break;
            out[o++] = '?';
            i++;
            continue;
        }
        if (o + k >= outlen) break;
        if (k == 1 && (c < 0x20 || c == 0x7f) && c != '\n' && c != '\t')
            out[o++] = ' ';
        else
            memcpy(out + o, s + i, k), o += k;
        i += k;
    }
    out[o] = '\0';
}
