-- 0003_entity_filter_indexes.sql: pages filtered by provider or by alert severity walk an index in
-- guid order and stop after the page, like the type, cluster and tenant filters of 0002 (measured
-- with bench/query.py on 1,000,000 entities).
CREATE INDEX entities_account_provider ON entities(account_id, provider, guid);
CREATE INDEX entities_account_severity ON entities(account_id, alert_severity, guid);
