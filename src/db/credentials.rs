//! Stored credentials: refresh tokens, personal API tokens and browser sessions. Every secret is
//! stored as its SHA-256 hash; the plain value exists only in the client's hands.

use uuid::Uuid;

use super::{Conn, DbResult, Ts, with_conn};
use crate::domain::account::{ApiToken, Session};
use crate::domain::ids::{ApiTokenId, OrganizationId, RefreshTokenId, SessionId, UserId};

// ---- refresh tokens ----

pub struct RefreshToken {
    pub id: RefreshTokenId,
    pub family_id: Uuid,
    pub user_id: UserId,
    pub expires_at: Ts,
    pub used: bool,
    pub revoked: bool,
}

pub async fn insert_refresh(
    conn: &mut Conn<'_>,
    id: RefreshTokenId,
    family: Uuid,
    user: UserId,
    hash: &[u8],
    expires: Ts,
    now: Ts,
) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query("insert into refresh_tokens (id, family_id, user_id, token_hash, expires_at, created_at) values ($1, $2, $3, $4, $5, $6)")
            .bind(id.as_uuid())
            .bind(family)
            .bind(user.as_uuid())
            .bind(hash)
            .bind(expires)
            .bind(now)
            .execute(c)
            .await?;
    });
    Ok(())
}

pub async fn find_refresh(conn: &mut Conn<'_>, hash: &[u8]) -> DbResult<Option<RefreshToken>> {
    type Row = (Uuid, Uuid, Uuid, Ts, Option<Ts>, Option<Ts>);
    let row: Option<Row> = with_conn!(conn, c => {
        sqlx::query_as("select id, family_id, user_id, expires_at, used_at, revoked_at from refresh_tokens where token_hash = $1")
            .bind(hash)
            .fetch_optional(c)
            .await?
    });
    Ok(row.map(
        |(id, family_id, user, expires_at, used, revoked)| RefreshToken {
            id: RefreshTokenId::from_uuid(id),
            family_id,
            user_id: UserId::from_uuid(user),
            expires_at,
            used: used.is_some(),
            revoked: revoked.is_some(),
        },
    ))
}

/// Marks a refresh token used; false when a concurrent request used it first.
pub async fn use_refresh(conn: &mut Conn<'_>, id: RefreshTokenId, now: Ts) -> DbResult<bool> {
    let n = with_conn!(conn, c => {
        sqlx::query("update refresh_tokens set used_at = $2 where id = $1 and used_at is null and revoked_at is null")
            .bind(id.as_uuid())
            .bind(now)
            .execute(c)
            .await?
            .rows_affected()
    });
    Ok(n == 1)
}

pub async fn revoke_family(conn: &mut Conn<'_>, family: Uuid, now: Ts) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query("update refresh_tokens set revoked_at = $2 where family_id = $1 and revoked_at is null")
            .bind(family)
            .bind(now)
            .execute(c)
            .await?;
    });
    Ok(())
}

pub async fn revoke_all_refresh(conn: &mut Conn<'_>, user: UserId, now: Ts) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query("update refresh_tokens set revoked_at = $2 where user_id = $1 and revoked_at is null")
            .bind(user.as_uuid())
            .bind(now)
            .execute(c)
            .await?;
    });
    Ok(())
}

// ---- personal API tokens ----

type ApiRow = (Uuid, String, Option<Ts>, Option<Ts>, Ts);

fn api_token((id, name, expires_at, last_used_at, created_at): ApiRow) -> ApiToken {
    ApiToken {
        id: ApiTokenId::from_uuid(id),
        name,
        expires_at: expires_at.map(|t| t.0),
        last_used_at: last_used_at.map(|t| t.0),
        created_at: created_at.0,
    }
}

pub async fn insert_api_token(
    conn: &mut Conn<'_>,
    user: UserId,
    token: &ApiToken,
    hash: &[u8],
) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query("insert into api_tokens (id, user_id, name, token_hash, expires_at, created_at) values ($1, $2, $3, $4, $5, $6)")
            .bind(token.id.as_uuid())
            .bind(user.as_uuid())
            .bind(&token.name)
            .bind(hash)
            .bind(token.expires_at.map(Ts))
            .bind(Ts(token.created_at))
            .execute(c)
            .await?;
    });
    Ok(())
}

pub async fn list_api_tokens(conn: &mut Conn<'_>, user: UserId) -> DbResult<Vec<ApiToken>> {
    let rows: Vec<ApiRow> = with_conn!(conn, c => {
        sqlx::query_as(
            "select id, name, expires_at, last_used_at, created_at from api_tokens \
             where user_id = $1 and revoked_at is null order by created_at desc, id desc",
        )
        .bind(user.as_uuid())
        .fetch_all(c)
        .await?
    });
    Ok(rows.into_iter().map(api_token).collect())
}

/// Revokes one of the user's tokens; returns it, or `None` when the user has no such token.
pub async fn revoke_api_token(
    conn: &mut Conn<'_>,
    user: UserId,
    id: ApiTokenId,
    now: Ts,
) -> DbResult<Option<ApiToken>> {
    let row: Option<ApiRow> = with_conn!(conn, c => {
        sqlx::query_as(
            "select id, name, expires_at, last_used_at, created_at from api_tokens \
             where user_id = $1 and id = $2 and revoked_at is null",
        )
        .bind(user.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await?
    });
    if row.is_some() {
        with_conn!(conn, c => {
            sqlx::query("update api_tokens set revoked_at = $2 where id = $1").bind(id.as_uuid()).bind(now).execute(c).await?;
        });
    }
    Ok(row.map(api_token))
}

/// The owner of a live (unrevoked, unexpired) API token, recording its use.
pub async fn use_api_token(conn: &mut Conn<'_>, hash: &[u8], now: Ts) -> DbResult<Option<UserId>> {
    let user: Option<Uuid> = with_conn!(conn, c => {
        sqlx::query_scalar(
            "update api_tokens set last_used_at = $2 \
             where token_hash = $1 and revoked_at is null and (expires_at is null or expires_at > $2) \
             returning user_id",
        )
        .bind(hash)
        .bind(now)
        .fetch_optional(c)
        .await?
    });
    Ok(user.map(UserId::from_uuid))
}

// ---- browser sessions ----

pub struct NewSession<'a> {
    pub id: SessionId,
    pub user: UserId,
    pub hash: &'a [u8],
    pub csrf_token: &'a str,
    pub user_agent: &'a str,
    pub ip: &'a str,
    /// The organization whose single sign-on opened it; `None`: a password did.
    pub sso_organization: Option<OrganizationId>,
    pub expires_at: Ts,
    pub now: Ts,
}

pub async fn insert_session(conn: &mut Conn<'_>, s: &NewSession<'_>) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query(
            "insert into sessions (id, user_id, token_hash, csrf_token, user_agent, ip, expires_at, last_seen_at, created_at, sso_organization_id) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)",
        )
        .bind(s.id.as_uuid())
        .bind(s.user.as_uuid())
        .bind(s.hash)
        .bind(s.csrf_token)
        .bind(s.user_agent)
        .bind(s.ip)
        .bind(s.expires_at)
        .bind(s.now)
        .bind(s.sso_organization.map(|o| o.as_uuid()))
        .execute(c)
        .await?;
    });
    Ok(())
}

pub struct LiveSession {
    pub id: SessionId,
    pub user: UserId,
    pub csrf_token: String,
    pub expires_at: Ts,
    pub last_seen_at: Ts,
    pub sso_organization: Option<OrganizationId>,
}

pub async fn find_session(
    conn: &mut Conn<'_>,
    hash: &[u8],
    now: Ts,
) -> DbResult<Option<LiveSession>> {
    let row: Option<(Uuid, Uuid, String, Ts, Ts, Option<Uuid>)> = with_conn!(conn, c => {
        sqlx::query_as("select id, user_id, csrf_token, expires_at, last_seen_at, sso_organization_id from sessions where token_hash = $1 and expires_at > $2")
            .bind(hash)
            .bind(now)
            .fetch_optional(c)
            .await?
    });
    Ok(row.map(
        |(id, user, csrf_token, expires_at, last_seen_at, sso)| LiveSession {
            id: SessionId::from_uuid(id),
            user: UserId::from_uuid(user),
            csrf_token,
            expires_at,
            last_seen_at,
            sso_organization: sso.map(OrganizationId::from_uuid),
        },
    ))
}

pub async fn touch_session(
    conn: &mut Conn<'_>,
    id: SessionId,
    expires_at: Ts,
    now: Ts,
) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query("update sessions set expires_at = $2, last_seen_at = $3 where id = $1")
            .bind(id.as_uuid())
            .bind(expires_at)
            .bind(now)
            .execute(c)
            .await?;
    });
    Ok(())
}

pub async fn list_sessions(conn: &mut Conn<'_>, user: UserId, now: Ts) -> DbResult<Vec<Session>> {
    let rows: Vec<(Uuid, String, String, Ts, Ts, Ts)> = with_conn!(conn, c => {
        sqlx::query_as(
            "select id, user_agent, ip, created_at, last_seen_at, expires_at from sessions \
             where user_id = $1 and expires_at > $2 order by last_seen_at desc, id desc",
        )
        .bind(user.as_uuid())
        .bind(now)
        .fetch_all(c)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(
            |(id, user_agent, ip, created_at, last_seen_at, expires_at)| Session {
                id: SessionId::from_uuid(id),
                user_agent,
                ip,
                created_at: created_at.0,
                last_seen_at: last_seen_at.0,
                expires_at: expires_at.0,
            },
        )
        .collect())
}

/// Deletes one of the user's sessions; false when the user has no such session.
pub async fn delete_session(conn: &mut Conn<'_>, user: UserId, id: SessionId) -> DbResult<bool> {
    let n = with_conn!(conn, c => {
        sqlx::query("delete from sessions where user_id = $1 and id = $2")
            .bind(user.as_uuid())
            .bind(id.as_uuid())
            .execute(c)
            .await?
            .rows_affected()
    });
    Ok(n == 1)
}

pub async fn delete_all_sessions(conn: &mut Conn<'_>, user: UserId) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query("delete from sessions where user_id = $1").bind(user.as_uuid()).execute(c).await?;
    });
    Ok(())
}
