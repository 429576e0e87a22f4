//! Outgoing email: `GOGOTIME_SMTP_URL` (the server, with its credentials),
//! `GOGOTIME_MAIL_FROM`, and `GOGOTIME_SMTP_CA_FILE` (a private CA for the server's
//! certificate). Without an SMTP URL, email is off and nothing else changes.

use std::net::IpAddr;
use std::time::Duration;

use lettre::message::Mailbox;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use secrecy::SecretString;
use url::Url;
use x509_cert::der::Decode;

use super::Reader;
use crate::config::{Environment, Origin};

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// `smtps://`: TLS from the first byte (usually port 465).
    Tls,
    /// `smtp://…?tls=required`: STARTTLS, refusing to continue without it (usually port 587).
    StartTls,
    /// `smtp://` without `tls`: development, or a relay on this machine.
    Plaintext,
}

impl SmtpSecurity {
    pub fn describe(self) -> &'static str {
        match self {
            Self::Tls => "TLS",
            Self::StartTls => "STARTTLS required",
            Self::Plaintext => "plaintext",
        }
    }
}

#[derive(Debug, Clone)]
pub struct SmtpServer {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<SecretString>,
}

impl SmtpServer {
    /// The URL as `config check` shows it: the password replaced.
    pub fn redacted(&self) -> String {
        let scheme = match self.security {
            SmtpSecurity::Tls => "smtps",
            SmtpSecurity::StartTls | SmtpSecurity::Plaintext => "smtp",
        };
        let user = match (&self.username, &self.password) {
            (Some(user), Some(_)) => format!("{user}:***@"),
            (Some(user), None) => format!("{user}@"),
            (None, _) => String::new(),
        };
        let query = if self.security == SmtpSecurity::StartTls {
            "?tls=required"
        } else {
            ""
        };
        format!("{scheme}://{user}{}:{}{query}", self.host, self.port)
    }
}

#[derive(Debug, Clone)]
pub struct MailConfig {
    pub smtp: SmtpServer,
    pub from: Mailbox,
    /// The longest wait between two delivery attempts of one message (they start at 1 s).
    pub retry_max: Duration,
    /// Certificates (DER) of a private CA trusted for the SMTP server besides the compiled-in
    /// roots; empty when `GOGOTIME_SMTP_CA_FILE` is unset.
    pub ca_certificates: Vec<Vec<u8>>,
}

pub(super) fn mail(r: &mut Reader, environment: Environment) -> Option<MailConfig> {
    // a secret: `value` lists it as <redacted>, replaced below by the URL without its password
    let smtp = r.value(
        "GOGOTIME_SMTP_URL",
        None,
        |_| String::new(),
        |raw| parse_smtp_url(raw, environment).map(Some),
    );
    let origin = r.origin_of("GOGOTIME_SMTP_URL");
    // the host and user help an operator; the password never shows
    let shown = smtp
        .as_ref()
        .map_or("(email off)".into(), SmtpServer::redacted);
    r.record("GOGOTIME_SMTP_URL", shown, origin);
    let from = r.value(
        "GOGOTIME_MAIL_FROM",
        None,
        |f: &Option<Mailbox>| f.as_ref().map_or("(unset)".into(), Mailbox::to_string),
        |raw| {
            raw.parse::<Mailbox>().map(Some).map_err(|_| {
                format!("is '{raw}', not an email address; use e.g. time@example.com or GoGoTime <time@example.com>")
            })
        },
    );
    let retry_max = r.seconds("GOGOTIME_MAIL_RETRY_MAX_SECONDS", 3600, 1, 86_400);
    let ca = r.value(
        "GOGOTIME_SMTP_CA_FILE",
        None,
        |ca: &Option<(String, Vec<Vec<u8>>)>| {
            ca.as_ref()
                .map_or("(compiled-in roots only)".into(), |(path, certs)| {
                    format!("{path} ({} certificate(s))", certs.len())
                })
        },
        |raw| read_ca(raw).map(Some),
    );
    let smtp = smtp?;
    match from {
        Some(from) => Some(MailConfig {
            smtp,
            from,
            retry_max,
            ca_certificates: ca.map(|(_, certs)| certs).unwrap_or_default(),
        }),
        None => {
            if !r.is_set("GOGOTIME_MAIL_FROM") {
                r.error(
                    "GOGOTIME_MAIL_FROM",
                    "is not set; GOGOTIME_SMTP_URL turns email on, which needs the sender address, e.g. GOGOTIME_MAIL_FROM=time@example.com",
                );
            }
            None
        }
    }
}

fn parse_smtp_url(raw: &str, environment: Environment) -> Result<SmtpServer, String> {
    let shape = "use smtps://user:password@host:465, smtp://user:password@host:587?tls=required, or smtp://127.0.0.1:25 for a relay on this machine";
    // never echo the raw value: it holds the password
    let url = Url::parse(raw).map_err(|_| format!("is not a valid URL; {shape}"))?;
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| format!("names no host; {shape}"))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let tls = url
        .query_pairs()
        .find(|(k, _)| k == "tls")
        .map(|(_, v)| v.to_string());
    let security = match (url.scheme(), tls.as_deref()) {
        ("smtps", None) => SmtpSecurity::Tls,
        ("smtp", Some("required")) => SmtpSecurity::StartTls,
        ("smtp", None) => SmtpSecurity::Plaintext,
        ("smtp" | "smtps", Some(other)) => {
            return Err(format!(
                "has tls={other}; the only accepted value is tls=required (STARTTLS, on smtp://)"
            ));
        }
        (other, _) => return Err(format!("has the scheme '{other}'; {shape}")),
    };
    let port = url.port().unwrap_or(match security {
        SmtpSecurity::Tls => 465,
        SmtpSecurity::StartTls => 587,
        SmtpSecurity::Plaintext => 25,
    });
    let decode = |s: &str| {
        percent_decode(s).ok_or_else(|| {
            "has a user name or password that is not valid UTF-8 after percent-decoding".to_string()
        })
    };
    let username = match url.username() {
        "" => None,
        user => Some(decode(user)?),
    };
    let password = match url.password() {
        None => None,
        Some(p) => Some(SecretString::from(decode(p)?)),
    };
    let local = host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
    if security == SmtpSecurity::Plaintext && !local && !environment.is_development() {
        return Err(format!(
            "is plaintext smtp:// towards {host}, which is not this machine: {} refuses to send the SMTP password and people's reset links unencrypted. Use smtps://user:password@{host}:465, or smtp://user:password@{host}:587?tls=required for STARTTLS",
            environment.as_str()
        ));
    }
    Ok(SmtpServer {
        host,
        port,
        security,
        username,
        password,
    })
}

/// The certificates of a PEM file, each checked to be an X.509 certificate, so a wrong file is
/// refused at start rather than at the first delivery.
fn read_ca(path: &str) -> Result<(String, Vec<Vec<u8>>), String> {
    let pem = std::fs::read(path).map_err(|e| {
        format!("names '{path}', which cannot be read ({e}); point it at the PEM file of the CA that signed the SMTP server's certificate")
    })?;
    let certificates = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("names '{path}', which is not valid PEM ({e})"))?;
    if certificates.is_empty() {
        return Err(format!(
            "names '{path}', which holds no certificate (a PEM block -----BEGIN CERTIFICATE-----)"
        ));
    }
    for certificate in &certificates {
        x509_cert::Certificate::from_der(certificate)
            .map_err(|e| format!("names '{path}', whose certificate cannot be read ({e})"))?;
    }
    Ok((
        path.to_string(),
        certificates.into_iter().map(|c| c.to_vec()).collect(),
    ))
}

fn percent_decode(s: &str) -> Option<String> {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(|d| d.into_owned())
}

impl Reader<'_> {
    fn origin_of(&self, name: &str) -> Origin {
        self.effective
            .iter()
            .find(|e| e.name == name)
            .map_or(Origin::Default, |e| e.origin)
    }
}
