/* submit.c -- the exact texts SummaryRules send to Kusto and the reading of Kusto's answers (see
 * submit.h). Everything read from an answer is validated (an operation id must be a GUID before it is
 * stored or embedded in a later command) and bounded (SR_MESSAGE_MAX), because the answer is outside
 * input: a faulty or hostile endpoint must not make us store megabytes or build odd commands. */
#include "summaryrules/submit.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "kusto/kql.h"

/* Issue 9 "Submission": the lets come after `<|` because Kusto dot-commands do not allow a leading
 * `let` (upstream submitRule); the query end is end − 1 tick so that consecutive windows never
 * share an instant (upstream kustoutil.OneTick). */
int sr_command_text(buf_t *b, const char *table, sr_window w, const char *body) {
    if (!sr_kusto_name_valid(table) || w.end <= w.start || !body) return -1;
    const char *s = body, *e = body + strlen(body);
    while (s < e && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
        s++;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
        e--;
    if (s == e) return -1;
    buf_puts(b, ".set-or-append async ");
    kql_append_name(b, table);
    buf_puts(b, " with (extend_schema=true) <| let _startTime=");
    kql_append_datetime(b, w.start);
    buf_puts(b, ";\nlet _endTime=");
    kql_append_datetime(b, w.end - 1);
    buf_puts(b, ";\n");
    buf_append(b, s, (size_t)(e - s));
    return 0;
}

bool sr_guid_valid(const char *s) {
    if (!s || strlen(s) != 36) return false;
    for (int i = 0; i < 36; i++) {
        char c = s[i];
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    }
    return true;
}

int sr_show_operation_text(buf_t *b, const char *operation_id) {
    if (!sr_guid_valid(operation_id)) return -1;
    buf_printf(b, ".show operations %s", operation_id);
    return 0;
}

/* Issue 9: "Completed and Failed are terminal; InProgress, Scheduled, Throttled are not". The other
 * final states of `.show operations` count as failures, as Spark's connector does (kusto-protocol.md
 * §5); a state this code does not know is polled again rather than guessed at. */
sr_op_class sr_state_class(const char *state) {
    static const char *const pending[] = {"InProgress", "Scheduled", "Throttled"};
    static const char *const failed[] = {"Failed",   "PartiallySucceeded", "Abandoned", "BadInput",
                                         "Canceled", "Cancelled",          "Skipped"};
    if (!state || !*state) return SR_OP_NOT_FOUND;
    if (strcasecmp(state, "Completed") == 0) return SR_OP_COMPLETED;
    for (size_t i = 0; i < sizeof failed / sizeof failed[0]; i++)
        if (strcasecmp(state, failed[i]) == 0) return SR_OP_FAILED;
    for (size_t i = 0; i < sizeof pending / sizeof pending[0]; i++)
        if (strcasecmp(state, pending[i]) == 0) return SR_OP_PENDING;
    return SR_OP_PENDING;
}

/* Text of a cell: strings and GUIDs as they are; NULL for anything else (a number where an id
 * belongs is a malformed answer, not something to print into a command). */
static const char *cell_text(const kusto_value *v) {
    if (!v) return NULL;
    if (v->type == KUSTO_T_STRING || v->type == KUSTO_T_GUID) return v->s ? v->s : "";
    return NULL;
}

int sr_read_operation_id(const kusto_result *r, char id[SR_OPID_MAX], char *err, size_t errlen) {
    id[0] = '\0';
    const kusto_table *t = r ? kusto_primary(r) : NULL;
    if (!t || t->ncolumns == 0) {
        snprintf(err, errlen, "the answer to .set-or-append async has no result table");
        return -1;
    }
    if (t->nrows == 0) {
        snprintf(err, errlen, "the answer to .set-or-append async has no row (no operation id)");
        return -1;
    }
    int c = kusto_column_index(t, "OperationId");
    const char *s = cell_text(&t->rows[0][c >= 0 ? c : 0]);
    if (!sr_guid_valid(s)) {
        char shown[80];
        sr_bounded_copy(shown, sizeof shown, s ? s : "(not a string)");
        snprintf(err, errlen, "the answer to .set-or-append async holds no operation id (a GUID): got \"%s\"", shown);
        return -1;
    }
    memcpy(id, s, 36);
    id[36] = '\0';
    return 0;
}

/* ShouldRetry comes as bool, long, real (upstream projects todouble(ShouldRetry)) or text. */
static bool truthy(const kusto_value *v) {
    if (!v) return false;
    switch (v->type) {
    case KUSTO_T_BOOL:
        return v->b;
    case KUSTO_T_INT:
    case KUSTO_T_LONG:
        return v->i != 0;
    case KUSTO_T_REAL:
        return v->d != 0.0;
    case KUSTO_T_STRING:
        return v->s && (strcasecmp(v->s, "true") == 0 || strcmp(v->s, "1") == 0);
    default:
        return false;
    }
}

/* Orders rows by LastUpdatedOn: datetimes by ticks, text (ISO 8601 sorts) by bytes. */
static int later(const kusto_value *a, const kusto_value *b) {
    if (!a || !b) return a ? 1 : 0;
    if (a->type == KUSTO_T_DATETIME && b->type == KUSTO_T_DATETIME) return a->i > b->i;
    const char *x = cell_text(a), *y = cell_text(b);
    return x && y && strcmp(x, y) > 0;
}

int sr_read_operation_status(const kusto_result *r, const char *id, sr_op_status *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    out->cls = SR_OP_NOT_FOUND;
    const kusto_table *t = r ? kusto_primary(r) : NULL;
    if (!t) {
        snprintf(err, errlen, "the answer to .show operations has no result table");
        return -1;
    }
    int c_state = kusto_column_index(t, "State");
    if (c_state < 0) {
        snprintf(err, errlen, "the answer to .show operations has no State column");
        return -1;
    }
    int c_id = kusto_column_index(t, "OperationId");
    int c_status = kusto_column_index(t, "Status");
    int c_retry = kusto_column_index(t, "ShouldRetry");
    int c_updated = kusto_column_index(t, "LastUpdatedOn");
    const kusto_value *best = NULL;
    for (size_t i = 0; i < t->nrows; i++) {
        const kusto_value *row = t->rows[i];
        if (c_id >= 0) {
            const char *rid = cell_text(&row[c_id]);
            if (!rid || strcasecmp(rid, id) != 0) continue;
        }
        if (!best || (c_updated >= 0 && later(&row[c_updated], &best[c_updated]))) best = row;
    }
    if (!best) return 0;
    const kusto_value *state = &best[c_state];
    if (state && state->type != KUSTO_T_STRING && state->type != KUSTO_T_NULL) {
        snprintf(err, errlen, "the answer to .show operations has a State that is not text");
        return -1;
    }
    sr_bounded_copy(out->state, sizeof out->state, state && state->s ? state->s : "");
    out->cls = sr_state_class(out->state);
    if (c_status >= 0) sr_bounded_copy(out->status, sizeof out->status, kusto_value_str(&best[c_status]));
    if (c_retry >= 0) out->should_retry = truthy(&best[c_retry]);
    return 0;
}
