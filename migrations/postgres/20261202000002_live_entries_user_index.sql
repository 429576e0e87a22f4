-- no-transaction
-- The per-person start-time index without tombstones, for the same reason as the previous
-- migration (a person's week, the timer's overlap checks).
create index concurrently if not exists time_entries_live_user_idx
    on time_entries (organization_id, user_id, start_at) where deleted_at is null;
