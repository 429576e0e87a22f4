-- what time is tracked on: clients, projects (with their members), tasks and tags
create table clients (
    id uuid primary key,
    organization_id uuid not null references organizations (id) on delete cascade,
    name text not null,
    -- lower-cased name: uniqueness ignores letter case
    name_normalized text not null,
    notes text not null default '',
    archived boolean not null default false,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    constraint clients_name_key unique (organization_id, name_normalized)
);

create table projects (
    id uuid primary key,
    organization_id uuid not null references organizations (id) on delete cascade,
    client_id uuid references clients (id) on delete set null,
    name text not null,
    name_normalized text not null,
    -- #rrggbb
    color text not null default '#3b82f6',
    billable_default boolean not null default true,
    archived boolean not null default false,
    visibility text not null default 'public' check (visibility in ('public', 'private')),
    estimate_seconds bigint check (estimate_seconds >= 0),
    -- integer minor units of the organization's currency
    budget bigint check (budget >= 0),
    created_at timestamptz not null,
    updated_at timestamptz not null
);
-- names are unique per client; projects without a client share one namespace
create unique index projects_name_key on projects (
    organization_id, coalesce(client_id, '00000000-0000-0000-0000-000000000000'), name_normalized
);
create index projects_client_idx on projects (client_id);

create table project_members (
    project_id uuid not null references projects (id) on delete cascade,
    user_id uuid not null references users (id) on delete cascade,
    created_at timestamptz not null,
    primary key (project_id, user_id)
);
create index project_members_user_idx on project_members (user_id);

create table tasks (
    id uuid primary key,
    organization_id uuid not null references organizations (id) on delete cascade,
    project_id uuid not null references projects (id) on delete cascade,
    name text not null,
    name_normalized text not null,
    done boolean not null default false,
    archived boolean not null default false,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    constraint tasks_name_key unique (project_id, name_normalized)
);

create table tags (
    id uuid primary key,
    organization_id uuid not null references organizations (id) on delete cascade,
    name text not null,
    name_normalized text not null,
    archived boolean not null default false,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    constraint tags_name_key unique (organization_id, name_normalized)
);
