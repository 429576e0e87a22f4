//! The `time_entries` and `time_entry_tags` tables.

use sqlx::{FromRow, Row as _};
use uuid::Uuid;

use super::organizations::{SSO_REQUIRED_BY, TWO_FACTOR_MISSING};
use super::{Conn, DbResult, Ts, with_conn};
use crate::domain::entries::TimeEntry;
use crate::domain::ids::{ClientId, OrganizationId, ProjectId, TagId, TaskId, TimeEntryId, UserId};
use crate::domain::role::Role;

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    organization_id: Uuid,
    user_id: Uuid,
    project_id: Option<Uuid>,
    task_id: Option<Uuid>,
    description: String,
    start_at: Ts,
    end_at: Option<Ts>,
    billable: bool,
    hourly_rate: Option<i64>,
    version: i64,
    created_at: Ts,
    updated_at: Ts,
    deleted_at: Option<Ts>,
    /// Comma-separated tag ids (see `load`).
    tag_ids: Option<String>,
}

impl Row {
    fn into_entry(self, tags: Vec<TagId>) -> TimeEntry {
        TimeEntry {
            id: TimeEntryId::from_uuid(self.id),
            organization_id: OrganizationId::from_uuid(self.organization_id),
            user_id: UserId::from_uuid(self.user_id),
            project_id: self.project_id.map(ProjectId::from_uuid),
            task_id: self.task_id.map(TaskId::from_uuid),
            description: self.description,
            start: self.start_at.0,
            end: self.end_at.map(|t| t.0),
            billable: self.billable,
            hourly_rate: self.hourly_rate,
            tags,
            version: self.version,
            created_at: self.created_at.0,
            updated_at: self.updated_at.0,
            deleted_at: self.deleted_at.map(|t| t.0),
        }
    }
}

const COLUMNS: &str = "e.id, e.organization_id, e.user_id, e.project_id, e.task_id, e.description, e.start_at, e.end_at, \
                       e.billable, e.hourly_rate, e.version, e.created_at, e.updated_at, e.deleted_at, \
                       tag_ids_of_e as tag_ids";

/// Where `load` puts the backend's aggregate of an entry's tag ids.
const TAG_IDS: &str = "tag_ids_of_e";

/// A value bound to a generated placeholder.
pub(super) enum Bind {
    Uuid(Uuid),
    Ts(Ts),
    Bool(bool),
    Text(String),
}

/// Builds `$n` placeholders in order as conditions are added.
#[derive(Default)]
pub(super) struct Sql {
    pub(super) text: String,
    pub(super) binds: Vec<Bind>,
}

impl Sql {
    pub(super) fn arg(&mut self, bind: Bind) -> String {
        self.binds.push(bind);
        format!("${}", self.binds.len())
    }

    fn list(&mut self, ids: &[Uuid]) -> String {
        ids.iter()
            .map(|id| self.arg(Bind::Uuid(*id)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

macro_rules! bind_all {
    ($query:expr, $binds:expr) => {{
        let mut query = $query;
        for bind in $binds {
            query = match bind {
                Bind::Uuid(v) => query.bind(*v),
                Bind::Ts(v) => query.bind(*v),
                Bind::Bool(v) => query.bind(*v),
                Bind::Text(v) => query.bind(v.clone()),
            };
        }
        query
    }};
}
pub(super) use bind_all;

/// `sql` with each entry's tag ids aggregated in place of `TAG_IDS`, scoped by the
/// organization bound as $1.
fn with_tags(conn: &Conn<'_>, sql: &Sql) -> String {
    let aggregate = match conn {
        Conn::Postgres(_) => {
            "(select string_agg(t.tag_id::text, ',') from time_entry_tags t join tags g on g.id = t.tag_id \
             where g.organization_id = $1 and t.entry_id = e.id)"
        }
        Conn::Sqlite(_) => {
            "(select group_concat(hex(t.tag_id), ',') from time_entry_tags t join tags g on g.id = t.tag_id \
             where g.organization_id = $1 and t.entry_id = e.id)"
        }
    };
    sql.text.replace(TAG_IDS, aggregate)
}

fn entry_of(mut r: Row) -> TimeEntry {
    let mut tags: Vec<TagId> = r
        .tag_ids
        .take()
        .unwrap_or_default()
        .split(',')
        .filter_map(|t| Uuid::parse_str(t.trim()).ok())
        .map(TagId::from_uuid)
        .collect();
    tags.sort();
    r.into_entry(tags)
}

/// Runs a `select {COLUMNS} from time_entries e ...` whose first bound value ($1) is the
/// organization, with each entry's tags brought along by the same statement.
async fn load(conn: &mut Conn<'_>, org: OrganizationId, sql: &Sql) -> DbResult<Vec<TimeEntry>> {
    debug_assert!(matches!(sql.binds.first(), Some(Bind::Uuid(o)) if *o == org.as_uuid()));
    let text = with_tags(conn, sql);
    let rows: Vec<Row> = with_conn!(conn, c => {
        bind_all!(sqlx::query_as::<_, Row>(&text), &sql.binds)
            .fetch_all(c)
            .await?
    });
    Ok(rows.into_iter().map(entry_of).collect())
}

pub async fn find(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    id: TimeEntryId,
) -> DbResult<Option<TimeEntry>> {
    find_where(conn, org, id, "e.deleted_at is null").await
}

/// A deleted entry (a tombstone), for restoring it.
pub async fn find_deleted(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    id: TimeEntryId,
) -> DbResult<Option<TimeEntry>> {
    find_where(conn, org, id, "e.deleted_at is not null").await
}

async fn find_where(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    id: TimeEntryId,
    state: &'static str,
) -> DbResult<Option<TimeEntry>> {
    let mut sql = Sql::default();
    let (o, i) = (
        sql.arg(Bind::Uuid(org.as_uuid())),
        sql.arg(Bind::Uuid(id.as_uuid())),
    );
    sql.text = format!(
        "select {COLUMNS} from time_entries e where e.organization_id = {o} and e.id = {i} and {state}"
    );
    Ok(load(conn, org, &sql).await?.pop())
}

pub async fn find_running(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    user: UserId,
) -> DbResult<Option<TimeEntry>> {
    let mut sql = Sql::default();
    let (o, u) = (
        sql.arg(Bind::Uuid(org.as_uuid())),
        sql.arg(Bind::Uuid(user.as_uuid())),
    );
    sql.text = format!(
        "select {COLUMNS} from time_entries e where e.organization_id = {o} and e.user_id = {u} \
         and e.end_at is null and e.deleted_at is null"
    );
    Ok(load(conn, org, &sql).await?.pop())
}

/// The user's timer that ended last, if any.
pub async fn last_stopped_timer(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    user: UserId,
) -> DbResult<Option<TimeEntry>> {
    let mut sql = Sql::default();
    let (o, u) = (
        sql.arg(Bind::Uuid(org.as_uuid())),
        sql.arg(Bind::Uuid(user.as_uuid())),
    );
    sql.text = format!(
        "select {COLUMNS} from time_entries e where e.organization_id = {o} and e.user_id = {u} \
         and e.from_timer = true and e.end_at is not null and e.deleted_at is null \
         order by e.end_at desc limit 1"
    );
    Ok(load(conn, org, &sql).await?.pop())
}

/// The user's latest entry for each distinct non-empty description among those started since
/// `since`, newest first, at most `limit` of them: what the timer bar suggests ("the same as
/// last time").
pub async fn latest_per_description(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    user: UserId,
    since: Ts,
    limit: i64,
) -> DbResult<Vec<TimeEntry>> {
    let mut sql = Sql::default();
    let (o, u, s) = (
        sql.arg(Bind::Uuid(org.as_uuid())),
        sql.arg(Bind::Uuid(user.as_uuid())),
        sql.arg(Bind::Ts(since)),
    );
    // a window function numbers each description's entries from the newest; both backends
    // have it (SQLite since 3.25)
    sql.text = format!(
        "select {COLUMNS} from time_entries e where e.organization_id = {o} and e.user_id = {u} \
         and e.id in (select r.id from (select x.id, row_number() over \
         (partition by x.description order by x.start_at desc, x.id desc) as n \
         from time_entries x where x.organization_id = {o} and x.user_id = {u} \
         and x.start_at >= {s} and x.deleted_at is null and x.description <> '') r where r.n = 1) \
         order by e.start_at desc, e.id desc limit {limit}"
    );
    load(conn, org, &sql).await
}

/// Another live entry of the user sharing an instant with `[start, end)`.
pub async fn first_overlapping(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    user: UserId,
    start: Ts,
    end: Option<Ts>,
    except: TimeEntryId,
) -> DbResult<Option<TimeEntry>> {
    let mut sql = Sql::default();
    let o = sql.arg(Bind::Uuid(org.as_uuid()));
    let u = sql.arg(Bind::Uuid(user.as_uuid()));
    let x = sql.arg(Bind::Uuid(except.as_uuid()));
    let s = sql.arg(Bind::Ts(start));
    let end_condition = match end {
        Some(end) => format!("and e.start_at < {}", sql.arg(Bind::Ts(end))),
        None => String::new(),
    };
    sql.text = format!(
        "select {COLUMNS} from time_entries e where e.organization_id = {o} and e.user_id = {u} and e.id <> {x} \
         and e.deleted_at is null and (e.end_at is null or e.end_at > {s}) {end_condition} order by e.start_at limit 1"
    );
    Ok(load(conn, org, &sql).await?.pop())
}

/// The user's live entries sharing an instant with `[from, to)`, oldest first (a running one
/// counts as lasting).
pub async fn overlapping(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    user: UserId,
    from: Ts,
    to: Ts,
) -> DbResult<Vec<TimeEntry>> {
    let mut sql = Sql::default();
    let o = sql.arg(Bind::Uuid(org.as_uuid()));
    let u = sql.arg(Bind::Uuid(user.as_uuid()));
    let (f, t) = (sql.arg(Bind::Ts(from)), sql.arg(Bind::Ts(to)));
    sql.text = format!(
        "select {COLUMNS} from time_entries e where e.organization_id = {o} and e.user_id = {u} \
         and e.deleted_at is null and e.start_at < {t} and (e.end_at is null or e.end_at > {f}) \
         order by e.start_at, e.id"
    );
    load(conn, org, &sql).await
}

/// Inserts a new entry with its tags.
pub async fn insert(conn: &mut Conn<'_>, e: &TimeEntry) -> DbResult<()> {
    insert_row(conn, e, None, false).await
}

/// Inserts a new entry that a timer started (start, continue), with its tags.
pub async fn insert_from_timer(conn: &mut Conn<'_>, e: &TimeEntry) -> DbResult<()> {
    insert_row(conn, e, None, true).await
}

/// Inserts a new entry with its tags and, for imported entries, the fingerprint of the source
/// row (`DbError::Unique` when this organization already has an entry with it).
pub async fn insert_imported(
    conn: &mut Conn<'_>,
    e: &TimeEntry,
    import_fingerprint: Option<&str>,
) -> DbResult<()> {
    insert_row(conn, e, import_fingerprint, false).await
}

async fn insert_row(
    conn: &mut Conn<'_>,
    e: &TimeEntry,
    import_fingerprint: Option<&str>,
    from_timer: bool,
) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query(
            "insert into time_entries (id, organization_id, user_id, project_id, task_id, description, start_at, end_at, \
                                       billable, hourly_rate, version, created_at, updated_at, import_fingerprint, from_timer) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(e.id.as_uuid())
        .bind(e.organization_id.as_uuid())
        .bind(e.user_id.as_uuid())
        .bind(e.project_id.map(|p| p.as_uuid()))
        .bind(e.task_id.map(|t| t.as_uuid()))
        .bind(&e.description)
        .bind(Ts(e.start))
        .bind(e.end.map(Ts))
        .bind(e.billable)
        .bind(e.hourly_rate)
        .bind(e.version)
        .bind(Ts(e.created_at))
        .bind(Ts(e.updated_at))
        .bind(import_fingerprint)
        .bind(from_timer)
        .execute(&mut *c)
        .await?;
    });
    // a new entry has no tags to clear
    add_tags(conn, e.organization_id, e.id, &e.tags).await
}

/// Which of `ids` (entries of `org`) a timer made.
pub async fn timer_made(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    ids: &[TimeEntryId],
) -> DbResult<std::collections::HashSet<TimeEntryId>> {
    let mut found = std::collections::HashSet::new();
    for chunk in ids.chunks(200) {
        let mut sql = Sql::default();
        let o = sql.arg(Bind::Uuid(org.as_uuid()));
        let list = sql.list(&chunk.iter().map(|i| i.as_uuid()).collect::<Vec<_>>());
        sql.text = format!(
            "select id from time_entries where organization_id = {o} and from_timer = true and id in ({list})"
        );
        let rows: Vec<(Uuid,)> = with_conn!(conn, c => bind_all!(sqlx::query_as::<_, (Uuid,)>(&sql.text), &sql.binds).fetch_all(&mut *c).await?);
        found.extend(rows.into_iter().map(|(id,)| TimeEntryId::from_uuid(id)));
    }
    Ok(found)
}

/// Writes `e` if the stored version is still `e.version - 1`; false when someone else changed it.
pub async fn update(conn: &mut Conn<'_>, e: &TimeEntry) -> DbResult<bool> {
    let updated = update_keeping_tags(conn, e).await?;
    if updated {
        set_tags(conn, e.organization_id, e.id, &e.tags).await?;
    }
    Ok(updated)
}

/// `update` for a change that leaves the entry's tags as they are: one statement.
pub async fn update_keeping_tags(conn: &mut Conn<'_>, e: &TimeEntry) -> DbResult<bool> {
    let n = with_conn!(conn, c => {
        sqlx::query(
            "update time_entries set user_id = $3, project_id = $4, task_id = $5, description = $6, start_at = $7, end_at = $8, \
                 billable = $9, hourly_rate = $10, version = $11, updated_at = $12 \
             where organization_id = $1 and id = $2 and version = $11 - 1 and deleted_at is null",
        )
        .bind(e.organization_id.as_uuid())
        .bind(e.id.as_uuid())
        .bind(e.user_id.as_uuid())
        .bind(e.project_id.map(|p| p.as_uuid()))
        .bind(e.task_id.map(|t| t.as_uuid()))
        .bind(&e.description)
        .bind(Ts(e.start))
        .bind(e.end.map(Ts))
        .bind(e.billable)
        .bind(e.hourly_rate)
        .bind(e.version)
        .bind(Ts(e.updated_at))
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// Replaces the entry's tags. Both the entry and each tag must belong to `org`: a tag of
/// another organization is never linked (the service has refused it before; this is the scope).
async fn set_tags(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    entry: TimeEntryId,
    tags: &[TagId],
) -> DbResult<()> {
    with_conn!(conn, c => {
        sqlx::query(
            "delete from time_entry_tags where entry_id = $2 \
             and entry_id in (select id from time_entries where organization_id = $1 and id = $2)",
        )
        .bind(org.as_uuid())
        .bind(entry.as_uuid())
        .execute(&mut *c)
        .await?;
    });
    add_tags(conn, org, entry, tags).await
}

async fn add_tags(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    entry: TimeEntryId,
    tags: &[TagId],
) -> DbResult<()> {
    with_conn!(conn, c => {
        for tag in tags {
            // the `where` also keeps SQLite from reading `on conflict` as a join's `on`
            sqlx::query(
                "insert into time_entry_tags (entry_id, tag_id) \
                 select e.id, g.id from time_entries e join tags g on g.organization_id = e.organization_id \
                 where e.organization_id = $1 and e.id = $2 and g.id = $3 on conflict do nothing",
            )
            .bind(org.as_uuid())
            .bind(entry.as_uuid())
            .bind(tag.as_uuid())
            .execute(&mut *c)
            .await?;
        }
    });
    Ok(())
}

/// Turns an entry into a tombstone (kept for `updated_since` sync).
pub async fn soft_delete(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    id: TimeEntryId,
    now: Ts,
) -> DbResult<bool> {
    let n = with_conn!(conn, c => {
        sqlx::query(
            "update time_entries set deleted_at = $3, updated_at = $3, version = version + 1 \
             where organization_id = $1 and id = $2 and deleted_at is null",
        )
        .bind(org.as_uuid())
        .bind(id.as_uuid())
        .bind(now)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// Brings a tombstone back to life, if it is still the deletion that was read (`deleted_at`):
/// a second restore or a restore racing another finds nothing to do (false). The running-timer
/// index refuses a restored running entry beside another running one (`DbError::Unique`).
pub async fn restore(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    id: TimeEntryId,
    deleted_at: Ts,
    now: Ts,
) -> DbResult<bool> {
    let n = with_conn!(conn, c => {
        sqlx::query(
            "update time_entries set deleted_at = null, updated_at = $4, version = version + 1 \
             where organization_id = $1 and id = $2 and deleted_at = $3",
        )
        .bind(org.as_uuid())
        .bind(id.as_uuid())
        .bind(deleted_at)
        .bind(now)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// Live entries of `org` referencing a project, task or tag (deleting those needs `force`).
pub async fn count_referencing(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    column: Reference,
    id: Uuid,
) -> DbResult<i64> {
    let sql = match column {
        Reference::Project => {
            "select count(*) from time_entries where organization_id = $1 and project_id = $2 and deleted_at is null"
        }
        Reference::Task => {
            "select count(*) from time_entries where organization_id = $1 and task_id = $2 and deleted_at is null"
        }
        Reference::Tag => {
            "select count(*) from time_entry_tags t join time_entries e on e.id = t.entry_id \
             where e.organization_id = $1 and t.tag_id = $2 and e.deleted_at is null"
        }
        Reference::Client => {
            "select count(*) from time_entries e join projects p on p.id = e.project_id \
             where e.organization_id = $1 and p.organization_id = $1 and p.client_id = $2 and e.deleted_at is null"
        }
    };
    Ok(
        with_conn!(conn, c => sqlx::query_scalar(sql).bind(org.as_uuid()).bind(id).fetch_one(c).await?),
    )
}

#[derive(Debug, Clone, Copy)]
pub enum Reference {
    Client,
    Project,
    Task,
    Tag,
}

/// Filters of the entries list; every list is "any of".
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub from: Option<Ts>,
    pub to: Option<Ts>,
    pub users: Vec<UserId>,
    pub projects: Vec<ProjectId>,
    pub clients: Vec<ClientId>,
    pub tasks: Vec<TaskId>,
    pub tags: Vec<TagId>,
    pub billable: Option<bool>,
    pub running: Option<bool>,
    /// Case-insensitive literal substring of the description.
    pub text: Option<String>,
    /// Changed at or after this instant, tombstones included.
    pub updated_since: Option<Ts>,
    /// Ends after this instant, or still runs (entries reaching into a report's range).
    pub ends_after: Option<Ts>,
    pub ascending: bool,
    /// Keyset cursor: the (start, id) of the last entry of the previous page.
    pub after: Option<(Ts, Uuid)>,
    pub limit: i64,
}

/// One page (`limit` entries at most) and whether more follow.
pub async fn list(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    f: &Filter,
) -> DbResult<(Vec<TimeEntry>, bool)> {
    let mut sql = Sql::default();
    let o = sql.arg(Bind::Uuid(org.as_uuid()));
    sql.text = page_select(&mut sql, &o, f, None);
    let mut entries = load(conn, org, &sql).await?;
    let more = entries.len() as i64 > f.limit;
    entries.truncate(f.limit as usize);
    Ok((entries, more))
}

/// What `list_as_member` read of the caller and the page.
pub struct MemberPage {
    pub role: Role,
    /// The organization's name, when it requires two-factor sign-in and the caller has not set
    /// it up (no entries are read then).
    pub two_factor_missing_in: Option<String>,
    /// The organization's name and its provider's, when it lets the caller in only through its
    /// single sign-on (see `organizations::SSO_REQUIRED_BY`).
    pub sso_required: Option<(String, String)>,
    pub entries: Vec<TimeEntry>,
    /// Another page follows.
    pub more: bool,
}

/// A page as `list` reads it, and in the same statement the role of `user` in `org`: `None`
/// when they are not an enabled member (nothing of the organization is returned then). Other
/// people's entries are read only when that role is one of `sees_all`.
pub async fn list_as_member(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    user: UserId,
    sees_all: &[Role],
    f: &Filter,
) -> DbResult<Option<MemberPage>> {
    let mut sql = Sql::default();
    let o = sql.arg(Bind::Uuid(org.as_uuid()));
    let me = sql.arg(Bind::Uuid(user.as_uuid()));
    let roles = sees_all
        .iter()
        .map(|r| sql.arg(Bind::Text(r.as_str().to_string())))
        .collect::<Vec<_>>();
    let roles = if roles.is_empty() {
        "null".to_string()
    } else {
        roles.join(", ")
    };
    // the caller's role is read once, by `me`; the page asks it whether others' entries show
    let visible = format!(
        "(select missing_in from me) is null \
         and (e.user_id = {me} or (select role from me) in ({roles}))"
    );
    let page = page_select(&mut sql, &o, f, Some(&visible));
    let order = if f.ascending { "asc" } else { "desc" };
    sql.text = format!(
        "with me as (select m.role, case when {TWO_FACTOR_MISSING} then o.name end as missing_in, \
                     {SSO_REQUIRED_BY} as sso_by, o.name as org_name \
                     from memberships m join users u on u.id = m.user_id \
                     join organizations o on o.id = m.organization_id \
                     where m.organization_id = {o} and m.user_id = {me} and u.disabled_at is null) \
         select me.role as my_role, me.missing_in as my_missing_in, me.sso_by as my_sso_by, me.org_name as my_org_name, x.* \
         from me left join ({page}) x on 1 = 1 \
         order by x.start_at {order}, x.id {order}"
    );
    let text = with_tags(conn, &sql);
    let mut role = None;
    let mut two_factor_missing_in = None;
    let mut sso_required = None;
    let mut entries = Vec::new();
    macro_rules! decode {
        ($rows:expr) => {
            for row in $rows {
                role = Some(row.try_get::<String, _>("my_role")?);
                two_factor_missing_in = row.try_get::<Option<String>, _>("my_missing_in")?;
                sso_required = row
                    .try_get::<Option<String>, _>("my_sso_by")?
                    .map(|by| (row.try_get::<String, _>("my_org_name"), by));
                if row.try_get::<Option<Uuid>, _>("id")?.is_some() {
                    entries.push(entry_of(Row::from_row(&row)?));
                }
            }
        };
    }
    match conn {
        Conn::Postgres(c) => decode!(
            bind_all!(sqlx::query(&text), &sql.binds)
                .fetch_all(&mut **c)
                .await?
        ),
        Conn::Sqlite(c) => decode!(
            bind_all!(sqlx::query(&text), &sql.binds)
                .fetch_all(&mut **c)
                .await?
        ),
    }
    let Some(role) = role else {
        return Ok(None);
    };
    let role = super::organizations::role(&role);
    let more = entries.len() as i64 > f.limit;
    entries.truncate(f.limit as usize);
    Ok(Some(MemberPage {
        role,
        two_factor_missing_in,
        sso_required: sso_required
            .map(|(name, by)| name.map(|name| (name, by)))
            .transpose()?,
        entries,
        more,
    }))
}

/// `select {COLUMNS} from time_entries e where ... order by ... limit ...` for one page of `f`
/// (one row more than the page, to tell whether another follows), also requiring `visible`.
fn page_select(sql: &mut Sql, o: &str, f: &Filter, visible: Option<&str>) -> String {
    let mut wheres = conditions(sql, o, f);
    let (order, op) = if f.ascending {
        ("asc", ">")
    } else {
        ("desc", "<")
    };
    if let Some((start, id)) = f.after {
        let (s, i) = (sql.arg(Bind::Ts(start)), sql.arg(Bind::Uuid(id)));
        wheres.push(format!(
            "(e.start_at {op} {s} or (e.start_at = {s} and e.id {op} {i}))"
        ));
    }
    wheres.extend(visible.map(str::to_string));
    // a literal, not a parameter: PostgreSQL costs a generic plan's `limit $n` as a tenth of
    // the table, finds it dearer than a custom plan and then plans the statement on every
    // execution (or compiles it with JIT); with the literal the cached generic plan is used
    let limit = f.limit + 1;
    format!(
        "select {COLUMNS} from time_entries e where e.organization_id = {o} and {} \
         order by e.start_at {order}, e.id {order} limit {limit}",
        wheres.join(" and ")
    )
}

/// The `where` conditions of a filter (everything but the organization, which the statement
/// names itself, and the keyset cursor); `o` is the placeholder already bound to the
/// organization id, so subqueries on other tenant tables are scoped too. Never empty.
pub(super) fn conditions(sql: &mut Sql, o: &str, f: &Filter) -> Vec<String> {
    let mut wheres = Vec::new();
    match f.updated_since {
        Some(since) => wheres.push(format!("e.updated_at >= {}", sql.arg(Bind::Ts(since)))),
        None => wheres.push("e.deleted_at is null".into()),
    }
    if let Some(from) = f.from {
        wheres.push(format!("e.start_at >= {}", sql.arg(Bind::Ts(from))));
    }
    if let Some(to) = f.to {
        wheres.push(format!("e.start_at < {}", sql.arg(Bind::Ts(to))));
    }
    for (column, ids) in [
        (
            "e.user_id",
            f.users.iter().map(|i| i.as_uuid()).collect::<Vec<Uuid>>(),
        ),
        (
            "e.project_id",
            f.projects
                .iter()
                .map(|i| i.as_uuid())
                .collect::<Vec<Uuid>>(),
        ),
        (
            "e.task_id",
            f.tasks.iter().map(|i| i.as_uuid()).collect::<Vec<Uuid>>(),
        ),
    ] {
        if !ids.is_empty() {
            let list = sql.list(&ids);
            wheres.push(format!("{column} in ({list})"));
        }
    }
    if !f.clients.is_empty() {
        let list = sql.list(&f.clients.iter().map(|i| i.as_uuid()).collect::<Vec<_>>());
        wheres.push(format!(
            "e.project_id in (select p.id from projects p where p.organization_id = {o} and p.client_id in ({list}))"
        ));
    }
    if !f.tags.is_empty() {
        let list = sql.list(&f.tags.iter().map(|i| i.as_uuid()).collect::<Vec<_>>());
        wheres.push(format!(
            "exists (select 1 from time_entry_tags t join tags g on g.id = t.tag_id \
             where g.organization_id = {o} and t.entry_id = e.id and t.tag_id in ({list}))"
        ));
    }
    if let Some(billable) = f.billable {
        wheres.push(format!("e.billable = {}", sql.arg(Bind::Bool(billable))));
    }
    match f.running {
        Some(true) => wheres.push("e.end_at is null".into()),
        Some(false) => wheres.push("e.end_at is not null".into()),
        None => {}
    }
    if let Some(text) = f.text.as_deref().filter(|t| !t.is_empty()) {
        let escaped = text
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        wheres.push(format!(
            "lower(e.description) like {} escape '\\'",
            sql.arg(Bind::Text(format!("%{escaped}%")))
        ));
    }
    if let Some(after) = f.ends_after {
        wheres.push(format!(
            "(e.end_at is null or e.end_at > {})",
            sql.arg(Bind::Ts(after))
        ));
    }
    wheres
}

/// What a report needs of an entry; the client comes from its project.
#[derive(sqlx::FromRow)]
pub struct ReportRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub project_id: Option<Uuid>,
    pub task_id: Option<Uuid>,
    pub client_id: Option<Uuid>,
    pub description: String,
    pub start_at: Ts,
    pub end_at: Option<Ts>,
    pub billable: bool,
    pub hourly_rate: Option<i64>,
    /// Comma-separated tag ids (only when asked for).
    pub tag_ids: Option<String>,
}

impl ReportRow {
    pub fn tags(&self) -> Vec<TagId> {
        self.tag_ids
            .as_deref()
            .unwrap_or("")
            .split(',')
            .filter_map(|t| Uuid::parse_str(t.trim()).ok())
            .map(TagId::from_uuid)
            .collect()
    }
}

/// Streams every entry matching `f`, oldest first, to `visit` without holding them all: a
/// report over a year of a large team stays in bounded memory.
pub async fn for_each_report_row(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    f: &Filter,
    with_tags: bool,
    mut visit: impl FnMut(ReportRow),
) -> DbResult<()> {
    use futures_util::TryStreamExt;
    let mut sql = Sql::default();
    let o = sql.arg(Bind::Uuid(org.as_uuid()));
    let wheres = conditions(&mut sql, &o, f).join(" and ");
    let tags = |aggregate: &str| {
        if with_tags {
            format!(
                "(select {aggregate} from time_entry_tags t join tags g on g.id = t.tag_id \
                 where g.organization_id = {o} and t.entry_id = e.id)"
            )
        } else {
            "null".to_string()
        }
    };
    let select = |tag_column: String| {
        format!(
            "select e.id, e.user_id, e.project_id, e.task_id, p.client_id, e.description, e.start_at, e.end_at, \
             e.billable, e.hourly_rate, {tag_column} as tag_ids \
             from time_entries e left join projects p on p.organization_id = {o} and p.id = e.project_id \
             where e.organization_id = {o} and {wheres} order by e.start_at, e.id"
        )
    };
    match conn {
        Conn::Postgres(c) => {
            let text = select(tags("string_agg(t.tag_id::text, ',')"));
            let mut rows =
                bind_all!(sqlx::query_as::<_, ReportRow>(&text), &sql.binds).fetch(&mut **c);
            while let Some(row) = rows.try_next().await? {
                visit(row);
            }
        }
        Conn::Sqlite(c) => {
            let text = select(tags("group_concat(hex(t.tag_id), ',')"));
            let mut rows =
                bind_all!(sqlx::query_as::<_, ReportRow>(&text), &sql.binds).fetch(&mut **c);
            while let Some(row) = rows.try_next().await? {
                visit(row);
            }
        }
    }
    Ok(())
}

/// How many of the entries matching `f` still run, and how many finished ones cross `start` or
/// `end`: the entries a report counts differently from an entries export.
pub async fn running_and_crossing(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    f: &Filter,
    start: Ts,
    end: Ts,
) -> DbResult<(i64, i64)> {
    let mut sql = Sql::default();
    let o = sql.arg(Bind::Uuid(org.as_uuid()));
    let wheres = conditions(&mut sql, &o, f).join(" and ");
    let (s, e) = (sql.arg(Bind::Ts(start)), sql.arg(Bind::Ts(end)));
    sql.text = format!(
        "select count(*) filter (where e.end_at is null), \
         count(*) filter (where e.end_at is not null and (e.start_at < {s} or e.end_at > {e})) \
         from time_entries e where e.organization_id = {o} and {wheres}"
    );
    Ok(
        with_conn!(conn, c => bind_all!(sqlx::query_as::<_, (i64, i64)>(&sql.text), &sql.binds).fetch_one(c).await?),
    )
}

/// Live entries matching a filter, for re-applying rates.
pub async fn all_matching(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    f: &Filter,
) -> DbResult<Vec<TimeEntry>> {
    let mut all = Vec::new();
    let mut page = Filter {
        limit: 500,
        ..f.clone()
    };
    loop {
        let (entries, more) = list(conn, org, &page).await?;
        page.after = entries.last().map(|e| (Ts(e.start), e.id.as_uuid()));
        all.extend(entries);
        if !more {
            return Ok(all);
        }
    }
}
