//! `GET time-entries`: filters, sorting and keyset pagination. Members see their own entries.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::{EntryView, membership};
use crate::db::{Ts, entries};
use crate::domain::ids::OrganizationId;
use crate::domain::role::{Permission, allows};
use crate::error::{AppError, AppResult};
use crate::service::{Actor, Check, Ctx};

pub const MAX_LIMIT: i64 = 500;
pub const DEFAULT_LIMIT: i64 = 50;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Page {
    pub items: Vec<EntryView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Parses the query string: repeated keys (`project_id=a&project_id=b`), `key[]` and comma lists.
pub fn parse_query(raw: &str) -> AppResult<(entries::Filter, Option<String>)> {
    let mut check = Check::default();
    let mut f = entries::Filter {
        limit: DEFAULT_LIMIT,
        ..entries::Filter::default()
    };
    let mut cursor = None;
    for (key, value) in url::form_urlencoded::parse(raw.as_bytes()) {
        let key = key.trim_end_matches("[]").to_string();
        let values = || value.split(',').map(str::trim).filter(|v| !v.is_empty());
        let ids = |check: &mut Check| -> Vec<Uuid> {
            values()
                .filter_map(|v| {
                    check.field(
                        &key,
                        Uuid::parse_str(v).map_err(|_| format!("'{v}' is not an id")),
                    )
                })
                .collect()
        };
        match key.as_str() {
            "from" => f.from = check.field("from", instant(&value)).map(Ts),
            "to" => f.to = check.field("to", instant(&value)).map(Ts),
            "updated_since" => {
                f.updated_since = check.field("updated_since", instant(&value)).map(Ts)
            }
            "user_id" => f.users.extend(
                ids(&mut check)
                    .into_iter()
                    .map(crate::domain::ids::UserId::from_uuid),
            ),
            "project_id" => f.projects.extend(
                ids(&mut check)
                    .into_iter()
                    .map(crate::domain::ids::ProjectId::from_uuid),
            ),
            "client_id" => f.clients.extend(
                ids(&mut check)
                    .into_iter()
                    .map(crate::domain::ids::ClientId::from_uuid),
            ),
            "task_id" => f.tasks.extend(
                ids(&mut check)
                    .into_iter()
                    .map(crate::domain::ids::TaskId::from_uuid),
            ),
            "tag_id" => f.tags.extend(
                ids(&mut check)
                    .into_iter()
                    .map(crate::domain::ids::TagId::from_uuid),
            ),
            "billable" => f.billable = check.field("billable", boolean(&value)),
            "running" => f.running = check.field("running", boolean(&value)),
            "q" => {
                f.text = Some(value.to_string())
                    .filter(|q| q.chars().count() <= 200)
                    .or_else(|| {
                        check.field::<()>("q", Err("must be at most 200 characters".into()));
                        None
                    })
            }
            "sort" => match value.as_ref() {
                "start" => f.ascending = true,
                "-start" => f.ascending = false,
                other => {
                    check.field::<()>(
                        "sort",
                        Err(format!(
                            "is '{other}'; use start (oldest first) or -start (newest first)"
                        )),
                    );
                }
            },
            "limit" => match value.parse::<i64>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => f.limit = n,
                _ => {
                    check.field::<()>(
                        "limit",
                        Err(format!("is '{value}'; use a number from 1 to {MAX_LIMIT}")),
                    );
                }
            },
            "cursor" => cursor = Some(value.to_string()),
            other => {
                check.field::<()>(other, Err("is not a filter of this list".into()));
            }
        }
    }
    if let Some(raw) = &cursor {
        f.after = check.field("cursor", decode_cursor(raw));
    }
    if let (Some(from), Some(to)) = (f.from, f.to)
        && to <= from
    {
        check.field::<()>("to", Err("must be after from".into()));
    }
    check.finish()?;
    Ok((f, cursor))
}

fn instant(raw: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("'{raw}' is not an RFC 3339 date-time such as 2026-03-01T09:00:00Z"))
        .and_then(crate::domain::entries::check_instant)
}

fn boolean(raw: &str) -> Result<bool, String> {
    match raw {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(format!("is '{raw}'; use true or false")),
    }
}

pub(crate) fn encode_cursor(start: DateTime<Utc>, id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}:{id}", start.timestamp_micros()))
}

pub(crate) fn decode_cursor(raw: &str) -> Result<(Ts, Uuid), String> {
    let bad = || "is not a cursor from a previous page".to_string();
    let text =
        String::from_utf8(URL_SAFE_NO_PAD.decode(raw).map_err(|_| bad())?).map_err(|_| bad())?;
    let (micros, id) = text.split_once(':').ok_or_else(bad)?;
    let start =
        DateTime::from_timestamp_micros(micros.parse().map_err(|_| bad())?).ok_or_else(bad)?;
    Ok((Ts(start), Uuid::parse_str(id).map_err(|_| bad())?))
}

pub async fn list(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    raw_query: &str,
) -> AppResult<Page> {
    let (mut filter, _) = parse_query(raw_query)?;
    let mut tx = ctx.db.begin().await?;
    let mine = membership(&mut tx, org, actor).await?;
    if !allows(mine.role, Permission::ViewAllEntries) {
        if filter.users.iter().any(|u| *u != actor.user.id) {
            return Err(AppError::Forbidden(
                "Members see only their own entries; leave out user_id or give your own.".into(),
            ));
        }
        filter.users = vec![actor.user.id];
    }
    let (entries, more) = entries::list(&mut tx.conn(), org, &filter).await?;
    let now = ctx.clock.now();
    let next_cursor = more
        .then(|| {
            entries
                .last()
                .map(|e| encode_cursor(e.start, e.id.as_uuid()))
        })
        .flatten();
    Ok(Page {
        items: entries
            .into_iter()
            .map(|e| EntryView::new(e, now))
            .collect(),
        next_cursor,
    })
}
