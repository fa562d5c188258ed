-- 0001_init.sql: placeholder replaced by the accounts migration.
SELECT 1;
