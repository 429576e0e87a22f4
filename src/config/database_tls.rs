//! TLS towards PostgreSQL, as `DATABASE_URL` asks for it with libpq's `sslmode` and
//! `sslrootcert` (https://www.postgresql.org/docs/15/libpq-ssl.html): the modes, what each
//! verifies, and which hosts count as "this machine" for the plaintext guard.

use std::net::IpAddr;

use url::Url;

/// libpq's `sslmode` values; sqlx implements each with rustls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Allow,
    /// libpq's and sqlx's default: TLS when the server offers it, certificate not checked.
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Disable => "disable",
            Self::Allow => "allow",
            Self::Prefer => "prefer",
            Self::Require => "require",
            Self::VerifyCa => "verify-ca",
            Self::VerifyFull => "verify-full",
        }
    }

    fn parse(raw: &str) -> Result<Self, String> {
        Ok(match raw {
            "disable" => Self::Disable,
            "allow" => Self::Allow,
            "prefer" => Self::Prefer,
            "require" => Self::Require,
            "verify-ca" => Self::VerifyCa,
            "verify-full" => Self::VerifyFull,
            other => {
                return Err(format!(
                    "has sslmode={other}; expected disable, prefer, require, verify-ca or verify-full"
                ));
            }
        })
    }

    /// What the mode guarantees, in an operator's words.
    fn meaning(self) -> &'static str {
        match self {
            Self::Disable => "no TLS: queries and the password cross the network in plain text",
            Self::Allow | Self::Prefer => {
                "TLS if the server offers it, otherwise plain text; the server's certificate is not checked"
            }
            Self::Require => "TLS always; the server's certificate is not checked",
            Self::VerifyCa => {
                "TLS always; the certificate is checked against the CA, not the host name"
            }
            Self::VerifyFull => "TLS always; the certificate and the host name are checked",
        }
    }
}

/// The TLS settings of a PostgreSQL URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseTls {
    pub mode: SslMode,
    pub root_cert: Option<String>,
    /// Loopback address, `localhost` or a Unix socket: no network between us and the server.
    pub local: bool,
}

impl DatabaseTls {
    /// Reads `sslmode`/`sslrootcert` from a PostgreSQL URL; a named root certificate must be readable.
    pub(super) fn from_url(url: &Url) -> Result<Self, String> {
        let query = |key: &str| {
            url.query_pairs()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.into_owned())
        };
        let mode = match query("sslmode") {
            Some(raw) => SslMode::parse(&raw)?,
            None => SslMode::Prefer,
        };
        let root_cert = query("sslrootcert");
        if let Some(path) = &root_cert
            && let Err(e) = std::fs::read(path)
        {
            return Err(format!(
                "names sslrootcert={path}, which cannot be read ({e}); point it at the PEM file of the CA that signed the server's certificate"
            ));
        }
        let socket = query("host").is_some_and(|h| h.starts_with('/'));
        let local = socket
            || match url.host() {
                // postgres:// is not a "special" scheme, so IPv4 addresses arrive as names
                Some(url::Host::Domain(name)) => {
                    name.eq_ignore_ascii_case("localhost")
                        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
                }
                Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
                Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
                None => true,
            };
        Ok(Self {
            mode,
            root_cert,
            local,
        })
    }

    /// One line for `config check` and the startup log.
    pub fn summary(&self) -> String {
        let mut line = format!("sslmode={} ({})", self.mode.as_str(), self.mode.meaning());
        if let Some(path) = &self.root_cert {
            line.push_str(&format!("; CA file {path}"));
        }
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tls(url: &str) -> Result<DatabaseTls, String> {
        DatabaseTls::from_url(&Url::parse(url).unwrap())
    }

    #[test]
    fn without_sslmode_the_mode_is_prefer() {
        assert_eq!(tls("postgres://u@db/x").unwrap().mode, SslMode::Prefer);
    }

    #[test]
    fn every_libpq_mode_parses() {
        for (raw, mode) in [
            ("disable", SslMode::Disable),
            ("allow", SslMode::Allow),
            ("prefer", SslMode::Prefer),
            ("require", SslMode::Require),
            ("verify-ca", SslMode::VerifyCa),
            ("verify-full", SslMode::VerifyFull),
        ] {
            assert_eq!(
                tls(&format!("postgres://u@db/x?sslmode={raw}"))
                    .unwrap()
                    .mode,
                mode
            );
        }
    }

    #[test]
    fn an_unknown_mode_names_the_valid_ones() {
        let err = tls("postgres://u@db/x?sslmode=verify").unwrap_err();
        assert_eq!(
            err,
            "has sslmode=verify; expected disable, prefer, require, verify-ca or verify-full"
        );
    }

    #[test]
    fn an_unreadable_root_certificate_is_an_error() {
        let err = tls("postgres://u@db/x?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem")
            .unwrap_err();
        assert!(
            err.starts_with("names sslrootcert=/nonexistent/ca.pem, which cannot be read"),
            "{err}"
        );
    }

    #[test]
    fn loopback_localhost_and_sockets_are_local_other_hosts_are_not() {
        for url in [
            "postgres://u@127.0.0.1/x",
            "postgres://u@[::1]/x",
            "postgres://u@localhost/x",
            "postgres://u@ignored/x?host=/var/run/postgresql",
        ] {
            assert!(tls(url).unwrap().local, "{url}");
        }
        for url in ["postgres://u@db.example.com/x", "postgres://u@10.0.0.5/x"] {
            assert!(!tls(url).unwrap().local, "{url}");
        }
    }
}
