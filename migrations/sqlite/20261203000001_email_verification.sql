-- email address verification and account-level audit (issue 18)
-- instants are integer microseconds since the Unix epoch (see src/db/time.rs)

-- when the owner last proved the address is theirs (a link sent to it was followed); null
-- while unproven. Accounts that exist already count as verified: they were made by the first
-- admin, the operator's `gogotime user create` or registration before there was email, and
-- nothing could have asked them to prove it.
alter table users add column email_verified_at integer;
update users set email_verified_at = created_at;
-- a new address that waits for its link to be followed; the old one stays in use until then
alter table users add column pending_email text;

-- verification links: single-use, short-lived, stored as the sha-256 of the token only; each
-- names the address it proves, so a link for an older pending address cannot confirm a newer one
create table email_verification_tokens (
    id blob primary key,
    user_id blob not null references users (id) on delete cascade,
    email text not null,
    token_hash blob not null unique,
    expires_at integer not null,
    used_at integer,
    created_at integer not null
) strict;
create index email_verification_tokens_user_idx on email_verification_tokens (user_id);

-- security events of an account (password, email, two-factor, sign-in), one row each whether or
-- not the person belongs to an organization; not tenant data: read by the account's owner
create table account_audit_log (
    id blob primary key,
    user_id blob not null references users (id) on delete cascade,
    action text not null,
    detail text not null default '{}',
    ip text not null default '',
    created_at integer not null
) strict;
create index account_audit_log_user_idx on account_audit_log (user_id, id);
