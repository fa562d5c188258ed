/* apikeys.c -- API keys (issue 2 "Accounts and API keys"; seed 004 Security Model).
 *
 * A key is 32 random bytes from the OS shown once as "ek_" + base64url. Only its SHA-256 is
 * stored, with the first characters for display. A request's key is hashed and looked up by
 * hash; the stored hash is then compared in constant time. Looking up by the hash (not the key)
 * means index timing can only reveal facts about SHA-256 outputs, which do not help to guess a
 * key. On first start with an empty store, auth_bootstrap() creates account 1 and an ADMIN key
 * and writes the key to <data dir>/admin.key (mode 0600). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "auth/auth.h"
#include "auth/auth_internal.h"
#include "util/base64.h"
#include "util/datetime.h"
#include "util/log.h"
#include "util/sha256.h"

/* getrandom(2) may return fewer bytes than asked, or EINTR; loop until the buffer is full. */
static int auth_random(uint8_t *buf, size_t n) {
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(buf + got, n - got, 0);
        if (r < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        got += (size_t)r;
    }
    return 0;
}

int auth_key_generate(char out[AUTH_KEY_LEN + 1]) {
    uint8_t raw[AUTH_KEY_RANDOM_BYTES];
    char enc[4 * ((AUTH_KEY_RANDOM_BYTES + 2) / 3) + 1]; /* RFC 4648 §5 base64url without padding */
    if (auth_random(raw, sizeof raw) != 0) {
        log_error("no randomness from the OS", "errno=%d", errno);
        return -1;
    }
    b64_encode(raw, sizeof raw, B64_URL | B64_NOPAD, enc);
    memset(raw, 0, sizeof raw);
    memcpy(out, AUTH_KEY_PREFIX, 3);
    memcpy(out + 3, enc, AUTH_KEY_LEN - 3); /* 32 bytes encode to exactly 43 characters */
    out[AUTH_KEY_LEN] = 0;
    return 0;
}

bool auth_key_well_formed(const char *s) {
    if (!s || strncmp(s, AUTH_KEY_PREFIX, 3) != 0) return false;
    size_t i = 3;
    for (; s[i]; i++) {
        if (i >= AUTH_KEY_LEN) return false;
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
    }
    return i == AUTH_KEY_LEN;
}

bool auth_ct_equal(const void *a, const void *b, size_t n) {
    const volatile uint8_t *x = a, *y = b;
    uint8_t d = 0;
    for (size_t i = 0; i < n; i++)
        d |= x[i] ^ y[i];
    return d == 0;
}

int auth_authenticate(store_t *s, const char *api_key, principal_t *out) {
    memset(out, 0, sizeof *out);
    out->level = AUTH_NONE;
    /* A value that cannot be a key never reaches the database (bounded work for any header). */
    if (!s || !auth_key_well_formed(api_key)) return -1;
    uint8_t h[SHA256_DIGEST_LEN];
    sha256(api_key, AUTH_KEY_LEN, h);
    sqlite3_stmt *st = store_stmt(s, "SELECT id, account_id, level, hash FROM api_keys "
                                     "WHERE hash = ?1 AND revoked_at IS NULL");
    if (!st) return -1;
    sqlite3_bind_blob(st, 1, h, sizeof h, SQLITE_STATIC);
    int ok = -1;
    if (sqlite3_step(st) == SQLITE_ROW) {
        const void *stored = sqlite3_column_blob(st, 3);
        int level = auth_level_parse((const char *)sqlite3_column_text(st, 2));
        if (stored && sqlite3_column_bytes(st, 3) == SHA256_DIGEST_LEN && level >= 0 &&
            auth_ct_equal(stored, h, SHA256_DIGEST_LEN)) {
            out->authenticated = true;
            out->key_id = sqlite3_column_int64(st, 0);
            out->account_id = sqlite3_column_int64(st, 1);
            out->level = (auth_level_t)level;
            ok = 0;
        }
    }
    sqlite3_reset(st);
    return ok;
}

int auth_key_create(store_t *s, int64_t account_id, auth_level_t level, const char *name, int64_t now,
                    char key_out[AUTH_KEY_LEN + 1], int64_t *id_out, char *err, size_t errlen) {
    if (!name || !*name || strlen(name) > AUTH_NAME_MAX) {
        snprintf(err, errlen, "a key name must have 1 to %d bytes", AUTH_NAME_MAX);
        return -1;
    }
    if (auth_key_generate(key_out) != 0) {
        snprintf(err, errlen, "the operating system gave no random bytes");
        return -1;
    }
    uint8_t h[SHA256_DIGEST_LEN];
    sha256(key_out, AUTH_KEY_LEN, h);
    char created[DT_MAX];
    dt_format(now, created);
    sqlite3_stmt *st = store_stmt(s, "INSERT INTO api_keys(account_id, name, level, hash, prefix, created_at) "
                                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!st) {
        snprintf(err, errlen, "store error");
        return -1;
    }
    sqlite3_bind_int64(st, 1, account_id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, auth_level_name(level), -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 4, h, sizeof h, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, key_out, AUTH_KEY_DISPLAY_LEN, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, created, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE) {
        snprintf(err, errlen, "cannot store the key: %s", sqlite3_errmsg(store_db(s)));
        sqlite3_reset(st);
        return -1;
    }
    sqlite3_reset(st);
    *id_out = sqlite3_last_insert_rowid(store_db(s));
    return 0;
}

int auth_key_list(store_t *s, int64_t account_id, bool include_revoked, arena_t *a, auth_key_info **out, size_t *n) {
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = store_stmt(s, "SELECT id, name, level, prefix, created_at, revoked_at FROM api_keys "
                                     "WHERE account_id = ?1 AND (?2 OR revoked_at IS NULL) ORDER BY id");
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, account_id);
    sqlite3_bind_int(st, 2, include_revoked ? 1 : 0);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        *out = arena_grow(a, *out, *n, &cap, sizeof **out, 8);
        auth_key_info *k = &(*out)[(*n)++];
        int level = auth_level_parse((const char *)sqlite3_column_text(st, 2));
        k->id = sqlite3_column_int64(st, 0);
        k->name = arena_strdup(a, (const char *)sqlite3_column_text(st, 1));
        k->level = level < 0 ? AUTH_NONE : (auth_level_t)level;
        k->prefix = arena_strdup(a, (const char *)sqlite3_column_text(st, 3));
        k->created_at = arena_strdup(a, (const char *)sqlite3_column_text(st, 4));
        k->revoked_at = sqlite3_column_type(st, 5) == SQLITE_NULL
                            ? NULL
                            : arena_strdup(a, (const char *)sqlite3_column_text(st, 5));
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Revocation keeps the row (revoked_at set) so that the key's id stays meaningful in logs. */
int auth_key_revoke(store_t *s, int64_t id, int64_t now) {
    if (store_begin(s) != 0) return -1;
    sqlite3_stmt *st = store_stmt(s, "SELECT level FROM api_keys WHERE id = ?1 AND revoked_at IS NULL");
    if (!st) goto fail;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        store_rollback(s);
        return 1;
    }
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        goto fail;
    }
    bool admin = auth_level_parse((const char *)sqlite3_column_text(st, 0)) == AUTH_ADMIN;
    sqlite3_reset(st);
    if (admin) {
        st = store_stmt(s, "SELECT count(*) FROM api_keys WHERE level = 'ADMIN' AND revoked_at IS NULL");
        if (!st || sqlite3_step(st) != SQLITE_ROW) goto fail;
        long long n = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        if (n <= 1) {
            store_rollback(s);
            return 2;
        }
    }
    char at[DT_MAX];
    dt_format(now, at);
    st = store_stmt(s, "UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL");
    if (!st) goto fail;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, at, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE || store_commit(s) != 0) goto fail;
    log_info("api key revoked", "key_id=%lld", (long long)id);
    return 0;
fail:
    store_rollback(s);
    return -1;
}

/* Writes the key with O_CREAT|O_EXCL (never overwriting a file) and mode 0600 (fchmod too, as
 * the umask could only narrow it), then fsyncs the file and its directory. */
static int auth_write_key_file(const char *path, const char *dir, const char *key, char *err, size_t errlen) {
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            snprintf(err, errlen,
                     "%s already exists but the database has no accounts: it holds a key of another database; "
                     "remove it so that a new admin key can be written",
                     path);
        else
            snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
        return -1;
    }
    char line[AUTH_KEY_LEN + 2];
    int n = snprintf(line, sizeof line, "%s\n", key);
    ssize_t w = -1;
    if (fchmod(fd, 0600) == 0) {
        do
            w = write(fd, line, (size_t)n);
        while (w < 0 && errno == EINTR);
    }
    int saved = errno;
    memset(line, 0, sizeof line);
    if (w != n || fsync(fd) != 0) {
        if (w == n) saved = errno;
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(saved));
        close(fd);
        unlink(path);
        return -1;
    }
    close(fd);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}

int auth_bootstrap(store_t *s, const char *data_dir, char *err, size_t errlen) {
    if (!s || !data_dir || !*data_dir) {
        snprintf(err, errlen, "bootstrap needs a store and a data directory");
        return -1;
    }
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/admin.key", data_dir) >= sizeof path) {
        snprintf(err, errlen, "data directory path too long");
        return -1;
    }
    if (mkdir(data_dir, 0700) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot create data directory %s: %s", data_dir, strerror(errno));
        return -1;
    }
    /* One IMMEDIATE transaction: two processes starting together cannot both bootstrap. */
    if (store_begin(s) != 0) {
        snprintf(err, errlen, "cannot start a transaction: %s", sqlite3_errmsg(store_db(s)));
        return -1;
    }
    sqlite3_stmt *st = store_stmt(s, "SELECT count(*) FROM accounts");
    if (!st || sqlite3_step(st) != SQLITE_ROW) {
        snprintf(err, errlen, "cannot read accounts: %s", sqlite3_errmsg(store_db(s)));
        if (st) sqlite3_reset(st);
        store_rollback(s);
        return -1;
    }
    long long naccounts = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (naccounts > 0) {
        store_rollback(s);
        return 0;
    }
    int64_t now = (int64_t)time(NULL);
    char created[DT_MAX];
    dt_format(now, created);
    st = store_stmt(s, "INSERT INTO accounts(id, name, aws_integration, synthetic_permission, created_at) "
                       "VALUES (1, 'default', 0, 0, ?1)");
    if (!st) {
        snprintf(err, errlen, "cannot create account 1");
        store_rollback(s);
        return -1;
    }
    sqlite3_bind_text(st, 1, created, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        snprintf(err, errlen, "cannot create account 1: %s", sqlite3_errmsg(store_db(s)));
        store_rollback(s);
        return -1;
    }
    char key[AUTH_KEY_LEN + 1];
    int64_t key_id = 0;
    if (auth_key_create(s, 1, AUTH_ADMIN, "admin (bootstrap)", now, key, &key_id, err, errlen) != 0) {
        store_rollback(s);
        return -1;
    }
    /* The file is written before COMMIT: if it cannot be written, no key exists that nobody knows. */
    if (auth_write_key_file(path, data_dir, key, err, errlen) != 0) {
        memset(key, 0, sizeof key);
        store_rollback(s);
        return -1;
    }
    memset(key, 0, sizeof key);
    if (store_commit(s) != 0) {
        snprintf(err, errlen, "cannot commit the bootstrap account: %s", sqlite3_errmsg(store_db(s)));
        unlink(path);
        store_rollback(s);
        return -1;
    }
    log_info("created account 1 and an ADMIN API key", "path=\"%s\" key_id=%lld", path, (long long)key_id);
    return 0;
}
