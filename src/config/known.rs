//! The variables GoGoTime reads, with their meaning; the source of `.env.example`'s list,
//! of the "did you mean" hints and of the `--help` texts.

pub struct Variable {
    pub name: &'static str,
    /// Secrets are never printed and may also be given as `NAME_FILE`.
    pub secret: bool,
    pub help: &'static str,
}

const fn var(name: &'static str, help: &'static str) -> Variable {
    Variable {
        name,
        secret: false,
        help,
    }
}

const fn secret(name: &'static str, help: &'static str) -> Variable {
    Variable {
        name,
        secret: true,
        help,
    }
}

pub const KNOWN_VARIABLES: &[Variable] = &[
    var(
        "GOGOTIME_ENV",
        "development (default) | staging | production",
    ),
    secret(
        "DATABASE_URL",
        "postgres://user:pass@host:5432/db or sqlite://path/to/file.db",
    ),
    var(
        "GOGOTIME_DATABASE_ALLOW_PLAINTEXT",
        "staging/production accept sslmode=disable towards a host that is not this machine (default false)",
    ),
    var(
        "DATABASE_MAX_CONNECTIONS",
        "connection pool size (default 10)",
    ),
    var(
        "DATABASE_ACQUIRE_TIMEOUT_SECONDS",
        "wait for a pooled connection (default 5)",
    ),
    var(
        "GOGOTIME_BIND",
        "listen address (default 127.0.0.1:8080 in development, 0.0.0.0:8080 otherwise)",
    ),
    var(
        "PORT",
        "overrides the port of GOGOTIME_BIND (Cloud Run sets it)",
    ),
    var(
        "GOGOTIME_PUBLIC_URL",
        "the address users reach GoGoTime at (https:// outside development)",
    ),
    secret(
        "JWT_SECRET",
        "signs API access tokens; at least 32 bytes (gogotime secret generate)",
    ),
    var(
        "GOGOTIME_METRICS_BIND",
        "Prometheus /metrics listener (default 127.0.0.1:9100; empty disables)",
    ),
    var("GOGOTIME_LOG", "tracing filter (default info)"),
    var(
        "GOGOTIME_LOG_FORMAT",
        "pretty | json (default json outside development)",
    ),
    var(
        "GOGOTIME_AUTO_MIGRATE",
        "serve applies pending migrations (default true in development only)",
    ),
    var(
        "GOGOTIME_SHUTDOWN_DELAY_SECONDS",
        "serve while reporting not-ready after SIGTERM (default 0 in development, 5 otherwise)",
    ),
    var(
        "GOGOTIME_SHUTDOWN_GRACE_SECONDS",
        "time in-flight requests get to finish (default 20)",
    ),
    var(
        "GOGOTIME_REQUEST_TIMEOUT_SECONDS",
        "longest a request may take (default 30)",
    ),
    var(
        "GOGOTIME_BODY_LIMIT_BYTES",
        "largest accepted request body (default 2097152)",
    ),
    var(
        "GOGOTIME_REGISTRATION",
        "who may create an account: open | invite | closed (default open in development, invite otherwise)",
    ),
    var(
        "GOGOTIME_TRUSTED_PROXIES",
        "comma-separated CIDRs whose X-Forwarded-For is trusted (default none)",
    ),
    secret(
        "GOGOTIME_SMTP_URL",
        "SMTP server for email (invitations, password resets): smtps://user:pass@host:465 or smtp://user:pass@host:587?tls=required; unset turns email off",
    ),
    var(
        "GOGOTIME_MAIL_FROM",
        "sender of GoGoTime's email, e.g. GoGoTime <time@example.com> (required with GOGOTIME_SMTP_URL)",
    ),
    var(
        "GOGOTIME_SMTP_CA_FILE",
        "PEM file of a private CA that signed the SMTP server's certificate, trusted besides the compiled-in roots (default none)",
    ),
    var(
        "GOGOTIME_MAIL_RETRY_MAX_SECONDS",
        "longest wait between delivery attempts of a message; retries start at 1 s and double (default 3600)",
    ),
    var(
        "GOGOTIME_SSO_ISSUER",
        "issuer of the instance-wide OpenID Connect provider (https://…); unset turns instance single sign-on off",
    ),
    var(
        "GOGOTIME_SSO_CLIENT_ID",
        "GoGoTime's client id at the instance's provider (required with GOGOTIME_SSO_ISSUER)",
    ),
    secret(
        "GOGOTIME_SSO_CLIENT_SECRET",
        "GoGoTime's client secret at the instance's provider (required with GOGOTIME_SSO_ISSUER)",
    ),
    var(
        "GOGOTIME_SSO_ALLOWED_DOMAINS",
        "comma-separated email domains whose verified addresses may get an account through the instance's provider (required with GOGOTIME_SSO_ISSUER)",
    ),
    var(
        "GOGOTIME_SSO_DISPLAY_NAME",
        "the sign-in button's label: \"Sign in with <name>\" (default single sign-on)",
    ),
];

pub fn lookup(name: &str) -> Option<&'static Variable> {
    KNOWN_VARIABLES.iter().find(|v| v.name == name)
}

/// The known name (or `NAME_FILE` form) closest to a probably misspelled one.
pub fn closest(name: &str) -> Option<String> {
    KNOWN_VARIABLES
        .iter()
        .flat_map(|v| {
            let file = v.secret.then(|| format!("{}_FILE", v.name));
            std::iter::once(v.name.to_string()).chain(file)
        })
        .map(|candidate| (strsim::levenshtein(name, &candidate), candidate))
        .filter(|(distance, _)| *distance <= 4)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}
