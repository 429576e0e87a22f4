-- what time is tracked on: clients, projects (with their members), tasks and tags
-- instants are integer microseconds since the Unix epoch (see src/db/time.rs)
create table clients (
    id blob primary key,
    organization_id blob not null references organizations (id) on delete cascade,
    name text not null,
    -- lower-cased name: uniqueness ignores letter case
    name_normalized text not null,
    notes text not null default '',
    archived integer not null default 0,
    created_at integer not null,
    updated_at integer not null,
    constraint clients_name_key unique (organization_id, name_normalized)
) strict;

create table projects (
    id blob primary key,
    organization_id blob not null references organizations (id) on delete cascade,
    client_id blob references clients (id) on delete set null,
    name text not null,
    name_normalized text not null,
    -- #rrggbb
    color text not null default '#3b82f6',
    billable_default integer not null default 1,
    archived integer not null default 0,
    visibility text not null default 'public' check (visibility in ('public', 'private')),
    estimate_seconds integer check (estimate_seconds >= 0),
    -- integer minor units of the organization's currency
    budget integer check (budget >= 0),
    created_at integer not null,
    updated_at integer not null
) strict;
-- names are unique per client; projects without a client share one namespace
create unique index projects_name_key on projects (
    organization_id, coalesce(client_id, x'00000000000000000000000000000000'), name_normalized
);
create index projects_client_idx on projects (client_id);

create table project_members (
    project_id blob not null references projects (id) on delete cascade,
    user_id blob not null references users (id) on delete cascade,
    created_at integer not null,
    primary key (project_id, user_id)
) strict;
create index project_members_user_idx on project_members (user_id);

create table tasks (
    id blob primary key,
    organization_id blob not null references organizations (id) on delete cascade,
    project_id blob not null references projects (id) on delete cascade,
    name text not null,
    name_normalized text not null,
    done integer not null default 0,
    archived integer not null default 0,
    created_at integer not null,
    updated_at integer not null,
    constraint tasks_name_key unique (project_id, name_normalized)
) strict;

create table tags (
    id blob primary key,
    organization_id blob not null references organizations (id) on delete cascade,
    name text not null,
    name_normalized text not null,
    archived integer not null default 0,
    created_at integer not null,
    updated_at integer not null,
    constraint tags_name_key unique (organization_id, name_normalized)
) strict;
