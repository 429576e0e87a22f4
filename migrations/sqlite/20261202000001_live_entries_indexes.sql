-- Deleted entries stay as tombstones (sync clients learn of deletions through updated_at), but
-- every list, report and overlap check asks for live entries only. With the tombstones in the
-- start-time indexes, a page of the newest entries walked past every recent deletion first: a
-- 600-s soak that deletes what it creates saw p99 latency grow 2.7 times. These hold live
-- entries only; the sync path keeps time_entries_updated_idx.
--
-- Built inside the migration's transaction, not `concurrently`: a concurrent build waits for
-- every other transaction, including a second `gogotime migrate up` waiting for the migration
-- lock, and PostgreSQL ends that as a deadlock. Writes to time_entries wait while the indexes
-- build. On a very large table, build them by hand beforehand with `create index concurrently`
-- and these names; `if not exists` then makes this migration instant
-- (docs/deployment/releases.md).
create index if not exists time_entries_live_start_idx
    on time_entries (organization_id, start_at, id) where deleted_at is null;
create index if not exists time_entries_live_user_idx
    on time_entries (organization_id, user_id, start_at) where deleted_at is null;
-- An index is no part of what a release reads: the previous release's queries filter on
-- deleted_at is null, so they use the live indexes.
drop index if exists time_entries_start_idx;
drop index if exists time_entries_user_idx;
