-- Replaced by time_entries_live_user_idx.
drop index if exists time_entries_user_idx;
