//! Undoing a delete: a deleted entry is a tombstone (`deleted_at`, kept for `updated_since`
//! sync), so for a short while after the delete it can come back as it was, same id and fields.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use super::{EntryView, entry_not_found, locked, may_edit, membership};
use crate::db::{DbError, Ts, entries};
use crate::domain::ids::{OrganizationId, TimeEntryId};
use crate::error::{AppError, AppResult};
use crate::service::{Acting, Ctx, audit};

/// How long after a delete the entry can be restored. Long enough for an "Undo" notice and a
/// second thought; short enough that a restore does not bring back what others have long since
/// planned around (reports, exports, an overlap-free week).
pub const RESTORE_WINDOW_MINUTES: i64 = 10;

/// Restores an entry deleted less than `RESTORE_WINDOW_MINUTES` ago, under the rules a change
/// goes through: only its person or a manager (others get 404), not in a locked period, not
/// over another entry where overlaps are refused, not a second running timer. Audited.
pub async fn restore(
    ctx: &Ctx,
    actor: &impl Acting,
    org: OrganizationId,
    id: TimeEntryId,
) -> AppResult<EntryView> {
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    let mine = membership(&mut tx, org, actor).await?;
    let Some(mut entry) = entries::find_deleted(&mut tx.conn(), org, id).await? else {
        return Err(match entries::find(&mut tx.conn(), org, id).await? {
            Some(live) if may_edit(mine.role, actor.user_id(), live.user_id).is_ok() => {
                AppError::Conflict("This entry is not deleted; there is nothing to restore.".into())
            }
            _ => entry_not_found(),
        });
    };
    may_edit(mine.role, actor.user_id(), entry.user_id)?;
    let deleted_at = entry.deleted_at.unwrap_or(now);
    if too_late(deleted_at, now) {
        return Err(AppError::Conflict(format!(
            "This entry was deleted at {}, more than {RESTORE_WINDOW_MINUTES} minutes ago; a deleted entry can be restored only within {RESTORE_WINDOW_MINUTES} minutes.",
            deleted_at.to_rfc3339()
        )));
    }
    locked(&mine.organization, mine.role, entry.start)?;
    if !mine.organization.allow_overlap
        && let Some(other) = entries::first_overlapping(
            &mut tx.conn(),
            org,
            entry.user_id,
            Ts(entry.start),
            entry.end.map(Ts),
            entry.id,
        )
        .await?
    {
        return Err(AppError::Conflict(format!(
            "The entry cannot come back: it would overlap entry {} added since, and this organization does not allow overlapping entries.",
            other.id
        )));
    }
    match entries::restore(&mut tx.conn(), org, id, Ts(deleted_at), Ts(now)).await {
        Ok(true) => {}
        Ok(false) => return Err(entry_not_found()),
        Err(DbError::Unique(_)) => {
            return Err(AppError::Conflict(
                "The entry was a running timer, and another timer runs now; stop that one first."
                    .into(),
            ));
        }
        Err(e) => return Err(e.into()),
    }
    let event = audit::Event {
        organization: org,
        actor: Some(actor.user_id()),
        action: "time_entry.restored",
        target: Some(entry.user_id),
        detail: json!({ "entry_id": id, "deleted_at": deleted_at }),
        ip: actor.ip(),
    };
    audit::record(&mut tx, event, now).await?;
    tx.commit().await?;
    entry.deleted_at = None;
    entry.version += 1;
    entry.updated_at = now;
    Ok(EntryView::new(entry, now))
}

fn too_late(deleted_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now - deleted_at > Duration::minutes(RESTORE_WINDOW_MINUTES)
}
