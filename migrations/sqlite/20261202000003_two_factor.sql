-- two-factor sign-in with time-based one-time passwords (issue 18; RFC 6238)
-- instants are integer microseconds since the Unix epoch (see src/db/time.rs)

-- one authenticator per user; the row exists from the start of enrolment
create table totp_factors (
    user_id blob primary key references users (id) on delete cascade,
    -- the shared secret as is: the server must read it to check codes (SECURITY.md, data at rest)
    secret blob not null,
    -- null while enrolment waits for a first code; two-factor sign-in is on once set
    confirmed_at integer,
    -- the time step (Unix time / 30 s) of the last code accepted: that code and older ones
    -- are refused, so a code seen over someone's shoulder cannot be replayed
    last_step integer not null default 0,
    created_at integer not null
) strict;

-- single-use codes for when the authenticator is lost; shown once, stored as sha-256
create table recovery_codes (
    id blob primary key,
    user_id blob not null references users (id) on delete cascade,
    code_hash blob not null,
    used_at integer,
    created_at integer not null
) strict;
create index recovery_codes_user_idx on recovery_codes (user_id);

-- a sign-in whose password was right and that waits for the second factor; the browser holds
-- the random token in a cookie, only its sha-256 is stored
create table sign_in_challenges (
    id blob primary key,
    user_id blob not null references users (id) on delete cascade,
    token_hash blob not null unique,
    -- wrong codes entered for this challenge; it dies after a few
    attempts integer not null default 0,
    expires_at integer not null,
    created_at integer not null
) strict;
create index sign_in_challenges_user_idx on sign_in_challenges (user_id);
