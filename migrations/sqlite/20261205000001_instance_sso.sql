-- single sign-on through the instance's own provider (issue 18; docs/operations/single-sign-on.md,
-- "Instance-wide provider"): the operator configures it in the environment, so it has no row in
-- sso_providers, and the sign-ins and links waiting for it belong to no organization (null).
-- SQLite cannot drop a not-null constraint: both tables are rebuilt, their rows kept (nothing
-- references them)

create table sso_logins_new (
    id blob primary key,
    token_hash blob not null unique,
    -- null: a sign-in with the instance's provider
    organization_id blob references organizations (id) on delete cascade,
    state text not null,
    nonce text not null,
    -- the PKCE code verifier (RFC 7636), sent with the code to the token endpoint
    code_verifier text not null,
    expires_at integer not null,
    created_at integer not null
) strict;
insert into sso_logins_new (id, token_hash, organization_id, state, nonce, code_verifier, expires_at, created_at)
    select id, token_hash, organization_id, state, nonce, code_verifier, expires_at, created_at from sso_logins;
drop table sso_logins;
alter table sso_logins_new rename to sso_logins;
create index sso_logins_expires_idx on sso_logins (expires_at);

create table sso_pending_links_new (
    id blob primary key,
    token_hash blob not null unique,
    user_id blob not null references users (id) on delete cascade,
    -- null: a link asked by the instance's provider
    organization_id blob references organizations (id) on delete cascade,
    issuer text not null,
    subject text not null,
    email text not null,
    attempts integer not null default 0,
    expires_at integer not null,
    created_at integer not null,
    role text check (role is null or role in ('member', 'manager', 'admin'))
) strict;
insert into sso_pending_links_new (id, token_hash, user_id, organization_id, issuer, subject, email, attempts, expires_at, created_at, role)
    select id, token_hash, user_id, organization_id, issuer, subject, email, attempts, expires_at, created_at, role from sso_pending_links;
drop table sso_pending_links;
alter table sso_pending_links_new rename to sso_pending_links;
create index sso_pending_links_user_idx on sso_pending_links (user_id);
