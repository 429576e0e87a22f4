-- passkeys (WebAuthn) as a second factor and for password-less sign-in (issue 18)

-- one row per credential a person registered; the crate's encodings are stored as they come
create table passkeys (
    id uuid primary key,
    user_id uuid not null references users (id) on delete cascade,
    -- the authenticator's credential id: unique for this relying party
    credential_id bytea not null unique,
    -- public key and extensions fixed at registration (webauthn_rp StaticState, binary)
    static_state bytea not null,
    -- sign counter, backup and user-verified flags, updated at each use (DynamicState, 7 bytes)
    dynamic_state bytea not null,
    -- what the person called it ("Laptop", "Phone")
    name text not null,
    created_at timestamptz not null,
    last_used_at timestamptz
);
create index passkeys_user_idx on passkeys (user_id);

-- a registration or sign-in ceremony waiting for the browser's answer: server-side, single use
-- (taken by deleting the row), short-lived
create table passkey_ceremonies (
    id uuid primary key,
    -- the challenge sent to the browser (16 bytes); the answer names it
    challenge bytea not null unique,
    -- 'register', 'sign_in' (password-less) or 'second_factor'
    purpose text not null,
    -- the person registering, or the one whose second factor is awaited; null for password-less
    user_id uuid references users (id) on delete cascade,
    -- the crate's encoded server state (what the answer is checked against)
    state bytea not null,
    -- the name chosen for a passkey being registered
    name text,
    expires_at timestamptz not null,
    created_at timestamptz not null
);
create index passkey_ceremonies_expires_idx on passkey_ceremonies (expires_at);
