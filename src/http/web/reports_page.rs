//! `/o/{org}/reports`: the summary report with filters, group and sub-group, charts drawn on the
//! server, a totals table, exports, saving and sharing; and `/shared/{token}`, the read-only
//! page a shared link opens. Printable (the print stylesheet drops everything but the report).

use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use chrono::{Datelike, Duration, NaiveDate};

use super::catalog_pages::money;
use super::form::{Fields, FormErrors, SignedForm};
use super::format;
use super::org::org_chrome;
use super::page::{self, Chrome};
use super::session::{Viewer, redirect_with_notice};
use super::tracking::Choices;
use super::tracking::chart::{self, BarChart, ShareBar};
use crate::domain::ids::{OrganizationId, SavedReportId, SharedReportId};
use crate::domain::period::Period;
use crate::http::query;
use crate::http::state::AppState;
use crate::http::web::page_error::{PageError, PageResult};
use crate::service::reports::links::{self, SaveInput, ShareInput};
use crate::service::reports::query::GroupBy;
use crate::service::reports::{self, Summary};
use crate::service::{Actor, Ctx, exports, members};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/o/{org}/reports", get(report))
        .route("/o/{org}/reports/save", post(save))
        .route("/o/{org}/reports/saved/{id}/delete", post(delete_saved))
        .route("/o/{org}/reports/share", post(share))
        .route("/o/{org}/reports/shared/{id}/revoke", post(revoke))
        .route("/shared/{token}", get(shared_page))
}

/// A row of the totals table.
pub struct Row {
    pub label: String,
    /// The project's colour for its dot; empty when the row is not a project.
    pub color: String,
    pub duration: String,
    pub amount: String,
    pub entries: i64,
    pub share: String,
    pub sub: bool,
}

/// The report as both pages show it.
pub struct View {
    pub title: String,
    pub period: String,
    pub notes: Vec<String>,
    pub rows: Vec<Row>,
    pub total: String,
    pub total_amount: String,
    pub total_entries: i64,
    /// `100.0 %`, or `–` when nothing was tracked.
    pub total_share: String,
    pub over_time: Option<BarChart>,
    /// The largest groups, as rows of a bar chart.
    pub shares: Vec<ShareBar>,
    pub group_name: &'static str,
}

fn group_name(g: GroupBy) -> &'static str {
    match g {
        GroupBy::Client => "Client",
        GroupBy::Project => "Project",
        GroupBy::Task => "Task",
        GroupBy::User => "Person",
        GroupBy::Tag => "Tag",
        GroupBy::Day => "Day",
        GroupBy::Week => "Week",
        GroupBy::Month => "Month",
        GroupBy::Year => "Year",
        GroupBy::Billable => "Billable",
        GroupBy::Description => "Description",
    }
}

fn percent(part: i64, whole: i64) -> String {
    if whole == 0 {
        return "–".into();
    }
    format!("{:.1} %", part as f64 * 100.0 / whole as f64)
}

fn view(summary: &Summary, over_time: Option<&Summary>) -> View {
    let total = summary.totals.seconds;
    let mut rows = Vec::new();
    for g in &summary.groups {
        rows.push(Row {
            label: g.label.clone(),
            color: g.color.clone().unwrap_or_default(),
            duration: format::hours_minutes(g.seconds),
            amount: money(g.amount, &summary.currency),
            entries: g.entries,
            share: percent(g.seconds, total),
            sub: false,
        });
        for s in &g.subgroups {
            rows.push(Row {
                label: s.label.clone(),
                color: s.color.clone().unwrap_or_default(),
                duration: format::hours_minutes(s.seconds),
                amount: money(s.amount, &summary.currency),
                entries: s.entries,
                share: percent(s.seconds, total),
                sub: true,
            });
        }
    }
    let mut notes = vec![format!(
        "Days in {}; weeks start on {}.",
        summary.time_zone,
        [
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
            "Sunday"
        ][(summary.week_start.clamp(1, 7) - 1) as usize]
    )];
    notes.push(match summary.rounding.mode {
        reports::rounding::Mode::None => "Rounding: none (time as tracked).".into(),
        _ => format!(
            "Rounding: {}; totals add the rounded entries.",
            summary.rounding.describe()
        ),
    });
    if summary.entries_count_under_each_tag {
        notes.push("An entry with several tags counts fully under each tag, so tag rows can add up to more than the total.".into());
    }
    let over_time = over_time.map(|over| {
        let by_key: std::collections::HashMap<&str, i64> = over
            .groups
            .iter()
            .filter_map(|g| g.key.as_deref().map(|k| (k, g.seconds)))
            .collect();
        // every period of the range gets a bar, empty ones too
        let bars: Vec<(String, i64)> = periods(over)
            .into_iter()
            .map(|d| {
                let label = match over.group {
                    GroupBy::Week => format!("w{}", d.iso_week().week()),
                    GroupBy::Month => d.format("%b").to_string(),
                    _ => d.format("%-d").to_string(),
                };
                let seconds = by_key.get(d.to_string().as_str()).copied().unwrap_or(0);
                (label, seconds)
            })
            .collect();
        chart::bars(
            &format!("Time per {}", group_name(over.group).to_lowercase()),
            &bars,
        )
    });
    let shares: Vec<(String, i64, String)> = summary
        .groups
        .iter()
        .take(8)
        .map(|g| {
            (
                g.label.clone(),
                g.seconds,
                g.color.clone().unwrap_or_default(),
            )
        })
        .collect();
    View {
        title: format!("Time by {}", group_name(summary.group).to_lowercase()),
        period: format!(
            "{} – {}",
            format::date(summary.from),
            format::date(summary.to)
        ),
        notes,
        rows,
        total: format::hours_minutes(total),
        // an empty report has no whole to be 100 % of
        total_share: percent(total, total),
        total_amount: money(summary.totals.amount, &summary.currency),
        total_entries: summary.totals.entries,
        over_time,
        shares: chart::share_bars(&shares),
        group_name: group_name(summary.group),
    }
}

/// The first day of each period (day, week or month) of a report's range.
fn periods(over: &Summary) -> Vec<chrono::NaiveDate> {
    let mut first = match over.group {
        GroupBy::Week => crate::domain::calendar::week_start(over.from, over.week_start),
        GroupBy::Month => over.from.with_day(1).unwrap_or(over.from),
        _ => over.from,
    };
    let mut all = Vec::new();
    while first <= over.to && all.len() < 400 {
        all.push(first);
        first = match over.group {
            GroupBy::Week => first + Duration::days(7),
            GroupBy::Month => (first + Duration::days(32)).with_day(1).unwrap_or(first),
            _ => first + Duration::days(1),
        };
    }
    all
}

pub struct Choice {
    pub value: String,
    pub label: String,
}

pub struct SavedLink {
    pub id: String,
    pub name: String,
    pub href: String,
}

pub struct ShareLink {
    pub id: String,
    pub name: String,
    pub state: String,
    pub revoked: bool,
}

#[derive(Template)]
#[template(path = "reports/report.html")]
pub struct ReportPage {
    pub chrome: Chrome,
    pub form: Fields,
    pub periods: Vec<PeriodLink>,
    pub choices: Choices,
    pub clients: Vec<Choice>,
    pub people: Vec<Choice>,
    pub groups: Vec<Choice>,
    pub report: Option<View>,
    pub errors: FormErrors,
    pub params: String,
    pub exports: Vec<Choice>,
    /// What the entries files hold differently from the report, when anything does.
    pub export_note: Option<String>,
    pub saved: Vec<SavedLink>,
    pub shares: Vec<ShareLink>,
    pub new_share_url: String,
}

impl ReportPage {
    pub fn value(&self, name: &str) -> String {
        self.form.get(name).to_string()
    }

    pub fn is(&self, name: &str, value: &str) -> bool {
        self.form.get(name) == value
    }

    /// Whether the report's range is one of the named periods.
    pub fn preset(&self) -> bool {
        self.periods.iter().any(|p| p.current)
    }
}

/// The form's values with the defaults filled in: this week, by project.
fn with_defaults(raw: &str, viewer: &Viewer, today: NaiveDate) -> Fields {
    let mut fields = Fields::parse(raw.as_bytes());
    let (first, last) = Period::DEFAULT.range(today, viewer.actor.user.week_start);
    for (name, value) in [
        ("from", first.to_string()),
        ("to", last.to_string()),
        ("group", "project".to_string()),
        ("tz", viewer.actor.user.time_zone.clone()),
    ] {
        if fields.non_empty(name).is_none() {
            fields.push(name, &value);
        }
    }
    fields
}

/// The report's query: the form's fields that the report service reads, empty ones left out.
fn query_of(fields: &Fields) -> String {
    let keys = [
        "from",
        "to",
        "tz",
        "group",
        "subgroup",
        "rounding",
        "rounding_minutes",
        "project_id",
        "client_id",
        "tag_id",
        "user_id",
        "billable",
        "q",
    ];
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for key in keys {
        if let Some(v) = fields.non_empty(key) {
            q.append_pair(key, v);
        }
    }
    q.finish()
}

/// A named range ("This week") as a link to the same report over that range; `current` when the
/// report shows exactly that range.
pub struct PeriodLink {
    pub label: &'static str,
    pub href: String,
    pub current: bool,
}

fn period_links(
    org: OrganizationId,
    form: &Fields,
    today: NaiveDate,
    first_weekday: i16,
) -> Vec<PeriodLink> {
    let params = query_of(form);
    Period::ALL
        .iter()
        .map(|&period| {
            let (from, to) = period.range(today, first_weekday);
            let (from, to) = (from.to_string(), to.to_string());
            let mut query = url::form_urlencoded::Serializer::new(String::new());
            query.append_pair("from", &from).append_pair("to", &to);
            for (key, value) in url::form_urlencoded::parse(params.as_bytes()) {
                if key != "from" && key != "to" {
                    query.append_pair(&key, &value);
                }
            }
            PeriodLink {
                label: period.label(),
                href: format!("/o/{org}/reports?{}", query.finish()),
                current: form.get("from") == from && form.get("to") == to,
            }
        })
        .collect()
}

/// The report's filters as a download in each export format.
fn export_links(org: OrganizationId, params: &str) -> Vec<Choice> {
    let api = format!("/api/v1/organizations/{org}/exports");
    [
        ("CSV", "entries.csv"),
        ("Excel", "entries.xlsx"),
        ("JSON", "entries.json"),
        ("PDF summary", "summary.pdf"),
    ]
    .into_iter()
    .map(|(label, file)| Choice {
        value: format!("{api}/{file}?{params}"),
        label: label.into(),
    })
    .collect()
}

/// Says plainly how the CSV, Excel and JSON files differ from the report on the page, when
/// they do (the PDF is the report itself).
fn export_note_for(differences: exports::DifferencesFromReport) -> Option<String> {
    if !differences.any() {
        return None;
    }
    let mut note = String::from(
        "The CSV, Excel and JSON files list the finished entries that start in this range, each in full.",
    );
    match differences.running {
        0 => {}
        1 => note.push_str(" This report also counts 1 running timer, up to now."),
        n => note.push_str(&format!(
            " This report also counts {n} running timers, up to now."
        )),
    }
    match differences.crossing_edges {
        0 => {}
        1 => note.push_str(
            " It counts only the part inside the range of 1 entry that crosses its start or end.",
        ),
        n => note.push_str(&format!(
            " It counts only the part inside the range of {n} entries that cross its start or end."
        )),
    }
    Some(note)
}

async fn saved_links(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    chrome: &Chrome,
) -> Result<Vec<SavedLink>, PageError> {
    Ok(links::saved(ctx, actor, org)
        .await?
        .into_iter()
        .map(|s| SavedLink {
            id: s.id.to_string(),
            href: format!("{}?{}", chrome.org_path("/reports"), s.params),
            name: s.name,
        })
        .collect())
}

/// The shared links with what each still does, in the viewer's words and time zone.
async fn share_links(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    viewer: &Viewer,
) -> Result<Vec<ShareLink>, PageError> {
    let now = ctx.clock.now();
    Ok(links::shares(ctx, actor, org)
        .await?
        .into_iter()
        .map(|s| ShareLink {
            id: s.id.to_string(),
            state: match s.state(now) {
                links::LinkState::Revoked => "revoked".into(),
                links::LinkState::Expired => "expired".into(),
                links::LinkState::Works { until: Some(e) } => {
                    format!("until {}", format::date_time(e, viewer.tz))
                }
                links::LinkState::Works { until: None } => "no expiry".into(),
            },
            revoked: s.revoked,
            name: s.name,
        })
        .collect())
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    org: OrganizationId,
    raw: &str,
    mut errors: FormErrors,
    new_share_url: String,
    headers: &HeaderMap,
) -> PageResult {
    let (chrome, _) = org_chrome(state, viewer, org, "reports").await?;
    let ctx = &state.ctx;
    let actor = &viewer.actor;
    let today = format::local_date(ctx.clock.now(), viewer.tz);
    let form = with_defaults(raw, viewer, today);
    let params = query_of(&form);
    let periods = period_links(org, &form, today, actor.user.week_start);
    let computed = match query::report(&params, &actor.user, None) {
        Ok(request) => match reports::summary_with_timeline(ctx, actor, org, &request).await {
            Ok(report) => exports::differences_from_report(ctx, actor, org, &request)
                .await
                .map(|differences| (report, differences)),
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    let mut export_note = None;
    let report = match computed {
        Ok(((summary, timeline), differences)) => {
            export_note = export_note_for(differences);
            Some(view(&summary, Some(&timeline)))
        }
        Err(e) => {
            let more = FormErrors::from_error(e)?;
            errors.message = more.message;
            errors.fields.extend(more.fields);
            None
        }
    };
    let choices = Choices::load(ctx, actor, org).await?;
    let clients = crate::service::catalog::clients::list(ctx, actor, org, &Default::default())
        .await?
        .into_iter()
        .map(|c| Choice {
            value: c.id.to_string(),
            label: c.name,
        })
        .collect();
    let people = if chrome.manages() {
        members::list(ctx, actor, org)
            .await?
            .into_iter()
            .map(|m| Choice {
                value: m.user_id.to_string(),
                label: m.name,
            })
            .collect()
    } else {
        Vec::new()
    };
    let groups = GroupBy::ALL
        .iter()
        .map(|g| Choice {
            value: g.as_str().into(),
            label: group_name(*g).into(),
        })
        .collect();
    let exports = export_links(org, &params);
    let saved = saved_links(ctx, actor, org, &chrome).await?;
    let shares = share_links(ctx, actor, org, viewer).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut response = page::html_with_status(
        &ReportPage {
            chrome,
            form,
            periods,
            choices,
            clients,
            people,
            groups,
            report,
            errors,
            params,
            exports,
            export_note,
            saved,
            shares,
            new_share_url: new_share_url.clone(),
        },
        headers,
        status,
    );
    if !new_share_url.is_empty() {
        // the link's token is on this page only
        response = crate::http::cache::no_store(response);
    }
    Ok(response)
}

pub async fn report(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<OrganizationId>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> PageResult {
    render(
        &state,
        &viewer,
        org,
        raw.as_deref().unwrap_or(""),
        FormErrors::default(),
        String::new(),
        &headers,
    )
    .await
}

pub async fn save(
    State(state): State<AppState>,
    Path(org): Path<OrganizationId>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    let params = form.fields.get("params").to_string();
    let saved = match query::report_params(&params, &form.viewer.actor.user) {
        Ok(params) => {
            let input = SaveInput {
                name: form.fields.get("name").into(),
                params,
            };
            links::save(&state.ctx, &form.viewer.actor, org, input).await
        }
        Err(e) => Err(e),
    };
    match saved {
        Ok(saved) => Ok(redirect_with_notice(
            &format!("/o/{org}/reports?{params}#saved-{}", saved.id),
            &format!("Report “{}” saved.", saved.name),
            state.ctx.settings.secure_cookies,
        )),
        Err(e) => {
            let errors = FormErrors::from_error(e)?;
            render(
                &state,
                &form.viewer,
                org,
                &params,
                errors,
                String::new(),
                &headers,
            )
            .await
        }
    }
}

pub async fn delete_saved(
    State(state): State<AppState>,
    Path((org, id)): Path<(OrganizationId, SavedReportId)>,
    form: SignedForm,
) -> PageResult {
    links::delete_saved(&state.ctx, &form.viewer.actor, org, id).await?;
    Ok(redirect_with_notice(
        &format!("/o/{org}/reports#saved-title"),
        "Saved report deleted.",
        state.ctx.settings.secure_cookies,
    ))
}

pub async fn share(
    State(state): State<AppState>,
    Path(org): Path<OrganizationId>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    let params = form.fields.get("params").to_string();
    let mut errors = FormErrors::default();
    let expires_in_days = match form.fields.non_empty("expires_in_days") {
        None => None,
        Some(raw) => match raw.parse::<i64>() {
            Ok(d) => Some(d),
            Err(_) => {
                errors.add(
                    "expires_in_days",
                    format!("'{raw}' is not a number of days"),
                );
                None
            }
        },
    };
    if !errors.is_empty() {
        return render(
            &state,
            &form.viewer,
            org,
            &params,
            errors,
            String::new(),
            &headers,
        )
        .await;
    }
    let shared = match query::report_params(&params, &form.viewer.actor.user) {
        Ok(params) => {
            let input = ShareInput {
                name: form.fields.get("share_name").into(),
                params,
                expires_in_days,
            };
            links::share(&state.ctx, &form.viewer.actor, org, input).await
        }
        Err(e) => Err(e),
    };
    match shared {
        Ok(created) => {
            render(
                &state,
                &form.viewer,
                org,
                &params,
                FormErrors::default(),
                created.url,
                &headers,
            )
            .await
        }
        Err(e) => {
            let mut errors = FormErrors::from_error(e)?;
            if let Some(m) = errors.fields.remove("name") {
                errors.fields.insert("share_name".into(), m);
            }
            render(
                &state,
                &form.viewer,
                org,
                &params,
                errors,
                String::new(),
                &headers,
            )
            .await
        }
    }
}

pub async fn revoke(
    State(state): State<AppState>,
    Path((org, id)): Path<(OrganizationId, SharedReportId)>,
    form: SignedForm,
) -> PageResult {
    links::revoke(&state.ctx, &form.viewer.actor, org, id).await?;
    Ok(redirect_with_notice(
        &format!("/o/{org}/reports#share-title"),
        "The shared link no longer works.",
        state.ctx.settings.secure_cookies,
    ))
}

#[derive(Template)]
#[template(path = "reports/shared.html")]
pub struct SharedPage {
    pub chrome: Chrome,
    pub name: String,
    pub organization: String,
    pub report: View,
}

/// The public page of a shared link: the one report, nothing else.
pub async fn shared_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> PageResult {
    let public = query::shared_report(&state.ctx, &token).await?;
    let view = view(&public.report, None);
    let mut response = page::html(
        &SharedPage {
            chrome: Chrome::anonymous(String::new()),
            name: public.name,
            organization: public.organization,
            report: view,
        },
        &headers,
    );
    response.headers_mut().insert(
        axum::http::header::HeaderName::from_static("x-robots-tag"),
        axum::http::HeaderValue::from_static("noindex"),
    );
    Ok(response)
}
