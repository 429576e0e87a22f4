//! The CSV importer's bulk statements: a batch of rows is checked and written with a handful of
//! statements instead of several per row. PostgreSQL takes whole columns as arrays (`unnest`),
//! so one prepared statement serves any batch size; SQLite takes multi-row `values` lists, kept
//! well under its limit of 32,766 bound parameters per statement.
//!
//! PostgreSQL's statements here are planned afresh each time (`persistent(false)`): a plan
//! cached while the table was small (an import into a new organization, inside its one
//! transaction) keeps scanning the whole table as the import fills it, which made a
//! 100,000-row import quadratic. Planning costs a fraction of a millisecond per batch.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Conn, DbResult, Ts, with_conn};
use crate::domain::catalog::Task;
use crate::domain::entries::TimeEntry;
use crate::domain::ids::{OrganizationId, ProjectId, TaskId, TimeEntryId, UserId};

/// Rows per SQLite statement: 250 entries × 14 columns = 3,500 parameters.
const SQLITE_ROWS: usize = 250;

/// Which of `fingerprints` entries of the organization (deleted ones included) already carry;
/// each is one probe of the unique `(organization_id, import_fingerprint)` index.
pub async fn known_fingerprints(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    fingerprints: &[String],
) -> DbResult<HashSet<String>> {
    let mut found = HashSet::new();
    if fingerprints.is_empty() {
        return Ok(found);
    }
    match conn {
        Conn::Postgres(c) => {
            let rows: Vec<String> = sqlx::query_scalar(
                "select import_fingerprint from time_entries where organization_id = $1 \
                 and import_fingerprint is not null and import_fingerprint = any($2)",
            )
            .bind(org.as_uuid())
            .bind(fingerprints)
            .persistent(false)
            .fetch_all(&mut **c)
            .await?;
            found.extend(rows);
        }
        Conn::Sqlite(c) => {
            for chunk in fingerprints.chunks(SQLITE_ROWS) {
                // no `is not null` here: SQLite would read it as a range over every fingerprint of
                // the organization instead of probing the partial index once per value (the `in`
                // implies it, which is what lets SQLite use that index)
                let sql = format!(
                    "select import_fingerprint from time_entries where organization_id = $1 \
                     and import_fingerprint in ({})",
                    placeholders(2, chunk.len())
                );
                let mut query = sqlx::query_scalar::<_, String>(&sql).bind(org.as_uuid());
                for fingerprint in chunk {
                    query = query.bind(fingerprint);
                }
                found.extend(query.fetch_all(&mut **c).await?);
            }
        }
    }
    Ok(found)
}

/// `$first, $first+1, …` (`count` of them).
fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every task of the organization, archived and done ones included (an import matches names
/// against all of them, and the rules refuse archived ones).
pub async fn tasks(conn: &mut Conn<'_>, org: OrganizationId) -> DbResult<Vec<Task>> {
    type Row = (Uuid, Uuid, String, bool, bool, Ts, Ts);
    let rows: Vec<Row> = with_conn!(conn, c => {
        sqlx::query_as(
            "select id, project_id, name, done, archived, created_at, updated_at from tasks \
             where organization_id = $1 order by name_normalized, id",
        )
        .bind(org.as_uuid())
        .fetch_all(c)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(
            |(id, project, name, done, archived, created_at, updated_at)| Task {
                id: TaskId::from_uuid(id),
                project_id: ProjectId::from_uuid(project),
                name,
                done,
                archived,
                created_at: created_at.0,
                updated_at: updated_at.0,
            },
        )
        .collect())
}

/// Every (project, member) pair of the organization's projects.
pub async fn project_members(
    conn: &mut Conn<'_>,
    org: OrganizationId,
) -> DbResult<Vec<(ProjectId, UserId)>> {
    let rows: Vec<(Uuid, Uuid)> = with_conn!(conn, c => {
        sqlx::query_as(
            "select pm.project_id, pm.user_id from project_members pm \
             join projects p on p.id = pm.project_id where p.organization_id = $1",
        )
        .bind(org.as_uuid())
        .fetch_all(c)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(|(p, u)| (ProjectId::from_uuid(p), UserId::from_uuid(u)))
        .collect())
}

/// A live entry that overlaps a row of the batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overlapping {
    pub id: TimeEntryId,
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
}

/// A person and the `[start, end)` of an entry about to be stored for them.
pub type Probe = (UserId, DateTime<Utc>, DateTime<Utc>);

/// For each `(user, start, end)`, the earliest-starting live entry of that user sharing an
/// instant with `[start, end)`: the question `entries::first_overlapping` answers for one entry,
/// asked for a whole batch in one statement (one index probe per row).
pub async fn first_overlapping(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    rows: &[Probe],
) -> DbResult<Vec<Option<Overlapping>>> {
    let mut found = vec![None; rows.len()];
    if rows.is_empty() {
        return Ok(found);
    }
    type Hit = (i64, Uuid, Ts, Option<Ts>);
    let mut record = |hits: Vec<Hit>, offset: usize| {
        for (i, id, start, end) in hits {
            if let Some(slot) = usize::try_from(i)
                .ok()
                .and_then(|i| found.get_mut(offset + i))
            {
                *slot = Some(Overlapping {
                    id: TimeEntryId::from_uuid(id),
                    start: start.0,
                    end: end.map(|e| e.0),
                });
            }
        }
    };
    match conn {
        Conn::Postgres(c) => {
            let users: Vec<Uuid> = rows.iter().map(|r| r.0.as_uuid()).collect();
            let starts: Vec<DateTime<Utc>> = rows.iter().map(|r| r.1).collect();
            let ends: Vec<DateTime<Utc>> = rows.iter().map(|r| r.2).collect();
            // `ordinality` counts from 1
            let hits: Vec<Hit> = sqlx::query_as(
                "select x.i - 1, o.id, o.start_at, o.end_at \
                 from unnest($2::uuid[], $3::timestamptz[], $4::timestamptz[]) with ordinality as x(u, s, t, i) \
                 cross join lateral (select e.id, e.start_at, e.end_at from time_entries e \
                     where e.organization_id = $1 and e.user_id = x.u and e.deleted_at is null \
                     and (e.end_at is null or e.end_at > x.s) and e.start_at < x.t \
                     order by e.start_at limit 1) o",
            )
            .bind(org.as_uuid())
            .bind(users)
            .bind(starts)
            .bind(ends)
            .persistent(false)
            .fetch_all(&mut **c)
            .await?;
            record(hits, 0);
        }
        Conn::Sqlite(c) => {
            for (n, chunk) in rows.chunks(SQLITE_ROWS).enumerate() {
                let values: Vec<String> = (0..chunk.len())
                    .map(|i| format!("({i}, ${}, ${}, ${})", 2 + 3 * i, 3 + 3 * i, 4 + 3 * i))
                    .collect();
                let sql = format!(
                    "with x(i, u, s, t) as (values {}) \
                     select x.i, o.id, o.start_at, o.end_at from x join time_entries o on o.id = \
                         (select e.id from time_entries e \
                          where e.organization_id = $1 and e.user_id = x.u and e.deleted_at is null \
                          and (e.end_at is null or e.end_at > x.s) and e.start_at < x.t \
                          order by e.start_at limit 1) \
                     where o.organization_id = $1",
                    values.join(", ")
                );
                let mut query = sqlx::query_as::<_, Hit>(&sql).bind(org.as_uuid());
                for (user, start, end) in chunk {
                    query = query.bind(user.as_uuid()).bind(Ts(*start)).bind(Ts(*end));
                }
                let hits = query.fetch_all(&mut **c).await?;
                record(hits, n * SQLITE_ROWS);
            }
        }
    }
    Ok(found)
}

/// Inserts checked entries of `org` with their tags and the fingerprints of their source rows
/// (`DbError::Unique` when the organization already has an entry with one of them). A tag is
/// only linked when it belongs to `org`, as `entries::insert` does.
pub async fn insert_entries(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    batch: &[(TimeEntry, String)],
) -> DbResult<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let links: Vec<(Uuid, Uuid)> = batch
        .iter()
        .flat_map(|(e, _)| e.tags.iter().map(|t| (e.id.as_uuid(), t.as_uuid())))
        .collect();
    match conn {
        Conn::Postgres(c) => {
            let column = |f: &dyn Fn(&TimeEntry) -> Uuid| -> Vec<Uuid> {
                batch.iter().map(|(e, _)| f(e)).collect()
            };
            let optional = |f: &dyn Fn(&TimeEntry) -> Option<Uuid>| -> Vec<Option<Uuid>> {
                batch.iter().map(|(e, _)| f(e)).collect()
            };
            sqlx::query(
                "insert into time_entries (id, organization_id, user_id, project_id, task_id, description, start_at, end_at, \
                                           billable, hourly_rate, version, created_at, updated_at, import_fingerprint) \
                 select x.id, $1, x.user_id, x.project_id, x.task_id, x.description, x.start_at, x.end_at, \
                        x.billable, x.hourly_rate, x.version, x.created_at, x.updated_at, x.fingerprint \
                 from unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::text[], $7::timestamptz[], \
                             $8::timestamptz[], $9::boolean[], $10::bigint[], $11::bigint[], $12::timestamptz[], \
                             $13::timestamptz[], $14::text[]) \
                      as x(id, user_id, project_id, task_id, description, start_at, end_at, billable, hourly_rate, \
                           version, created_at, updated_at, fingerprint)",
            )
            .bind(org.as_uuid())
            .bind(column(&|e| e.id.as_uuid()))
            .bind(column(&|e| e.user_id.as_uuid()))
            .bind(optional(&|e| e.project_id.map(|p| p.as_uuid())))
            .bind(optional(&|e| e.task_id.map(|t| t.as_uuid())))
            .bind(batch.iter().map(|(e, _)| e.description.as_str()).collect::<Vec<_>>())
            .bind(batch.iter().map(|(e, _)| e.start).collect::<Vec<_>>())
            .bind(batch.iter().map(|(e, _)| e.end).collect::<Vec<_>>())
            .bind(batch.iter().map(|(e, _)| e.billable).collect::<Vec<_>>())
            .bind(batch.iter().map(|(e, _)| e.hourly_rate).collect::<Vec<_>>())
            .bind(batch.iter().map(|(e, _)| e.version).collect::<Vec<_>>())
            .bind(batch.iter().map(|(e, _)| e.created_at).collect::<Vec<_>>())
            .bind(batch.iter().map(|(e, _)| e.updated_at).collect::<Vec<_>>())
            .bind(batch.iter().map(|(_, f)| f.as_str()).collect::<Vec<_>>())
            .persistent(false)
            .execute(&mut **c)
            .await?;
            if !links.is_empty() {
                let (entries, tags): (Vec<Uuid>, Vec<Uuid>) = links.into_iter().unzip();
                sqlx::query(
                    "insert into time_entry_tags (entry_id, tag_id) \
                     select e.id, g.id from unnest($2::uuid[], $3::uuid[]) as x(entry_id, tag_id) \
                     join time_entries e on e.id = x.entry_id join tags g on g.id = x.tag_id \
                     where e.organization_id = $1 and g.organization_id = $1 on conflict do nothing",
                )
                .bind(org.as_uuid())
                .bind(entries)
                .bind(tags)
                .persistent(false)
                .execute(&mut **c)
                .await?;
            }
        }
        Conn::Sqlite(c) => {
            for chunk in batch.chunks(SQLITE_ROWS) {
                let values: Vec<String> = (0..chunk.len())
                    .map(|i| format!("($1, {})", placeholders(2 + 13 * i, 13)))
                    .collect();
                let sql = format!(
                    "insert into time_entries (organization_id, id, user_id, project_id, task_id, description, start_at, \
                                               end_at, billable, hourly_rate, version, created_at, updated_at, import_fingerprint) \
                     values {}",
                    values.join(", ")
                );
                let mut query = sqlx::query(&sql).bind(org.as_uuid());
                for (e, fingerprint) in chunk {
                    query = query
                        .bind(e.id.as_uuid())
                        .bind(e.user_id.as_uuid())
                        .bind(e.project_id.map(|p| p.as_uuid()))
                        .bind(e.task_id.map(|t| t.as_uuid()))
                        .bind(e.description.as_str())
                        .bind(Ts(e.start))
                        .bind(e.end.map(Ts))
                        .bind(e.billable)
                        .bind(e.hourly_rate)
                        .bind(e.version)
                        .bind(Ts(e.created_at))
                        .bind(Ts(e.updated_at))
                        .bind(fingerprint.as_str());
                }
                query.execute(&mut **c).await?;
            }
            // two parameters per link
            for chunk in links.chunks(SQLITE_ROWS * 4) {
                let values: Vec<String> = (0..chunk.len())
                    .map(|i| format!("(${}, ${})", 2 + 2 * i, 3 + 2 * i))
                    .collect();
                // the `where` also keeps SQLite from reading `on conflict` as a join's `on`
                let sql = format!(
                    "insert into time_entry_tags (entry_id, tag_id) \
                     select e.id, g.id from (values {}) as x \
                     join time_entries e on e.id = x.column1 join tags g on g.id = x.column2 \
                     where e.organization_id = $1 and g.organization_id = $1 on conflict do nothing",
                    values.join(", ")
                );
                let mut query = sqlx::query(&sql).bind(org.as_uuid());
                for (entry, tag) in chunk {
                    query = query.bind(*entry).bind(*tag);
                }
                query.execute(&mut **c).await?;
            }
        }
    }
    Ok(())
}

/// Refreshes the planner's statistics of the entry tables after a large import, so the next
/// statements (a re-import's fingerprint probes, reports) are planned for the table's real size
/// instead of the size before the load. Not a tenant query: statistics are per table.
pub async fn refresh_statistics(conn: &mut Conn<'_>) -> DbResult<()> {
    match conn {
        Conn::Postgres(c) => {
            sqlx::query("analyze time_entries, time_entry_tags")
                .execute(&mut **c)
                .await?;
        }
        Conn::Sqlite(c) => {
            // SQLite's own advice after large changes: it analyzes only what needs it
            sqlx::query("pragma optimize").execute(&mut **c).await?;
        }
    }
    Ok(())
}
