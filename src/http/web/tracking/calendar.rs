//! `/o/{org}/calendar`: one person's entries as blocks at their real times, a week (the week
//! page's days) or a single day. Drawn as SVG so that it needs neither JavaScript nor style
//! attributes: each block is a link to its edit page. `static/calendar.js` adds dragging and
//! keys on top, through the API.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Duration, NaiveDate, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

use super::super::form::FormErrors;
use super::super::format;
use super::super::org::org_chrome;
use super::super::page::{self, Chrome};
use super::super::session::Viewer;
use super::Choices;
use super::calendar_layout::{self, Piece};
use crate::domain::ids::OrganizationId;
use crate::http::state::AppState;
use crate::http::web::page_error::PageResult;
use crate::service::entries::week_totals::Week;
use crate::service::entries::{EntryView, list};

/// Pixels per hour: a day is 960 px tall, 10 px per quarter hour (the drag step).
const HOUR_PX: i64 = 40;
/// A block drawn without a project colour.
const NO_COLOUR: &str = "#8a9099";

#[derive(Deserialize, Default)]
pub struct CalendarQuery {
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    view: Option<String>,
    /// The day the "add an entry" form starts on.
    #[serde(default)]
    add: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum View {
    Week,
    Day,
}

impl View {
    fn name(self) -> &'static str {
        match self {
            View::Week => "week",
            View::Day => "day",
        }
    }
}

impl CalendarQuery {
    /// The day and view asked for; what cannot be read is said next to its field, and the
    /// calendar shows today's week (or day) meanwhile.
    fn read(&self, today: NaiveDate, errors: &mut FormErrors) -> (NaiveDate, View) {
        let day = match self
            .date
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(raw) => NaiveDate::parse_from_str(raw, "%Y-%m-%d").unwrap_or_else(|_| {
                errors.add(
                    "date",
                    format!("'{raw}' is not a day: give it as a date, e.g. 2026-11-27."),
                );
                today
            }),
            None => today,
        };
        let view = match self.view.as_deref().unwrap_or("") {
            "" | "week" => View::Week,
            "day" => View::Day,
            other => {
                errors.add(
                    "view",
                    format!("'{other}' is not a view: choose Week or Day."),
                );
                View::Week
            }
        };
        (day, view)
    }
}

pub struct Hour {
    pub y: i64,
    pub label: String,
}

pub struct Block {
    pub id: String,
    pub version: i64,
    pub href: String,
    /// What the block says first: the description, or the project when there is none.
    pub title: String,
    pub times: String,
    /// What a screen reader hears: everything the block shows, spelled out.
    pub name: String,
    pub color: String,
    /// Geometry in the day's SVG: user units (px) for y/height, percent for x/width.
    pub x: String,
    pub y: String,
    pub width: String,
    pub height: String,
    /// The whole entry (not just this day's piece), RFC 3339 in UTC, for the script.
    pub start: String,
    pub end: String,
    pub running: bool,
    /// Only whole, stopped entries are dragged; the others are changed on their edit page.
    pub movable: bool,
    /// Room for the second line (the times) under the title.
    pub tall: bool,
    /// Under half an hour: the title in small print, to fit.
    pub short: bool,
}

pub struct DayColumn {
    pub iso: String,
    pub label: String,
    pub long_label: String,
    pub today: bool,
    /// The day's local start as an instant, for the script's minute arithmetic.
    pub midnight: String,
    pub day_link: String,
    pub add_link: String,
    pub blocks: Vec<Block>,
}

#[derive(Template)]
#[template(path = "tracking/calendar.html")]
pub struct CalendarPage {
    pub chrome: Chrome,
    pub choices: Choices,
    pub title: String,
    pub view: &'static str,
    pub days: Vec<DayColumn>,
    pub hours: Vec<Hour>,
    pub height: i64,
    pub previous: String,
    pub next: String,
    pub current: String,
    pub week_link: String,
    pub day_link: String,
    /// Where the add form sends the person back to: this calendar.
    pub back: String,
    pub add_date: String,
    /// The person came by a day's "Add" link: the form's first time field takes the focus.
    pub focus_add: bool,
    pub api_entries: String,
    /// The "Show" form: the date as typed (kept when it is not a date) and its errors.
    pub date_typed: String,
    pub errors: FormErrors,
}

fn rfc3339(instant: DateTime<Utc>) -> String {
    instant.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn px(minutes: i64) -> String {
    let px = minutes * HOUR_PX;
    if px % 60 == 0 {
        (px / 60).to_string()
    } else {
        format!("{:.2}", px as f64 / 60.0)
    }
}

fn percent(value: f64) -> String {
    format!("{:.3}%", value)
}

fn block(
    org: OrganizationId,
    view: &EntryView,
    piece: &Piece,
    day_label: &str,
    choices: &Choices,
    tz: Tz,
    now: DateTime<Utc>,
) -> Block {
    let e = &view.entry;
    let end = e.end.unwrap_or(now);
    let project = choices.project_name(e.project_id);
    let task = choices.task_name(e.task_id);
    let title = match (e.description.trim(), project.as_str()) {
        ("", "") => "(no description)".to_string(),
        ("", p) => p.to_string(),
        (d, _) => d.to_string(),
    };
    let later = format::later_day(e.start, end, tz);
    let (from, to) = (format::clock(e.start, tz), format::clock(end, tz));
    let times = if view.running {
        format!("{from} – running")
    } else if later.is_empty() {
        format!("{from}–{to}")
    } else {
        format!("{from}–{to} ({later})")
    };
    // begins with the text the block shows, as a voice control user would say it
    let mut name = format!("{title} {times}, {day_label}");
    for part in [&project, &task] {
        if !part.is_empty() && *part != title {
            name = format!("{name}, {part}");
        }
    }
    if piece.from_before {
        name.push_str(", continued from the day before");
    }
    name.push_str(". Edit");
    let width = 100.0 / piece.lanes as f64;
    let color = choices.project_color(e.project_id);
    Block {
        id: e.id.to_string(),
        version: e.version,
        href: format!("/o/{org}/entries/{}/edit", e.id),
        title,
        times,
        name,
        color: if color.is_empty() {
            NO_COLOUR.into()
        } else {
            color
        },
        x: percent(width * piece.lane as f64),
        y: px(piece.start),
        width: percent(width),
        height: px(piece.end - piece.start),
        start: rfc3339(e.start),
        end: rfc3339(end),
        running: view.running,
        movable: !view.running && !piece.from_before && !piece.goes_on,
        tall: piece.end - piece.start >= 45,
        short: piece.end - piece.start < 25,
    }
}

pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<OrganizationId>,
    Query(query): Query<CalendarQuery>,
    headers: HeaderMap,
) -> PageResult {
    let (chrome, _) = org_chrome(&state, &viewer, org, "calendar").await?;
    let ctx = &state.ctx;
    let actor = &viewer.actor;
    let tz = viewer.tz;
    let now = ctx.clock.now();
    let today = format::local_date(now, tz);
    let mut errors = FormErrors::default();
    let (day, view) = query.read(today, &mut errors);
    let days: Vec<NaiveDate> = match view {
        View::Week => Week::containing(day, actor.user.week_start, tz).days,
        View::Day => vec![day],
    };
    let (first, last) = (days[0], days[days.len() - 1]);
    // an entry that began the day before the first one may reach into it
    let from = format::start_of_day(first - Duration::days(1), tz);
    let to = format::start_of_day(last + Duration::days(1), tz);
    let views = list::between(ctx, actor, org, actor.user.id, (from, to)).await?;
    let choices = Choices::load(ctx, actor, org).await?;
    let spans: Vec<_> = views
        .iter()
        .map(|v| (v.entry.start, v.entry.end.unwrap_or(now).max(v.entry.start)))
        .collect();
    let pieces = calendar_layout::pieces(&spans, &days, tz);
    let link = |date: NaiveDate, view: View| {
        chrome.org_path(&format!("/calendar?date={date}&view={}", view.name()))
    };
    let columns: Vec<DayColumn> = days
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let label = d.format("%a %-d %b").to_string();
            let blocks = pieces
                .iter()
                .filter(|p| p.day == i)
                .map(|p| block(org, &views[p.entry], p, &label, &choices, tz, now))
                .collect();
            DayColumn {
                iso: d.to_string(),
                long_label: format::date(*d),
                today: *d == today,
                midnight: rfc3339(format::start_of_day(*d, tz)),
                day_link: link(*d, View::Day),
                add_link: chrome.org_path(&format!(
                    "/calendar?date={day}&view={}&add={d}",
                    view.name()
                )),
                label,
                blocks,
            }
        })
        .collect();
    let step = match view {
        View::Week => Duration::days(7),
        View::Day => Duration::days(1),
    };
    let title = match view {
        View::Week => format!("Week of {} – {}", format::date(first), format::date(last)),
        View::Day => format::date(day),
    };
    let add_date = query
        .add
        .as_deref()
        .and_then(|a| NaiveDate::parse_from_str(a, "%Y-%m-%d").ok())
        .filter(|a| days.contains(a))
        .unwrap_or(if days.contains(&today) { today } else { first });
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(page::html_with_status(
        &CalendarPage {
            previous: link(day - step, view),
            next: link(day + step, view),
            current: link(today, view),
            week_link: link(day, View::Week),
            day_link: link(day, View::Day),
            back: link(day, view),
            api_entries: format!("/api/v1/organizations/{org}/time-entries"),
            add_date: add_date.to_string(),
            focus_add: query.add.is_some(),
            hours: (0..24)
                .map(|h| Hour {
                    y: h * HOUR_PX,
                    label: format!("{h:02}:00"),
                })
                .collect(),
            height: 24 * HOUR_PX,
            view: view.name(),
            days: columns,
            date_typed: query.date.clone().unwrap_or_else(|| day.to_string()),
            errors,
            title,
            choices,
            chrome,
        },
        &headers,
        status,
    ))
}
