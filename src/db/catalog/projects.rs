//! The `projects` and `project_members` tables.

use uuid::Uuid;

use super::ListFilter;
use crate::db::{Conn, DbResult, Ts, with_conn};
use crate::domain::catalog::{Project, ProjectMember, Visibility, normalize};
use crate::domain::ids::{ClientId, OrganizationId, ProjectId, UserId};

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    organization_id: Uuid,
    client_id: Option<Uuid>,
    name: String,
    color: String,
    billable_default: bool,
    archived: bool,
    visibility: String,
    estimate_seconds: Option<i64>,
    budget: Option<i64>,
    created_at: Ts,
    updated_at: Ts,
}

impl From<Row> for Project {
    fn from(r: Row) -> Self {
        Project {
            id: ProjectId::from_uuid(r.id),
            organization_id: OrganizationId::from_uuid(r.organization_id),
            client_id: r.client_id.map(ClientId::from_uuid),
            name: r.name,
            color: r.color,
            billable_default: r.billable_default,
            archived: r.archived,
            visibility: Visibility::parse(&r.visibility).unwrap_or(Visibility::Private),
            estimate_seconds: r.estimate_seconds,
            budget: r.budget,
            created_at: r.created_at.0,
            updated_at: r.updated_at.0,
        }
    }
}

const COLUMNS: &str = "p.id, p.organization_id, p.client_id, p.name, p.color, p.billable_default, p.archived, \
                       p.visibility, p.estimate_seconds, p.budget, p.created_at, p.updated_at";

pub async fn save(conn: &mut Conn<'_>, p: &Project) -> DbResult<()> {
    with_conn!(conn, db => {
        sqlx::query(
            "insert into projects (id, organization_id, client_id, name, name_normalized, color, billable_default, archived, \
                                   visibility, estimate_seconds, budget, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
             on conflict (id) do update set client_id = $3, name = $4, name_normalized = $5, color = $6, billable_default = $7, \
                 archived = $8, visibility = $9, estimate_seconds = $10, budget = $11, updated_at = $13 \
             where projects.organization_id = excluded.organization_id",
        )
        .bind(p.id.as_uuid())
        .bind(p.organization_id.as_uuid())
        .bind(p.client_id.map(|c| c.as_uuid()))
        .bind(&p.name)
        .bind(normalize(&p.name))
        .bind(&p.color)
        .bind(p.billable_default)
        .bind(p.archived)
        .bind(p.visibility.as_str())
        .bind(p.estimate_seconds)
        .bind(p.budget)
        .bind(Ts(p.created_at))
        .bind(Ts(p.updated_at))
        .execute(db)
        .await?;
    });
    Ok(())
}

pub async fn find(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    id: ProjectId,
) -> DbResult<Option<Project>> {
    let sql =
        format!("select {COLUMNS} from projects p where p.organization_id = $1 and p.id = $2");
    let row: Option<Row> = with_conn!(conn, db => sqlx::query_as(&sql).bind(org.as_uuid()).bind(id.as_uuid()).fetch_optional(db).await?);
    Ok(row.map(Project::from))
}

/// Projects of the organization; with `visible_to`, only public ones and private ones that
/// user is a member of.
pub async fn list(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    filter: &ListFilter,
    client: Option<ClientId>,
    visible_to: Option<UserId>,
) -> DbResult<Vec<Project>> {
    let sql = format!(
        "select {COLUMNS} from projects p where p.organization_id = $1 \
         and ($2 is null or p.archived = $2) and ($3 is null or p.name_normalized like $3 escape '\\') \
         and ($4 is null or p.client_id = $4) \
         and ($5 is null or p.visibility = 'public' \
              or exists (select 1 from project_members pm where pm.project_id = p.id and pm.user_id = $5)) \
         order by p.name_normalized, p.id"
    );
    let rows: Vec<Row> = with_conn!(conn, db => {
        sqlx::query_as(&sql)
            .bind(org.as_uuid())
            .bind(filter.archived)
            .bind(filter.pattern())
            .bind(client.map(|c| c.as_uuid()))
            .bind(visible_to.map(|u| u.as_uuid()))
            .fetch_all(db)
            .await?
    });
    Ok(rows.into_iter().map(Project::from).collect())
}

/// The colour of every project of the organization, archived ones too (for the palette's
/// rotation: a colour counts as taken while any project has it).
pub async fn colors(conn: &mut Conn<'_>, org: OrganizationId) -> DbResult<Vec<String>> {
    let sql = "select color from projects where organization_id = $1";
    let colors: Vec<String> =
        with_conn!(conn, db => sqlx::query_scalar(sql).bind(org.as_uuid()).fetch_all(db).await?);
    Ok(colors)
}

pub async fn delete(conn: &mut Conn<'_>, org: OrganizationId, id: ProjectId) -> DbResult<()> {
    with_conn!(conn, db => {
        sqlx::query("delete from projects where organization_id = $1 and id = $2").bind(org.as_uuid()).bind(id.as_uuid()).execute(db).await?;
    });
    Ok(())
}

pub async fn is_member(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    project: ProjectId,
    user: UserId,
) -> DbResult<bool> {
    // count(*) is a 64-bit integer on both backends (a bare `select 1` is 32-bit on PostgreSQL)
    let found: i64 = with_conn!(conn, db => {
        sqlx::query_scalar(
            "select count(*) from project_members pm join projects p on p.id = pm.project_id \
             where p.organization_id = $1 and pm.project_id = $2 and pm.user_id = $3",
        )
        .bind(org.as_uuid())
        .bind(project.as_uuid())
        .bind(user.as_uuid())
        .fetch_one(db)
        .await?
    });
    Ok(found > 0)
}

pub async fn members(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    project: ProjectId,
) -> DbResult<Vec<ProjectMember>> {
    let rows: Vec<(Uuid, String, String, Ts)> = with_conn!(conn, db => {
        sqlx::query_as(
            "select u.id, u.name, u.email, pm.created_at from project_members pm \
             join projects p on p.id = pm.project_id join users u on u.id = pm.user_id \
             where p.organization_id = $1 and pm.project_id = $2 order by u.name, u.id",
        )
        .bind(org.as_uuid())
        .bind(project.as_uuid())
        .fetch_all(db)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(|(id, name, email, added)| ProjectMember {
            user_id: UserId::from_uuid(id),
            name,
            email,
            added_at: added.0,
        })
        .collect())
}

/// Adds a member to a project of `org`; adding one twice is not an error.
pub async fn add_member(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    project: ProjectId,
    user: UserId,
    now: Ts,
) -> DbResult<()> {
    with_conn!(conn, db => {
        // the `where` also keeps SQLite from reading `on conflict` as part of the select
        sqlx::query(
            "insert into project_members (project_id, user_id, created_at) \
             select p.id, $3, $4 from projects p where p.organization_id = $1 and p.id = $2 \
             on conflict do nothing",
        )
        .bind(org.as_uuid())
        .bind(project.as_uuid())
        .bind(user.as_uuid())
        .bind(now)
        .execute(db)
        .await?;
    });
    Ok(())
}

/// Removes a member of a project of `org`; false when the user was not one.
pub async fn remove_member(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    project: ProjectId,
    user: UserId,
) -> DbResult<bool> {
    let n = with_conn!(conn, db => {
        sqlx::query(
            "delete from project_members where project_id = $2 and user_id = $3 \
             and project_id in (select id from projects where organization_id = $1 and id = $2)",
        )
        .bind(org.as_uuid())
        .bind(project.as_uuid())
        .bind(user.as_uuid())
        .execute(db)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}
