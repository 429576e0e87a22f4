//! Importing time entries from CSV files (src/import parses them): one importer for the CLI, the
//! API and the web pages. Both the dry run and the import itself run every row through the entry
//! rules inside one transaction; the dry run always rolls it back, the import commits it only
//! when no row failed (all or nothing).
//!
//! Rows go to the database a batch at a time: the rules read what they need from the catalog,
//! members and rates loaded once per import (`facts`), duplicates and overlaps are probed with
//! one statement per batch and the batch's entries are written with one more, so an import runs
//! at the database's speed whatever the size of the file or of the table.

mod facts;

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use super::access::require_member;
use super::entries::{EntryInput, draft, membership, validate};
use super::{Actor, Ctx};
use crate::db::catalog::{ListFilter, clients, projects, tags, tasks};
use crate::db::imports::Overlapping;
use crate::db::{DbError, Tx, imports, organizations};
use crate::domain::account::MyOrganization;
use crate::domain::catalog::{Client, Project, Tag, Task, Visibility, normalize, parse_name};
use crate::domain::entries::TimeEntry;
use crate::domain::ids::{ClientId, OrganizationId, ProjectId, TagId, TaskId, UserId};
use crate::domain::palette;
use crate::domain::role::{Permission, Role, allows};
use crate::error::{AppError, AppResult};
use crate::import::{self, Batch, ImportError, Options, Record, RowIssue};
use crate::metrics::product::{EntrySource, ImportOutcome};

/// Rows handed from the reading thread to the database at a time.
const BATCH: usize = 500;
/// Entries created at which the import refreshes the planner's statistics afterwards.
const LARGE_IMPORT: u64 = 5_000;
/// Rows shown in the preview.
pub const PREVIEW_ROWS: usize = 20;
/// Errors and warnings listed (all are counted); keeps the answer small for broken huge files.
pub const MAX_LISTED_ISSUES: usize = 1000;

/// The file to import: a path (CLI, uploads spooled to disk) or bytes in memory.
#[derive(Debug, Clone)]
pub enum ImportFile {
    Path(PathBuf),
    Bytes(Arc<Vec<u8>>),
}

impl ImportFile {
    fn open(&self) -> std::io::Result<Box<dyn Read + Send>> {
        Ok(match self {
            ImportFile::Path(path) => Box::new(std::io::BufReader::new(std::fs::File::open(path)?)),
            ImportFile::Bytes(bytes) => Box::new(std::io::Cursor::new(Shared(Arc::clone(bytes)))),
        })
    }

    fn len(&self) -> std::io::Result<u64> {
        Ok(match self {
            ImportFile::Path(path) => std::fs::metadata(path)?.len(),
            ImportFile::Bytes(bytes) => bytes.len() as u64,
        })
    }
}

/// Shared bytes a `Cursor` can read without copying them.
struct Shared(Arc<Vec<u8>>);

impl AsRef<[u8]> for Shared {
    fn as_ref(&self) -> &[u8] {
        self.0.as_slice()
    }
}

/// What to import and how.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    pub organization: OrganizationId,
    pub options: Options,
    /// Receives the rows of people the file names by an email that is no member.
    pub fallback_member: Option<UserId>,
    /// `false`: write the entries (when no row has an error).
    pub dry_run: bool,
}

/// A problem with one line of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Issue {
    pub line: u64,
    /// Header name of the column at fault, or the entry field for entry rules.
    pub column: Option<String>,
    /// The cell's text.
    pub value: Option<String>,
    pub message: String,
}

impl From<RowIssue> for Issue {
    fn from(i: RowIssue) -> Self {
        Issue {
            line: i.line,
            column: i.column,
            value: i.value,
            message: i.message,
        }
    }
}

/// Catalog items the import creates, by name.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct CatalogToCreate {
    pub clients: Vec<String>,
    /// `Client / Project`, or just the project name without a client.
    pub projects: Vec<String>,
    /// `Project / Task`.
    pub tasks: Vec<String>,
    pub tags: Vec<String>,
}

/// An email of the file and the member whose entries its rows become.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PersonMapping {
    pub email: String,
    pub user_id: UserId,
    pub name: String,
    /// True when the email is no member and the fallback member takes the rows.
    pub fallback: bool,
    pub rows: u64,
}

/// One entry as it will be stored.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PreviewRow {
    pub line: u64,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub user_id: UserId,
    pub user_email: String,
    pub client: Option<String>,
    pub project: Option<String>,
    pub task: Option<String>,
    pub description: String,
    pub tags: Vec<String>,
    pub billable: bool,
    /// Minor units of the organization's currency per hour.
    pub hourly_rate: Option<i64>,
    pub duplicate: bool,
}

/// The result of a dry run or an import.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    /// Detected or chosen format id (`toggl`, `clockify`, `kimai`, …).
    pub format: String,
    pub format_name: String,
    /// `day_first` / `month_first` when the file has slash dates.
    pub date_order: Option<String>,
    pub dry_run: bool,
    /// True when the entries were written.
    pub applied: bool,
    /// Data rows in the file.
    pub rows_read: u64,
    /// Entries created (import) or that would be (dry run).
    pub entries_to_create: u64,
    /// Rows whose entry this organization already has (imported before).
    pub duplicates_skipped: u64,
    pub catalog_to_create: CatalogToCreate,
    pub people: Vec<PersonMapping>,
    pub error_count: u64,
    pub warning_count: u64,
    /// The first [`MAX_LISTED_ISSUES`] errors; any error means nothing is imported.
    pub errors: Vec<Issue>,
    pub warnings: Vec<Issue>,
    /// The first rows as they will be stored.
    pub preview: Vec<PreviewRow>,
}

/// Progress callback: (data rows handled, data rows in the file).
pub type Progress<'a> = &'a mut (dyn FnMut(u64, u64) + Send);

fn forbidden(role: Role) -> AppError {
    AppError::Forbidden(format!(
        "Importing time entries needs the manager, admin or owner role in this organization \
         (imports create clients, projects, tasks and tags and enter time for other people); \
         your role is {}.",
        role.as_str()
    ))
}

fn importer(role: Role) -> AppResult<()> {
    if allows(role, Permission::ImportEntries) {
        Ok(())
    } else {
        Err(forbidden(role))
    }
}

/// Whether `actor` may import into `org` (404 for non-members, 403 below manager): the upload
/// page asks before it shows a form that [`run`] would refuse.
pub async fn require_importer(ctx: &Ctx, actor: &Actor, org: OrganizationId) -> AppResult<()> {
    let mut pooled = ctx.db.acquire().await?;
    let mine = require_member(&mut pooled.conn(), org, actor, Permission::ViewOrganization).await?;
    importer(mine.role)
}

/// Dry run or import of `file`; see the module docs.
pub async fn run(
    ctx: &Ctx,
    actor: &Actor,
    file: ImportFile,
    request: ImportRequest,
    progress: Progress<'_>,
) -> AppResult<ImportReport> {
    let started = std::time::Instant::now();
    let result = import(ctx, actor, file, request, progress).await;
    let outcome = match &result {
        Ok(report) if report.applied => {
            ctx.metrics
                .entries_created(EntrySource::Import, report.entries_to_create);
            ImportOutcome::Applied
        }
        Ok(report) if report.dry_run => ImportOutcome::DryRun,
        Ok(_) => ImportOutcome::Rejected,
        Err(AppError::Internal(_) | AppError::Unavailable { .. }) => ImportOutcome::Failed,
        Err(_) => ImportOutcome::Rejected,
    };
    ctx.metrics.import(outcome, started.elapsed());
    result
}

async fn import(
    ctx: &Ctx,
    actor: &Actor,
    file: ImportFile,
    request: ImportRequest,
    progress: Progress<'_>,
) -> AppResult<ImportReport> {
    let org = request.organization;
    let mut tx = ctx.db.begin().await?;
    let mine = membership(&mut tx, org, actor).await?;
    importer(mine.role)?;
    if let Some(fallback) = request.fallback_member
        && organizations::member_of(&mut tx.conn(), org, fallback)
            .await?
            .is_none()
    {
        return Err(super::invalid(
            "fallback_user_id",
            "is not a member of this organization",
        ));
    }
    let size = file.len().map_err(ImportError::Io)?;
    if size > request.options.max_bytes {
        return Err(too_large(request.options.max_bytes));
    }

    let scan = scan_file(&file, &request.options).await?;
    let total = scan.data_rows();

    let (mut receiver, reader) = read_batches(&file, &scan);
    let mut state = State::load(&mut tx, org, request.fallback_member).await?;
    let mut report = ImportReport::new(&scan, request.dry_run);
    let now = ctx.clock.now();
    let mut handled = 0u64;
    progress(0, total);
    while let Some(batch) = receiver.recv().await {
        let batch = batch.map_err(file_error)?;
        for issue in batch.errors {
            report.error(issue.into());
        }
        for issue in batch.warnings {
            report.warning(issue.into());
        }
        let fingerprints: Vec<String> = batch
            .records
            .iter()
            .map(|r| r.fingerprint.clone())
            .collect();
        // earlier batches are written in this transaction already, so the probe finds theirs;
        // `seen` catches identical rows within the batch (memory stays bounded by the batch)
        let known = imports::known_fingerprints(&mut tx.conn(), org, &fingerprints).await?;
        let mut seen: HashSet<String> = HashSet::with_capacity(fingerprints.len());
        let mut rows = Vec::with_capacity(batch.records.len());
        for record in batch.records {
            handled = handled.max(record.line.saturating_sub(1));
            // also a row identical to an earlier one of the file (same fingerprint)
            let duplicate =
                known.contains(&record.fingerprint) || !seen.insert(record.fingerprint.clone());
            if duplicate {
                report.duplicates_skipped += 1;
            }
            let step = state.prepare(&mut tx, actor, &record, duplicate, now).await;
            rows.push((record, step));
        }
        let overlaps = overlaps(&mut tx, &mine, &rows).await?;
        let mut accepted = Vec::with_capacity(rows.len());
        for ((record, step), overlap) in rows.into_iter().zip(overlaps) {
            let checked = match step {
                Ok(step) => {
                    state
                        .check(&mine, actor, record, step, overlap, &accepted, &mut report)
                        .await
                }
                Err(failure) => Err(failure),
            };
            match checked {
                Ok(Some(entry)) => accepted.push(entry),
                Ok(None) => {}
                Err(RowFailure::Issue(issue)) => report.error(issue),
                Err(RowFailure::Fatal(err)) => return Err(err),
            }
        }
        imports::insert_entries(&mut tx.conn(), org, &accepted).await?;
        progress(handled.min(total), total);
    }
    reader
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("import reader thread failed: {e}")))?;
    progress(total, total);
    report.catalog_to_create = std::mem::take(&mut state.created);
    report.people = state.people.into_values().collect();
    report.people.sort_by(|a, b| a.email.cmp(&b.email));

    if request.dry_run || report.error_count > 0 {
        drop(tx); // rolls back everything the run wrote
        return Ok(report);
    }
    record_in_audit_log(&mut tx, org, actor, &report, now).await?;
    tx.commit().await?;
    report.applied = true;
    if report.entries_to_create >= LARGE_IMPORT {
        // the statistics are a hint: the import stands whether or not this succeeds
        let refreshed = async {
            let mut pooled = ctx.db.acquire().await?;
            imports::refresh_statistics(&mut pooled.conn()).await
        };
        if let Err(err) = refreshed.await {
            tracing::warn!(error = %err, "refreshing statistics after a large import failed");
        }
    }
    Ok(report)
}

/// For each row with an entry to check, the stored entry it would overlap (one statement for
/// the batch); all `None` when the organization allows overlaps.
async fn overlaps(
    tx: &mut Tx,
    mine: &MyOrganization,
    rows: &[(Record, Result<Step, RowFailure>)],
) -> AppResult<Vec<Option<Overlapping>>> {
    if mine.organization.allow_overlap {
        return Ok(vec![None; rows.len()]);
    }
    let probes: Vec<(usize, imports::Probe)> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, (_, step))| match step {
            Ok(Step::Entry { entry, .. }) => {
                entry.end.map(|end| (i, (entry.user_id, entry.start, end)))
            }
            _ => None,
        })
        .collect();
    let asked: Vec<_> = probes.iter().map(|(_, probe)| *probe).collect();
    let answers = imports::first_overlapping(&mut tx.conn(), mine.organization.id, &asked).await?;
    let mut found = vec![None; rows.len()];
    for ((i, _), answer) in probes.into_iter().zip(answers) {
        found[i] = answer;
    }
    Ok(found)
}

/// Pass one, on a blocking thread: reads the whole file to learn its format and shape.
async fn scan_file(file: &ImportFile, options: &import::Options) -> AppResult<import::Scan> {
    let (file, options) = (file.clone(), options.clone());
    tokio::task::spawn_blocking(move || -> Result<import::Scan, ImportError> {
        import::scan(file.open().map_err(ImportError::Io)?, &options)
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!("import scan thread failed: {e}")))?
    .map_err(file_error)
}

type Batches = tokio::sync::mpsc::Receiver<Result<Batch, ImportError>>;

/// Pass two: a blocking thread parses the rows and hands them over in batches through a small
/// channel, so memory stays bounded whatever the file's size.
fn read_batches(file: &ImportFile, scan: &import::Scan) -> (Batches, tokio::task::JoinHandle<()>) {
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Batch, ImportError>>(2);
    let (file, scan) = (file.clone(), scan.clone());
    let reader = tokio::task::spawn_blocking(move || {
        let mut rows = match file
            .open()
            .map_err(ImportError::Io)
            .and_then(|input| import::read(input, &scan))
        {
            Ok(rows) => rows,
            Err(err) => {
                let _ = sender.blocking_send(Err(err));
                return;
            }
        };
        loop {
            match rows.next_batch(BATCH) {
                Ok(Some(batch)) => {
                    if sender.blocking_send(Ok(batch)).is_err() {
                        return;
                    }
                }
                Ok(None) => return,
                Err(err) => {
                    let _ = sender.blocking_send(Err(err));
                    return;
                }
            }
        }
    });
    (receiver, reader)
}

async fn record_in_audit_log(
    tx: &mut Tx,
    org: OrganizationId,
    actor: &Actor,
    report: &ImportReport,
    now: DateTime<Utc>,
) -> AppResult<()> {
    super::audit::record(
        tx,
        super::audit::Event {
            organization: org,
            actor: Some(actor.user.id),
            action: "entries.imported",
            target: None,
            detail: json!({
                "format": report.format,
                "rows": report.rows_read,
                "created": report.entries_to_create,
                "duplicates": report.duplicates_skipped,
                "clients": report.catalog_to_create.clients.len(),
                "projects": report.catalog_to_create.projects.len(),
                "tasks": report.catalog_to_create.tasks.len(),
                "tags": report.catalog_to_create.tags.len(),
            }),
            ip: &actor.ip,
        },
        now,
    )
    .await?;
    Ok(())
}

impl ImportReport {
    /// Nothing counted yet, for a file of this format and size.
    fn new(scan: &import::Scan, dry_run: bool) -> Self {
        Self {
            format: scan.format().id().to_string(),
            format_name: scan.format().name().to_string(),
            date_order: scan.date_order().map(|o| {
                match o {
                    import::DateOrder::DayFirst => "day_first",
                    import::DateOrder::MonthFirst => "month_first",
                }
                .to_string()
            }),
            dry_run,
            applied: false,
            rows_read: scan.data_rows(),
            entries_to_create: 0,
            duplicates_skipped: 0,
            catalog_to_create: CatalogToCreate::default(),
            people: Vec::new(),
            error_count: 0,
            warning_count: 0,
            errors: Vec::new(),
            warnings: Vec::new(),
            preview: Vec::new(),
        }
    }
}

fn too_large(limit: u64) -> AppError {
    AppError::from(ImportError::TooLarge { limit })
}

/// File-level problems are the uploader's to fix; only read failures are ours.
fn file_error(err: ImportError) -> AppError {
    AppError::from(err)
}

impl ImportReport {
    fn error(&mut self, issue: Issue) {
        self.error_count += 1;
        if self.errors.len() < MAX_LISTED_ISSUES {
            self.errors.push(issue);
        }
    }

    fn warning(&mut self, issue: Issue) {
        self.warning_count += 1;
        if self.warnings.len() < MAX_LISTED_ISSUES {
            self.warnings.push(issue);
        }
    }
}

enum RowFailure {
    Issue(Issue),
    Fatal(AppError),
}

impl From<DbError> for RowFailure {
    fn from(err: DbError) -> Self {
        RowFailure::Fatal(err.into())
    }
}

/// An entry rule's refusal as a row error; anything else stops the import.
fn rule_failure(line: u64, err: AppError) -> RowFailure {
    let issue = |column: Option<String>, message: String| {
        RowFailure::Issue(Issue {
            line,
            column,
            value: None,
            message,
        })
    };
    match err {
        AppError::Validation { message, fields } => match fields.into_iter().next() {
            Some((field, messages)) => {
                let text = format!("{field} {}", messages.join("; "));
                issue(Some(field), text)
            }
            None => issue(None, message),
        },
        AppError::Conflict(message)
        | AppError::Forbidden(message)
        | AppError::NotFound(message) => issue(None, message),
        other => RowFailure::Fatal(other),
    }
}

/// Names seen so far, resolved to ids (existing or created in this run), and what the entry
/// rules need to know about the organization.
struct State {
    org: OrganizationId,
    fallback: Option<(UserId, String)>,
    /// normalized email → (user, name)
    members: HashMap<String, (UserId, String)>,
    clients: HashMap<String, ClientId>,
    projects: HashMap<(Option<ClientId>, String), (ProjectId, String)>,
    /// The colour of every project, those this import creates too: the palette's rotation.
    colors: Vec<String>,
    tasks: HashMap<(ProjectId, String), TaskId>,
    tags: HashMap<String, TagId>,
    people: HashMap<String, PersonMapping>,
    created: CatalogToCreate,
    created_keys: HashSet<String>,
    known: facts::Known,
}

/// A row after its names are resolved: a duplicate to skip, or an entry for the rules.
enum Step {
    Duplicate {
        user: UserId,
        email: String,
    },
    Entry {
        entry: Box<TimeEntry>,
        email: String,
    },
}

/// An entry that passed the rules, with its source row's fingerprint.
type Accepted = (TimeEntry, String);

impl State {
    async fn load(tx: &mut Tx, org: OrganizationId, fallback: Option<UserId>) -> AppResult<State> {
        let all = ListFilter::default();
        let members = organizations::members(&mut tx.conn(), org).await?;
        let fallback = fallback.and_then(|id| {
            members
                .iter()
                .find(|m| m.user_id == id)
                .map(|m| (m.user_id, m.email.clone()))
        });
        let mut state = State {
            org,
            fallback,
            members: members
                .into_iter()
                .map(|m| (m.email.trim().to_lowercase(), (m.user_id, m.name)))
                .collect(),
            clients: HashMap::new(),
            projects: HashMap::new(),
            colors: Vec::new(),
            tasks: HashMap::new(),
            tags: HashMap::new(),
            people: HashMap::new(),
            created: CatalogToCreate::default(),
            created_keys: HashSet::new(),
            known: facts::Known::load(tx, org).await?,
        };
        for c in clients::list(&mut tx.conn(), org, &all).await? {
            state.clients.insert(normalize(&c.name), c.id);
        }
        for p in projects::list(&mut tx.conn(), org, &all, None, None).await? {
            state
                .projects
                .insert((p.client_id, normalize(&p.name)), (p.id, p.name.clone()));
            state.colors.push(p.color.clone());
            state.known.add_project(p);
        }
        for t in state.known.tasks.values() {
            state
                .tasks
                .entry((t.project_id, normalize(&t.name)))
                .or_insert(t.id);
        }
        for t in tags::list(&mut tx.conn(), org, &all).await? {
            state.tags.insert(normalize(&t.name), t.id);
            state.known.tags.insert(t.id);
        }
        Ok(state)
    }

    fn name(line: u64, column: &str, raw: &str) -> Result<String, RowFailure> {
        parse_name(raw).map_err(|message| {
            RowFailure::Issue(Issue {
                line,
                column: Some(column.into()),
                value: Some(raw.into()),
                message: format!("{column} name {message}"),
            })
        })
    }

    fn note(
        &mut self,
        key: String,
        list: fn(&mut CatalogToCreate) -> &mut Vec<String>,
        label: String,
    ) {
        if self.created_keys.insert(key) {
            list(&mut self.created).push(label);
        }
    }

    async fn client(
        &mut self,
        tx: &mut Tx,
        line: u64,
        raw: &str,
        now: DateTime<Utc>,
    ) -> Result<ClientId, RowFailure> {
        let name = Self::name(line, "client", raw)?;
        if let Some(id) = self.clients.get(&normalize(&name)) {
            return Ok(*id);
        }
        let client = Client {
            id: ClientId::new(),
            organization_id: self.org,
            name: name.clone(),
            notes: String::new(),
            archived: false,
            created_at: now,
            updated_at: now,
        };
        clients::save(&mut tx.conn(), &client).await?;
        self.clients.insert(normalize(&name), client.id);
        self.note(format!("c:{}", normalize(&name)), |c| &mut c.clients, name);
        Ok(client.id)
    }

    async fn project(
        &mut self,
        tx: &mut Tx,
        line: u64,
        client: Option<(ClientId, &str)>,
        (raw, color): (&str, Option<&str>),
        now: DateTime<Utc>,
    ) -> Result<ProjectId, RowFailure> {
        let name = Self::name(line, "project", raw)?;
        let key = (client.map(|c| c.0), normalize(&name));
        if let Some((id, _)) = self.projects.get(&key) {
            return Ok(*id);
        }
        let project = Project {
            id: ProjectId::new(),
            organization_id: self.org,
            client_id: client.map(|c| c.0),
            name: name.clone(),
            color: color
                .unwrap_or_else(|| palette::least_used(self.colors.iter().map(String::as_str)).hex)
                .to_string(),
            billable_default: true,
            archived: false,
            visibility: Visibility::Public,
            estimate_seconds: None,
            budget: None,
            created_at: now,
            updated_at: now,
        };
        projects::save(&mut tx.conn(), &project).await?;
        self.colors.push(project.color.clone());
        let id = project.id;
        self.known.add_project(project);
        self.projects.insert(key.clone(), (id, name.clone()));
        let label = match client {
            Some((_, client)) => format!("{} / {name}", client.trim()),
            None => name,
        };
        self.note(
            format!("p:{:?}:{}", key.0, key.1),
            |c| &mut c.projects,
            label,
        );
        Ok(id)
    }

    async fn task(
        &mut self,
        tx: &mut Tx,
        line: u64,
        project: (ProjectId, &str),
        raw: &str,
        now: DateTime<Utc>,
    ) -> Result<TaskId, RowFailure> {
        let name = Self::name(line, "task", raw)?;
        let key = (project.0, normalize(&name));
        if let Some(id) = self.tasks.get(&key) {
            return Ok(*id);
        }
        let task = Task {
            id: TaskId::new(),
            project_id: project.0,
            name: name.clone(),
            done: false,
            archived: false,
            created_at: now,
            updated_at: now,
        };
        tasks::save(&mut tx.conn(), self.org, &task).await?;
        let id = task.id;
        self.known.tasks.insert(id, task);
        self.tasks.insert(key.clone(), id);
        self.note(
            format!("t:{}:{}", project.0, key.1),
            |c| &mut c.tasks,
            format!("{} / {name}", project.1.trim()),
        );
        Ok(id)
    }

    async fn tag(
        &mut self,
        tx: &mut Tx,
        line: u64,
        raw: &str,
        now: DateTime<Utc>,
    ) -> Result<TagId, RowFailure> {
        let name = Self::name(line, "tag", raw)?;
        if let Some(id) = self.tags.get(&normalize(&name)) {
            return Ok(*id);
        }
        let tag = Tag {
            id: TagId::new(),
            organization_id: self.org,
            name: name.clone(),
            archived: false,
            created_at: now,
            updated_at: now,
        };
        tags::save(&mut tx.conn(), &tag).await?;
        self.tags.insert(normalize(&name), tag.id);
        self.known.tags.insert(tag.id);
        self.note(format!("g:{}", normalize(&name)), |c| &mut c.tags, name);
        Ok(tag.id)
    }

    /// The member a row's entry belongs to.
    fn person(&mut self, record: &Record, actor: &Actor) -> Result<(UserId, String), RowFailure> {
        let Some(email) = record
            .user_email
            .as_deref()
            .map(|e| e.trim().to_lowercase())
        else {
            // the file names nobody: the entries are the importing person's (or the fallback's)
            return Ok(self
                .fallback
                .clone()
                .unwrap_or_else(|| (actor.user.id, actor.user.email.to_string())));
        };
        let (user, name, fallback) = if let Some((id, name)) = self.members.get(&email) {
            (*id, name.clone(), false)
        } else if let Some((id, fallback_email)) = &self.fallback {
            (*id, fallback_email.clone(), true)
        } else {
            return Err(RowFailure::Issue(Issue {
                line: record.line,
                column: Some("user_email".into()),
                value: record.user_email.clone(),
                message: "No member of this organization has this email; invite them first or choose a fallback member for these rows".into(),
            }));
        };
        let mapping = self
            .people
            .entry(email.clone())
            .or_insert_with(|| PersonMapping {
                email: email.clone(),
                user_id: user,
                name,
                fallback,
                rows: 0,
            });
        mapping.rows += 1;
        Ok((user, email))
    }

    /// First half of a row: its person, its catalog items (created when new) and its draft entry.
    async fn prepare(
        &mut self,
        tx: &mut Tx,
        actor: &Actor,
        record: &Record,
        duplicate: bool,
        now: DateTime<Utc>,
    ) -> Result<Step, RowFailure> {
        let (user, email) = self.person(record, actor)?;
        if duplicate {
            return Ok(Step::Duplicate { user, email });
        }
        let client = match record.client.as_deref().filter(|c| !c.trim().is_empty()) {
            Some(name) => Some((self.client(tx, record.line, name, now).await?, name)),
            None => None,
        };
        let project = match record.project.as_deref().filter(|p| !p.trim().is_empty()) {
            Some(name) => Some((
                self.project(
                    tx,
                    record.line,
                    client,
                    (name, record.project_color.as_deref()),
                    now,
                )
                .await?,
                name,
            )),
            None => None,
        };
        let task = match (
            record.task.as_deref().filter(|t| !t.trim().is_empty()),
            project,
        ) {
            (Some(name), Some(project)) => {
                Some(self.task(tx, record.line, project, name, now).await?)
            }
            (Some(name), None) => {
                return Err(RowFailure::Issue(Issue {
                    line: record.line,
                    column: Some("task".into()),
                    value: Some(name.into()),
                    message: "A task needs a project, and this row has none".into(),
                }));
            }
            (None, _) => None,
        };
        let mut tag_ids = Vec::with_capacity(record.tags.len());
        for tag in &record.tags {
            tag_ids.push(self.tag(tx, record.line, tag, now).await?);
        }
        let input = EntryInput {
            user_id: Some(user),
            project_id: Some(project.map(|p| p.0)),
            task_id: Some(task),
            description: Some(record.description.clone()),
            start: Some(record.start),
            end: Some(Some(record.end)),
            billable: record.billable,
            tags: Some(tag_ids),
        };
        let mut facts = self.facts(None, &[]);
        let entry = draft(&mut facts, self.org, actor, input, now)
            .await
            .map_err(|e| rule_failure(record.line, e))?;
        Ok(Step::Entry {
            entry: Box::new(entry),
            email,
        })
    }

    fn facts<'a>(
        &'a self,
        overlap: Option<Overlapping>,
        batch: &'a [Accepted],
    ) -> facts::RowFacts<'a> {
        facts::RowFacts {
            known: &self.known,
            overlap,
            batch,
        }
    }

    /// Second half of a row, in file order: the entry rules, against the stored entry it
    /// overlaps (`overlap`) and the batch's entries that passed before it (`batch`). The entry
    /// to write, or `None` for a duplicate.
    #[expect(
        clippy::too_many_arguments,
        reason = "one row with everything it is checked against"
    )]
    async fn check(
        &self,
        mine: &MyOrganization,
        actor: &Actor,
        record: Record,
        step: Step,
        overlap: Option<Overlapping>,
        batch: &[Accepted],
        report: &mut ImportReport,
    ) -> Result<Option<Accepted>, RowFailure> {
        let (mut entry, email) = match step {
            Step::Duplicate { user, email } => {
                if report.preview.len() < PREVIEW_ROWS {
                    report
                        .preview
                        .push(preview(&record, user, email, None, false, true));
                }
                return Ok(None);
            }
            Step::Entry { entry, email } => (*entry, email),
        };
        let mut facts = self.facts(overlap, batch);
        validate(&mut facts, mine, actor, None, &mut entry)
            .await
            .map_err(|e| rule_failure(record.line, e))?;
        if let Some(rate) = record.hourly_rate_minor {
            entry.hourly_rate = Some(rate);
        }
        report.entries_to_create += 1;
        if report.preview.len() < PREVIEW_ROWS {
            report.preview.push(preview(
                &record,
                entry.user_id,
                email,
                entry.hourly_rate,
                entry.billable,
                false,
            ));
        }
        Ok(Some((entry, record.fingerprint)))
    }
}

fn preview(
    record: &Record,
    user: UserId,
    user_email: String,
    hourly_rate: Option<i64>,
    billable: bool,
    duplicate: bool,
) -> PreviewRow {
    PreviewRow {
        line: record.line,
        start: record.start,
        end: record.end,
        user_id: user,
        user_email,
        client: record.client.clone(),
        project: record.project.clone(),
        task: record.task.clone(),
        description: record.description.clone(),
        tags: record.tags.clone(),
        billable: if duplicate {
            record.billable.unwrap_or(false)
        } else {
            billable
        },
        hourly_rate: if duplicate {
            record.hourly_rate_minor
        } else {
            hourly_rate
        },
        duplicate,
    }
}
