-- 0004_adx.sql: ADX clusters (seed 001 ADXCluster: role, endpoint, databases, federation section) and the
-- state of the federation (seed 000): per heartbeat target, per database and per federated cluster. Owned by
-- src/federation/ (issue 8); the summaryrules module references adx_clusters(id). Applied inside one
-- transaction by src/store/migrate.c. Times are RFC 3339 UTC text ("2024-01-01T00:00:00Z").

-- One ADX cluster this server works with. Secrets (auth_token, auth_client_secret) are kept for the Kusto
-- client only; the API never returns them. source is 'api' or the --adx-config file the cluster came from.
-- Federated-role settings are NULL for partition clusters (and the reverse).
CREATE TABLE adx_clusters (
    id                 INTEGER PRIMARY KEY,
    name               TEXT    NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
    endpoint           TEXT    NOT NULL CHECK (length(endpoint) BETWEEN 1 AND 512),
    role               TEXT    NOT NULL CHECK (role IN ('PARTITION', 'FEDERATED')),
    auth_kind          TEXT    NOT NULL CHECK (auth_kind IN ('NONE', 'TOKEN', 'MANAGED_IDENTITY', 'CLIENT_SECRET')),
    auth_token         TEXT,
    auth_tenant_id     TEXT,
    auth_client_id     TEXT,
    auth_client_secret TEXT,
    partitioning       TEXT    CHECK (partitioning IS NULL OR json_valid(partitioning)),
    heartbeat_database TEXT,
    heartbeat_table    TEXT,
    heartbeat_ttl      INTEGER CHECK (heartbeat_ttl IS NULL OR heartbeat_ttl > 0),  -- seconds
    function_prefix    TEXT,
    best_effort        INTEGER CHECK (best_effort IS NULL OR best_effort IN (0, 1)),
    folder             TEXT,
    source             TEXT    NOT NULL DEFAULT 'api',
    created_at         TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL
);

-- The databases a cluster should have (seed 001 `databases`), with what the last check found:
-- exists_on_cluster NULL until checked, actual_retention_days NULL when unknown.
CREATE TABLE adx_cluster_databases (
    cluster_id            INTEGER NOT NULL REFERENCES adx_clusters(id) ON DELETE CASCADE,
    position              INTEGER NOT NULL,
    name                  TEXT    NOT NULL,
    telemetry_type        TEXT    NOT NULL CHECK (telemetry_type IN ('Metrics', 'Logs', 'Traces')),
    retention_days        INTEGER NOT NULL CHECK (retention_days > 0),
    exists_on_cluster     INTEGER CHECK (exists_on_cluster IS NULL OR exists_on_cluster IN (0, 1)),
    actual_retention_days INTEGER,
    checked_at            TEXT,
    last_error            TEXT,
    PRIMARY KEY (cluster_id, name)
) WITHOUT ROWID;

-- Partition role: the federated clusters a partition sends heartbeats to (seed 001 federatedClusters), with
-- the outcome of the last heartbeat to each.
CREATE TABLE adx_heartbeat_targets (
    cluster_id                 INTEGER NOT NULL REFERENCES adx_clusters(id) ON DELETE CASCADE,
    position                   INTEGER NOT NULL,
    endpoint                   TEXT    NOT NULL,
    heartbeat_database         TEXT    NOT NULL,
    heartbeat_table            TEXT    NOT NULL,
    managed_identity_client_id TEXT,
    last_attempt_at            TEXT,
    last_sent_at               TEXT,
    last_error                 TEXT,
    PRIMARY KEY (cluster_id, endpoint, heartbeat_database, heartbeat_table)
) WITHOUT ROWID;

-- Federated role: the outcome of the last reconcile of each federated cluster.
CREATE TABLE fed_status (
    cluster_id                INTEGER PRIMARY KEY REFERENCES adx_clusters(id) ON DELETE CASCADE,
    last_reconcile_at         TEXT    NOT NULL,
    zero_heartbeat_protection INTEGER NOT NULL CHECK (zero_heartbeat_protection IN (0, 1)),
    ok                        INTEGER NOT NULL CHECK (ok IN (0, 1)),
    duration_ms               INTEGER NOT NULL
);

-- Partition clusters seen in heartbeats: databases is [{"name","tables":[..],"views":[..]}].
CREATE TABLE fed_partitions (
    cluster_id         INTEGER NOT NULL REFERENCES adx_clusters(id) ON DELETE CASCADE,
    endpoint           TEXT    NOT NULL,
    last_heartbeat     TEXT    NOT NULL,
    live               INTEGER NOT NULL CHECK (live IN (0, 1)),
    databases          TEXT    NOT NULL CHECK (json_valid(databases)),
    partition_metadata TEXT    CHECK (partition_metadata IS NULL OR json_valid(partition_metadata)),
    PRIMARY KEY (cluster_id, endpoint)
) WITHOUT ROWID;

-- The {Database}_Partitions entity groups in place on the federated cluster; members is a JSON array.
CREATE TABLE fed_entity_groups (
    cluster_id INTEGER NOT NULL REFERENCES adx_clusters(id) ON DELETE CASCADE,
    database   TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    members    TEXT    NOT NULL CHECK (json_valid(members)),
    updated_at TEXT    NOT NULL,
    PRIMARY KEY (cluster_id, database)
) WITHOUT ROWID;

-- The macro-expand functions in place on the federated cluster; endpoints is a JSON array.
CREATE TABLE fed_functions (
    cluster_id INTEGER NOT NULL REFERENCES adx_clusters(id) ON DELETE CASCADE,
    database   TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    table_name TEXT    NOT NULL,
    endpoints  TEXT    NOT NULL CHECK (json_valid(endpoints)),
    updated_at TEXT    NOT NULL,
    PRIMARY KEY (cluster_id, database, name)
) WITHOUT ROWID;

-- Recent federation errors (bounded per cluster by src/federation/store.c).
CREATE TABLE fed_errors (
    id         INTEGER PRIMARY KEY,
    cluster_id INTEGER NOT NULL REFERENCES adx_clusters(id) ON DELETE CASCADE,
    at         TEXT    NOT NULL,
    scope      TEXT    NOT NULL,
    message    TEXT    NOT NULL
);
CREATE INDEX fed_errors_cluster ON fed_errors(cluster_id, id);
