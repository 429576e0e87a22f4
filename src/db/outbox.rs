//! The `mail_outbox` table: messages waiting for (or done with) delivery over SMTP.
//! Not tenant data: a row is addressed to a person, whatever organization caused it.

use uuid::Uuid;

use super::{Conn, DbResult, Ts, with_conn};

/// A message to queue, fully rendered.
pub struct NewMessage<'a> {
    pub id: Uuid,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub text_body: &'a str,
    pub html_body: &'a str,
    pub message_key: &'a str,
    pub now: Ts,
}

/// A claimed message, with the attempt it is now on.
pub struct Claimed {
    pub id: Uuid,
    pub recipient: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub message_key: String,
    pub attempts: i32,
}

type Row = (Uuid, String, String, String, String, String, i32);

pub async fn insert(conn: &mut Conn<'_>, m: &NewMessage<'_>) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query(
            "insert into mail_outbox (id, recipient, subject, text_body, html_body, message_key, attempts, next_attempt_at, created_at) \
             values ($1, $2, $3, $4, $5, $6, 0, $7, $7)",
        )
        .bind(m.id)
        .bind(m.recipient)
        .bind(m.subject)
        .bind(m.text_body)
        .bind(m.html_body)
        .bind(m.message_key)
        .bind(m.now)
        .execute(c)
        .await?;
    });
    Ok(())
}

/// Claims up to `limit` due messages with fewer than `max_attempts` attempts: counts the attempt
/// and moves their next attempt to `lease_until`, so no other worker takes them while this one
/// sends (and a worker that dies mid-send leaves them to be retried then). PostgreSQL skips rows
/// another instance is claiming at this moment instead of waiting for them.
pub async fn claim_due(
    conn: &mut Conn<'_>,
    now: Ts,
    lease_until: Ts,
    max_attempts: i32,
    limit: i64,
) -> DbResult<Vec<Claimed>> {
    const POSTGRES: &str = "update mail_outbox set attempts = attempts + 1, next_attempt_at = $2 \
         where id in (select id from mail_outbox \
             where sent_at is null and attempts < $3 and next_attempt_at <= $1 \
             order by next_attempt_at limit $4 for update skip locked) \
         returning id, recipient, subject, text_body, html_body, message_key, attempts";
    // one instance, and the caller holds SQLite's write lock: nothing to skip
    const SQLITE: &str = "update mail_outbox set attempts = attempts + 1, next_attempt_at = $2 \
         where id in (select id from mail_outbox \
             where sent_at is null and attempts < $3 and next_attempt_at <= $1 \
             order by next_attempt_at limit $4) \
         returning id, recipient, subject, text_body, html_body, message_key, attempts";
    let rows: Vec<Row> = match conn {
        Conn::Postgres(c) => {
            sqlx::query_as(POSTGRES)
                .bind(now)
                .bind(lease_until)
                .bind(max_attempts)
                .bind(limit)
                .fetch_all(&mut **c)
                .await?
        }
        Conn::Sqlite(c) => {
            sqlx::query_as(SQLITE)
                .bind(now)
                .bind(lease_until)
                .bind(max_attempts)
                .bind(limit)
                .fetch_all(&mut **c)
                .await?
        }
    };
    let mut claimed: Vec<Claimed> = rows
        .into_iter()
        .map(
            |(id, recipient, subject, text_body, html_body, message_key, attempts)| Claimed {
                id,
                recipient,
                subject,
                text_body,
                html_body,
                message_key,
                attempts,
            },
        )
        .collect();
    // `returning` does not promise the subquery's order; ids are UUIDv7, so this is queue order
    claimed.sort_by_key(|m| m.id);
    Ok(claimed)
}

pub async fn mark_sent(conn: &mut Conn<'_>, id: Uuid, now: Ts) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query("update mail_outbox set sent_at = $2, last_error = null where id = $1")
            .bind(id)
            .bind(now)
            .execute(c)
            .await?;
    });
    Ok(())
}

pub async fn mark_failed(
    conn: &mut Conn<'_>,
    id: Uuid,
    error: &str,
    next_attempt_at: Ts,
) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query("update mail_outbox set last_error = $2, next_attempt_at = $3 where id = $1")
            .bind(id)
            .bind(error)
            .bind(next_attempt_at)
            .execute(c)
            .await?;
    });
    Ok(())
}

/// When the next unsent message with attempts left falls due, if any.
pub async fn next_due(conn: &mut Conn<'_>, max_attempts: i32) -> DbResult<Option<Ts>> {
    let row: (Option<Ts>,) = with_conn!(conn, c => {
        sqlx::query_as("select min(next_attempt_at) from mail_outbox where sent_at is null and attempts < $1")
            .bind(max_attempts)
            .fetch_one(c)
            .await?
    });
    Ok(row.0)
}

/// The undelivered part of the outbox, for the operator's metrics (instance-wide: every
/// replica reads the same rows).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Backlog {
    /// Unsent messages the worker will still try.
    pub pending: i64,
    /// Unsent messages it gave up on after `max_attempts`.
    pub given_up: i64,
    /// When the oldest pending message was queued.
    pub oldest_pending: Option<Ts>,
}

pub async fn backlog(conn: &mut Conn<'_>, max_attempts: i32) -> DbResult<Backlog> {
    let (pending, given_up, oldest_pending): (Option<i64>, Option<i64>, Option<Ts>) = with_conn!(conn, c => {
        sqlx::query_as(
            "select sum(case when attempts < $1 then 1 else 0 end), \
                    sum(case when attempts >= $1 then 1 else 0 end), \
                    min(case when attempts < $1 then created_at end) \
             from mail_outbox where sent_at is null",
        )
        .bind(max_attempts)
        .fetch_one(c)
        .await?
    });
    Ok(Backlog {
        pending: pending.unwrap_or(0),
        given_up: given_up.unwrap_or(0),
        oldest_pending,
    })
}
