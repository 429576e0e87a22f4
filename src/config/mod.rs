//! Typed configuration read from environment variables only (12-factor, DESIGN §1).
//!
//! `Config::from_env` turns a snapshot of variables into typed values, reporting *every*
//! problem at once. Nothing here reads the process environment directly: callers pass a
//! snapshot, so tests can describe any environment without touching global state.

mod database_tls;
mod database_url;
mod env;
mod known;
mod parse;
mod report;

use std::net::SocketAddr;
use std::time::Duration;

use ipnet::IpNet;
use secrecy::SecretString;
use url::Url;

pub use database_tls::{DatabaseTls, SslMode};
pub use database_url::{DatabaseKind, DatabaseUrl};
pub use env::{EnvSnapshot, Origin};
pub use known::{KNOWN_VARIABLES, Variable};
pub use parse::mail::{MailConfig, SmtpSecurity, SmtpServer};
pub use parse::sso::{DEFAULT_DISPLAY_NAME as DEFAULT_SSO_DISPLAY_NAME, InstanceSsoConfig};
pub use parse::{ConfigError, ConfigErrors, Warning};
pub use report::EffectiveValue;

/// The deployment stage; staging and production refuse unsafe settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Staging,
    Production,
}

impl Environment {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Development => "development",
            Self::Staging => "staging",
            Self::Production => "production",
        }
    }

    pub fn is_development(self) -> bool {
        self == Self::Development
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

/// Who may create an account (the instance's very first user always may).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registration {
    Open,
    Invite,
    Closed,
}

#[derive(Debug, Clone)]
pub struct DatabaseConfig {
    pub url: DatabaseUrl,
    pub max_connections: u32,
    pub acquire_timeout: Duration,
}

#[derive(Debug, Clone)]
pub struct HttpConfig {
    pub bind: SocketAddr,
    pub public_url: Url,
    /// Development without `GOGOTIME_PUBLIC_URL`: links people follow (invitations, resets,
    /// shared reports, the calendar feed) are built from the host each request was sent to, so
    /// they work from the address the developer actually opened (another port, a LAN address).
    pub links_follow_host: bool,
    pub request_timeout: Duration,
    pub body_limit_bytes: usize,
    /// Peers whose `X-Forwarded-For` is believed (the reverse proxy in front of us).
    pub trusted_proxies: Vec<IpNet>,
}

#[derive(Debug, Clone)]
pub struct LogConfig {
    pub filter: String,
    pub format: LogFormat,
}

#[derive(Debug, Clone)]
pub struct ShutdownConfig {
    /// Time readiness reports 503 while still serving, so load balancers drain us first.
    pub delay: Duration,
    /// Time in-flight requests get to finish once we stop accepting.
    pub grace: Duration,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub environment: Environment,
    pub database: DatabaseConfig,
    pub http: HttpConfig,
    /// `None` disables the metrics listener.
    pub metrics_bind: Option<SocketAddr>,
    pub jwt_secret: SecretString,
    pub log: LogConfig,
    pub auto_migrate: bool,
    pub registration: Registration,
    pub shutdown: ShutdownConfig,
    /// `None` when no SMTP server is configured: email is off.
    pub mail: Option<MailConfig>,
    /// `None` when the operator configured no instance-wide OpenID provider.
    pub sso: Option<InstanceSsoConfig>,
    /// Every variable with its effective value (secrets redacted) and where it came from.
    pub effective: Vec<EffectiveValue>,
}

impl Config {
    /// Parses and validates a snapshot of the environment; any problem is an error.
    pub fn from_env(env: &EnvSnapshot) -> Result<(Config, Vec<Warning>), ConfigErrors> {
        Self::from_env_for(env, |_| true)
    }

    /// The configuration as far as it could be read (an invalid value replaced by its default)
    /// together with every warning and problem: `preflight` reports all of them and still checks
    /// what it can (the database, when `DATABASE_URL` is fine but a secret is not).
    pub fn from_env_with_problems(env: &EnvSnapshot) -> (Config, Vec<Warning>, Vec<ConfigError>) {
        let parsed = parse::parse(env);
        (parsed.config, parsed.warnings, parsed.errors)
    }

    /// Like `from_env`, but only problems with variables `relevant` accepts are errors: a one-shot
    /// `migrate` job should not need the web server's secrets.
    pub fn from_env_for(
        env: &EnvSnapshot,
        relevant: impl Fn(&str) -> bool,
    ) -> Result<(Config, Vec<Warning>), ConfigErrors> {
        let parsed = parse::parse(env);
        let errors: Vec<ConfigError> = parsed
            .errors
            .into_iter()
            .filter(|e| relevant(e.variable.trim_end_matches("_FILE")))
            .collect();
        if errors.is_empty() {
            Ok((parsed.config, parsed.warnings))
        } else {
            Err(ConfigErrors(errors))
        }
    }
}
