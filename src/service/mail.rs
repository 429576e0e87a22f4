//! Email through the durable outbox (DESIGN §1, "Background work"): a use case that sends
//! email inserts the rendered message in its own transaction and wakes the worker after the
//! commit; the worker, on every instance, claims due messages, sends them and marks them sent,
//! retrying failures with exponential backoff. A request never waits on the SMTP server.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{Notify, watch};

use super::Ctx;
use crate::db::{Db, Ts, Tx, outbox};
use crate::error::AppResult;
use crate::mail::{Rendered, SmtpSender};

/// Attempts per message before the worker gives up on it (the row stays for the operator).
pub const MAX_ATTEMPTS: i32 = 20;
/// The first retry waits this long; each further one twice as long, up to the configured cap.
const FIRST_RETRY: Duration = Duration::from_secs(1);
/// A claimed message is left alone this long: a worker that died while sending it leaves it to
/// be retried then (at-least-once), not lost.
const LEASE: Duration = Duration::from_secs(300);
/// Messages claimed per round.
const BATCH: i64 = 10;
/// Even when nobody wakes it, the worker looks this often (rows queued by other instances).
const POLL: Duration = Duration::from_secs(15);

/// Wakes the worker of this instance after a message was committed.
#[derive(Default)]
pub struct Wake(Notify);

impl Wake {
    pub fn notify(&self) {
        // stores a permit when the worker is busy, so a wake-up is never lost
        self.0.notify_one();
    }
}

/// Outbox times are real time, not the use cases' clock: tests stop that clock, and a retry
/// scheduled on a clock that stands still would never fall due.
pub(super) fn wall_now() -> DateTime<Utc> {
    Utc::now()
}

/// Queues a rendered message inside the caller's transaction. Call `ctx.mail_wake.notify()`
/// after the commit.
pub async fn queue(ctx: &Ctx, tx: &mut Tx, recipient: &str, message: &Rendered) -> AppResult<()> {
    let id = uuid::Uuid::now_v7();
    let host = url::Url::parse(&ctx.settings.public_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "gogotime.invalid".into());
    let key = format!("{id}@{host}");
    let new = outbox::NewMessage {
        id,
        recipient,
        subject: &message.subject,
        text_body: &message.text,
        html_body: &message.html,
        message_key: &key,
        now: Ts(wall_now()),
    };
    outbox::insert(&mut tx.conn(), &new).await?;
    Ok(())
}

/// The wait before attempt `attempts + 1`, after `attempts` failed: 1 s, 2 s, 4 s … `max`.
pub fn backoff(attempts: i32, max: Duration) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(30);
    FIRST_RETRY.saturating_mul(1 << doublings).min(max)
}

/// Runs until `stop` turns true: sends due messages, then sleeps until the next one falls due,
/// a use case wakes it, or the poll interval passes.
pub async fn run_worker(
    db: Db,
    sender: SmtpSender,
    wake: Arc<Wake>,
    retry_max: Duration,
    mut stop: watch::Receiver<bool>,
) {
    tracing::info!(server = %sender.server, "email worker started");
    loop {
        if *stop.borrow() {
            break;
        }
        let pause = match deliver_due(&db, &sender, retry_max).await {
            Ok(Round::Full) => Duration::ZERO,
            Ok(Round::Done { next_due }) => next_due
                .map(|due| (due - wall_now()).to_std().unwrap_or(Duration::ZERO))
                .unwrap_or(POLL)
                .min(POLL),
            Err(e) => {
                tracing::warn!(error = %e, "the email worker could not reach the outbox; trying again shortly");
                POLL.min(Duration::from_secs(5))
            }
        };
        if pause.is_zero() {
            continue;
        }
        tokio::select! {
            () = wake.0.notified() => {}
            () = tokio::time::sleep(pause) => {}
            _ = stop.wait_for(|s| *s) => break,
        }
    }
    tracing::info!("email worker stopped");
}

enum Round {
    /// A whole batch was claimed: there may be more due at once.
    Full,
    Done {
        next_due: Option<DateTime<Utc>>,
    },
}

async fn deliver_due(db: &Db, sender: &SmtpSender, retry_max: Duration) -> AppResult<Round> {
    let now = wall_now();
    let lease_until = now + chrono::Duration::from_std(LEASE).unwrap_or_default();
    // a short transaction: the claim only; sending happens after the commit
    let mut tx = db.begin().await?;
    let claimed = outbox::claim_due(
        &mut tx.conn(),
        Ts(now),
        Ts(lease_until),
        MAX_ATTEMPTS,
        BATCH,
    )
    .await?;
    tx.commit().await?;
    let full = claimed.len() as i64 == BATCH;
    for message in claimed {
        let result = sender
            .send(
                &message.recipient,
                &message.subject,
                &message.text_body,
                &message.html_body,
                &message.message_key,
            )
            .await;
        let mut pooled = db.acquire().await?;
        match result {
            Ok(()) => {
                // right after the server accepted it: the normal path sends a message once
                outbox::mark_sent(&mut pooled.conn(), message.id, Ts(wall_now())).await?;
                tracing::info!(id = %message.id, attempt = message.attempts, "email sent");
            }
            Err(e) => {
                let error = e.to_string();
                let retry_at = wall_now()
                    + chrono::Duration::from_std(backoff(message.attempts, retry_max))
                        .unwrap_or_default();
                outbox::mark_failed(&mut pooled.conn(), message.id, &error, Ts(retry_at)).await?;
                if message.attempts >= MAX_ATTEMPTS {
                    tracing::warn!(id = %message.id, attempts = message.attempts, %error, "giving up on an email after its last attempt; it stays in mail_outbox");
                } else {
                    tracing::warn!(id = %message.id, attempt = message.attempts, %error, "sending an email failed; it will be retried");
                }
            }
        }
    }
    if full {
        return Ok(Round::Full);
    }
    let mut pooled = db.acquire().await?;
    let next_due = outbox::next_due(&mut pooled.conn(), MAX_ATTEMPTS).await?;
    Ok(Round::Done {
        next_due: next_due.map(|t| t.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_double_from_one_second_up_to_the_cap() {
        let hour = Duration::from_secs(3600);
        let waits: Vec<u64> = (1..=14).map(|a| backoff(a, hour).as_secs()).collect();
        assert_eq!(
            waits,
            [
                1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 3600, 3600
            ]
        );
        assert_eq!(backoff(i32::MAX, hour), hour);
        assert_eq!(backoff(5, Duration::from_secs(1)), Duration::from_secs(1));
    }
}
