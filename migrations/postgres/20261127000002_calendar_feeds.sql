-- a secret iCalendar feed of each person's time entries (issue: exports)
-- one active feed per person: rotating replaces the row, revoking deletes it
create table calendar_feeds (
    user_id uuid primary key references users (id) on delete cascade,
    -- sha-256 of the secret token in the feed's URL; the token is shown once to its owner
    token_hash bytea not null unique,
    created_at timestamptz not null
);
