//! The `saved_reports` and `shared_reports` tables.

use uuid::Uuid;

use super::{Conn, DbResult, Ts, with_conn};
use crate::domain::ids::{OrganizationId, SavedReportId, SharedReportId, UserId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SavedRow {
    pub id: Uuid,
    pub name: String,
    pub params: String,
    pub created_at: Ts,
}

pub async fn insert_saved(
    conn: &mut Conn<'_>,
    id: SavedReportId,
    org: OrganizationId,
    user: UserId,
    name: &str,
    params: &str,
    now: Ts,
) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query("insert into saved_reports (id, organization_id, user_id, name, params, created_at) values ($1, $2, $3, $4, $5, $6)")
            .bind(id.as_uuid()).bind(org.as_uuid()).bind(user.as_uuid()).bind(name).bind(params).bind(now)
            .execute(c).await?;
    });
    Ok(())
}

pub async fn list_saved(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    user: UserId,
) -> DbResult<Vec<SavedRow>> {
    let sql = "select id, name, params, created_at from saved_reports where organization_id = $1 and user_id = $2 order by name, id";
    Ok(
        with_conn!(conn, c => sqlx::query_as(sql).bind(org.as_uuid()).bind(user.as_uuid()).fetch_all(c).await?),
    )
}

/// Deletes one of the person's saved reports; false when there was none.
pub async fn delete_saved(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    user: UserId,
    id: SavedReportId,
) -> DbResult<bool> {
    let done = with_conn!(conn, c => sqlx::query("delete from saved_reports where organization_id = $1 and user_id = $2 and id = $3")
        .bind(org.as_uuid()).bind(user.as_uuid()).bind(id.as_uuid()).execute(c).await?.rows_affected());
    Ok(done > 0)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SharedRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub params: String,
    pub expires_at: Option<Ts>,
    pub revoked_at: Option<Ts>,
    pub created_at: Ts,
}

const SHARED_COLUMNS: &str =
    "id, organization_id, user_id, name, params, expires_at, revoked_at, created_at";

pub struct NewShared<'a> {
    pub id: SharedReportId,
    pub org: OrganizationId,
    pub user: UserId,
    pub name: &'a str,
    pub params: &'a str,
    pub token_hash: &'a [u8],
    pub expires_at: Option<Ts>,
    pub now: Ts,
}

pub async fn insert_shared(conn: &mut Conn<'_>, new: &NewShared<'_>) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query("insert into shared_reports (id, organization_id, user_id, name, params, token_hash, expires_at, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(new.id.as_uuid()).bind(new.org.as_uuid()).bind(new.user.as_uuid()).bind(new.name)
            .bind(new.params).bind(new.token_hash).bind(new.expires_at).bind(new.now)
            .execute(c).await?;
    });
    Ok(())
}

/// The organization's shares; `user` limits them to one person's.
pub async fn list_shared(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    user: Option<UserId>,
) -> DbResult<Vec<SharedRow>> {
    let sql = format!(
        "select {SHARED_COLUMNS} from shared_reports where organization_id = $1 and ($2 is null or user_id = $2) \
         order by created_at desc, id"
    );
    Ok(
        with_conn!(conn, c => sqlx::query_as(&sql).bind(org.as_uuid()).bind(user.map(|u| u.as_uuid())).fetch_all(c).await?),
    )
}

pub async fn find_shared(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    id: SharedReportId,
) -> DbResult<Option<SharedRow>> {
    let sql = format!(
        "select {SHARED_COLUMNS} from shared_reports where organization_id = $1 and id = $2"
    );
    Ok(
        with_conn!(conn, c => sqlx::query_as(&sql).bind(org.as_uuid()).bind(id.as_uuid()).fetch_optional(c).await?),
    )
}

pub async fn find_shared_by_token(
    conn: &mut Conn<'_>,
    token_hash: &[u8],
) -> DbResult<Option<SharedRow>> {
    let sql = format!("select {SHARED_COLUMNS} from shared_reports where token_hash = $1");
    Ok(with_conn!(conn, c => sqlx::query_as(&sql).bind(token_hash).fetch_optional(c).await?))
}

pub async fn revoke_shared(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    id: SharedReportId,
    now: Ts,
) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query(
            "update shared_reports set revoked_at = $3 where organization_id = $1 and id = $2 and revoked_at is null",
        )
        .bind(org.as_uuid()).bind(id.as_uuid()).bind(now).execute(c).await?;
    });
    Ok(())
}
