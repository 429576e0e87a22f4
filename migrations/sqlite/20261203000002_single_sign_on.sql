-- single sign-on with OpenID Connect, per organization (issue 18; docs/operations/single-sign-on.md)
-- instants are integer microseconds since the Unix epoch (see src/db/time.rs)

-- an organization's identity provider; at most one per organization
create table sso_providers (
    organization_id blob primary key references organizations (id) on delete cascade,
    -- shown on the button: "Sign in with <display_name>"
    display_name text not null,
    -- the provider's issuer identifier; discovery is <issuer>/.well-known/openid-configuration
    issuer text not null,
    client_id text not null,
    -- stored as is: it is sent to the provider's token endpoint (SECURITY.md, data at rest);
    -- never shown back, never logged
    client_secret text not null,
    -- lowercase email domains, one space between them; new accounts only from these
    allowed_domains text not null,
    created_at integer not null,
    updated_at integer not null
) strict;

-- who a person is at a provider: the (issuer, subject) pair, never the email, finds the account;
-- it belongs to the account (as its sessions do), not to an organization: one provider (say,
-- Google) may serve several organizations
create table sso_identities (
    id blob primary key,
    user_id blob not null references users (id) on delete cascade,
    issuer text not null,
    subject text not null,
    -- the address the provider gave last, for the account page
    email text not null,
    created_at integer not null,
    last_used_at integer not null,
    unique (issuer, subject)
) strict;
create index sso_identities_user_idx on sso_identities (user_id);

-- a sign-in sent to the provider and waiting for the browser to come back; the browser holds
-- the random token in a cookie, only its sha-256 is stored; used once, then deleted
create table sso_logins (
    id blob primary key,
    token_hash blob not null unique,
    organization_id blob not null references organizations (id) on delete cascade,
    state text not null,
    nonce text not null,
    -- the PKCE code verifier (RFC 7636), sent with the code to the token endpoint
    code_verifier text not null,
    expires_at integer not null,
    created_at integer not null
) strict;
create index sso_logins_expires_idx on sso_logins (expires_at);

-- a provider identity whose email belongs to an existing account: linked only once the person
-- proves the account is theirs (password, and second factor when on); token as sso_logins
create table sso_pending_links (
    id blob primary key,
    token_hash blob not null unique,
    user_id blob not null references users (id) on delete cascade,
    organization_id blob not null references organizations (id) on delete cascade,
    issuer text not null,
    subject text not null,
    email text not null,
    attempts integer not null default 0,
    expires_at integer not null,
    created_at integer not null
) strict;
create index sso_pending_links_user_idx on sso_pending_links (user_id);
