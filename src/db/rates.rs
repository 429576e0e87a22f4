//! Hourly rates at every level of the hierarchy.

use uuid::Uuid;

use super::{Conn, DbResult, Ts, with_conn};
use crate::domain::entries::Rates;
use crate::domain::ids::{OrganizationId, ProjectId, UserId};

/// Every rate that could apply to `user` working on `project` in `org`.
pub async fn for_entry(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    user: UserId,
    project: Option<ProjectId>,
) -> DbResult<Rates> {
    type Row = (Option<i64>, Option<i64>, Option<i64>, Option<i64>);
    let row: Option<Row> = with_conn!(conn, c => {
        sqlx::query_as(
            "select o.default_rate, m.hourly_rate, p.hourly_rate, pm.hourly_rate \
             from organizations o \
             left join memberships m on m.organization_id = o.id and m.user_id = $2 \
             left join projects p on p.organization_id = o.id and p.id = $3 \
             left join project_members pm on pm.project_id = p.id and pm.user_id = $2 \
             where o.id = $1",
        )
        .bind(org.as_uuid())
        .bind(user.as_uuid())
        .bind(project.map(|p| p.as_uuid()))
        .fetch_optional(c)
        .await?
    });
    let (organization, member, project, project_member) = row.unwrap_or_default();
    Ok(Rates {
        project_member,
        project,
        member,
        organization,
    })
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct RateTable {
    pub default_rate: Option<i64>,
    pub members: Vec<MemberRate>,
    pub projects: Vec<ProjectRate>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct MemberRate {
    pub user_id: UserId,
    pub hourly_rate: Option<i64>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ProjectRate {
    pub project_id: ProjectId,
    pub hourly_rate: Option<i64>,
    pub members: Vec<MemberRate>,
}

pub async fn table(conn: &mut Conn<'_>, org: OrganizationId) -> DbResult<RateTable> {
    let default_rate: Option<i64> = with_conn!(conn, c => {
        sqlx::query_scalar("select default_rate from organizations where id = $1").bind(org.as_uuid()).fetch_one(&mut *c).await?
    });
    let members: Vec<(Uuid, Option<i64>)> = with_conn!(conn, c => {
        sqlx::query_as("select user_id, hourly_rate from memberships where organization_id = $1 order by user_id")
            .bind(org.as_uuid())
            .fetch_all(&mut *c)
            .await?
    });
    let projects: Vec<(Uuid, Option<i64>)> = with_conn!(conn, c => {
        sqlx::query_as("select id, hourly_rate from projects where organization_id = $1 order by name_normalized, id")
            .bind(org.as_uuid())
            .fetch_all(&mut *c)
            .await?
    });
    let project_members: Vec<(Uuid, Uuid, Option<i64>)> = with_conn!(conn, c => {
        sqlx::query_as(
            "select pm.project_id, pm.user_id, pm.hourly_rate from project_members pm join projects p on p.id = pm.project_id \
             where p.organization_id = $1 and pm.hourly_rate is not null order by pm.user_id",
        )
        .bind(org.as_uuid())
        .fetch_all(&mut *c)
        .await?
    });
    let member = |(user, rate): (Uuid, Option<i64>)| MemberRate {
        user_id: UserId::from_uuid(user),
        hourly_rate: rate,
    };
    Ok(RateTable {
        default_rate,
        members: members.into_iter().map(member).collect(),
        projects: projects
            .into_iter()
            .map(|(id, rate)| ProjectRate {
                project_id: ProjectId::from_uuid(id),
                hourly_rate: rate,
                members: project_members
                    .iter()
                    .filter(|(p, _, _)| *p == id)
                    .map(|(_, u, r)| member((*u, *r)))
                    .collect(),
            })
            .collect(),
    })
}

pub async fn set_member(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    user: UserId,
    rate: Option<i64>,
) -> DbResult<bool> {
    let n = with_conn!(conn, c => {
        sqlx::query("update memberships set hourly_rate = $3 where organization_id = $1 and user_id = $2")
            .bind(org.as_uuid())
            .bind(user.as_uuid())
            .bind(rate)
            .execute(c)
            .await?
            .rows_affected()
    });
    Ok(n == 1)
}

pub async fn set_project(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    project: ProjectId,
    rate: Option<i64>,
) -> DbResult<bool> {
    let n = with_conn!(conn, c => {
        sqlx::query("update projects set hourly_rate = $3 where organization_id = $1 and id = $2")
            .bind(org.as_uuid())
            .bind(project.as_uuid())
            .bind(rate)
            .execute(c)
            .await?
            .rows_affected()
    });
    Ok(n == 1)
}

/// Sets the rate of a person on a project of `org`, making them a project member if they are not.
pub async fn set_project_member(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    project: ProjectId,
    user: UserId,
    rate: Option<i64>,
    now: Ts,
) -> DbResult<()> {
    with_conn!(conn, c => {
        // the `where` also keeps SQLite from reading `on conflict` as part of the select
        sqlx::query(
            "insert into project_members (project_id, user_id, created_at, hourly_rate) \
             select p.id, $3, $4, $5 from projects p where p.organization_id = $1 and p.id = $2 \
             on conflict (project_id, user_id) do update set hourly_rate = $5",
        )
        .bind(org.as_uuid())
        .bind(project.as_uuid())
        .bind(user.as_uuid())
        .bind(now)
        .bind(rate)
        .execute(c)
        .await?;
    });
    Ok(())
}

/// Rewrites the stored rate of one entry of `org` (explicit recalculation only).
pub async fn set_entry_rate(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    entry: Uuid,
    rate: Option<i64>,
    now: Ts,
) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query(
            "update time_entries set hourly_rate = $3, version = version + 1, updated_at = $4 \
             where organization_id = $1 and id = $2",
        )
        .bind(org.as_uuid())
        .bind(entry)
        .bind(rate)
        .bind(now)
        .execute(c)
        .await?;
    });
    Ok(())
}
