-- time entries, hourly rates and the organization settings that govern entries
-- instants are integer microseconds since the Unix epoch (see src/db/time.rs); days are 'YYYY-MM-DD'

-- rates are integer minor units of the organization's currency per hour; null = not set
alter table organizations add column default_rate integer check (default_rate >= 0);
-- false: an entry overlapping another of the same person is refused
alter table organizations add column allow_overlap integer not null default 1;
-- entries starting before this day (UTC) are locked except for owners and admins
alter table organizations add column lock_before text;
alter table organizations add column max_entry_hours integer not null default 24
    check (max_entry_hours between 1 and 168);
alter table memberships add column hourly_rate integer check (hourly_rate >= 0);
alter table projects add column hourly_rate integer check (hourly_rate >= 0);
alter table project_members add column hourly_rate integer check (hourly_rate >= 0);

create table time_entries (
    id blob primary key,
    organization_id blob not null references organizations (id) on delete cascade,
    user_id blob not null references users (id) on delete cascade,
    project_id blob references projects (id) on delete set null,
    task_id blob references tasks (id) on delete set null,
    description text not null default '',
    start_at integer not null,
    -- null while the timer runs; intervals are half-open [start_at, end_at)
    end_at integer,
    billable integer not null default 0,
    -- the rate that applied when the entry was saved, so later rate changes keep history
    hourly_rate integer,
    -- optimistic concurrency: bumped on every change, sent as the ETag
    version integer not null default 1,
    created_at integer not null,
    updated_at integer not null,
    -- deleted entries stay as tombstones so sync clients learn about deletions
    deleted_at integer,
    check (end_at is null or end_at > start_at)
) strict;
-- at most one running timer per person and organization, even under concurrent starts
create unique index time_entries_running_key on time_entries (organization_id, user_id)
    where end_at is null and deleted_at is null;
create index time_entries_start_idx on time_entries (organization_id, start_at, id);
create index time_entries_user_idx on time_entries (organization_id, user_id, start_at);
create index time_entries_updated_idx on time_entries (organization_id, updated_at);
create index time_entries_project_idx on time_entries (project_id);
create index time_entries_task_idx on time_entries (task_id);

create table time_entry_tags (
    entry_id blob not null references time_entries (id) on delete cascade,
    tag_id blob not null references tags (id) on delete cascade,
    primary key (entry_id, tag_id)
) strict;
create index time_entry_tags_tag_idx on time_entry_tags (tag_id);
