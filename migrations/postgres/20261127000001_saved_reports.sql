-- saved reports (a person's named report parameters) and shared reports (a read-only public
-- link to one report, by an unguessable token, optionally expiring, revocable)
-- instants are timestamptz
create table saved_reports (
    id uuid primary key,
    organization_id uuid not null references organizations (id) on delete cascade,
    user_id uuid not null references users (id) on delete cascade,
    name text not null,
    -- the report's query string (from, to, group, filters, rounding, …)
    params text not null,
    created_at timestamptz not null,
    constraint saved_reports_name_key unique (organization_id, user_id, name)
);

create table shared_reports (
    id uuid primary key,
    organization_id uuid not null references organizations (id) on delete cascade,
    -- the report is computed with this person's view (members share only their own time)
    user_id uuid not null references users (id) on delete cascade,
    name text not null,
    params text not null,
    -- sha-256 of the token in the link; the token itself is shown once
    token_hash bytea not null unique,
    expires_at timestamptz,
    revoked_at timestamptz,
    created_at timestamptz not null
);
create index shared_reports_organization_idx on shared_reports (organization_id);
