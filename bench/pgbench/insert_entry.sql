-- pgbench script for bench/entries.sh: the INSERT behind `POST time-entries`, alone.
-- Same columns and values as the app's insert (src/db/entries.rs), one finished 30-minute
-- entry with a random start (entries may overlap; the organization allows it).
-- Needs -M prepared (so :org and :usr are bound as parameters) and -D org=<uuid> -D usr=<uuid>.
\set n random(1, 400000000)
insert into time_entries (id, organization_id, user_id, project_id, task_id, description, start_at, end_at,
                          billable, hourly_rate, version, created_at, updated_at)
values (gen_random_uuid(), :org, :usr, null, null, 'bench',
        timestamptz '1990-01-01 00:00:00+00' + make_interval(secs => :n),
        timestamptz '1990-01-01 00:00:00+00' + make_interval(secs => :n + 1800),
        false, null, 1, now(), now());
