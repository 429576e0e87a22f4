//! `gogotime import`: the importer of `service::imports`, acting as a member of the organization.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{EXIT_CONFIG, EXIT_FAILURE, load};
use crate::cli::ImportArgs;
use crate::clock::SystemClock;
use crate::config::EnvSnapshot;
use crate::db::{Db, migrate, users};
use crate::domain::email::Email;
use crate::domain::ids::OrganizationId;
use crate::error::AppError;
use crate::http::import_query::options;
use crate::service::imports::{self, ImportFile, ImportReport, ImportRequest};
use crate::service::{self, Actor};

pub async fn run(env: &EnvSnapshot, args: ImportArgs) -> ExitCode {
    let (config, _) = match load(env, super::migrate::relevant) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let options = match options(
        &args.tz,
        args.format.as_deref(),
        args.date_order.as_deref(),
        crate::import::MAX_BYTES,
    ) {
        Ok(options) => options,
        Err(e) => return fail(e),
    };
    let db = match Db::connect(&config.database).await {
        Ok(db) => db,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    match migrate::status(&db).await {
        Ok(status) if status.is_current() => {}
        Ok(_) => {
            eprintln!("error: the database schema is not current; run `gogotime migrate up` first");
            return ExitCode::from(EXIT_FAILURE);
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(EXIT_FAILURE);
        }
    }
    let ctx = service::Ctx {
        db: db.clone(),
        clock: Arc::new(SystemClock),
        settings: Arc::new(service::Settings::from_config(&config)),
        // a CLI run serves no metrics; its counters go nowhere
        metrics: Arc::default(),
        // nothing a CLI run queues needs waking: a running server's worker polls the outbox
        mail_wake: Arc::default(),
        oidc: Default::default(),
    };
    let result = import(&ctx, &args, options).await;
    db.close().await;
    match result {
        Ok(report) => {
            print!("{}", summary(&report));
            if report.error_count > 0 {
                ExitCode::from(EXIT_FAILURE)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => fail(e),
    }
}

async fn find_user(
    ctx: &service::Ctx,
    raw: &str,
    what: &str,
) -> Result<crate::domain::account::User, AppError> {
    let email = Email::parse(raw).map_err(|m| service::invalid(what, m))?;
    let mut pooled = ctx.db.acquire().await?;
    users::find_by_email(&mut pooled.conn(), email.normalized())
        .await?
        .map(|(user, _)| user)
        .ok_or_else(|| service::invalid(what, format!("there is no account with the email {raw}")))
}

async fn import(
    ctx: &service::Ctx,
    args: &ImportArgs,
    options: crate::import::Options,
) -> Result<ImportReport, AppError> {
    let actor = Actor {
        user: find_user(ctx, &args.actor, "--as").await?,
        ip: "cli".into(),
        // the operator's CLI is no sign-in: an organization's sign-in policy does not apply
        came_in: service::CameIn::Token,
    };
    let fallback_member = match &args.fallback_member {
        Some(email) => Some(find_user(ctx, email, "--fallback-member").await?.id),
        None => None,
    };
    let request = ImportRequest {
        organization: OrganizationId::from_uuid(args.org),
        options,
        fallback_member,
        dry_run: args.dry_run,
    };
    let mut progress = Progress::new();
    let report = imports::run(
        ctx,
        &actor,
        ImportFile::Path(args.file.clone()),
        request,
        &mut |done, total| progress.update(done, total),
    )
    .await;
    progress.finish();
    report
}

/// A bar on a terminal, a line every few seconds otherwise (logs of scripted imports).
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    last_line: Option<Instant>,
}

impl Progress {
    fn new() -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(0);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{spinner} importing [{bar:40}] {pos}/{len} rows ({per_sec}, {eta} left)",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        });
        Progress {
            bar,
            last_line: None,
        }
    }

    fn update(&mut self, done: u64, total: u64) {
        if let Some(bar) = &self.bar {
            bar.set_length(total);
            bar.set_position(done);
            return;
        }
        let due = self
            .last_line
            .is_none_or(|t| t.elapsed() >= Duration::from_secs(2));
        if due || done == total {
            eprintln!("import: {done}/{total} rows");
            self.last_line = Some(Instant::now());
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

fn fail(e: AppError) -> ExitCode {
    match e {
        AppError::Validation { message, fields } => {
            if fields.is_empty() {
                eprintln!("error: {message}");
            }
            for (field, messages) in fields {
                for message in messages {
                    if field == "file" {
                        eprintln!("error: {message}");
                    } else {
                        eprintln!("error: {field} {message}");
                    }
                }
            }
            ExitCode::from(EXIT_CONFIG)
        }
        AppError::Internal(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(EXIT_FAILURE)
        }
        e => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

/// The human-readable outcome printed on stdout.
pub fn summary(r: &ImportReport) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let verdict = if r.applied {
        "imported"
    } else if r.error_count > 0 {
        "NOT imported: fix the errors below and run again (nothing was written)"
    } else {
        "dry run: nothing was written"
    };
    let _ = writeln!(out, "{} file, {verdict}", r.format_name);
    let created = if r.applied {
        "entries created:"
    } else {
        "entries to create:"
    };
    let _ = writeln!(out, "{:<20}{}", "rows read:", r.rows_read);
    let _ = writeln!(out, "{created:<20}{}", r.entries_to_create);
    let _ = writeln!(out, "{:<20}{}", "duplicates skipped:", r.duplicates_skipped);
    let c = &r.catalog_to_create;
    for (label, names) in [
        ("clients", &c.clients),
        ("projects", &c.projects),
        ("tasks", &c.tasks),
        ("tags", &c.tags),
    ] {
        let _ = write!(out, "new {label}: {}", names.len());
        if !names.is_empty() {
            let _ = write!(out, " ({})", names.join(", "));
        }
        out.push('\n');
    }
    for p in &r.people {
        let _ = writeln!(
            out,
            "person: {} -> {}{} ({} rows)",
            p.email,
            p.name,
            if p.fallback { " (fallback)" } else { "" },
            p.rows
        );
    }
    let _ = writeln!(out, "warnings: {}", r.warning_count);
    for w in &r.warnings {
        let _ = writeln!(out, "  {}", issue(w));
    }
    let _ = writeln!(out, "errors: {}", r.error_count);
    for e in &r.errors {
        let _ = writeln!(out, "  {}", issue(e));
    }
    if r.error_count > r.errors.len() as u64 {
        let _ = writeln!(
            out,
            "  … and {} more",
            r.error_count - r.errors.len() as u64
        );
    }
    out
}

fn issue(i: &imports::Issue) -> String {
    let mut text = format!("line {}", i.line);
    if let Some(column) = &i.column {
        text.push_str(&format!(", {column}"));
    }
    if let Some(value) = &i.value {
        text.push_str(&format!(" “{value}”"));
    }
    format!("{text}: {}", i.message)
}
