/* submit.h -- what SummaryRules send to Kusto and how they read the answers (submit.c): the
 * `.set-or-append async` command of a window (issue 9 "Submission"), the `.show operations <id>`
 * lookup (issue 9 "Tracking") and the parsing of both results, bounded and validated. */
#ifndef ENTITYD_SUMMARYRULES_SUBMIT_H
#define ENTITYD_SUMMARYRULES_SUBMIT_H

#include <stdbool.h>

#include "kusto/kusto.h"
#include "summaryrules/summaryrules.h"
#include "util/buf.h"

#define SR_OPID_MAX 37 /* a GUID, 36 characters, and the NUL */

/* `.set-or-append async <table> with (extend_schema=true) <| let _startTime=datetime(<start>);\n
 * let _endTime=datetime(<end - 1 tick>);\n<body>` with both times as Kusto datetimes with seven fraction
 * digits (UTC), the table quoted when Kusto needs it and the body trimmed. Returns 0, or -1 (nothing
 * appended) when the table is not a valid Kusto name or the window is empty. */
int sr_command_text(buf_t *b, const char *table, sr_window w, const char *body);

/* `.show operations <id>`. Returns 0, or -1 when id is not a GUID (never embedded in a command). */
int sr_show_operation_text(buf_t *b, const char *operation_id);

/* 8-4-4-4-12 hexadecimal digits. */
bool sr_guid_valid(const char *s);

typedef enum {
    SR_OP_PENDING,   /* InProgress, Scheduled, Throttled, or a state this code does not know */
    SR_OP_COMPLETED, /* Completed */
    SR_OP_FAILED,    /* Failed and every other final state (PartiallySucceeded, Abandoned, BadInput, Canceled...) */
    SR_OP_NOT_FOUND, /* no row, or a row with an empty State */
} sr_op_class;

typedef struct {
    sr_op_class cls;
    char state[32];              /* as Kusto wrote it, bounded; "" when not found */
    bool should_retry;           /* Kusto says the same command may succeed if sent again */
    char status[SR_MESSAGE_MAX]; /* Kusto's Status text, bounded */
} sr_op_status;

sr_op_class sr_state_class(const char *state);

/* The operation id of `.set-or-append async`'s answer: the OperationId column (column 0 when there is
 * none) of the primary table's first row, which must be a GUID. 0, or -1 with the reason in err. */
int sr_read_operation_id(const kusto_result *r, char id[SR_OPID_MAX], char *err, size_t errlen);

/* The state of operation id from `.show operations <id>`'s answer (columns State, Status, ShouldRetry;
 * among several rows the one for id updated last). 0, or -1 with the reason in err for an answer of
 * the wrong shape. */
int sr_read_operation_status(const kusto_result *r, const char *id, sr_op_status *out, char *err, size_t errlen);

#endif
