//! `DATABASE_URL`: the backend is chosen by scheme; the password never leaves this type.

use std::fmt;
use std::path::PathBuf;

use secrecy::{ExposeSecret, SecretString};
use url::Url;

use super::database_tls::DatabaseTls;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseKind {
    Postgres,
    Sqlite,
}

#[derive(Clone)]
pub struct DatabaseUrl {
    kind: DatabaseKind,
    full: SecretString,
    redacted: String,
    /// PostgreSQL only.
    tls: Option<DatabaseTls>,
}

impl DatabaseUrl {
    /// Parses a URL; the error explains what to write instead and never repeats a password.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let scheme = raw.split_once(':').map(|(s, _)| s.to_ascii_lowercase());
        match scheme.as_deref() {
            Some("postgres" | "postgresql") => Self::parse_postgres(raw),
            Some("sqlite") => Self::parse_sqlite(raw),
            Some(other) if !other.is_empty() && !other.contains('/') => {
                let hint = ["postgres", "postgresql", "sqlite"]
                    .into_iter()
                    .min_by_key(|known| strsim::levenshtein(other, known))
                    .filter(|known| strsim::levenshtein(other, known) <= 3)
                    .map(|known| format!(" (did you mean {known}://?)"))
                    .unwrap_or_default();
                Err(format!(
                    "has the unknown scheme '{other}:'{hint}; use postgres://user:password@host:5432/database or sqlite://path/to/gogotime.db"
                ))
            }
            _ => Err("is not a URL; use postgres://user:password@host:5432/database or sqlite://path/to/gogotime.db".into()),
        }
    }

    fn parse_postgres(raw: &str) -> Result<Self, String> {
        let raw = with_socket_stand_in_host(raw);
        let mut url = Url::parse(&raw).map_err(|e| format!("is not a valid PostgreSQL URL ({e}); expected postgres://user:password@host:5432/database"))?;
        let socket_dir = url.query_pairs().any(|(k, _)| k == "host");
        if url.host_str().is_none_or(str::is_empty) && !socket_dir {
            return Err(
                "names no host; expected postgres://user:password@host:5432/database".into(),
            );
        }
        let tls = DatabaseTls::from_url(&url)?;
        if url.password().is_some() {
            // set_password only fails for URLs that cannot have credentials, excluded above
            let _ = url.set_password(Some("***"));
        }
        // the driver also takes the password as a `password=` parameter
        if let Some(query) = url
            .query()
            .filter(|q| q.split('&').any(is_password_pair))
            .map(str::to_owned)
        {
            let redacted: Vec<&str> = query
                .split('&')
                .map(|pair| {
                    if is_password_pair(pair) {
                        "password=***"
                    } else {
                        pair
                    }
                })
                .collect();
            url.set_query(Some(&redacted.join("&")));
        }
        Ok(Self {
            kind: DatabaseKind::Postgres,
            full: SecretString::from(raw),
            redacted: url.to_string(),
            tls: Some(tls),
        })
    }

    fn parse_sqlite(raw: &str) -> Result<Self, String> {
        let url = Self {
            kind: DatabaseKind::Sqlite,
            full: SecretString::from(raw),
            redacted: raw.to_string(),
            tls: None,
        };
        if url.sqlite_path().is_none() && !raw.contains(":memory:") {
            return Err("names no file; expected sqlite://path/to/gogotime.db (relative) or sqlite:///absolute/path.db".into());
        }
        Ok(url)
    }

    pub fn kind(&self) -> DatabaseKind {
        self.kind
    }

    /// TLS settings of a PostgreSQL URL (`None` for SQLite).
    pub fn tls(&self) -> Option<&DatabaseTls> {
        self.tls.as_ref()
    }

    /// The URL with its password, for the driver only.
    pub fn expose(&self) -> &str {
        self.full.expose_secret()
    }

    /// The password as written in the URL and as the driver sees it (user info or a
    /// `password=` parameter, percent-encoded and decoded), to scrub from driver messages.
    pub fn passwords(&self) -> Vec<String> {
        let Ok(url) = Url::parse(self.full.expose_secret()) else {
            return Vec::new();
        };
        let mut found: Vec<String> = Vec::new();
        if let Some(written) = url.password() {
            found.push(written.to_string());
            found.extend(percent_decoded(written));
        }
        if let Some(query) = url.query() {
            for pair in query.split('&').filter(|p| is_password_pair(p)) {
                let written = pair.split_once('=').map_or("", |(_, v)| v);
                found.push(written.to_string());
            }
            found.extend(
                url.query_pairs()
                    .filter(|(k, _)| k == "password")
                    .map(|(_, v)| v.into_owned()),
            );
        }
        found.retain(|p| !p.is_empty());
        found.sort();
        found.dedup();
        found
    }

    /// The file of a SQLite URL (`sqlite://data/x.db` → `data/x.db`, `sqlite:///x.db` → `/x.db`).
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        if self.kind != DatabaseKind::Sqlite {
            return None;
        }
        let rest = self.full.expose_secret().split_once(':')?.1;
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        let path = rest.split('?').next()?;
        (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
    }

    /// Host (or socket folder) and port of a PostgreSQL URL, for error messages. A `host=`
    /// parameter wins over the URL's host, as it does for the driver.
    pub fn server(&self) -> Option<String> {
        let url = Url::parse(&self.redacted).ok()?;
        let host = match url.query_pairs().find(|(k, _)| k == "host") {
            Some((_, host)) => host.into_owned(),
            None => url.host_str().filter(|h| !h.is_empty())?.to_string(),
        };
        Some(format!("{host}:{}", url.port().unwrap_or(5432)))
    }
}

/// libpq, and Cloud SQL's guide for Cloud Run, write a Unix-socket connection with an empty host:
/// `postgres://user:pass@/db?host=/cloudsql/project:region:instance`. The url crate (and so the
/// driver) refuses an empty host next to credentials, so that form gets `localhost` as a stand-in
/// host, which the driver ignores in favour of the `host=` socket folder.
fn with_socket_stand_in_host(raw: &str) -> String {
    let Some((scheme, rest)) = raw.split_once("://") else {
        return raw.to_string();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let socket = rest.split_once('?').is_some_and(|(_, query)| {
        url::form_urlencoded::parse(query.as_bytes())
            .any(|(k, v)| k == "host" && v.starts_with('/'))
    });
    if host.is_empty() && socket {
        format!("{scheme}://{authority}localhost{}", &rest[authority_end..])
    } else {
        raw.to_string()
    }
}

/// `p%40ss` → `p@ss`; `None` when the bytes are not UTF-8.
fn percent_decoded(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// `password=…` in a query string (the key as the driver reads it, percent-decoded).
fn is_password_pair(pair: &str) -> bool {
    let key = pair.split_once('=').map_or(pair, |(k, _)| k);
    url::form_urlencoded::parse(format!("{key}=").as_bytes()).any(|(k, _)| k == "password")
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted)
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({})", self.redacted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_password_is_redacted_everywhere_but_expose() {
        let url = DatabaseUrl::parse("postgres://app:hunter2@db:5433/time").unwrap();
        assert_eq!(url.to_string(), "postgres://app:***@db:5433/time");
        assert!(!format!("{url:?}").contains("hunter2"));
        assert_eq!(url.server().as_deref(), Some("db:5433"));
        assert!(url.expose().contains("hunter2"));
    }

    #[test]
    fn a_password_parameter_is_redacted_too() {
        let url =
            DatabaseUrl::parse("postgres://app@db/time?sslmode=require&password=hunter%232&x=1")
                .unwrap();
        assert_eq!(
            url.to_string(),
            "postgres://app@db/time?sslmode=require&password=***&x=1"
        );
        assert!(!format!("{url:?}").contains("hunter"));
        assert_eq!(url.passwords(), ["hunter#2", "hunter%232"]);
        let both = DatabaseUrl::parse("postgres://app:p%40ss@db/time").unwrap();
        assert_eq!(both.passwords(), ["p%40ss", "p@ss"]);
        assert!(
            DatabaseUrl::parse("sqlite://data/x.db")
                .unwrap()
                .passwords()
                .is_empty()
        );
    }

    #[test]
    fn sqlite_paths_are_relative_or_absolute() {
        let rel = DatabaseUrl::parse("sqlite://data/gogotime.db").unwrap();
        assert_eq!(rel.sqlite_path(), Some(PathBuf::from("data/gogotime.db")));
        let abs = DatabaseUrl::parse("sqlite:///data/gogotime.db?mode=rwc").unwrap();
        assert_eq!(abs.sqlite_path(), Some(PathBuf::from("/data/gogotime.db")));
    }

    #[test]
    fn misspelled_scheme_gets_a_hint_without_the_password() {
        let err = DatabaseUrl::parse("postgress://app:hunter2@db/time").unwrap_err();
        assert!(err.contains("did you mean postgres://"), "{err}");
        assert!(!err.contains("hunter2"));
    }

    #[test]
    fn a_cloud_sql_socket_url_without_a_host_is_accepted() {
        let url = DatabaseUrl::parse(
            "postgres://app:hunter2@/time?host=/cloudsql/project:europe-west1:db",
        )
        .unwrap();
        assert_eq!(url.kind(), DatabaseKind::Postgres);
        assert_eq!(
            url.server().as_deref(),
            Some("/cloudsql/project:europe-west1:db:5432")
        );
        assert_eq!(
            url.to_string(),
            "postgres://app:***@localhost/time?host=/cloudsql/project:europe-west1:db"
        );
        assert_eq!(
            url.expose(),
            "postgres://app:hunter2@localhost/time?host=/cloudsql/project:europe-west1:db"
        );
    }

    #[test]
    fn an_empty_host_without_a_socket_folder_is_still_rejected() {
        for raw in [
            "postgres://app:hunter2@/time",
            "postgres://app:hunter2@/time?host=db.internal",
        ] {
            let err = DatabaseUrl::parse(raw).unwrap_err();
            assert!(err.contains("empty host"), "{raw}: {err}");
            assert!(!err.contains("hunter2"), "{raw}: {err}");
        }
    }

    #[test]
    fn text_without_scheme_is_rejected() {
        assert!(
            DatabaseUrl::parse("localhost")
                .unwrap_err()
                .contains("not a URL")
        );
        assert!(
            DatabaseUrl::parse("sqlite://")
                .unwrap_err()
                .contains("names no file")
        );
        assert!(
            DatabaseUrl::parse("postgres:///db")
                .unwrap_err()
                .contains("no host")
        );
    }
}
