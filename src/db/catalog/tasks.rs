//! The `tasks` table.

use uuid::Uuid;

use super::ListFilter;
use crate::db::{Conn, DbResult, Ts, with_conn};
use crate::domain::catalog::{Task, normalize};
use crate::domain::ids::{OrganizationId, ProjectId, TaskId};

type Row = (Uuid, Uuid, String, bool, bool, Ts, Ts);
const COLUMNS: &str = "id, project_id, name, done, archived, created_at, updated_at";

fn task((id, project, name, done, archived, created_at, updated_at): Row) -> Task {
    Task {
        id: TaskId::from_uuid(id),
        project_id: ProjectId::from_uuid(project),
        name,
        done,
        archived,
        created_at: created_at.0,
        updated_at: updated_at.0,
    }
}

pub async fn save(conn: &mut Conn<'_>, org: OrganizationId, t: &Task) -> DbResult<()> {
    with_conn!(conn, db => {
        sqlx::query(
            "insert into tasks (id, organization_id, project_id, name, name_normalized, done, archived, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             on conflict (id) do update set name = $4, name_normalized = $5, done = $6, archived = $7, updated_at = $9 \
             where tasks.organization_id = excluded.organization_id",
        )
        .bind(t.id.as_uuid())
        .bind(org.as_uuid())
        .bind(t.project_id.as_uuid())
        .bind(&t.name)
        .bind(normalize(&t.name))
        .bind(t.done)
        .bind(t.archived)
        .bind(Ts(t.created_at))
        .bind(Ts(t.updated_at))
        .execute(db)
        .await?;
    });
    Ok(())
}

pub async fn find(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    project: ProjectId,
    id: TaskId,
) -> DbResult<Option<Task>> {
    let sql = format!(
        "select {COLUMNS} from tasks where organization_id = $1 and project_id = $2 and id = $3"
    );
    let row: Option<Row> = with_conn!(conn, db => {
        sqlx::query_as(&sql).bind(org.as_uuid()).bind(project.as_uuid()).bind(id.as_uuid()).fetch_optional(db).await?
    });
    Ok(row.map(task))
}

pub async fn list(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    project: ProjectId,
    filter: &ListFilter,
) -> DbResult<Vec<Task>> {
    let sql = format!(
        "select {COLUMNS} from tasks where organization_id = $1 and project_id = $2 \
         and ($3 is null or archived = $3) and ($4 is null or name_normalized like $4 escape '\\') \
         order by name_normalized, id"
    );
    let rows: Vec<Row> = with_conn!(conn, db => {
        sqlx::query_as(&sql)
            .bind(org.as_uuid())
            .bind(project.as_uuid())
            .bind(filter.archived)
            .bind(filter.pattern())
            .fetch_all(db)
            .await?
    });
    Ok(rows.into_iter().map(task).collect())
}

/// Every active, open task of the organization, for the pickers of the tracking pages.
pub async fn list_active_in_org(conn: &mut Conn<'_>, org: OrganizationId) -> DbResult<Vec<Task>> {
    let sql = format!(
        "select {COLUMNS} from tasks where organization_id = $1 and not archived and not done \
         order by name_normalized, id"
    );
    let rows: Vec<Row> =
        with_conn!(conn, db => sqlx::query_as(&sql).bind(org.as_uuid()).fetch_all(db).await?);
    Ok(rows.into_iter().map(task).collect())
}

pub async fn delete(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    project: ProjectId,
    id: TaskId,
) -> DbResult<()> {
    with_conn!(conn, db => {
        sqlx::query("delete from tasks where organization_id = $1 and project_id = $2 and id = $3")
            .bind(org.as_uuid())
            .bind(project.as_uuid())
            .bind(id.as_uuid())
            .execute(db)
            .await?;
    });
    Ok(())
}

/// A task of any project of the organization (to tell "wrong project" from "no such task").
pub async fn find_in_organization(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    id: TaskId,
) -> DbResult<Option<Task>> {
    let sql = format!("select {COLUMNS} from tasks where organization_id = $1 and id = $2");
    let row: Option<Row> = with_conn!(conn, db => sqlx::query_as(&sql).bind(org.as_uuid()).bind(id.as_uuid()).fetch_optional(db).await?);
    Ok(row.map(task))
}
