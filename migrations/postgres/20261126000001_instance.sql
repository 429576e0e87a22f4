-- one row describing this installation; its id helps support tell databases apart
create table instance (
    id uuid primary key,
    -- a constant column with a unique constraint keeps the table at one row, even when
    -- several replicas start at once and race to create it
    singleton boolean not null default true unique check (singleton),
    created_at timestamptz not null
);
