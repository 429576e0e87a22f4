//! `/o/{org}/entries`: the filterable, paged list with inline edit and bulk changes, and the
//! per-entry actions (edit, delete, continue) the other pages link to.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};

use chrono::{Duration, NaiveDate};

use super::super::form::{Fields, FormErrors, SignedForm};
use super::super::format;
use super::super::org::org_chrome;
use super::super::page::{self, Chrome};
use super::super::session::{Viewer, redirect_with_notice};
use super::bar::BarForm;
use super::timer::back_to;
use super::{
    Choices, DayGroup, EntryRow, MemberChoice, TimesForm, changed_times, group_by_day,
    unusual_unless_confirmed, what_from, when_from,
};
use crate::domain::entry_filter::{Cursor, EntryFilter, Paging};
use crate::domain::ids::{OrganizationId, TimeEntryId};
use crate::http::state::AppState;
use crate::http::web::page_error::{PageError, PageResult};
use crate::service::catalog::{ListQuery, clients};
use crate::service::entries::{
    self, BulkDelete, BulkUpdate, EntryInput, EntrySource, list, timer, unusual,
};
use crate::service::{Actor, Ctx};

/// The filter form's values, as typed (days in the viewer's zone).
#[derive(Default)]
pub struct Filters {
    pub from: String,
    pub to: String,
    pub project_id: String,
    pub client_id: String,
    pub tag_id: String,
    pub user_id: String,
    pub billable: String,
    pub text: String,
}

impl Filters {
    fn parse(raw: &str) -> (Self, String) {
        let fields = Fields::parse(raw.as_bytes());
        (
            Self {
                from: fields.get("from").trim().into(),
                to: fields.get("to").trim().into(),
                project_id: fields.get("project_id").trim().into(),
                client_id: fields.get("client_id").trim().into(),
                tag_id: fields.get("tag_id").trim().into(),
                user_id: fields.get("user_id").trim().into(),
                billable: fields.get("billable").trim().into(),
                text: fields.get("text").trim().into(),
            },
            fields.get("cursor").into(),
        )
    }

    /// The list service's filter: days become the instants bounding them in `tz`; fields
    /// that do not parse are noted in `errors`.
    fn to_filter(&self, tz: chrono_tz::Tz, errors: &mut FormErrors) -> EntryFilter {
        let day = |raw: &str, name: &str, errors: &mut FormErrors| {
            if raw.is_empty() {
                return None;
            }
            chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .map_err(|_| errors.add(name, format!("'{raw}' is not a day (YYYY-MM-DD)")))
                .ok()
        };
        EntryFilter {
            from: day(&self.from, "from", errors).map(|d| format::start_of_day(d, tz)),
            // "to" names the last day shown, so the range ends where the next day starts
            to: day(&self.to, "to", errors)
                .map(|d| format::start_of_day(d + Duration::days(1), tz)),
            projects: one_id(&self.project_id),
            clients: one_id(&self.client_id),
            tags: one_id(&self.tag_id),
            users: one_id(&self.user_id),
            billable: match self.billable.as_str() {
                "yes" => Some(true),
                "no" => Some(false),
                _ => None,
            },
            text: Some(self.text.clone()).filter(|t| !t.is_empty()),
            ..EntryFilter::default()
        }
    }

    /// Whether anything beyond the text search narrows the list (the form then opens them).
    pub fn narrowed(&self) -> bool {
        [
            &self.from,
            &self.to,
            &self.project_id,
            &self.client_id,
            &self.tag_id,
            &self.user_id,
            &self.billable,
        ]
        .iter()
        .any(|v| !v.is_empty())
    }

    fn as_query(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("from", &self.from),
                ("to", &self.to),
                ("project_id", &self.project_id),
                ("client_id", &self.client_id),
                ("tag_id", &self.tag_id),
                ("user_id", &self.user_id),
                ("billable", &self.billable),
                ("text", &self.text),
            ])
            .finish()
    }
}

/// A picked id as a one-element list (the pickers offer real ids only; anything else is none).
fn one_id<T: std::str::FromStr>(raw: &str) -> Vec<T> {
    raw.parse().ok().into_iter().collect()
}

pub struct ClientChoice {
    pub id: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "tracking/entries.html")]
pub struct EntriesPage {
    pub chrome: Chrome,
    pub choices: Choices,
    pub filters: Filters,
    pub clients: Vec<ClientChoice>,
    pub members: Vec<MemberChoice>,
    /// The page's entries under their days (newest first), each day with its total.
    pub days: Vec<DayGroup>,
    /// How many entries the page shows.
    pub shown: usize,
    pub names: std::collections::HashMap<String, String>,
    pub next_page: String,
    pub first_page: String,
    pub total: String,
    pub back: String,
    pub errors: FormErrors,
    /// The entry whose row shows its edit form (`?edit=<id>`).
    pub editing: String,
    pub add: AddForm,
}

impl EntriesPage {
    /// This page with the entry's row opened for editing, filters and page kept.
    pub fn edit_link(&self, id: &str) -> String {
        let separator = if self.back.contains('?') { '&' } else { '?' };
        format!("{}{separator}edit={id}#e-{id}", self.back)
    }

    /// The table's columns (a day header and an open edit form span them all).
    pub fn columns(&self) -> usize {
        if self.members.is_empty() { 7 } else { 8 }
    }

    pub fn person(&self, id: &str) -> String {
        self.names.get(id).cloned().unwrap_or_default()
    }
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<OrganizationId>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> PageResult {
    render_list(
        &state,
        &viewer,
        org,
        raw.as_deref().unwrap_or(""),
        FormErrors::default(),
        None,
        &headers,
    )
    .await
}

/// The "Add an entry" form's values: empty, or what was sent when saving it failed.
#[derive(Default)]
pub struct AddForm {
    pub description: String,
    pub project_id: String,
    pub times: TimesForm,
    /// The errors belong to this form (not to the filters above).
    pub failed: bool,
}

/// The entries the filters select, or none when the filters have errors (which the list's own
/// refusals join).
async fn entries_page(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    filter: &EntryFilter,
    paging: &Paging,
    errors: &mut FormErrors,
) -> Result<list::Page, PageError> {
    let empty = list::Page {
        items: Vec::new(),
        next_cursor: None,
    };
    if !errors.fields.is_empty() {
        return Ok(empty);
    }
    match list::list(ctx, actor, org, filter, paging).await {
        Ok(page) => Ok(page),
        Err(e) => {
            let more = FormErrors::from_error(e)?;
            errors.message = more.message;
            errors.fields.extend(more.fields);
            Ok(empty)
        }
    }
}

/// The list as it is (filters, page), without the row being edited.
fn without_edit(base: &str, raw: &str) -> String {
    let kept: Vec<(String, String)> = url::form_urlencoded::parse(raw.as_bytes())
        .filter(|(k, _)| k != "edit")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        return base.to_string();
    }
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(kept)
        .finish();
    format!("{base}?{query}")
}

impl AddForm {
    /// What the add form shows: what was sent back after a refusal, else an empty form for today.
    fn new(added: Option<&Fields>, today: NaiveDate) -> Self {
        match added {
            Some(fields) => AddForm {
                description: fields.get("description").into(),
                project_id: fields.get("project_id").into(),
                times: TimesForm::sent(fields, ""),
                failed: true,
            },
            None => AddForm {
                times: TimesForm {
                    date: today.to_string(),
                    ..TimesForm::default()
                },
                ..AddForm::default()
            },
        }
    }
}

async fn render_list(
    state: &AppState,
    viewer: &Viewer,
    org: OrganizationId,
    raw: &str,
    mut errors: FormErrors,
    added: Option<&Fields>,
    headers: &HeaderMap,
) -> PageResult {
    let (chrome, _) = org_chrome(state, viewer, org, "entries").await?;
    let ctx = &state.ctx;
    let actor = &viewer.actor;
    let (filters, cursor) = Filters::parse(raw);
    let editing = Fields::parse(raw.as_bytes()).get("edit").to_string();
    let filter = filters.to_filter(viewer.tz, &mut errors);
    let paging = Paging {
        after: Cursor::parse(&cursor).ok(),
        ..Paging::default()
    };
    let choices = Choices::load(ctx, actor, org).await?;
    let page = entries_page(ctx, actor, org, &filter, &paging, &mut errors).await?;
    let rows: Vec<EntryRow> = page
        .items
        .iter()
        .map(|v| EntryRow::new(v, &choices, viewer.tz))
        .collect();
    let clients = clients::list(ctx, actor, org, &ListQuery::default())
        .await?
        .into_iter()
        .map(|c| ClientChoice {
            id: c.id.to_string(),
            name: c.name,
        })
        .collect();
    let (members, names) = if chrome.manages() {
        super::member_choices(ctx, actor, org).await?
    } else {
        Default::default()
    };
    let base = chrome.org_path("/entries");
    let filter_query = filters.as_query();
    let next_page = page
        .next_cursor
        .map(|c| format!("{base}?{filter_query}&cursor={c}"))
        .unwrap_or_default();
    let first_page = if cursor.is_empty() {
        String::new()
    } else {
        format!("{base}?{filter_query}")
    };
    let back = without_edit(&base, raw);
    let total = format::hours_minutes(rows.iter().map(|r| r.seconds).sum());
    let add = AddForm::new(added, format::local_date(ctx.clock.now(), viewer.tz));
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(page::html_with_status(
        &EntriesPage {
            chrome,
            choices,
            filters,
            clients,
            members,
            shown: rows.len(),
            days: group_by_day(rows),
            names,
            next_page,
            first_page,
            total,
            back,
            errors,
            editing,
            add,
        },
        headers,
        status,
    ))
}

#[derive(Template)]
#[template(path = "tracking/edit.html")]
pub struct EditPage {
    pub chrome: Chrome,
    pub choices: Choices,
    pub entry: EntryRow,
    pub errors: FormErrors,
    pub back: String,
}

async fn edit_page(
    state: &AppState,
    viewer: &Viewer,
    org: OrganizationId,
    id: TimeEntryId,
    sent: Option<&Fields>,
    errors: FormErrors,
    headers: &HeaderMap,
) -> PageResult {
    let (chrome, _) = org_chrome(state, viewer, org, "entries").await?;
    let view = entries::get(&state.ctx, &viewer.actor, org, id).await?;
    let choices = Choices::load(&state.ctx, &viewer.actor, org).await?;
    let mut entry = EntryRow::new(&view, &choices, viewer.tz);
    let back = match sent {
        Some(fields) => {
            // show what was sent, so nothing typed is lost, and keep comparing with what was
            // first shown
            entry.description = fields.get("description").into();
            entry.project_id = fields.get("project_id").into();
            entry.task_id = fields.get("task_id").into();
            entry.tag_ids = fields.all("tag_id").into_iter().map(Into::into).collect();
            entry.billable = fields.get("billable") == "true";
            entry.form = TimesForm::sent(fields, "");
            entry.shown = TimesForm::sent(fields, "was_");
            back_to(fields, org)
        }
        None => chrome.org_path("/entries"),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(page::html_with_status(
        &EditPage {
            chrome,
            choices,
            entry,
            errors,
            back,
        },
        headers,
        status,
    ))
}

pub async fn edit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((org, id)): Path<(OrganizationId, TimeEntryId)>,
    headers: HeaderMap,
) -> PageResult {
    edit_page(
        &state,
        &viewer,
        org,
        id,
        None,
        FormErrors::default(),
        &headers,
    )
    .await
}

/// Saves an edit form. Times the person did not touch are not sent to the service, so they
/// keep their stored instants; new times that look like a mistake are shown for a check first.
pub async fn update(
    State(state): State<AppState>,
    Path((org, id)): Path<(OrganizationId, TimeEntryId)>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    let fields = &form.fields;
    let viewer = &form.viewer;
    let running = fields.checked("running");
    let mut errors = FormErrors::default();
    let Some(times) = changed_times(fields, viewer.tz, running, &mut errors) else {
        return edit_page(&state, viewer, org, id, Some(fields), errors, &headers).await;
    };
    if times.start.is_some() || times.end.is_some() {
        let stored = entries::get(&state.ctx, &viewer.actor, org, id).await?;
        let start = times.start.unwrap_or(stored.entry.start);
        if let Some(end) = times.end.unwrap_or(stored.entry.end) {
            let planned = unusual::Planned {
                id: Some(id),
                user_id: stored.entry.user_id,
                start,
                end,
                tz: viewer.tz,
            };
            if let Some(ask) = ask_first(&state, viewer, org, fields, planned).await? {
                return edit_page(&state, viewer, org, id, Some(fields), ask, &headers).await;
            }
        }
    }
    let version: i64 = fields.get("version").parse().unwrap_or(-1);
    let input = EntryInput {
        start: times.start,
        end: times.end,
        ..what_from(fields)
    };
    match entries::update(&state.ctx, &viewer.actor, org, id, version, input).await {
        Ok(_) => Ok(redirect_with_notice(
            &back_to(fields, org),
            "Entry saved.",
            state.ctx.settings.secure_cookies,
        )),
        Err(e) => {
            let more = FormErrors::from_error(e)?;
            edit_page(&state, viewer, org, id, Some(fields), more, &headers).await
        }
    }
}

/// The question to show before saving `planned`, when it is unusual and not yet confirmed.
async fn ask_first(
    state: &AppState,
    viewer: &Viewer,
    org: OrganizationId,
    fields: &Fields,
    planned: unusual::Planned,
) -> PageResult<Option<FormErrors>> {
    let warnings = unusual_unless_confirmed(&state.ctx, viewer, org, fields, planned).await?;
    Ok((!warnings.is_empty()).then(|| FormErrors::warnings(warnings)))
}

/// A finished entry typed in by hand: the entries page's "Add entry" form, or the home page's
/// timer bar in Manual mode (`from=bar`), which shows its problems in the bar again.
pub async fn create(
    State(state): State<AppState>,
    Path(org): Path<OrganizationId>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    let fields = &form.fields;
    let viewer = &form.viewer;
    let again = |errors| show_again(&state, viewer, org, fields, errors, &headers);
    let mut errors = FormErrors::default();
    let Some((start, Some(end))) = when_from(fields, viewer.tz, true, &mut errors) else {
        return again(errors).await;
    };
    let planned = unusual::Planned {
        id: None,
        user_id: viewer.actor.user.id,
        start,
        end,
        tz: viewer.tz,
    };
    if let Some(ask) = ask_first(&state, viewer, org, fields, planned).await? {
        return again(ask).await;
    }
    let input = EntryInput {
        start: Some(start),
        end: Some(Some(end)),
        ..what_from(fields)
    };
    match entries::create(&state.ctx, &viewer.actor, org, input, EntrySource::Web).await {
        Ok(view) => Ok(redirect_with_notice(
            &back_to(fields, org),
            &format!(
                "Entry added: {}.",
                format::entry_length(view.duration_seconds)
            ),
            state.ctx.settings.secure_cookies,
        )),
        Err(e) => again(FormErrors::from_error(e)?).await,
    }
}

/// The form that added an entry, shown again with what needs fixing.
async fn show_again(
    state: &AppState,
    viewer: &Viewer,
    org: OrganizationId,
    fields: &Fields,
    errors: FormErrors,
    headers: &HeaderMap,
) -> PageResult {
    if fields.get("from") == "bar" {
        let sent = BarForm::sent(fields, true);
        super::timer::render(state, viewer, org, sent, errors, "", headers).await
    } else {
        render_list(state, viewer, org, "", errors, Some(fields), headers).await
    }
}

pub async fn delete(
    State(state): State<AppState>,
    Path((org, id)): Path<(OrganizationId, TimeEntryId)>,
    form: SignedForm,
) -> PageResult {
    match entries::delete(&state.ctx, &form.viewer.actor, org, id).await {
        Ok(()) => Ok(redirect_with_notice(
            &back_to(&form.fields, org),
            "Entry deleted.",
            state.ctx.settings.secure_cookies,
        )),
        Err(e) => {
            let errors = FormErrors::from_error(e)?;
            Ok(redirect_with_notice(
                &back_to(&form.fields, org),
                &format!("The entry was not deleted: {}", errors.message),
                state.ctx.settings.secure_cookies,
            ))
        }
    }
}

pub async fn continue_entry(
    State(state): State<AppState>,
    Path((org, id)): Path<(OrganizationId, TimeEntryId)>,
    form: SignedForm,
) -> PageResult {
    let notice = match timer::continue_entry(&state.ctx, &form.viewer.actor, org, id).await {
        Ok(_) => "Timer started from the entry.".to_string(),
        Err(e) => {
            let errors = FormErrors::from_error(e)?;
            format!("The timer did not start: {}", errors.message)
        }
    };
    Ok(redirect_with_notice(
        &format!("/o/{org}"),
        &notice,
        state.ctx.settings.secure_cookies,
    ))
}

/// Applies one change to the selected entries, or to none of them.
pub async fn bulk(
    State(state): State<AppState>,
    Path(org): Path<OrganizationId>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    let fields = &form.fields;
    let ids: Vec<TimeEntryId> = fields
        .all("entry_id")
        .into_iter()
        .filter_map(|id| id.parse().ok())
        .collect();
    let back = back_to(fields, org);
    let secure = state.ctx.settings.secure_cookies;
    if ids.is_empty() {
        return Ok(redirect_with_notice(
            &back,
            "Select at least one entry first.",
            secure,
        ));
    }
    let count = ids.len();
    let what = fields.get("action");
    if what == "delete" && fields.get("confirmed") != "true" {
        return super::delete::confirm_bulk(&state, &form.viewer, org, &ids, back, &headers).await;
    }
    let set = match what {
        "project" => Some(EntryInput {
            project_id: Some(fields.get("bulk_project_id").parse().ok()),
            ..EntryInput::default()
        }),
        "tags" => Some(EntryInput {
            tags: Some(
                fields
                    .all("bulk_tag_id")
                    .into_iter()
                    .filter_map(|t| t.parse().ok())
                    .collect(),
            ),
            ..EntryInput::default()
        }),
        "billable" => Some(EntryInput {
            billable: Some(true),
            ..EntryInput::default()
        }),
        "not_billable" => Some(EntryInput {
            billable: Some(false),
            ..EntryInput::default()
        }),
        _ => None,
    };
    let result = match (what, set) {
        ("delete", _) => {
            entries::bulk_delete(&state.ctx, &form.viewer.actor, org, BulkDelete { ids })
                .await
                .map(|()| format!("{count} entries deleted."))
        }
        (_, Some(set)) => {
            entries::bulk_update(&state.ctx, &form.viewer.actor, org, BulkUpdate { ids, set })
                .await
                .map(|changed| format!("{} entries changed.", changed.len()))
        }
        _ => Ok("Choose what to do with the selected entries.".to_string()),
    };
    let notice = match result {
        Ok(n) => n,
        Err(e) => {
            let errors = FormErrors::from_error(e)?;
            format!("Nothing was changed: {}", errors.message)
        }
    };
    Ok(redirect_with_notice(&back, &notice, secure))
}
