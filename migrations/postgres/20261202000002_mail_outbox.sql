-- outgoing email (issue 18): requests only insert here; every instance's worker claims due rows
-- (for update skip locked), sends them over SMTP and marks them sent
create table mail_outbox (
    id uuid primary key,
    recipient text not null,
    subject text not null,
    text_body text not null,
    html_body text not null,
    -- the Message-ID header: the same on every retry, so receivers can drop a repeat
    message_key text not null unique,
    attempts integer not null default 0,
    next_attempt_at timestamptz not null,
    sent_at timestamptz,
    -- what the last attempt failed with (never holds credentials); null once sent
    last_error text,
    created_at timestamptz not null
);
-- the worker's question: which unsent rows are due, oldest first
create index mail_outbox_due_idx on mail_outbox (next_attempt_at) where sent_at is null;

-- password reset by email: single-use, short-lived, stored as the sha-256 of the token only
create table password_reset_tokens (
    id uuid primary key,
    user_id uuid not null references users (id) on delete cascade,
    token_hash bytea not null unique,
    expires_at timestamptz not null,
    used_at timestamptz,
    created_at timestamptz not null
);
create index password_reset_tokens_user_idx on password_reset_tokens (user_id);
