//! The lines of an entries export: entries read a page at a time (a fresh pooled connection per
//! page, so a slow download never holds one), with their names, rounding and amounts.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate};
use chrono_tz::Tz;
use serde::Serialize;
use uuid::Uuid;

use super::{decimal, hms, hours, local_iso};
use crate::db::names::{self, Catalog};
use crate::db::{Ts, entries};
use crate::domain::entries::TimeEntry;
use crate::domain::formula::neutralise;
use crate::domain::ids::{OrganizationId, TimeEntryId};
use crate::error::AppResult;
use crate::service::Ctx;
use crate::service::reports::query::ReportRequest;
use crate::service::reports::rounding::Rounding;
use crate::service::reports::summary::amount;

/// Entries read per query.
const PAGE: i64 = 500;

/// One exported entry, in memory.
pub struct Line {
    pub id: TimeEntryId,
    pub start: DateTime<Tz>,
    pub end: DateTime<Tz>,
    /// After the export's rounding.
    pub seconds: i64,
    pub user_email: String,
    pub user_name: String,
    pub client: Option<String>,
    pub project: Option<String>,
    pub task: Option<String>,
    pub description: String,
    /// Names, alphabetically.
    pub tags: Vec<String>,
    pub billable: bool,
    /// Minor units per hour.
    pub rate: Option<i64>,
    /// Minor units: rounded time × rate for billable entries with a rate, else 0.
    pub amount: i64,
}

/// An entry of the JSON export; the CSV and XLSX exports have the same columns.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExportedEntry {
    pub id: TimeEntryId,
    /// The local day of `start` in the export's time zone.
    pub date: NaiveDate,
    /// ISO 8601 local date-time with its offset in the export's time zone,
    /// e.g. `2026-03-29T01:30:00+01:00`.
    pub start: String,
    pub end: String,
    /// Whole seconds, after the export's rounding (as tracked when rounding is `none`).
    pub duration_seconds: i64,
    /// `duration_seconds` as `h:mm:ss`.
    pub duration: String,
    /// `duration_seconds` in decimal hours, two places (for convenience only).
    pub hours: f64,
    pub user_email: String,
    pub user_name: String,
    pub client: Option<String>,
    pub project: Option<String>,
    pub task: Option<String>,
    pub description: String,
    /// Tag names, alphabetically.
    pub tags: Vec<String>,
    pub billable: bool,
    /// Major units of `currency` per hour, as resolved when the entry was saved.
    pub hourly_rate: Option<f64>,
    /// Major units: the rounded duration × `hourly_rate` for billable entries, else 0.
    pub amount: f64,
    pub currency: String,
}

impl Line {
    pub fn to_json(&self, currency: &str) -> ExportedEntry {
        let major = |minor: i64| crate::domain::money::major(minor, currency);
        ExportedEntry {
            id: self.id,
            date: self.start.date_naive(),
            start: local_iso(self.start),
            end: local_iso(self.end),
            duration_seconds: self.seconds,
            duration: hms(self.seconds),
            hours: hours(self.seconds).parse().unwrap_or_default(),
            user_email: self.user_email.clone(),
            user_name: self.user_name.clone(),
            client: self.client.clone(),
            project: self.project.clone(),
            task: self.task.clone(),
            description: self.description.clone(),
            tags: self.tags.clone(),
            billable: self.billable,
            hourly_rate: self.rate.map(major),
            amount: major(self.amount),
            currency: currency.to_string(),
        }
    }

    /// The CSV record, in [`super::COLUMNS`] order. People's text is neutralised against
    /// formula injection (the CSV and XLSX cells are the same); GoGoTime's own values (ids,
    /// dates, numbers, `true`/`false`, the currency code) are written as they are, so a negative
    /// amount stays a number.
    pub fn to_record(&self, currency: &str) -> [String; 18] {
        let text = |value: &str| neutralise(value).into_owned();
        let optional = |value: &Option<String>| text(value.as_deref().unwrap_or_default());
        [
            self.id.to_string(),
            self.start.date_naive().to_string(),
            local_iso(self.start),
            local_iso(self.end),
            self.seconds.to_string(),
            hms(self.seconds),
            hours(self.seconds),
            text(&self.user_email),
            text(&self.user_name),
            optional(&self.client),
            optional(&self.project),
            optional(&self.task),
            text(&self.description),
            // one cell: only its start can trigger a formula
            text(&self.tags.join(", ")),
            self.billable.to_string(),
            self.rate
                .map(|rate| decimal(rate, currency))
                .unwrap_or_default(),
            decimal(self.amount, currency),
            currency.to_string(),
        ]
    }
}

/// Names of the organization's things, loaded once; people as their entries come.
struct Names {
    clients: HashMap<Uuid, String>,
    projects: HashMap<Uuid, String>,
    tasks: HashMap<Uuid, String>,
    tags: HashMap<Uuid, String>,
    project_clients: HashMap<Uuid, Uuid>,
    /// id → (name, email)
    users: HashMap<Uuid, (String, String)>,
}

/// The entries of an export, page after page.
pub struct Pages {
    ctx: Ctx,
    org: OrganizationId,
    filter: entries::Filter,
    tz: Tz,
    rounding: Rounding,
    pub currency: String,
    names: Names,
    done: bool,
}

impl Pages {
    pub async fn open(
        ctx: Ctx,
        org: OrganizationId,
        query: &ReportRequest,
        currency: String,
    ) -> AppResult<Self> {
        let (start, end) = query.range();
        let filter = entries::Filter {
            from: Some(Ts(start)),
            to: Some(Ts(end)),
            ends_after: None,
            // a running entry has no end yet; it is exported once stopped
            running: Some(false),
            ascending: true,
            after: None,
            limit: PAGE,
            ..crate::service::entries::list::stored_filter(&query.filter)
        };
        let mut pooled = ctx.db.acquire().await?;
        let mut conn = pooled.conn();
        let names = Names {
            clients: names::catalog(&mut conn, org, Catalog::Clients).await?,
            projects: names::catalog(&mut conn, org, Catalog::Projects).await?,
            tasks: names::catalog(&mut conn, org, Catalog::Tasks).await?,
            tags: names::catalog(&mut conn, org, Catalog::Tags).await?,
            project_clients: names::project_clients(&mut conn, org).await?,
            users: HashMap::new(),
        };
        drop(pooled);
        Ok(Pages {
            ctx,
            org,
            filter,
            tz: query.tz,
            rounding: query.rounding,
            currency,
            names,
            done: false,
        })
    }

    /// The next page of lines; `None` after the last.
    pub async fn next(&mut self) -> AppResult<Option<Vec<Line>>> {
        if self.done {
            return Ok(None);
        }
        let mut pooled = self.ctx.db.acquire().await?;
        let (page, more) = entries::list(&mut pooled.conn(), self.org, &self.filter).await?;
        let unknown: Vec<Uuid> = page
            .iter()
            .map(|e| e.user_id.as_uuid())
            .filter(|id| !self.names.users.contains_key(id))
            .collect::<std::collections::HashSet<_>>()
            .into_iter()
            .collect();
        if !unknown.is_empty() {
            let found = names::users(&mut pooled.conn(), &unknown).await?;
            self.names.users.extend(found);
        }
        drop(pooled);
        self.done = !more;
        self.filter.after = page.last().map(|e| (Ts(e.start), e.id.as_uuid()));
        Ok(Some(
            page.into_iter().filter_map(|e| self.line(e)).collect(),
        ))
    }

    fn line(&self, e: TimeEntry) -> Option<Line> {
        let end = e.end?;
        let names = &self.names;
        let seconds = self.rounding.apply((end - e.start).num_seconds());
        let (user_name, user_email) = names
            .users
            .get(&e.user_id.as_uuid())
            .cloned()
            .unwrap_or_else(|| ("(deleted account)".into(), String::new()));
        let project = e.project_id.map(|p| p.as_uuid());
        let client = project.and_then(|p| names.project_clients.get(&p));
        let mut tags: Vec<String> = e
            .tags
            .iter()
            .filter_map(|t| names.tags.get(&t.as_uuid()).cloned())
            .collect();
        tags.sort_by_key(|t| t.to_lowercase());
        Some(Line {
            id: e.id,
            start: e.start.with_timezone(&self.tz),
            end: end.with_timezone(&self.tz),
            seconds,
            user_email,
            user_name,
            client: client.and_then(|c| names.clients.get(c).cloned()),
            project: project.and_then(|p| names.projects.get(&p).cloned()),
            task: e
                .task_id
                .and_then(|t| names.tasks.get(&t.as_uuid()).cloned()),
            description: e.description,
            tags,
            billable: e.billable,
            rate: e.hourly_rate,
            amount: match (e.billable, e.hourly_rate) {
                (true, Some(rate)) => amount(seconds, rate),
                _ => 0,
            },
        })
    }
}
