//! Passkeys (WebAuthn credentials) and the ceremonies that wait for a browser's answer. The
//! credential data is stored as the `webauthn_rp` crate encodes it; this module only moves bytes.

use uuid::Uuid;

use super::{Conn, DbResult, Ts, with_conn};
use crate::domain::ids::{PasskeyId, UserId};

/// A passkey as the profile lists it.
pub struct Listed {
    pub id: PasskeyId,
    pub name: String,
    pub created_at: Ts,
    pub last_used_at: Option<Ts>,
}

/// What checking an assertion needs.
pub struct Stored {
    pub id: PasskeyId,
    pub user: UserId,
    pub name: String,
    pub static_state: Vec<u8>,
    pub dynamic_state: Vec<u8>,
}

pub struct NewPasskey<'a> {
    pub id: PasskeyId,
    pub user: UserId,
    pub credential_id: &'a [u8],
    pub static_state: &'a [u8],
    pub dynamic_state: &'a [u8],
    pub name: &'a str,
    pub now: Ts,
}

/// Stores a registered passkey; false when its credential id is registered already.
pub async fn insert(conn: &mut Conn<'_>, new: &NewPasskey<'_>) -> DbResult<bool> {
    let n = with_conn!(conn, c => {
        sqlx::query(
            "insert into passkeys (id, user_id, credential_id, static_state, dynamic_state, name, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7) on conflict (credential_id) do nothing",
        )
        .bind(new.id.as_uuid())
        .bind(new.user.as_uuid())
        .bind(new.credential_id)
        .bind(new.static_state)
        .bind(new.dynamic_state)
        .bind(new.name)
        .bind(new.now)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

pub async fn list(conn: &mut Conn<'_>, user: UserId) -> DbResult<Vec<Listed>> {
    let rows: Vec<(Uuid, String, Ts, Option<Ts>)> = with_conn!(conn, c => {
        sqlx::query_as("select id, name, created_at, last_used_at from passkeys where user_id = $1 order by created_at, id")
            .bind(user.as_uuid())
            .fetch_all(c)
            .await?
    });
    Ok(rows
        .into_iter()
        .map(|(id, name, created_at, last_used_at)| Listed {
            id: PasskeyId::from_uuid(id),
            name,
            created_at,
            last_used_at,
        })
        .collect())
}

/// The credential ids of a user's passkeys (so an authenticator is not registered twice).
pub async fn credential_ids(conn: &mut Conn<'_>, user: UserId) -> DbResult<Vec<Vec<u8>>> {
    Ok(with_conn!(conn, c => {
        sqlx::query_scalar("select credential_id from passkeys where user_id = $1")
            .bind(user.as_uuid())
            .fetch_all(c)
            .await?
    }))
}

pub async fn count(conn: &mut Conn<'_>, user: UserId) -> DbResult<i64> {
    Ok(with_conn!(conn, c => {
        sqlx::query_scalar("select count(*) from passkeys where user_id = $1")
            .bind(user.as_uuid())
            .fetch_one(c)
            .await?
    }))
}

type StoredRow = (Uuid, Uuid, String, Vec<u8>, Vec<u8>);

/// The passkey with this credential id, whoever it belongs to (the assertion names it).
pub async fn find_by_credential(
    conn: &mut Conn<'_>,
    credential_id: &[u8],
) -> DbResult<Option<Stored>> {
    let row: Option<StoredRow> = with_conn!(conn, c => {
        sqlx::query_as("select id, user_id, name, static_state, dynamic_state from passkeys where credential_id = $1")
            .bind(credential_id)
            .fetch_optional(c)
            .await?
    });
    Ok(
        row.map(|(id, user, name, static_state, dynamic_state)| Stored {
            id: PasskeyId::from_uuid(id),
            user: UserId::from_uuid(user),
            name,
            static_state,
            dynamic_state,
        }),
    )
}

/// Records a use: the new counter and flags, and when.
pub async fn record_use(
    conn: &mut Conn<'_>,
    user: UserId,
    id: PasskeyId,
    dynamic_state: &[u8],
    now: Ts,
) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query("update passkeys set dynamic_state = $3, last_used_at = $4 where id = $2 and user_id = $1")
            .bind(user.as_uuid())
            .bind(id.as_uuid())
            .bind(dynamic_state)
            .bind(now)
            .execute(c)
            .await?;
    });
    Ok(())
}

/// Renames one of the user's passkeys; the passkey as it is now, or `None` when the user has
/// no such passkey.
pub async fn rename(
    conn: &mut Conn<'_>,
    user: UserId,
    id: PasskeyId,
    name: &str,
) -> DbResult<Option<Listed>> {
    let row: Option<(Uuid, String, Ts, Option<Ts>)> = with_conn!(conn, c => {
        sqlx::query_as("update passkeys set name = $3 where id = $2 and user_id = $1 returning id, name, created_at, last_used_at")
            .bind(user.as_uuid())
            .bind(id.as_uuid())
            .bind(name)
            .fetch_optional(c)
            .await?
    });
    Ok(row.map(|(id, name, created_at, last_used_at)| Listed {
        id: PasskeyId::from_uuid(id),
        name,
        created_at,
        last_used_at,
    }))
}

/// Removes one of the user's passkeys; its name, or `None` when the user has no such passkey.
pub async fn delete(conn: &mut Conn<'_>, user: UserId, id: PasskeyId) -> DbResult<Option<String>> {
    Ok(with_conn!(conn, c => {
        sqlx::query_scalar("delete from passkeys where id = $2 and user_id = $1 returning name")
            .bind(user.as_uuid())
            .bind(id.as_uuid())
            .fetch_optional(c)
            .await?
    }))
}

/// Removes every passkey of a user (an operator's two-factor reset).
pub async fn delete_all(conn: &mut Conn<'_>, user: UserId) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query("delete from passkeys where user_id = $1")
            .bind(user.as_uuid())
            .execute(c)
            .await?;
    });
    Ok(())
}

// ---- ceremonies ----

pub struct NewCeremony<'a> {
    pub challenge: &'a [u8],
    pub purpose: &'a str,
    pub user: Option<UserId>,
    pub state: &'a [u8],
    pub name: Option<&'a str>,
    pub expires_at: Ts,
    pub now: Ts,
}

/// Stores a ceremony and drops expired ones (of anyone: they are worth nothing).
pub async fn insert_ceremony(conn: &mut Conn<'_>, new: &NewCeremony<'_>) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query("delete from passkey_ceremonies where expires_at <= $1")
            .bind(new.now)
            .execute(&mut *c)
            .await?;
        sqlx::query(
            "insert into passkey_ceremonies (id, challenge, purpose, user_id, state, name, expires_at, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(Uuid::now_v7())
        .bind(new.challenge)
        .bind(new.purpose)
        .bind(new.user.map(|u| u.as_uuid()))
        .bind(new.state)
        .bind(new.name)
        .bind(new.expires_at)
        .bind(new.now)
        .execute(c)
        .await?;
    });
    Ok(())
}

pub struct Ceremony {
    pub user: Option<UserId>,
    pub state: Vec<u8>,
    pub name: Option<String>,
}

type CeremonyRow = (Option<Uuid>, Vec<u8>, Option<String>, Ts);

/// Takes (deletes and returns) the live ceremony with this challenge and purpose: a challenge
/// answers once, also when two requests race for it.
pub async fn take_ceremony(
    conn: &mut Conn<'_>,
    challenge: &[u8],
    purpose: &str,
    now: Ts,
) -> DbResult<Option<Ceremony>> {
    let row: Option<CeremonyRow> = with_conn!(conn, c => {
        sqlx::query_as("delete from passkey_ceremonies where challenge = $1 and purpose = $2 returning user_id, state, name, expires_at")
            .bind(challenge)
            .bind(purpose)
            .fetch_optional(c)
            .await?
    });
    Ok(row
        .filter(|(_, _, _, expires_at)| expires_at.0 > now.0)
        .map(|(user, state, name, _)| Ceremony {
            user: user.map(UserId::from_uuid),
            state,
            name,
        }))
}
