-- Replaced by time_entries_live_start_idx. An index is no part of what a release reads, so the
-- previous release keeps working without it (its queries use the live index: they filter on
-- deleted_at is null).
drop index if exists time_entries_start_idx;
