-- pgbench script for bench/entries.sh: the SELECT behind `GET time-entries?limit=50`, alone.
-- The app's query for an unfiltered page (src/db/entries.rs `list` and `load`): newest first,
-- keyset order (start_at, id), each entry's tag ids aggregated in the same statement; it asks for
-- limit + 1 = 51 rows to learn whether a next page exists.
-- Needs -M prepared (so :org is bound as a parameter) and -D org=<uuid>.
select e.id, e.organization_id, e.user_id, e.project_id, e.task_id, e.description, e.start_at, e.end_at,
       e.billable, e.hourly_rate, e.version, e.created_at, e.updated_at, e.deleted_at,
       (select string_agg(t.tag_id::text, ',') from time_entry_tags t join tags g on g.id = t.tag_id
        where g.organization_id = :org and t.entry_id = e.id) as tag_ids
from time_entries e
where e.organization_id = :org and e.deleted_at is null
order by e.start_at desc, e.id desc
limit 51;
