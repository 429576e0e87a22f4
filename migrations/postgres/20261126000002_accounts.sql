-- people, organizations and who may do what where (issue: accounts and access control)
create table users (
    id uuid primary key,
    email text not null,
    -- lower-cased email: uniqueness and sign-in ignore letter case
    email_normalized text not null,
    name text not null,
    password_hash text not null,
    time_zone text not null default 'UTC',
    -- 1 = Monday … 7 = Sunday (ISO 8601)
    week_start smallint not null default 1 check (week_start between 1 and 7),
    is_instance_admin boolean not null default false,
    disabled_at timestamptz,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    constraint users_email_key unique (email_normalized)
);

create table organizations (
    id uuid primary key,
    name text not null,
    currency text not null default 'EUR' check (length(currency) = 3),
    created_at timestamptz not null,
    updated_at timestamptz not null
);

create table memberships (
    organization_id uuid not null references organizations (id) on delete cascade,
    user_id uuid not null references users (id) on delete cascade,
    role text not null check (role in ('owner', 'admin', 'manager', 'member')),
    created_at timestamptz not null,
    primary key (organization_id, user_id)
);
create index memberships_user_idx on memberships (user_id);

create table invitations (
    id uuid primary key,
    organization_id uuid not null references organizations (id) on delete cascade,
    email text not null,
    role text not null check (role in ('owner', 'admin', 'manager', 'member')),
    -- sha-256 of the single-use token; the token itself is shown once to the inviter
    token_hash bytea not null unique,
    invited_by uuid references users (id) on delete set null,
    expires_at timestamptz not null,
    accepted_at timestamptz,
    created_at timestamptz not null
);
create index invitations_organization_idx on invitations (organization_id);

-- rotating refresh tokens; reuse of a used token revokes its whole family
create table refresh_tokens (
    id uuid primary key,
    family_id uuid not null,
    user_id uuid not null references users (id) on delete cascade,
    token_hash bytea not null unique,
    expires_at timestamptz not null,
    used_at timestamptz,
    revoked_at timestamptz,
    created_at timestamptz not null
);
create index refresh_tokens_family_idx on refresh_tokens (family_id);

create table api_tokens (
    id uuid primary key,
    user_id uuid not null references users (id) on delete cascade,
    name text not null,
    token_hash bytea not null unique,
    expires_at timestamptz,
    last_used_at timestamptz,
    revoked_at timestamptz,
    created_at timestamptz not null
);
create index api_tokens_user_idx on api_tokens (user_id);

-- browser sessions: the cookie holds a random id, only its hash is stored
create table sessions (
    id uuid primary key,
    user_id uuid not null references users (id) on delete cascade,
    token_hash bytea not null unique,
    csrf_token text not null,
    user_agent text not null default '',
    ip text not null default '',
    expires_at timestamptz not null,
    last_seen_at timestamptz not null,
    created_at timestamptz not null
);
create index sessions_user_idx on sessions (user_id);

-- failed sign-ins, per account and per client address, shared by every instance
create table sign_in_failures (
    id uuid primary key,
    key text not null,
    failed_at timestamptz not null
);
create index sign_in_failures_key_idx on sign_in_failures (key, failed_at);

create table audit_log (
    id uuid primary key,
    organization_id uuid not null references organizations (id) on delete cascade,
    actor_user_id uuid references users (id) on delete set null,
    action text not null,
    target_user_id uuid references users (id) on delete set null,
    detail text not null default '{}',
    ip text not null default '',
    created_at timestamptz not null
);
create index audit_log_organization_idx on audit_log (organization_id, created_at desc, id desc);
