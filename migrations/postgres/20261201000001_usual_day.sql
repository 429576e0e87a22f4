-- The length of a usual working day in this organization: the web pages ask before saving an
-- entry longer than this (a typo such as 14:00 → 13:00 would otherwise be a 23-hour entry).
-- Never more than the longest allowed entry; the service keeps the two consistent.
alter table organizations add column usual_day_hours integer not null default 10
    check (usual_day_hours between 1 and 168);
