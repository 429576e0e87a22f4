-- people, organizations and who may do what where (issue: accounts and access control)
-- instants are integer microseconds since the Unix epoch (see src/db/time.rs)
create table users (
    id blob primary key,
    email text not null,
    -- lower-cased email: uniqueness and sign-in ignore letter case
    email_normalized text not null,
    name text not null,
    password_hash text not null,
    time_zone text not null default 'UTC',
    -- 1 = Monday … 7 = Sunday (ISO 8601)
    week_start integer not null default 1 check (week_start between 1 and 7),
    is_instance_admin integer not null default 0 check (is_instance_admin in (0, 1)),
    disabled_at integer,
    created_at integer not null,
    updated_at integer not null,
    constraint users_email_key unique (email_normalized)
) strict;

create table organizations (
    id blob primary key,
    name text not null,
    currency text not null default 'EUR' check (length(currency) = 3),
    created_at integer not null,
    updated_at integer not null
) strict;

create table memberships (
    organization_id blob not null references organizations (id) on delete cascade,
    user_id blob not null references users (id) on delete cascade,
    role text not null check (role in ('owner', 'admin', 'manager', 'member')),
    created_at integer not null,
    primary key (organization_id, user_id)
) strict;
create index memberships_user_idx on memberships (user_id);

create table invitations (
    id blob primary key,
    organization_id blob not null references organizations (id) on delete cascade,
    email text not null,
    role text not null check (role in ('owner', 'admin', 'manager', 'member')),
    -- sha-256 of the single-use token; the token itself is shown once to the inviter
    token_hash blob not null unique,
    invited_by blob references users (id) on delete set null,
    expires_at integer not null,
    accepted_at integer,
    created_at integer not null
) strict;
create index invitations_organization_idx on invitations (organization_id);

-- rotating refresh tokens; reuse of a used token revokes its whole family
create table refresh_tokens (
    id blob primary key,
    family_id blob not null,
    user_id blob not null references users (id) on delete cascade,
    token_hash blob not null unique,
    expires_at integer not null,
    used_at integer,
    revoked_at integer,
    created_at integer not null
) strict;
create index refresh_tokens_family_idx on refresh_tokens (family_id);

create table api_tokens (
    id blob primary key,
    user_id blob not null references users (id) on delete cascade,
    name text not null,
    token_hash blob not null unique,
    expires_at integer,
    last_used_at integer,
    revoked_at integer,
    created_at integer not null
) strict;
create index api_tokens_user_idx on api_tokens (user_id);

-- browser sessions: the cookie holds a random id, only its hash is stored
create table sessions (
    id blob primary key,
    user_id blob not null references users (id) on delete cascade,
    token_hash blob not null unique,
    csrf_token text not null,
    user_agent text not null default '',
    ip text not null default '',
    expires_at integer not null,
    last_seen_at integer not null,
    created_at integer not null
) strict;
create index sessions_user_idx on sessions (user_id);

-- failed sign-ins, per account and per client address, shared by every instance
create table sign_in_failures (
    id blob primary key,
    key text not null,
    failed_at integer not null
) strict;
create index sign_in_failures_key_idx on sign_in_failures (key, failed_at);

create table audit_log (
    id blob primary key,
    organization_id blob not null references organizations (id) on delete cascade,
    actor_user_id blob references users (id) on delete set null,
    action text not null,
    target_user_id blob references users (id) on delete set null,
    detail text not null default '{}',
    ip text not null default '',
    created_at integer not null
) strict;
create index audit_log_organization_idx on audit_log (organization_id, created_at desc, id desc);
