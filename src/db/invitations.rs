//! The `invitations` table. Tokens are stored as SHA-256 hashes only.

use uuid::Uuid;

use super::{Conn, DbResult, Ts, with_conn};
use crate::domain::account::Invitation;
use crate::domain::ids::{InvitationId, OrganizationId, UserId};
use crate::domain::role::Role;

type Row = (Uuid, Uuid, String, String, Option<Uuid>, Ts, Option<Ts>, Ts);
const COLUMNS: &str =
    "id, organization_id, email, role, invited_by, expires_at, accepted_at, created_at";

fn invitation(row: Row) -> Invitation {
    let (id, org, email, role, invited_by, expires_at, accepted_at, created_at) = row;
    Invitation {
        id: InvitationId::from_uuid(id),
        organization_id: OrganizationId::from_uuid(org),
        email,
        role: Role::parse(&role).unwrap_or(Role::Member),
        invited_by: invited_by.map(UserId::from_uuid),
        expires_at: expires_at.0,
        accepted_at: accepted_at.map(|t| t.0),
        created_at: created_at.0,
    }
}

pub async fn insert(
    conn: &mut Conn<'_>,
    invitation: &Invitation,
    token_hash: &[u8],
) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query(
            "insert into invitations (id, organization_id, email, role, token_hash, invited_by, expires_at, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(invitation.id.as_uuid())
        .bind(invitation.organization_id.as_uuid())
        .bind(&invitation.email)
        .bind(invitation.role.as_str())
        .bind(token_hash)
        .bind(invitation.invited_by.map(|u| u.as_uuid()))
        .bind(Ts(invitation.expires_at))
        .bind(Ts(invitation.created_at))
        .execute(c)
        .await?;
    });
    Ok(())
}

/// Open (not yet accepted) invitations of an organization, newest first.
pub async fn list_open(conn: &mut Conn<'_>, org: OrganizationId) -> DbResult<Vec<Invitation>> {
    let sql = format!(
        "select {COLUMNS} from invitations where organization_id = $1 and accepted_at is null order by created_at desc, id desc"
    );
    let rows: Vec<Row> =
        with_conn!(conn, c => sqlx::query_as(&sql).bind(org.as_uuid()).fetch_all(c).await?);
    Ok(rows.into_iter().map(invitation).collect())
}

pub async fn find_by_token(conn: &mut Conn<'_>, token_hash: &[u8]) -> DbResult<Option<Invitation>> {
    let sql = format!("select {COLUMNS} from invitations where token_hash = $1");
    let row: Option<Row> =
        with_conn!(conn, c => sqlx::query_as(&sql).bind(token_hash).fetch_optional(c).await?);
    Ok(row.map(invitation))
}

/// Marks an invitation of `org` used; false when someone else used it first.
pub async fn mark_accepted(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    id: InvitationId,
    now: Ts,
) -> DbResult<bool> {
    let result = with_conn!(conn, c => {
        sqlx::query(
            "update invitations set accepted_at = $3 where organization_id = $1 and id = $2 and accepted_at is null",
        )
        .bind(org.as_uuid())
        .bind(id.as_uuid())
        .bind(now)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(result == 1)
}

/// Deletes an open invitation of the organization; false when there was none.
pub async fn delete(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    id: InvitationId,
) -> DbResult<Option<Invitation>> {
    let sql = format!(
        "select {COLUMNS} from invitations where organization_id = $1 and id = $2 and accepted_at is null"
    );
    let row: Option<Row> = with_conn!(conn, c => sqlx::query_as(&sql).bind(org.as_uuid()).bind(id.as_uuid()).fetch_optional(c).await?);
    if row.is_some() {
        with_conn!(conn, c => {
            sqlx::query("delete from invitations where organization_id = $1 and id = $2")
                .bind(org.as_uuid())
                .bind(id.as_uuid())
                .execute(c)
                .await?;
        });
    }
    Ok(row.map(invitation))
}
