-- pgbench script for bench/entries.sh: the SELECT behind `GET time-entries?limit=50`, alone.
-- The app's query for an unfiltered page (src/db/entries.rs `list`): newest first, keyset order
-- (start_at, id); it asks for limit + 1 = 51 rows to learn whether a next page exists.
-- Needs -M prepared (so :org is bound as a parameter) and -D org=<uuid>.
select e.id, e.organization_id, e.user_id, e.project_id, e.task_id, e.description, e.start_at, e.end_at,
       e.billable, e.hourly_rate, e.version, e.created_at, e.updated_at, e.deleted_at
from time_entries e
where e.organization_id = :org and e.deleted_at is null
order by e.start_at desc, e.id desc
limit 51;
