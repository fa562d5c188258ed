-- 0001_accounts.sql: accounts, their infrastructure agents and API keys (seed 004 Security
-- Model; issue 2 "Accounts and API keys"). Applied inside one transaction by src/store/migrate.c.

-- An account: the unit of authorization. aws_integration allows cloud (AWS MSK) entities,
-- synthetic_permission allows synthetic entities created through the API (seed 004).
CREATE TABLE accounts (
    id                   INTEGER PRIMARY KEY,
    name                 TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    aws_integration      INTEGER NOT NULL DEFAULT 0 CHECK (aws_integration IN (0, 1)),
    synthetic_permission INTEGER NOT NULL DEFAULT 0 CHECK (synthetic_permission IN (0, 1)),
    created_at           TEXT    NOT NULL  -- RFC 3339 UTC, e.g. 2024-01-01T00:00:00Z
);

-- Infrastructure agents registered for an account: OHI events must come from one of them.
CREATE TABLE account_agents (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    agent_id   TEXT    NOT NULL CHECK (length(agent_id) BETWEEN 1 AND 200),
    PRIMARY KEY (account_id, agent_id)
) WITHOUT ROWID;

-- API keys: only the SHA-256 of the key is stored; prefix is the start of the key, for display.
CREATE TABLE api_keys (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name       TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    level      TEXT    NOT NULL CHECK (level IN ('NONE', 'OHI_ONLY', 'CLOUD_INTEGRATED', 'SYNTHETIC', 'ADMIN')),
    hash       BLOB    NOT NULL UNIQUE CHECK (length(hash) = 32),
    prefix     TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    revoked_at TEXT
);
CREATE INDEX api_keys_account ON api_keys(account_id);
