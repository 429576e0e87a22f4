//! Each person's iCalendar feed: a secret URL (created, rotated and revoked by its owner, the
//! token stored only as its hash and never logged) that calendar apps subscribe to, listing
//! the person's finished entries of the last 365 days in all their organizations.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::hms;
use super::ical::{Calendar, Event};
use crate::db::names::{self, Catalog};
use crate::db::{Conn, Ts, calendar_feeds, entries, organizations, users};
use crate::domain::account::MyOrganization;
use crate::domain::entries::TimeEntry;
use crate::domain::ids::UserId;
use crate::error::{AppError, AppResult};
use crate::metrics::product::{ExportFormat, ExportOutcome};
use crate::service::secrets::{self, CALENDAR_FEED_PREFIX};
use crate::service::{Actor, Ctx, audit};

/// How far back the feed reaches.
const DAYS: i64 = 365;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CalendarFeed {
    /// The secret address to subscribe to; shown only in this response. Anyone holding it can
    /// read your entries: rotate or revoke it when it leaks.
    pub url: String,
}

/// Creates the caller's feed, or replaces its secret so the previous URL stops working.
pub async fn create_or_rotate(ctx: &Ctx, actor: &Actor) -> AppResult<CalendarFeed> {
    let token = secrets::new_token(CALENDAR_FEED_PREFIX);
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    let rotated = calendar_feeds::created_at(&mut tx.conn(), actor.user.id)
        .await?
        .is_some();
    calendar_feeds::replace(
        &mut tx.conn(),
        actor.user.id,
        &secrets::digest(&token),
        Ts(now),
    )
    .await?;
    let action = if rotated {
        "calendar_feed.rotated"
    } else {
        "calendar_feed.created"
    };
    audit::user_event(&mut tx, &actor.user, action, json!({}), &actor.ip, now).await?;
    tx.commit().await?;
    Ok(CalendarFeed {
        url: format!("{}/feeds/{token}.ics", crate::service::links::base(ctx)),
    })
}

pub async fn revoke(ctx: &Ctx, actor: &Actor) -> AppResult<()> {
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    if !calendar_feeds::delete(&mut tx.conn(), actor.user.id).await? {
        return Err(AppError::NotFound("You have no calendar feed.".into()));
    }
    audit::user_event(
        &mut tx,
        &actor.user,
        "calendar_feed.revoked",
        json!({}),
        &actor.ip,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// When the caller's current feed was created, if they have one.
pub async fn created_at(ctx: &Ctx, actor: &Actor) -> AppResult<Option<DateTime<Utc>>> {
    let mut pooled = ctx.db.acquire().await?;
    Ok(
        calendar_feeds::created_at(&mut pooled.conn(), actor.user.id)
            .await?
            .map(|t| t.0),
    )
}

fn unknown_feed() -> AppError {
    AppError::NotFound(
        "There is no calendar feed at this address; it may have been revoked or replaced.".into(),
    )
}

/// `GET /feeds/{token}.ics`: the feed's calendar (the token is the only credential).
pub async fn feed(ctx: &Ctx, token: &str) -> AppResult<String> {
    let run = ctx.metrics.export(ExportFormat::Ical);
    match calendar(ctx, token).await {
        Ok(calendar) => {
            run.finish(ExportOutcome::Completed);
            Ok(calendar)
        }
        Err(error) => Err(super::close(run, error)),
    }
}

async fn calendar(ctx: &Ctx, token: &str) -> AppResult<String> {
    if !token.starts_with(CALENDAR_FEED_PREFIX) {
        return Err(unknown_feed());
    }
    let mut pooled = ctx.db.acquire().await?;
    let mut conn = pooled.conn();
    let user = calendar_feeds::owner(&mut conn, &secrets::digest(token))
        .await?
        .ok_or_else(unknown_feed)?;
    let (person, _) = users::find(&mut conn, user)
        .await?
        .ok_or_else(unknown_feed)?;
    let product = format!("-//GoGoTime//GoGoTime {}//EN", crate::build_info::VERSION);
    let mut calendar = Calendar::new(&product, &format!("GoGoTime — {}", person.name));
    let host = url::Url::parse(&ctx.settings.public_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| "gogotime".into());
    let since = ctx.clock.now() - Duration::days(DAYS);
    for org in organizations::list_for_member(&mut conn, user).await? {
        add_organization(&mut conn, &mut calendar, &org, user, since, &host).await?;
    }
    Ok(calendar.finish())
}

/// The names an event mentions.
struct Names {
    clients: HashMap<Uuid, String>,
    projects: HashMap<Uuid, String>,
    tasks: HashMap<Uuid, String>,
    tags: HashMap<Uuid, String>,
    project_clients: HashMap<Uuid, Uuid>,
}

async fn add_organization(
    conn: &mut Conn<'_>,
    calendar: &mut Calendar,
    mine: &MyOrganization,
    user: UserId,
    since: DateTime<Utc>,
    host: &str,
) -> AppResult<()> {
    let org = mine.organization.id;
    let names = Names {
        clients: names::catalog(conn, org, Catalog::Clients).await?,
        projects: names::catalog(conn, org, Catalog::Projects).await?,
        tasks: names::catalog(conn, org, Catalog::Tasks).await?,
        tags: names::catalog(conn, org, Catalog::Tags).await?,
        project_clients: names::project_clients(conn, org).await?,
    };
    let mut filter = entries::Filter {
        from: Some(Ts(since)),
        users: vec![user],
        running: Some(false),
        ascending: true,
        limit: 500,
        ..Default::default()
    };
    loop {
        let (page, more) = entries::list(conn, org, &filter).await?;
        for entry in &page {
            add_entry(calendar, entry, &names, &mine.organization.name, host);
        }
        filter.after = page.last().map(|e| (Ts(e.start), e.id.as_uuid()));
        if !more {
            return Ok(());
        }
    }
}

fn add_entry(calendar: &mut Calendar, e: &TimeEntry, names: &Names, org: &str, host: &str) {
    let Some(end) = e.end else { return };
    let project_id = e.project_id.map(|p| p.as_uuid());
    let project = project_id.and_then(|p| names.projects.get(&p));
    let client = project_id
        .and_then(|p| names.project_clients.get(&p))
        .and_then(|c| names.clients.get(c));
    let task = e.task_id.and_then(|t| names.tasks.get(&t.as_uuid()));
    let mut tags: Vec<&str> = e
        .tags
        .iter()
        .filter_map(|t| names.tags.get(&t.as_uuid()).map(String::as_str))
        .collect();
    tags.sort_by_key(|t| t.to_lowercase());
    let mut details = vec![format!("Organization: {org}")];
    for (label, value) in [("Project", project), ("Client", client), ("Task", task)] {
        if let Some(value) = value {
            details.push(format!("{label}: {value}"));
        }
    }
    if !tags.is_empty() {
        details.push(format!("Tags: {}", tags.join(", ")));
    }
    details.push(format!("Duration: {}", hms(e.duration_seconds(end))));
    if e.billable {
        details.push("Billable".into());
    }
    let summary = match (e.description.trim(), project) {
        ("", Some(project)) => project.as_str(),
        ("", None) => "Time entry",
        (description, _) => description,
    };
    calendar.event(&Event {
        uid: format!("{}@{host}", e.id),
        stamp: e.updated_at,
        start: e.start,
        end,
        summary,
        description: &details.join("\n"),
    });
}
