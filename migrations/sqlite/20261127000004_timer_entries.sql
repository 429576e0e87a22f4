-- remembers which entries a timer made, so tools that adjust manual time (the week grid) never
-- change a timer's entry behind anyone's back; entries from before this migration count as manual
alter table time_entries add column from_timer integer not null default 0 check (from_timer in (0, 1));
