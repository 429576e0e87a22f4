//! Time entries: the rules every create, change and delete goes through, shared by the API,
//! the timer and (later) the web pages.

pub(crate) mod facts;
pub mod list;
pub mod restore;
pub mod suggestions;
pub mod timer;
pub mod unusual;
pub mod week;
pub mod week_totals;

use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};

use super::access::{check_member, require_member};
use super::nullable;
use super::{Acting, Check, Ctx, invalid};
use crate::db::{Conn, DbError, Ts, Tx, entries, organizations};
use crate::domain::account::{MyOrganization, Organization};
use crate::domain::catalog::Visibility;
use crate::domain::entries::{
    Rates, TimeEntry, check_description, check_instant, check_range, is_locked,
};
use crate::domain::ids::{OrganizationId, ProjectId, TagId, TaskId, TimeEntryId, UserId};
use crate::domain::role::{Permission, Role, allows};
use crate::error::{AppError, AppResult};
pub use crate::metrics::product::EntrySource;
use facts::{Facts, KnownRates, Lookups};

/// An entry as the API shows it: the stored fields plus the derived duration.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EntryView {
    #[serde(flatten)]
    pub entry: TimeEntry,
    /// Whole seconds of `[start, end)`, or up to now while running.
    pub duration_seconds: i64,
    pub running: bool,
}

impl EntryView {
    pub fn new(entry: TimeEntry, now: DateTime<Utc>) -> Self {
        Self {
            duration_seconds: entry.duration_seconds(now),
            running: entry.is_running(),
            entry,
        }
    }
}

/// Fields a client may set; absent fields keep their value (on create: their default).
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryInput {
    pub user_id: Option<UserId>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<ProjectId>)]
    pub project_id: Option<Option<ProjectId>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<TaskId>)]
    pub task_id: Option<Option<TaskId>>,
    #[schema(max_length = 5000, pattern = "^[^\\x00]*$")]
    pub description: Option<String>,
    pub start: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub end: Option<Option<DateTime<Utc>>>,
    pub billable: Option<bool>,
    pub tags: Option<Vec<TagId>>,
}

pub fn entry_not_found() -> AppError {
    AppError::NotFound("There is no such time entry in this organization.".into())
}

/// Instants are kept to the second: durations are whole seconds.
fn second(instant: DateTime<Utc>) -> DateTime<Utc> {
    instant.trunc_subsecs(0)
}

/// Copies the input onto `entry`, collecting field errors.
fn apply(entry: &mut TimeEntry, input: EntryInput, check: &mut Check) {
    if let Some(user) = input.user_id {
        entry.user_id = user;
    }
    if let Some(project) = input.project_id {
        entry.project_id = project;
        if input.task_id.is_none() && project.is_none() {
            entry.task_id = None;
        }
    }
    if let Some(task) = input.task_id {
        entry.task_id = task;
    }
    if let Some(description) = input
        .description
        .as_deref()
        .and_then(|d| check.field("description", check_description(d)))
    {
        entry.description = description;
    }
    if let Some(start) = input
        .start
        .and_then(|s| check.field("start", check_instant(s)))
    {
        entry.start = second(start);
    }
    if let Some(end) = input.end {
        match end {
            None => entry.end = None,
            Some(end) => {
                if let Some(end) = check.field("end", check_instant(end)) {
                    entry.end = Some(second(end));
                }
            }
        }
    }
    if let Some(billable) = input.billable {
        entry.billable = billable;
    }
    if let Some(mut tags) = input.tags {
        tags.sort();
        tags.dedup();
        entry.tags = tags;
    }
}

/// The caller's membership plus the organization's entry settings.
pub(crate) async fn membership(
    tx: &mut Tx,
    org: OrganizationId,
    actor: &impl Acting,
) -> AppResult<MyOrganization> {
    require_member(&mut tx.conn(), org, actor, Permission::ViewOrganization).await
}

/// May `role` (acting as `actor`) touch entries of `owner`? Others' entries are invisible (404)
/// to members.
pub(super) fn may_edit(role: Role, actor: UserId, owner: UserId) -> AppResult<()> {
    if owner == actor || allows(role, Permission::EditAllEntries) {
        Ok(())
    } else {
        Err(entry_not_found())
    }
}

fn locked(org: &Organization, role: Role, start: DateTime<Utc>) -> AppResult<()> {
    if allows(role, Permission::EditLockedEntries) || !is_locked(start, org.lock_before) {
        return Ok(());
    }
    let day = org.lock_before.map(|d| d.to_string()).unwrap_or_default();
    Err(AppError::Forbidden(format!(
        "Entries starting before {day} are locked; only owners and admins may change them."
    )))
}

/// Checks every rule for an entry about to be stored and resolves its rate.
/// `before` is the stored entry on updates, `None` on creates.
pub(crate) async fn validate(
    facts: &mut impl Facts,
    mine: &MyOrganization,
    actor: &impl Acting,
    before: Option<&TimeEntry>,
    entry: &mut TimeEntry,
) -> AppResult<()> {
    let org = &mine.organization;
    may_edit(mine.role, actor.user_id(), entry.user_id)?;
    if entry.user_id != actor.user_id() && !facts.is_member(org.id, entry.user_id).await? {
        return Err(invalid("user_id", "is not a member of this organization"));
    }
    if let Some(before) = before {
        locked(org, mine.role, before.start)?;
    }
    locked(org, mine.role, entry.start)?;
    if let Err((field, message)) = check_range(entry.start, entry.end, org.max_entry_hours) {
        return Err(invalid(field, message));
    }
    let project_changed =
        before.is_none_or(|b| b.project_id != entry.project_id || b.user_id != entry.user_id);
    let project = match entry.project_id {
        Some(id) => Some(
            facts
                .project(org.id, id)
                .await?
                .ok_or_else(super::catalog::projects::not_found)?,
        ),
        None => None,
    };
    if let (Some(project), true) = (&project, project_changed) {
        if project.archived {
            return Err(invalid(
                "project_id",
                "is archived and takes no new entries",
            ));
        }
        if project.visibility == Visibility::Private
            && !facts
                .is_project_member(org.id, project.id, entry.user_id)
                .await?
        {
            return Err(invalid(
                "project_id",
                "is private and the entry's person is not a member of it",
            ));
        }
    }
    if let Some(task_id) = entry.task_id {
        let Some(project) = &project else {
            return Err(invalid(
                "task_id",
                "needs a project_id: a task belongs to a project",
            ));
        };
        let task = facts.task(org.id, project.id, task_id).await?;
        let Some(task) = task else {
            return Err(if facts.task_in_organization(org.id, task_id).await? {
                invalid(
                    "task_id",
                    "Choose a task of the selected project: this task belongs to another one.",
                )
            } else {
                AppError::NotFound("There is no such task in this organization.".into())
            });
        };
        if task.archived && before.is_none_or(|b| b.task_id != entry.task_id) {
            return Err(invalid("task_id", "is archived and takes no new entries"));
        }
    }
    for tag in &entry.tags {
        if !facts.tag_exists(org.id, *tag).await? {
            return Err(AppError::NotFound(format!(
                "There is no tag {tag} in this organization."
            )));
        }
    }
    if !org.allow_overlap
        && let Some(other) = facts
            .first_overlapping(org.id, entry.user_id, entry.start, entry.end, entry.id)
            .await?
    {
        let until = other
            .end
            .map_or("now (running)".to_string(), |e| e.to_rfc3339());
        return Err(AppError::Conflict(format!(
            "This entry overlaps entry {} ({} to {until}); this organization does not allow overlapping entries.",
            other.id,
            other.start.to_rfc3339()
        )));
    }
    if before.is_none() || project_changed {
        let rates = facts.rates(org.id, entry.user_id, entry.project_id).await?;
        entry.hourly_rate = rates.resolve();
    }
    Ok(())
}

/// A new entry for `input`, not yet validated; `billable` defaults to the project's setting.
pub(crate) async fn draft(
    facts: &mut impl Facts,
    org: OrganizationId,
    actor: &impl Acting,
    input: EntryInput,
    now: DateTime<Utc>,
) -> AppResult<TimeEntry> {
    let explicit_billable = input.billable;
    let mut entry = TimeEntry {
        id: TimeEntryId::new(),
        organization_id: org,
        user_id: actor.user_id(),
        project_id: None,
        task_id: None,
        description: String::new(),
        start: second(now),
        end: None,
        billable: false,
        hourly_rate: None,
        tags: Vec::new(),
        version: 1,
        created_at: now,
        updated_at: now,
        deleted_at: None,
    };
    let mut check = Check::default();
    apply(&mut entry, input, &mut check);
    check.finish()?;
    if explicit_billable.is_none()
        && let Some(project) = entry.project_id
        && let Some(project) = facts.project(org, project).await?
    {
        entry.billable = project.billable_default;
    }
    Ok(entry)
}

/// Inserts a validated entry; the running-timer index refuses a second running entry. A
/// running entry is one a timer made (timer/start, continue, or a create without an end).
pub(super) async fn insert(tx: &mut Tx, entry: &TimeEntry) -> AppResult<()> {
    let stored = if entry.end.is_none() {
        entries::insert_from_timer(&mut tx.conn(), entry).await
    } else {
        entries::insert(&mut tx.conn(), entry).await
    };
    match stored {
        Err(DbError::Unique(_)) => Err(AppError::Conflict(
            "A timer is already running; stop it first or use timer/start, which stops it.".into(),
        )),
        other => Ok(other?),
    }
}

pub async fn create(
    ctx: &Ctx,
    actor: &impl Acting,
    org: OrganizationId,
    input: EntryInput,
    source: EntrySource,
) -> AppResult<EntryView> {
    let now = ctx.clock.now();
    if input.start.is_none() {
        return Err(invalid(
            "start",
            "is required (use timer/start to start a timer now)",
        ));
    }
    if let Some(view) = create_finished(ctx, actor, org, &input, now).await? {
        ctx.metrics.entries_created(source, 1);
        return Ok(view);
    }
    let mut tx = ctx.db.begin().await?;
    let person = input.user_id.unwrap_or(actor.user_id());
    let project = input.project_id.flatten();
    let (mine, rates) = member_with_rates(&mut tx.conn(), org, actor, person, project).await?;
    let mut entry = draft(&mut Lookups::on(tx.conn()), org, actor, input, now).await?;
    if entry.end.is_none() {
        super::locks_timer(&mut tx, org, entry.user_id).await?;
    }
    let mut facts = Lookups::knowing(tx.conn(), rates);
    validate(&mut facts, &mine, actor, None, &mut entry).await?;
    insert(&mut tx, &entry).await?;
    tx.commit().await?;
    ctx.metrics.entries_created(source, 1);
    Ok(EntryView::new(entry, now))
}

/// The common create, a finished entry without tags in an organization that allows overlapping
/// entries, in two statements and no transaction: the membership check, which brings the rates
/// along, and the insert, which is atomic on its own. Nothing read in between needs a lock:
/// no running timer to stop, no overlap to rule out, no tags to write beside the entry.
/// `None` when the create needs the transactional path.
async fn create_finished(
    ctx: &Ctx,
    actor: &impl Acting,
    org: OrganizationId,
    input: &EntryInput,
    now: DateTime<Utc>,
) -> AppResult<Option<EntryView>> {
    let finished = matches!(input.end, Some(Some(_)));
    if !finished || input.tags.as_ref().is_some_and(|t| !t.is_empty()) {
        return Ok(None);
    }
    let mut pooled = ctx.db.acquire().await?;
    let person = input.user_id.unwrap_or(actor.user_id());
    let project = input.project_id.flatten();
    let (mine, rates) = member_with_rates(&mut pooled.conn(), org, actor, person, project).await?;
    if !mine.organization.allow_overlap {
        return Ok(None);
    }
    let mut entry = draft(
        &mut Lookups::on(pooled.conn()),
        org,
        actor,
        input.clone(),
        now,
    )
    .await?;
    let mut facts = Lookups::knowing(pooled.conn(), rates);
    validate(&mut facts, &mine, actor, None, &mut entry).await?;
    entries::insert(&mut pooled.conn(), &entry).await?;
    Ok(Some(EntryView::new(entry, now)))
}

/// `require_member` for a create, with the rates of the entry's person and project read by
/// the same statement.
pub(super) async fn member_with_rates(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    actor: &impl Acting,
    person: UserId,
    project: Option<ProjectId>,
) -> AppResult<(MyOrganization, KnownRates)> {
    let found = organizations::find_for_enabled_member_with_rates(
        conn,
        org,
        actor.user_id(),
        person,
        project,
    )
    .await?;
    let (mine, rates) = match found {
        Some((mine, rates)) => (Some(mine), rates),
        None => (None, Rates::default()),
    };
    let mine = check_member(conn, actor, mine, Permission::ViewOrganization).await?;
    Ok((
        mine,
        KnownRates {
            person,
            project,
            rates,
        },
    ))
}

/// Stores a validated change (false: the stored version moved on); the tags are written only
/// when they changed.
pub(super) async fn store(
    conn: &mut Conn<'_>,
    before: &TimeEntry,
    entry: &TimeEntry,
) -> AppResult<bool> {
    Ok(if entry.tags == before.tags {
        entries::update_keeping_tags(conn, entry).await?
    } else {
        entries::update(conn, entry).await?
    })
}

pub async fn get(
    ctx: &Ctx,
    actor: &impl Acting,
    org: OrganizationId,
    id: TimeEntryId,
) -> AppResult<EntryView> {
    let mut pooled = ctx.db.acquire().await?;
    let mine = require_member(&mut pooled.conn(), org, actor, Permission::ViewOrganization).await?;
    let entry = entries::find(&mut pooled.conn(), org, id)
        .await?
        .ok_or_else(entry_not_found)?;
    let visible = entry.user_id == actor.user_id() || allows(mine.role, Permission::ViewAllEntries);
    if !visible {
        return Err(entry_not_found());
    }
    Ok(EntryView::new(entry, ctx.clock.now()))
}

/// Changes an entry if `expected_version` is still current (optimistic concurrency).
pub async fn update(
    ctx: &Ctx,
    actor: &impl Acting,
    org: OrganizationId,
    id: TimeEntryId,
    expected_version: i64,
    input: EntryInput,
) -> AppResult<EntryView> {
    let now = ctx.clock.now();
    {
        // Without a transaction when the change is one statement (the tags stay, no overlap to
        // rule out): the version the update is conditional on guards it like one would.
        let mut pooled = ctx.db.acquire().await?;
        let mine =
            require_member(&mut pooled.conn(), org, actor, Permission::ViewOrganization).await?;
        if mine.organization.allow_overlap && input.tags.is_none() {
            let conn = &mut pooled.conn();
            let (_, entry) = changed(conn, &mine, actor, id, expected_version, input, now).await?;
            if !entries::update_keeping_tags(conn, &entry).await? {
                return Err(stale(conn, org, id, now).await);
            }
            return Ok(EntryView::new(entry, now));
        }
    }
    let mut tx = ctx.db.begin().await?;
    let mine = membership(&mut tx, org, actor).await?;
    let (before, entry) = changed(
        &mut tx.conn(),
        &mine,
        actor,
        id,
        expected_version,
        input,
        now,
    )
    .await?;
    if !store(&mut tx.conn(), &before, &entry).await? {
        return Err(stale(&mut tx.conn(), org, id, now).await);
    }
    tx.commit().await?;
    Ok(EntryView::new(entry, now))
}

/// The stored entry and the validated change of it `input` asks for, at the next version.
async fn changed(
    conn: &mut Conn<'_>,
    mine: &MyOrganization,
    actor: &impl Acting,
    id: TimeEntryId,
    expected_version: i64,
    input: EntryInput,
    now: DateTime<Utc>,
) -> AppResult<(TimeEntry, TimeEntry)> {
    let before = entries::find(conn, mine.organization.id, id)
        .await?
        .ok_or_else(entry_not_found)?;
    may_edit(mine.role, actor.user_id(), before.user_id)?;
    if before.version != expected_version {
        let current = serde_json::to_value(EntryView::new(before, now)).unwrap_or_default();
        return Err(AppError::PreconditionFailed(Box::new(current)));
    }
    let mut entry = before.clone();
    let mut check = Check::default();
    apply(&mut entry, input, &mut check);
    check.finish()?;
    validate(
        &mut Lookups::on(conn.reborrow()),
        mine,
        actor,
        Some(&before),
        &mut entry,
    )
    .await?;
    entry.version += 1;
    entry.updated_at = now;
    Ok((before, entry))
}

/// 412 with the entry as it is now: it changed between reading and writing.
async fn stale(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    id: TimeEntryId,
    now: DateTime<Utc>,
) -> AppError {
    match entries::find(conn, org, id).await {
        Ok(Some(current)) => AppError::PreconditionFailed(Box::new(
            serde_json::to_value(EntryView::new(current, now)).unwrap_or_default(),
        )),
        Ok(None) => entry_not_found(),
        Err(e) => e.into(),
    }
}

pub async fn delete(
    ctx: &Ctx,
    actor: &impl Acting,
    org: OrganizationId,
    id: TimeEntryId,
) -> AppResult<()> {
    let mut tx = ctx.db.begin().await?;
    let mine = membership(&mut tx, org, actor).await?;
    delete_in(&mut tx, &mine, actor, id, ctx.clock.now()).await?;
    tx.commit().await?;
    Ok(())
}

async fn delete_in(
    tx: &mut Tx,
    mine: &MyOrganization,
    actor: &impl Acting,
    id: TimeEntryId,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let org = mine.organization.id;
    let entry = entries::find(&mut tx.conn(), org, id)
        .await?
        .ok_or_else(entry_not_found)?;
    may_edit(mine.role, actor.user_id(), entry.user_id)?;
    locked(&mine.organization, mine.role, entry.start)?;
    entries::soft_delete(&mut tx.conn(), org, id, Ts(now)).await?;
    Ok(())
}

pub const MAX_BULK: usize = 500;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkUpdate {
    #[schema(schema_with = bulk_ids)]
    pub ids: Vec<TimeEntryId>,
    pub set: EntryInput,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkDelete {
    #[schema(schema_with = bulk_ids)]
    pub ids: Vec<TimeEntryId>,
}

/// The ids of a bulk operation, as the OpenAPI document states them.
fn bulk_ids() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::domain::field_schema::ids(MAX_BULK)
}

fn check_ids(ids: &[TimeEntryId]) -> AppResult<()> {
    if ids.is_empty() || ids.len() > MAX_BULK {
        return Err(invalid("ids", format!("must name 1 to {MAX_BULK} entries")));
    }
    Ok(())
}

/// Applies the same change to every listed entry, or to none of them.
pub async fn bulk_update(
    ctx: &Ctx,
    actor: &impl Acting,
    org: OrganizationId,
    bulk: BulkUpdate,
) -> AppResult<Vec<EntryView>> {
    check_ids(&bulk.ids)?;
    if bulk.set.start.is_some() || bulk.set.end.is_some() || bulk.set.user_id.is_some() {
        return Err(invalid(
            "set",
            "may change project_id, task_id, description, billable and tags; times and people are changed one entry at a time",
        ));
    }
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    let mine = membership(&mut tx, org, actor).await?;
    let mut updated = Vec::new();
    for id in &bulk.ids {
        let before = entries::find(&mut tx.conn(), org, *id)
            .await?
            .ok_or_else(|| {
                AppError::NotFound(format!(
                    "There is no time entry {id} in this organization; nothing was changed."
                ))
            })?;
        let mut entry = before.clone();
        let mut check = Check::default();
        apply(&mut entry, bulk.set.clone(), &mut check);
        check.finish()?;
        validate(
            &mut Lookups::on(tx.conn()),
            &mine,
            actor,
            Some(&before),
            &mut entry,
        )
        .await
        .map_err(|e| in_entry(*id, e))?;
        entry.version += 1;
        entry.updated_at = now;
        store(&mut tx.conn(), &before, &entry).await?;
        updated.push(EntryView::new(entry, now));
    }
    tx.commit().await?;
    Ok(updated)
}

pub async fn bulk_delete(
    ctx: &Ctx,
    actor: &impl Acting,
    org: OrganizationId,
    bulk: BulkDelete,
) -> AppResult<()> {
    check_ids(&bulk.ids)?;
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    let mine = membership(&mut tx, org, actor).await?;
    for id in &bulk.ids {
        delete_in(&mut tx, &mine, actor, *id, now)
            .await
            .map_err(|e| in_entry(*id, e))?;
    }
    tx.commit().await?;
    Ok(())
}

/// Names the entry a bulk operation failed on; nothing was changed.
fn in_entry(id: TimeEntryId, error: AppError) -> AppError {
    let prefix = format!("Entry {id}: ");
    let suffix = " Nothing was changed.";
    match error {
        AppError::NotFound(m) => AppError::NotFound(format!("{prefix}{m}{suffix}")),
        AppError::Forbidden(m) => AppError::Forbidden(format!("{prefix}{m}{suffix}")),
        AppError::Conflict(m) => AppError::Conflict(format!("{prefix}{m}{suffix}")),
        AppError::Validation { message, fields } => AppError::Validation {
            message: format!("{prefix}{message}{suffix}"),
            fields,
        },
        other => other,
    }
}
