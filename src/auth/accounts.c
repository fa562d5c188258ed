/* accounts.c -- accounts and their infrastructure agents (seed 004 Security Model: an account
 * may have an AWS integration, synthetic permission and registered infrastructure agents, which
 * decide what entities it may create). */
#include <string.h>

#include "auth/auth.h"
#include "auth/auth_internal.h"
#include "util/datetime.h"
#include "util/log.h"

int auth_account_get(store_t *s, int64_t id, arena_t *a, account_t *out) {
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st =
        store_stmt(s, "SELECT id, name, aws_integration, synthetic_permission FROM accounts WHERE id = ?1");
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? 1 : -1;
    }
    out->id = sqlite3_column_int64(st, 0);
    out->name = arena_strdup(a, (const char *)sqlite3_column_text(st, 1));
    out->aws_integration = sqlite3_column_int(st, 2) != 0;
    out->synthetic_permission = sqlite3_column_int(st, 3) != 0;
    sqlite3_reset(st);

    st = store_stmt(s, "SELECT agent_id FROM account_agents WHERE account_id = ?1 ORDER BY agent_id");
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, id);
    ptrvec_t agents = {0};
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        ptrvec_push(a, &agents, arena_strdup(a, (const char *)sqlite3_column_text(st, 0)));
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) return -1;
    out->infrastructure_agents = (const char **)agents.items;
    out->ninfrastructure_agents = agents.count;
    return 0;
}

bool auth_account_has_agent(const account_t *acc, const char *agent_id) {
    if (!acc || !agent_id) return false;
    for (size_t i = 0; i < acc->ninfrastructure_agents; i++)
        if (strcmp(acc->infrastructure_agents[i], agent_id) == 0) return true;
    return false;
}

int auth_account_ids(store_t *s, arena_t *a, int64_t **ids, size_t *n) {
    *ids = NULL;
    *n = 0;
    sqlite3_stmt *st = store_stmt(s, "SELECT id FROM accounts ORDER BY id");
    if (!st) return -1;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        *ids = arena_grow(a, *ids, *n, &cap, sizeof **ids, 8);
        (*ids)[(*n)++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static int account_exec_bool(store_t *s, const char *sql, int64_t id, bool v) {
    sqlite3_stmt *st = store_stmt(s, sql);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, v ? 1 : 0);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* 1 when account id exists, 0 when not, -1 on error. */
static int account_exists(store_t *s, int64_t id) {
    sqlite3_stmt *st = store_stmt(s, "SELECT 1 FROM accounts WHERE id = ?1");
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* Applies the set fields of u to an existing account, inside the caller's transaction. */
static int account_apply(store_t *s, int64_t id, const auth_account_update_t *u) {
    sqlite3_stmt *st;
    int rc;
    if (u->name) {
        st = store_stmt(s, "UPDATE accounts SET name = ?2 WHERE id = ?1");
        if (!st) return -1;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, u->name, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE) return -1;
    }
    if (u->set_aws &&
        account_exec_bool(s, "UPDATE accounts SET aws_integration = ?2 WHERE id = ?1", id, u->aws_integration) != 0)
        return -1;
    if (u->set_synthetic && account_exec_bool(s, "UPDATE accounts SET synthetic_permission = ?2 WHERE id = ?1", id,
                                              u->synthetic_permission) != 0)
        return -1;
    if (u->set_agents) {
        st = store_stmt(s, "DELETE FROM account_agents WHERE account_id = ?1");
        if (!st) return -1;
        sqlite3_bind_int64(st, 1, id);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE) return -1;
        for (size_t i = 0; i < u->nagents; i++) {
            /* Duplicates in the list collapse into one row. */
            st = store_stmt(s, "INSERT OR IGNORE INTO account_agents(account_id, agent_id) VALUES (?1, ?2)");
            if (!st) return -1;
            sqlite3_bind_int64(st, 1, id);
            sqlite3_bind_text(st, 2, u->agents[i], -1, SQLITE_STATIC);
            rc = sqlite3_step(st);
            sqlite3_reset(st);
            if (rc != SQLITE_DONE) return -1;
        }
    }
    return 0;
}

int auth_account_update(store_t *s, int64_t id, const auth_account_update_t *u) {
    if (store_begin(s) != 0) return -1;
    int exists = account_exists(s, id);
    if (exists == 0) {
        store_rollback(s);
        return 1;
    }
    if (exists < 0 || account_apply(s, id, u) != 0 || store_commit(s) != 0) goto fail;
    log_info("account updated", "account_id=%lld", (long long)id);
    return 0;
fail:
    log_error("account update failed", "account_id=%lld error=\"%s\"", (long long)id, sqlite3_errmsg(store_db(s)));
    store_rollback(s);
    return -1;
}

int auth_account_create(store_t *s, int64_t *id, const auth_account_update_t *u, int64_t now) {
    if (!u->name || store_begin(s) != 0) return -1;
    if (*id > 0) {
        int exists = account_exists(s, *id);
        if (exists != 0) {
            store_rollback(s);
            return exists > 0 ? 1 : -1;
        }
    }
    char created[DT_MAX];
    dt_format(now, created);
    /* NULL id: SQLite picks max(id) + 1 for an INTEGER PRIMARY KEY. */
    sqlite3_stmt *st = store_stmt(s, "INSERT INTO accounts(id, name, created_at) VALUES (?1, ?2, ?3)");
    if (!st) goto fail;
    if (*id > 0) sqlite3_bind_int64(st, 1, *id);
    sqlite3_bind_text(st, 2, u->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, created, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) goto fail;
    *id = sqlite3_last_insert_rowid(store_db(s));
    if (account_apply(s, *id, u) != 0 || store_commit(s) != 0) goto fail;
    log_info("account created", "account_id=%lld", (long long)*id);
    return 0;
fail:
    log_error("account creation failed", "error=\"%s\"", sqlite3_errmsg(store_db(s)));
    store_rollback(s);
    return -1;
}
