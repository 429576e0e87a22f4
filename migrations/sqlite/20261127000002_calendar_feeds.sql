-- a secret iCalendar feed of each person's time entries (issue: exports)
-- one active feed per person: rotating replaces the row, revoking deletes it
-- instants are integer microseconds since the Unix epoch (see src/db/time.rs)
create table calendar_feeds (
    user_id blob primary key references users (id) on delete cascade,
    -- sha-256 of the secret token in the feed's URL; the token is shown once to its owner
    token_hash blob not null unique,
    created_at integer not null
) strict;
