//! Environment snapshot → `Config`, collecting every problem instead of stopping at the first.

pub(super) mod mail;
pub(super) mod sso;

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::time::Duration;

use ipnet::IpNet;
use secrecy::SecretString;
use url::Url;

use super::known::{self, KNOWN_VARIABLES};
use super::report::EffectiveValue;
use super::{
    Config, DatabaseConfig, DatabaseUrl, EnvSnapshot, Environment, HttpConfig, LogConfig,
    LogFormat, Origin, Registration, ShutdownConfig, SslMode,
};

/// Secrets are at least this long outside development (HS256 wants ≥ 256 bits of key).
pub const MIN_SECRET_BYTES: usize = 32;

/// Values shipped in `.env.example` and the docs; accepting them would sign tokens with a public key.
const EXAMPLE_SECRETS: &[&str] = &[
    "change-me-run-gogotime-secret-generate",
    "changeme",
    "secret",
];

/// One problem with one variable; `message` continues the sentence started by the name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub variable: String,
    pub message: String,
}

impl ConfigError {
    pub fn new(variable: &str, message: impl Into<String>) -> Self {
        Self {
            variable: variable.to_string(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.variable, self.message)
    }
}

/// Every problem found; shown one per line.
#[derive(Debug, Clone)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "invalid configuration ({} problem{}):",
            self.0.len(),
            if self.0.len() == 1 { "" } else { "s" }
        )?;
        for error in &self.0 {
            writeln!(f, "  - {error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

pub type Warning = ConfigError;

struct Reader<'a> {
    env: &'a EnvSnapshot,
    errors: Vec<ConfigError>,
    warnings: Vec<Warning>,
    effective: Vec<EffectiveValue>,
}

impl Reader<'_> {
    fn error(&mut self, variable: &str, message: impl Into<String>) {
        self.errors.push(ConfigError::new(variable, message));
    }

    /// The raw text of a variable (trimmed), reading `NAME_FILE` for secrets.
    fn raw(&mut self, name: &str) -> Option<(String, Origin)> {
        let direct = self.env.get(name).map(|v| {
            (
                v.trim().to_string(),
                self.env.origin(name).unwrap_or(Origin::Environment),
            )
        });
        let is_secret = known::lookup(name).is_some_and(|v| v.secret);
        let file_var = format!("{name}_FILE");
        let file = if is_secret {
            self.env.get(&file_var).map(str::to_owned)
        } else {
            None
        };
        match (direct, file) {
            (Some(_), Some(_)) => {
                self.error(
                    name,
                    format!("and {file_var} are both set; keep only one of them"),
                );
                None
            }
            (Some(direct), None) => Some(direct).filter(|(v, _)| !v.is_empty()),
            (None, Some(path)) => {
                match std::fs::read_to_string(path.trim()) {
                    // files written by editors and `echo` end in a newline that is not part of the secret
                    Ok(content) => Some((
                        content.trim_end_matches(['\n', '\r']).to_string(),
                        Origin::File,
                    )),
                    Err(e) => {
                        self.error(&file_var, format!("names '{}', which cannot be read ({e}); point it at a readable file", path.trim()));
                        None
                    }
                }
            }
            (None, None) => None,
        }
    }

    /// Parses a variable, falling back to `default` (and recording the problem) when invalid.
    fn value<T>(
        &mut self,
        name: &str,
        default: T,
        show: impl Fn(&T) -> String,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> T {
        let (value, origin) = match self.raw(name) {
            Some((raw, origin)) => match parse(&raw) {
                Ok(value) => (value, origin),
                Err(message) => {
                    self.error(name, message);
                    (default, origin)
                }
            },
            None => (default, Origin::Default),
        };
        let secret = known::lookup(name).is_some_and(|v| v.secret);
        let shown = if secret {
            "<redacted>".to_string()
        } else {
            show(&value)
        };
        self.effective.push(EffectiveValue {
            name: name.to_string(),
            value: shown,
            origin,
        });
        value
    }

    fn number<T: FromStr + Copy + PartialOrd + fmt::Display>(
        &mut self,
        name: &str,
        default: T,
        min: T,
        max: T,
        unit: &str,
    ) -> T {
        self.value(name, default, T::to_string, |raw| match raw.parse::<T>() {
            Ok(n) if n >= min && n <= max => Ok(n),
            _ => Err(format!(
                "is '{raw}'; expected a whole number of {unit} from {min} to {max}"
            )),
        })
    }

    fn seconds(&mut self, name: &str, default: u64, min: u64, max: u64) -> Duration {
        Duration::from_secs(self.number(name, default, min, max, "seconds"))
    }

    /// Whether the variable (or its `_FILE` form) is given at all, valid or not.
    fn is_set(&self, name: &str) -> bool {
        [name.to_string(), format!("{name}_FILE")]
            .iter()
            .any(|n| self.env.get(n).is_some_and(|v| !v.trim().is_empty()))
    }

    fn record(&mut self, name: &str, value: String, origin: Origin) {
        self.effective.retain(|e| e.name != name);
        self.effective.push(EffectiveValue {
            name: name.to_string(),
            value,
            origin,
        });
    }
}

/// Everything parsed, with all warnings and errors; callers decide which errors matter.
pub(super) struct Parsed {
    pub config: Config,
    pub warnings: Vec<Warning>,
    pub errors: Vec<ConfigError>,
}

pub(super) fn parse(env: &EnvSnapshot) -> Parsed {
    let mut r = Reader {
        env,
        errors: env.problems.clone(),
        warnings: Vec::new(),
        effective: Vec::new(),
    };

    let environment = r.value(
        "GOGOTIME_ENV",
        Environment::Development,
        |e| e.as_str().into(),
        parse_environment,
    );
    let dev = environment.is_development();

    let database = database(&mut r, environment);
    let http = http(&mut r, environment);
    let metrics_bind = r.value(
        "GOGOTIME_METRICS_BIND",
        Some(SocketAddr::from(([127, 0, 0, 1], 9100))),
        show_optional_addr,
        |raw| parse_addr(raw).map(Some),
    );
    // An empty GOGOTIME_METRICS_BIND disables the listener (raw() treats empty as unset).
    let metrics_bind = if env
        .get("GOGOTIME_METRICS_BIND")
        .is_some_and(|v| v.trim().is_empty())
    {
        r.record(
            "GOGOTIME_METRICS_BIND",
            "(disabled)".into(),
            Origin::Environment,
        );
        None
    } else {
        metrics_bind
    };
    let jwt_secret = jwt_secret(&mut r, environment);
    let log = log(&mut r, environment);
    let auto_migrate = r.value("GOGOTIME_AUTO_MIGRATE", dev, bool::to_string, parse_bool);
    let registration = r.value(
        "GOGOTIME_REGISTRATION",
        if dev {
            Registration::Open
        } else {
            Registration::Invite
        },
        |r| format!("{r:?}").to_lowercase(),
        |raw| match raw.to_ascii_lowercase().as_str() {
            "open" => Ok(Registration::Open),
            "invite" => Ok(Registration::Invite),
            "closed" => Ok(Registration::Closed),
            _ => Err(format!("is '{raw}'; expected open, invite or closed")),
        },
    );
    let shutdown = ShutdownConfig {
        delay: r.seconds(
            "GOGOTIME_SHUTDOWN_DELAY_SECONDS",
            if dev { 0 } else { 5 },
            0,
            300,
        ),
        grace: r.seconds("GOGOTIME_SHUTDOWN_GRACE_SECONDS", 20, 0, 3600),
    };
    let mail = mail::mail(&mut r, environment);
    let sso = sso::sso(&mut r, environment);
    warn_unknown(&mut r);

    let config = Config {
        environment,
        database,
        http,
        metrics_bind,
        jwt_secret,
        log,
        auto_migrate,
        registration,
        shutdown,
        mail,
        sso,
        effective: r.effective,
    };
    Parsed {
        config,
        warnings: r.warnings,
        errors: r.errors,
    }
}

fn database(r: &mut Reader, environment: Environment) -> DatabaseConfig {
    let default =
        DatabaseUrl::parse("sqlite://data/gogotime.db").expect("the default database URL parses");
    let url = r.value(
        "DATABASE_URL",
        default.clone(),
        DatabaseUrl::to_string,
        DatabaseUrl::parse,
    );
    if !environment.is_development() && !r.is_set("DATABASE_URL") {
        r.error(
            "DATABASE_URL",
            format!("is not set; {} needs it: set DATABASE_URL=postgres://user:password@host:5432/gogotime (or DATABASE_URL_FILE)", environment.as_str()),
        );
    }
    plaintext_guard(r, environment, &url);
    // The effective list shows the URL without its password rather than hiding it whole.
    let origin = r
        .effective
        .iter()
        .find(|e| e.name == "DATABASE_URL")
        .map_or(Origin::Default, |e| e.origin);
    r.record("DATABASE_URL", url.to_string(), origin);
    DatabaseConfig {
        url,
        max_connections: r.number("DATABASE_MAX_CONNECTIONS", 10, 1, 1000, "connections"),
        acquire_timeout: r.seconds("DATABASE_ACQUIRE_TIMEOUT_SECONDS", 5, 1, 600),
    }
}

/// Outside development, `sslmode=disable` towards another machine needs an explicit yes: the
/// password and every query would cross the network readable by anyone on the path.
fn plaintext_guard(r: &mut Reader, environment: Environment, url: &DatabaseUrl) {
    let allowed = r.value(
        "GOGOTIME_DATABASE_ALLOW_PLAINTEXT",
        false,
        bool::to_string,
        parse_bool,
    );
    let Some(tls) = url.tls() else { return };
    if environment.is_development() || tls.local || allowed || tls.mode != SslMode::Disable {
        return;
    }
    r.error(
        "DATABASE_URL",
        format!(
            "has sslmode=disable towards {}, which is not this machine: {} refuses to send the database password and every query unencrypted. Use sslmode=verify-full (with sslrootcert=/path/to/ca.pem for your provider's CA), or set GOGOTIME_DATABASE_ALLOW_PLAINTEXT=true if the network to the database is private",
            url.server().unwrap_or_else(|| "the database host".into()),
            environment.as_str()
        ),
    );
}

fn http(r: &mut Reader, environment: Environment) -> HttpConfig {
    let dev = environment.is_development();
    let default_bind = SocketAddr::from(if dev {
        ([127, 0, 0, 1], 8080)
    } else {
        ([0, 0, 0, 0], 8080)
    });
    let mut bind = r.value(
        "GOGOTIME_BIND",
        default_bind,
        SocketAddr::to_string,
        parse_addr,
    );
    let port = r.value(
        "PORT",
        None,
        |p: &Option<u16>| p.map_or("(unset)".into(), |p| p.to_string()),
        |raw| {
            raw.parse::<u16>()
                .map(Some)
                .map_err(|_| format!("is '{raw}'; expected a port number from 0 to 65535"))
        },
    );
    if let Some(port) = port {
        bind.set_port(port);
        r.record(
            "GOGOTIME_BIND",
            format!("{bind} (port from PORT)"),
            Origin::Environment,
        );
    }

    let default_public =
        Url::parse(&format!("http://localhost:{}/", bind.port())).expect("a localhost URL parses");
    let public_url = r.value(
        "GOGOTIME_PUBLIC_URL",
        default_public,
        Url::to_string,
        |raw| parse_public_url(raw, environment),
    );
    if !dev && !r.is_set("GOGOTIME_PUBLIC_URL") {
        r.error(
            "GOGOTIME_PUBLIC_URL",
            format!("is not set; {} needs the https:// address users reach GoGoTime at, e.g. https://time.example.com", environment.as_str()),
        );
    }

    let links_follow_host = dev && !r.is_set("GOGOTIME_PUBLIC_URL");
    HttpConfig {
        bind,
        public_url,
        links_follow_host,
        request_timeout: r.seconds("GOGOTIME_REQUEST_TIMEOUT_SECONDS", 30, 1, 3600),
        body_limit_bytes: r.number(
            "GOGOTIME_BODY_LIMIT_BYTES",
            2 * 1024 * 1024,
            1024,
            1 << 30,
            "bytes",
        ),
        trusted_proxies: r.value(
            "GOGOTIME_TRUSTED_PROXIES",
            Vec::new(),
            |nets: &Vec<IpNet>| show_nets(nets),
            parse_nets,
        ),
    }
}

fn jwt_secret(r: &mut Reader, environment: Environment) -> SecretString {
    let generated = || SecretString::from(crate::secret::generate());
    match r.raw("JWT_SECRET") {
        None if environment.is_development() => {
            r.warnings.push(Warning::new(
                "JWT_SECRET",
                "is not set; using a random secret for this process, so API tokens stop working on restart (run `gogotime secret generate` and set it)",
            ));
            r.record(
                "JWT_SECRET",
                "<generated for this process>".into(),
                Origin::Default,
            );
            generated()
        }
        None => {
            r.error(
                "JWT_SECRET",
                format!(
                    "is not set; {} needs a secret of at least {MIN_SECRET_BYTES} bytes — run `gogotime secret generate` and set JWT_SECRET (or JWT_SECRET_FILE)",
                    environment.as_str()
                ),
            );
            generated()
        }
        Some((secret, origin)) => {
            let problem = if EXAMPLE_SECRETS
                .iter()
                .any(|e| secret.eq_ignore_ascii_case(e))
                || secret.contains("change-me")
            {
                Some("is the example value from the documentation; run `gogotime secret generate` and use its output".to_string())
            } else if secret.len() < MIN_SECRET_BYTES {
                Some(format!(
                    "is {} bytes; {} needs at least {MIN_SECRET_BYTES} — run `gogotime secret generate`",
                    secret.len(),
                    if environment.is_development() {
                        "production"
                    } else {
                        environment.as_str()
                    }
                ))
            } else {
                None
            };
            match problem {
                Some(message) if environment.is_development() => {
                    r.warnings.push(Warning::new("JWT_SECRET", message))
                }
                Some(message) => r.error("JWT_SECRET", message),
                None => {}
            }
            r.record("JWT_SECRET", "<redacted>".into(), origin);
            SecretString::from(secret)
        }
    }
}

fn log(r: &mut Reader, environment: Environment) -> LogConfig {
    let dev = environment.is_development();
    let filter = r.value("GOGOTIME_LOG", "info".to_string(), String::clone, |raw| {
        tracing_subscriber::EnvFilter::try_new(raw)
            .map(|_| raw.to_string())
            .map_err(|e| {
                format!("is not a valid log filter ({e}); use e.g. info, or info,gogotime=debug")
            })
    });
    let verbose = filter
        .split([',', '='])
        .any(|part| matches!(part.trim().to_ascii_lowercase().as_str(), "debug" | "trace"));
    if !dev && verbose {
        r.error(
            "GOGOTIME_LOG",
            format!("enables debug or trace logging, which {} refuses because such logs may hold personal data; use info", environment.as_str()),
        );
    }
    let format = r.value(
        "GOGOTIME_LOG_FORMAT",
        if dev {
            LogFormat::Pretty
        } else {
            LogFormat::Json
        },
        show_format,
        |raw| match raw.to_ascii_lowercase().as_str() {
            "pretty" => Ok(LogFormat::Pretty),
            "json" => Ok(LogFormat::Json),
            _ => Err(format!("is '{raw}'; expected pretty or json")),
        },
    );
    LogConfig { filter, format }
}

/// Unknown `GOGOTIME_*` variables are probably typos of known ones: warn, naming the closest.
fn warn_unknown(r: &mut Reader) {
    let unknown: Vec<String> = r
        .env
        .names()
        .filter(|name| {
            name.starts_with("GOGOTIME_")
                || name.ends_with("_FILE")
                    && known::lookup(name.trim_end_matches("_FILE")).is_some()
        })
        .filter(|name| {
            known::lookup(name).is_none()
                && !KNOWN_VARIABLES
                    .iter()
                    .any(|v| v.secret && format!("{}_FILE", v.name) == *name)
        })
        .map(str::to_owned)
        .collect();
    for name in unknown {
        let message = match known::closest(&name) {
            Some(closest) => {
                format!("is not a GoGoTime setting and is ignored; did you mean {closest}?")
            }
            None => "is not a GoGoTime setting and is ignored".to_string(),
        };
        r.warnings.push(Warning::new(&name, message));
    }
}

fn parse_environment(raw: &str) -> Result<Environment, String> {
    match raw.to_ascii_lowercase().as_str() {
        "development" => Ok(Environment::Development),
        "staging" => Ok(Environment::Staging),
        "production" => Ok(Environment::Production),
        _ => Err(format!(
            "is '{raw}'; expected development, staging or production"
        )),
    }
}

fn parse_addr(raw: &str) -> Result<SocketAddr, String> {
    raw.parse().map_err(|_| {
        format!("is '{raw}'; expected an IP address and port such as 0.0.0.0:8080 or [::]:8080")
    })
}

fn parse_bool(raw: &str) -> Result<bool, String> {
    match raw.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(format!("is '{raw}'; expected true or false")),
    }
}

fn parse_public_url(raw: &str, environment: Environment) -> Result<Url, String> {
    let url = Url::parse(raw).map_err(|e| {
        format!("is '{raw}', not an absolute URL ({e}); use e.g. https://time.example.com")
    })?;
    match url.scheme() {
        "https" => {}
        "http" if environment.is_development() => {}
        "http" => {
            return Err(format!(
                "is '{raw}'; {} serves cookies marked Secure, which browsers only send over https — use the https:// address (TLS may end at your proxy)",
                environment.as_str()
            ));
        }
        _ => {
            return Err(format!(
                "is '{raw}'; expected an http:// or https:// address"
            ));
        }
    }
    if url.host_str().is_none() || url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "is '{raw}'; expected a plain address such as https://time.example.com"
        ));
    }
    Ok(url)
}

fn parse_nets(raw: &str) -> Result<Vec<IpNet>, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            part.parse::<IpNet>()
                .or_else(|_| part.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("has '{part}', which is not an IP address or CIDR range (e.g. 172.16.0.0/12, 10.0.0.1)"))
        })
        .collect()
}

fn show_nets(nets: &[IpNet]) -> String {
    if nets.is_empty() {
        "(none)".into()
    } else {
        nets.iter()
            .map(IpNet::to_string)
            .collect::<Vec<_>>()
            .join(",")
    }
}

fn show_optional_addr(addr: &Option<SocketAddr>) -> String {
    addr.map_or("(disabled)".into(), |a| a.to_string())
}

fn show_format(format: &LogFormat) -> String {
    match format {
        LogFormat::Pretty => "pretty".into(),
        LogFormat::Json => "json".into(),
    }
}
