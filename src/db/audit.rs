//! The per-organization audit log, and the account-level one (`account_audit_log`: a person's
//! security events, scoped by the person, not by an organization).

use uuid::Uuid;

use super::{Conn, DbResult, Ts, with_conn};
use crate::domain::account::{AuditEntry, SecurityEvent};
use crate::domain::ids::{AuditEntryId, OrganizationId, UserId};

pub struct NewEntry<'a> {
    pub organization: OrganizationId,
    pub actor: Option<UserId>,
    pub action: &'a str,
    pub target: Option<UserId>,
    pub detail: &'a serde_json::Value,
    pub ip: &'a str,
    pub now: Ts,
}

pub async fn insert(conn: &mut Conn<'_>, e: &NewEntry<'_>) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query(
            "insert into audit_log (id, organization_id, actor_user_id, action, target_user_id, detail, ip, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(AuditEntryId::new().as_uuid())
        .bind(e.organization.as_uuid())
        .bind(e.actor.map(|u| u.as_uuid()))
        .bind(e.action)
        .bind(e.target.map(|u| u.as_uuid()))
        .bind(e.detail.to_string())
        .bind(e.ip)
        .bind(e.now)
        .execute(c)
        .await?;
    });
    Ok(())
}

/// Details are stored as JSON text; one that no longer parses reads as null, not as an error.
fn parse_detail(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or(serde_json::Value::Null)
}

type Row = (Uuid, Option<Uuid>, String, Option<Uuid>, String, String, Ts);

/// A page of entries, newest first; `before` is the id of the last entry of the previous page.
pub async fn page(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    before: Option<AuditEntryId>,
    limit: i64,
) -> DbResult<Vec<AuditEntry>> {
    // ids are UUIDv7, so id order is creation order
    let rows: Vec<Row> = with_conn!(conn, c => {
        sqlx::query_as(
            "select id, actor_user_id, action, target_user_id, detail, ip, created_at from audit_log \
             where organization_id = $1 and ($2 is null or id < $2) order by id desc limit $3",
        )
        .bind(org.as_uuid())
        .bind(before.map(|b| b.as_uuid()))
        .bind(limit)
        .fetch_all(c)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(
            |(id, actor, action, target, detail, ip, created_at)| AuditEntry {
                id: AuditEntryId::from_uuid(id),
                actor_user_id: actor.map(UserId::from_uuid),
                action,
                target_user_id: target.map(UserId::from_uuid),
                detail: parse_detail(&detail),
                ip,
                created_at: created_at.0,
            },
        )
        .collect())
}

pub struct NewAccountEntry<'a> {
    pub user: UserId,
    pub action: &'a str,
    pub detail: &'a serde_json::Value,
    pub ip: &'a str,
    pub now: Ts,
}

pub async fn insert_account(conn: &mut Conn<'_>, e: &NewAccountEntry<'_>) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query(
            "insert into account_audit_log (id, user_id, action, detail, ip, created_at) values ($1, $2, $3, $4, $5, $6)",
        )
        .bind(AuditEntryId::new().as_uuid())
        .bind(e.user.as_uuid())
        .bind(e.action)
        .bind(e.detail.to_string())
        .bind(e.ip)
        .bind(e.now)
        .execute(c)
        .await?;
    });
    Ok(())
}

/// The user's latest security events, newest first.
pub async fn account_latest(
    conn: &mut Conn<'_>,
    user: UserId,
    limit: i64,
) -> DbResult<Vec<SecurityEvent>> {
    let rows: Vec<(Uuid, String, String, String, Ts)> = with_conn!(conn, c => {
        sqlx::query_as(
            "select id, action, detail, ip, created_at from account_audit_log where user_id = $1 order by id desc limit $2",
        )
        .bind(user.as_uuid())
        .bind(limit)
        .fetch_all(c)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(|(id, action, detail, ip, created_at)| SecurityEvent {
            id: AuditEntryId::from_uuid(id),
            action,
            detail: parse_detail(&detail),
            ip,
            created_at: created_at.0,
        })
        .collect())
}
