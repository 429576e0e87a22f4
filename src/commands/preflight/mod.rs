//! `gogotime preflight`: the "before" half of the deployment checklist as one command. It runs
//! with the configuration (environment) of the release about to be deployed and prints one line
//! per check — configuration, database and its TLS, schema, disk, backups, certificate, DNS,
//! metrics — each `✓`, or `✗` with the fix; exit status 1 when any check failed
//! (docs/deployment/checklist.md).

mod certificate;
mod database;
mod local;
mod remote;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use super::checklist::Checklist;
use super::{EXIT_CONFIG, EXIT_FAILURE};
use crate::build_info;
use crate::cli::PreflightArgs;
use crate::config::{Config, EnvSnapshot};

/// Checks `--skip` accepts; the configuration is always checked.
const SKIPPABLE: &[&str] = &[
    "database",
    "schema",
    "disk",
    "backups",
    "certificate",
    "public-url",
    "metrics",
];

/// The arguments, parsed and checked before anything is probed.
pub(super) struct Options {
    pub args: PreflightArgs,
    pub min_free_bytes: u64,
    pub max_backup_age: Duration,
    pub timeout: Duration,
}

impl Options {
    fn parse(args: PreflightArgs) -> Result<Self, String> {
        if let Some(unknown) = args.skip.iter().find(|s| !SKIPPABLE.contains(&s.as_str())) {
            return Err(format!(
                "--skip {unknown}: no such check; use one of {}",
                SKIPPABLE.join(", ")
            ));
        }
        if let Some(env) = args.env.as_deref()
            && !matches!(env, "development" | "staging" | "production")
        {
            return Err(format!(
                "--env {env}: expected development, staging or production"
            ));
        }
        let min_free_bytes =
            local::parse_size(&args.min_free).map_err(|m| format!("--min-free {m}"))?;
        let max_backup_age = super::backup::schedule::parse_interval(&args.max_backup_age)
            .map_err(|m| format!("--max-backup-age {m}"))?;
        if args.timeout == 0 {
            return Err("--timeout 0: give the seconds a network check may take, e.g. 10".into());
        }
        Ok(Self {
            timeout: Duration::from_secs(args.timeout),
            min_free_bytes,
            max_backup_age,
            args,
        })
    }

    pub fn skipped(&self, check: &str) -> bool {
        self.args.skip.iter().any(|s| s == check)
    }
}

pub async fn run(env: &EnvSnapshot, args: PreflightArgs) -> ExitCode {
    let options = match Options::parse(args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    let started = Instant::now();
    let (config, warnings, problems) = Config::from_env_with_problems(env);
    println!(
        "gogotime preflight {} for {}",
        build_info::VERSION_LINE,
        config.environment.as_str()
    );
    let mut list = Checklist::default();
    check_config(&mut list, &options, &config, &warnings, &problems);
    let broken = |prefix: &str| problems.iter().any(|p| p.variable.starts_with(prefix));
    let db = if broken("DATABASE_") {
        list.skip(
            "database",
            "not checked: DATABASE_URL or a DATABASE_* setting is invalid (see config)",
        );
        list.skip("schema", "not checked: no database connection");
        None
    } else {
        database::check(&mut list, &options, &config).await
    };
    if let Some(db) = &db {
        database::check_schema(&mut list, &options, &config, db).await;
        db.close().await;
    }
    local::check_disk(&mut list, &options, &config);
    check_backups(&mut list, &options).await;
    remote::check_certificate(&mut list, &options).await;
    if broken("GOGOTIME_PUBLIC_URL") {
        list.skip(
            "public-url",
            "not checked: GOGOTIME_PUBLIC_URL is invalid (see config)",
        );
    } else {
        remote::check_public_url(&mut list, &options, &config).await;
    }
    remote::check_metrics(&mut list, &options, &config).await;
    println!("{}", list.summary("preflight", started.elapsed()));
    if list.failed() {
        ExitCode::from(EXIT_FAILURE)
    } else {
        ExitCode::SUCCESS
    }
}

fn check_config(
    list: &mut Checklist,
    options: &Options,
    config: &Config,
    warnings: &[crate::config::Warning],
    problems: &[crate::config::ConfigError],
) {
    let actual = config.environment.as_str();
    if let Some(target) = options.args.env.as_deref()
        && target != actual
    {
        list.fail(
            "config",
            format!("GOGOTIME_ENV is {actual}, but this preflight is for {target}"),
            format!("set GOGOTIME_ENV={target} (or run preflight with the {target} environment)"),
        );
    }
    for problem in problems {
        // every configuration message already ends with what to write instead
        list.fail_as_stated("config", problem);
    }
    for warning in warnings {
        list.warn("config", warning);
    }
    if problems.is_empty() {
        let set = config
            .effective
            .iter()
            .filter(|v| v.origin != crate::config::Origin::Default)
            .count();
        list.pass(
            "config",
            format!("valid for {actual} ({set} settings given; `gogotime config check` lists them, secrets redacted)"),
        );
    }
}

async fn check_backups(list: &mut Checklist, options: &Options) {
    if options.skipped("backups") {
        list.skip("backups", "skipped (--skip backups)");
    } else if let Some(dir) = &options.args.backups {
        local::check_backup_dir(list, options, dir);
    } else if let Some(url) = &options.args.backup_metrics {
        remote::check_backup_metrics(list, options, url).await;
    } else {
        list.skip(
            "backups",
            "not checked: pass --backups DIR, or --backup-metrics URL of the backup service (http://backup:9100/metrics in compose.prod.yaml)",
        );
    }
}

/// "2 h", "3 days": an age for people.
pub(super) fn age(age: chrono::Duration) -> String {
    let minutes = age.num_minutes();
    match minutes {
        m if m < 120 => format!("{m} min"),
        m if m < 48 * 60 => format!("{} h", m / 60),
        m => format!("{} days", m / (24 * 60)),
    }
}
