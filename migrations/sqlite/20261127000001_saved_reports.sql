-- saved reports (a person's named report parameters) and shared reports (a read-only public
-- link to one report, by an unguessable token, optionally expiring, revocable)
-- instants are integer microseconds since the Unix epoch (see src/db/time.rs)
create table saved_reports (
    id blob primary key,
    organization_id blob not null references organizations (id) on delete cascade,
    user_id blob not null references users (id) on delete cascade,
    name text not null,
    -- the report's query string (from, to, group, filters, rounding, …)
    params text not null,
    created_at integer not null,
    constraint saved_reports_name_key unique (organization_id, user_id, name)
) strict;

create table shared_reports (
    id blob primary key,
    organization_id blob not null references organizations (id) on delete cascade,
    -- the report is computed with this person's view (members share only their own time)
    user_id blob not null references users (id) on delete cascade,
    name text not null,
    params text not null,
    -- sha-256 of the token in the link; the token itself is shown once
    token_hash blob not null unique,
    expires_at integer,
    revoked_at integer,
    created_at integer not null
) strict;
create index shared_reports_organization_idx on shared_reports (organization_id);
