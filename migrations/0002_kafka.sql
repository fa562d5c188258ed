-- 0002_kafka.sql: the Kafka entity platform (seeds 003 and 004): discovered tenants, entities
-- with their latest canonical metrics, and inferred relationships. Times are unix seconds (UTC).

-- Tenants discovered from record keys "tenant::rest" (seed 003). A tenant silent for the
-- tenant TTL is removed with its entities by the cleanup thread.
CREATE TABLE tenants (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    PRIMARY KEY (account_id, id)
);
CREATE INDEX tenants_last_seen ON tenants(last_seen);

-- One row per entity; guid = {accountId}|INFRA|{type}|{base64(identifier)} (src/kafka/identity.c).
CREATE TABLE entities (
    guid TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    type TEXT NOT NULL,                 -- KafkaEntityType name
    provider TEXT NOT NULL,             -- KafkaProviderType name
    name TEXT NOT NULL,
    cluster_name TEXT NOT NULL,
    tenant TEXT,
    external_id TEXT,                   -- ARN, Azure resource id, ...
    synthetic INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    expires_at INTEGER,                 -- synthetic entities: created_at + ttl
    metadata TEXT,                      -- JSON object
    throughput_in REAL,
    throughput_out REAL,
    consumer_lag REAL,
    metrics_updated_at INTEGER,
    alert_severity TEXT NOT NULL DEFAULT 'NOT_ALERTING'
);
-- Keyset pages ordered by guid within an account, narrowed by type, cluster or tenant.
CREATE INDEX entities_account_type ON entities(account_id, type, guid);
CREATE INDEX entities_account_cluster ON entities(account_id, cluster_name, guid);
CREATE INDEX entities_account_tenant ON entities(account_id, tenant, guid);
-- Cleanup: stale ohi/api entities, expired synthetic entities.
CREATE INDEX entities_provider_last_seen ON entities(provider, last_seen);
CREATE INDEX entities_expires_at ON entities(expires_at) WHERE expires_at IS NOT NULL;

-- Relationships (seed 004, Relationship Manager). Names and types of both ends are kept so that
-- an end that is not a Kafka entity (a host, a cloud account) still resolves in queries.
CREATE TABLE relationships (
    account_id INTEGER NOT NULL,
    source_guid TEXT NOT NULL,
    target_guid TEXT NOT NULL,
    type TEXT NOT NULL,                 -- RelationshipType name
    source_name TEXT,
    source_type TEXT,
    target_name TEXT,
    target_type TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (source_guid, target_guid, type)
);
CREATE INDEX relationships_target ON relationships(target_guid);

-- Relationships go with either of their ends.
CREATE TRIGGER entities_delete_relationships AFTER DELETE ON entities
BEGIN
    DELETE FROM relationships WHERE source_guid = OLD.guid;
    DELETE FROM relationships WHERE target_guid = OLD.guid;
END;
