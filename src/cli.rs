//! The command line: `serve` (default), `migrate`, `config check`, `healthcheck`, `secret`,
//! `user`, `import`, `backup`, `restore`, `preflight`, `smoke`.

use clap::{Args, Parser, Subcommand};

const SERVE_ENV: &str = "\
Environment variables (all documented in .env.example):
  GOGOTIME_ENV, DATABASE_URL[_FILE], DATABASE_MAX_CONNECTIONS, DATABASE_ACQUIRE_TIMEOUT_SECONDS,
  GOGOTIME_BIND, PORT, GOGOTIME_PUBLIC_URL, JWT_SECRET[_FILE], GOGOTIME_METRICS_BIND,
  GOGOTIME_LOG, GOGOTIME_LOG_FORMAT, GOGOTIME_AUTO_MIGRATE, GOGOTIME_SHUTDOWN_DELAY_SECONDS,
  GOGOTIME_SHUTDOWN_GRACE_SECONDS, GOGOTIME_REQUEST_TIMEOUT_SECONDS, GOGOTIME_BODY_LIMIT_BYTES,
  GOGOTIME_TRUSTED_PROXIES, GOGOTIME_REGISTRATION
In development a ./.env file is read too.";

const MIGRATE_ENV: &str = "\
Environment variables: GOGOTIME_ENV, DATABASE_URL[_FILE], DATABASE_MAX_CONNECTIONS,
DATABASE_ACQUIRE_TIMEOUT_SECONDS, GOGOTIME_LOG, GOGOTIME_LOG_FORMAT.";

const HEALTHCHECK_ENV: &str = "\
Environment variables: GOGOTIME_BIND and PORT (to find the local port when --url is not given).
Exit status: 0 when the server reports healthy, 1 otherwise.";

#[derive(Debug, Parser)]
#[command(name = "gogotime", version = crate::build_info::VERSION_LINE, about = "GoGoTime: self-hostable team time tracking", after_help = SERVE_ENV)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web UI and API server (the default).
    #[command(after_help = SERVE_ENV)]
    Serve,
    /// Apply or inspect database migrations.
    #[command(subcommand)]
    Migrate(MigrateCommand),
    /// Validate the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Probe the local server's health endpoint (for container health checks without curl).
    #[command(after_help = HEALTHCHECK_ENV)]
    Healthcheck(HealthcheckArgs),
    /// Generate secrets.
    #[command(subcommand)]
    Secret(SecretCommand),
    /// Manage user accounts (operators' recovery tools).
    #[command(subcommand)]
    User(UserCommand),
    /// Import time entries from a CSV export (Toggl, Clockify, Kimai, solidtime, Harvest,
    /// GoGoTime, generic CSV) into an organization; all or nothing (docs/import.md).
    #[command(after_help = IMPORT_ENV)]
    Import(ImportArgs),
    /// Back up the database into a new directory under --to: a consistent copy (pg_dump custom
    /// format, or SQLite's VACUUM INTO while the server runs) plus manifest.json
    /// (docs/operations/backup-restore.md).
    #[command(after_help = BACKUP_ENV)]
    Backup(BackupArgs),
    /// Restore a backup directory into an EMPTY database, all or nothing; checks the manifest,
    /// the schema version and every checksum first.
    #[command(after_help = RESTORE_ENV)]
    Restore(RestoreArgs),
    /// Before a deploy, with the new release's configuration: configuration, database and its TLS,
    /// pending or newer migrations, disk space, backup age, certificate expiry, DNS, metrics. One
    /// line per check, ✓ or ✗ with the fix (docs/deployment/checklist.md).
    #[command(after_help = PREFLIGHT_ENV)]
    Preflight(PreflightArgs),
    /// After a deploy, against its URL: health, version, static assets and their caching, sign-in,
    /// a timer started and stopped in the smoke organization, a report, clean-up; with timings.
    #[command(after_help = SMOKE_ENV)]
    Smoke(SmokeArgs),
}

const PREFLIGHT_ENV: &str = "\
Reads the same environment as `serve` (GOGOTIME_ENV, DATABASE_URL[_FILE], JWT_SECRET[_FILE],
GOGOTIME_PUBLIC_URL, ...): run it with the environment of the release you are about to deploy,
e.g. `docker-compose run --rm --no-deps app preflight` with the new image.
Exit status 0 when every check passed (– lines were not checked), 1 when any failed, 2 for
invalid arguments.";

const SMOKE_ENV: &str = "\
Signs in with a personal API token of a smoke account (GOGOTIME_SMOKE_TOKEN or --token), or with
--email and the password in GOGOTIME_SMOKE_PASSWORD; the account should belong to a dedicated
smoke organization (or pass --org). What smoke creates is deleted at the end. Without credentials
only health, version and assets are checked.
Exit status 0 when every check passed, 1 at the first failure (named on its ✗ line), 2 for
invalid arguments.";

#[derive(Debug, Args)]
pub struct PreflightArgs {
    /// The environment this deploy targets; fails when GOGOTIME_ENV differs.
    #[arg(long, value_name = "ENV")]
    pub env: Option<String>,
    /// Pending migrations are expected (the deploy runs `migrate up` next): list them, do not fail.
    #[arg(long)]
    pub before_migrate: bool,
    /// Accept migrations applied by a newer release (rolling back on purpose).
    #[arg(long)]
    pub allow_newer_schema: bool,
    /// Public https:// address whose certificate is checked.
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// PEM file with a private CA to trust besides the public ones.
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<std::path::PathBuf>,
    /// Fail when the certificate expires within this many days.
    #[arg(long, value_name = "DAYS", default_value_t = 14)]
    pub cert_min_days: u32,
    /// Backup directory (`gogotime backup --to`): its newest backup must be recent.
    #[arg(long, value_name = "DIR")]
    pub backups: Option<std::path::PathBuf>,
    /// Metrics of the backup service (e.g. http://backup:9100/metrics) instead of --backups.
    #[arg(long, value_name = "URL", conflicts_with = "backups")]
    pub backup_metrics: Option<String>,
    /// Oldest acceptable newest backup (24h, 26h, 2d).
    #[arg(long, value_name = "DURATION", default_value = "26h")]
    pub max_backup_age: String,
    /// A running replica's metrics endpoint, e.g. http://app:9100/metrics.
    #[arg(long, value_name = "URL")]
    pub metrics_url: Option<String>,
    /// Least free space wanted in the temporary, SQLite and backup directories (500M, 1G, 2T).
    #[arg(long, value_name = "SIZE", default_value = "1G")]
    pub min_free: String,
    /// Do not run this check (database, schema, disk, backups, certificate, public-url, metrics).
    #[arg(long, value_name = "CHECK")]
    pub skip: Vec<String>,
    /// Seconds each network check may take.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub timeout: u64,
}

#[derive(Debug, Args)]
pub struct SmokeArgs {
    /// The deployment's address, e.g. https://time.example.com.
    #[arg(long, value_name = "URL")]
    pub url: String,
    /// Personal API token of the smoke account (better: GOGOTIME_SMOKE_TOKEN, kept out of `ps`).
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
    /// Sign in as this smoke account, with the password in GOGOTIME_SMOKE_PASSWORD.
    #[arg(long, value_name = "EMAIL")]
    pub email: Option<String>,
    /// Organization the timer check writes to [default: the account's only organization].
    #[arg(long, value_name = "ORG_ID")]
    pub org: Option<uuid::Uuid>,
    /// Version the server must report [default: this binary's own version].
    #[arg(long, value_name = "VERSION")]
    pub expect_version: Option<String>,
    /// PEM file with a private CA to trust besides the public ones.
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<std::path::PathBuf>,
    /// Seconds each request may take.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub timeout: u64,
}

const BACKUP_ENV: &str = "\
PostgreSQL backups run pg_dump (client tools of at least the server's major version on PATH or in
/usr/lib/postgresql/N/bin). Exit status 0 when the backup is complete, 1 otherwise (nothing is
left behind but a removed NAME.partial directory).
Environment variables: GOGOTIME_ENV, DATABASE_URL[_FILE], GOGOTIME_LOG, GOGOTIME_LOG_FORMAT.";

const RESTORE_ENV: &str = "\
DATABASE_URL names the target, which must be empty (a new PostgreSQL database, or a SQLite file
that does not exist yet); stop the servers that use it first. PostgreSQL restores run pg_restore.
Exit status 0 when restored and verified, 1 otherwise (then nothing was restored).
Environment variables: GOGOTIME_ENV, DATABASE_URL[_FILE], GOGOTIME_LOG, GOGOTIME_LOG_FORMAT.";

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Directory the backup directories go into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub to: std::path::PathBuf,
    /// Keep running and back up every DURATION (24h, 6h, 30m, 90s), starting now.
    #[arg(long, value_name = "DURATION")]
    pub every: Option<String>,
    /// After each backup, keep the newest backup of each of the last N days.
    #[arg(long, value_name = "N")]
    pub keep_daily: Option<u32>,
    /// After each backup, also keep the newest backup of each of the last N ISO weeks.
    #[arg(long, value_name = "N")]
    pub keep_weekly: Option<u32>,
    /// With --every: serve Prometheus metrics (gogotime_backup_last_success_timestamp_seconds …)
    /// on this address, e.g. 0.0.0.0:9100.
    #[arg(long, value_name = "ADDR", requires = "every")]
    pub metrics_bind: Option<std::net::SocketAddr>,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// Backup directory (or its manifest.json).
    #[arg(value_name = "FROM")]
    pub from: std::path::PathBuf,
    /// Only check the backup (manifest, schema version, size and SHA-256); restore nothing.
    #[arg(long)]
    pub check: bool,
}

const IMPORT_ENV: &str = "\
Progress goes to standard error, the summary (counts, row errors with line numbers) to standard
output. Exit status 0 when imported (or a clean dry run), 1 when a row or the file has errors:
then nothing is written.
Environment variables: GOGOTIME_ENV, DATABASE_URL[_FILE], DATABASE_MAX_CONNECTIONS,
DATABASE_ACQUIRE_TIMEOUT_SECONDS, GOGOTIME_LOG, GOGOTIME_LOG_FORMAT.";

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Organization id to import into.
    #[arg(long = "org", value_name = "ORG_ID")]
    pub org: uuid::Uuid,
    /// Email of the member the import acts as (manager, admin or owner of the organization).
    #[arg(long = "as", value_name = "EMAIL")]
    pub actor: String,
    /// IANA time zone of times written without an offset, e.g. Europe/Berlin.
    #[arg(long, value_name = "TZ")]
    pub tz: String,
    /// toggl, clockify, kimai, solidtime, solidtime_organization, harvest, gogotime or generic
    /// [default: detected from the header]
    #[arg(long, value_name = "F")]
    pub format: Option<String>,
    /// mdy or dmy; needed only when every slash date in the file could be either.
    #[arg(long, value_name = "ORDER")]
    pub date_order: Option<String>,
    /// Member (email) who gets the rows of emails that are no member of the organization.
    #[arg(long, value_name = "EMAIL")]
    pub fallback_member: Option<String>,
    /// Check the file and show what would be imported; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The CSV file.
    pub file: std::path::PathBuf,
}

const USER_ENV: &str = "\
The password is prompted for without echo, or read from the first line of standard input when it
is not a terminal (e.g. `printf '%s\\n' \"$PW\" | gogotime user create ...`).
Environment variables: GOGOTIME_ENV, DATABASE_URL[_FILE], DATABASE_MAX_CONNECTIONS,
DATABASE_ACQUIRE_TIMEOUT_SECONDS, GOGOTIME_LOG, GOGOTIME_LOG_FORMAT.";

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account, bypassing GOGOTIME_REGISTRATION.
    #[command(after_help = USER_ENV)]
    Create {
        #[arg(long)]
        email: String,
        /// Display name [default: the part of the email before @]
        #[arg(long)]
        name: Option<String>,
        /// Make the account an instance administrator.
        #[arg(long)]
        admin: bool,
    },
    /// Set a new password and sign the user out everywhere.
    #[command(after_help = USER_ENV)]
    ResetPassword {
        #[arg(long)]
        email: String,
    },
    /// Disable an account: it can no longer sign in; its sessions and tokens stop working.
    #[command(after_help = USER_ENV)]
    Disable {
        #[arg(long)]
        email: String,
    },
    /// Turn off two-factor sign-in for someone who lost both the authenticator and the recovery
    /// codes: signing in needs only the password again, and they can set it up anew.
    #[command(after_help = USER_ENV)]
    ResetTwoFactor {
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum MigrateCommand {
    /// Apply pending migrations (safe to run from several processes at once).
    #[command(after_help = MIGRATE_ENV)]
    Up,
    /// List applied and pending migrations, per version.
    #[command(after_help = MIGRATE_ENV)]
    Status,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate and print the effective configuration, secrets redacted; exit 0 when valid, 2 otherwise.
    #[command(after_help = SERVE_ENV)]
    Check,
}

#[derive(Debug, Args)]
pub struct HealthcheckArgs {
    /// Health endpoint to probe [default: http://127.0.0.1:<port>/api/system/health]
    #[arg(long)]
    pub url: Option<String>,
    /// Seconds to wait for an answer.
    #[arg(long, default_value_t = 5)]
    pub timeout: u64,
}

#[derive(Debug, Subcommand)]
pub enum SecretCommand {
    /// Print a new random secret (32 bytes, URL-safe base64), e.g. for JWT_SECRET.
    Generate,
}
