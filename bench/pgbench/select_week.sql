-- pgbench script for bench/entries.sh: the SELECT behind a week's read,
-- `GET time-entries?from=…&to=…&limit=500&sort=start`, alone: the same columns and tag
-- aggregate as select_page.sql, restricted to the week, oldest first, limit + 1 = 501 rows
-- (the week holds 168). The ceiling the week's read and its ratio to TimeTagger are held to.
-- Needs -M prepared and -D org=<uuid> -D from=<instant> -D to=<instant>.
select e.id, e.organization_id, e.user_id, e.project_id, e.task_id, e.description, e.start_at, e.end_at,
       e.billable, e.hourly_rate, e.version, e.created_at, e.updated_at, e.deleted_at,
       (select string_agg(t.tag_id::text, ',') from time_entry_tags t join tags g on g.id = t.tag_id
        where g.organization_id = :org and t.entry_id = e.id) as tag_ids
from time_entries e
where e.organization_id = :org and e.deleted_at is null
  and e.start_at >= :from::timestamptz and e.start_at < :to::timestamptz
order by e.start_at asc, e.id asc
limit 501;
