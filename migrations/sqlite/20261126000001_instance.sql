-- one row describing this installation; its id helps support tell databases apart
create table instance (
    id blob primary key,
    -- a constant column with a unique constraint keeps the table at one row
    singleton integer not null default 1 unique check (singleton = 1),
    -- microseconds since the Unix epoch (see src/db/time.rs)
    created_at integer not null
) strict;
