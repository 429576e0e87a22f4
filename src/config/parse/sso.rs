//! The instance's own OpenID provider (issue 18; docs/operations/single-sign-on.md,
//! "Instance-wide provider"): `GOGOTIME_SSO_ISSUER`, `GOGOTIME_SSO_CLIENT_ID`,
//! `GOGOTIME_SSO_CLIENT_SECRET`, `GOGOTIME_SSO_ALLOWED_DOMAINS` and `GOGOTIME_SSO_DISPLAY_NAME`.
//! All unset: off. Half a configuration is refused rather than guessed at: a provider without its
//! allowed domains would let anyone it knows create an account.

use std::net::IpAddr;

use secrecy::SecretString;
use url::Url;

use super::Reader;
use crate::config::{Environment, Origin};

const ISSUER: &str = "GOGOTIME_SSO_ISSUER";
const CLIENT_ID: &str = "GOGOTIME_SSO_CLIENT_ID";
const CLIENT_SECRET: &str = "GOGOTIME_SSO_CLIENT_SECRET";
const ALLOWED_DOMAINS: &str = "GOGOTIME_SSO_ALLOWED_DOMAINS";
const DISPLAY_NAME: &str = "GOGOTIME_SSO_DISPLAY_NAME";

/// The button's label when `GOGOTIME_SSO_DISPLAY_NAME` is unset: "Sign in with single sign-on".
pub const DEFAULT_DISPLAY_NAME: &str = "single sign-on";

#[derive(Debug, Clone)]
pub struct InstanceSsoConfig {
    /// Exactly as configured: the provider's discovery document must name the same issuer.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: SecretString,
    /// Lowercase; new accounts only for verified addresses in exactly these domains.
    pub allowed_domains: Vec<String>,
    /// "Sign in with <display_name>".
    pub display_name: String,
}

pub(super) fn sso(r: &mut Reader, environment: Environment) -> Option<InstanceSsoConfig> {
    let issuer = r.value(
        ISSUER,
        None,
        |i: &Option<String>| {
            i.as_ref()
                .map_or("(instance single sign-on off)".into(), |i| {
                    format!("{i} (instance single sign-on on)")
                })
        },
        |raw| parse_issuer(raw, environment).map(Some),
    );
    let client_id = r.value(
        CLIENT_ID,
        None,
        |c: &Option<String>| c.clone().unwrap_or_else(|| "(unset)".into()),
        |raw| bounded(raw, 255).map(Some),
    );
    let secret = r.value(
        CLIENT_SECRET,
        None,
        |_| String::new(),
        |raw| bounded(raw, 1024).map(|s| Some(SecretString::from(s))),
    );
    if !r.is_set(CLIENT_SECRET) {
        r.record(CLIENT_SECRET, "(unset)".into(), Origin::Default);
    }
    let domains = r.value(
        ALLOWED_DOMAINS,
        None,
        |d: &Option<Vec<String>>| d.as_ref().map_or("(unset)".into(), |d| d.join(",")),
        |raw| {
            crate::domain::sso::parse_domains([raw])
                .map(Some)
                .map_err(|m| format!("{m}; list the email domains whose people may sign in, e.g. {ALLOWED_DOMAINS}=example.com,example.org"))
        },
    );
    let display_name = r.value(
        DISPLAY_NAME,
        DEFAULT_DISPLAY_NAME.to_string(),
        Clone::clone,
        crate::domain::profile::parse_name,
    );
    let given = [ISSUER, CLIENT_ID, CLIENT_SECRET].map(|name| r.is_set(name));
    if given.iter().all(|g| !g) {
        if r.is_set(ALLOWED_DOMAINS) {
            r.error(
                ISSUER,
                format!("is not set, but {ALLOWED_DOMAINS} is; instance single sign-on needs {ISSUER}, {CLIENT_ID} and {CLIENT_SECRET} too (or unset {ALLOWED_DOMAINS})"),
            );
        }
        return None;
    }
    for (name, set) in [ISSUER, CLIENT_ID, CLIENT_SECRET].iter().zip(given) {
        if !set {
            r.error(
                name,
                format!("is not set; instance single sign-on needs {ISSUER}, {CLIENT_ID} and {CLIENT_SECRET} together (set {name}, or unset the others to turn it off)"),
            );
        }
    }
    if !r.is_set(ALLOWED_DOMAINS) {
        r.error(
            ALLOWED_DOMAINS,
            format!("is not set; instance single sign-on creates accounts only for verified addresses in the domains listed there, e.g. {ALLOWED_DOMAINS}=example.com"),
        );
    }
    Some(InstanceSsoConfig {
        issuer: issuer?,
        client_id: client_id?,
        client_secret: secret?,
        allowed_domains: domains?,
        display_name,
    })
}

fn bounded(raw: &str, max: usize) -> Result<String, String> {
    if raw.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    if raw.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err("must not contain spaces or control characters".into());
    }
    Ok(raw.to_string())
}

/// The same rule as the provider client's (`oidc::Client::check_url`): https, or plain http to
/// this machine in development (a local test provider).
fn parse_issuer(raw: &str, environment: Environment) -> Result<String, String> {
    let issuer = bounded(raw, 500)?;
    let url = Url::parse(&issuer).map_err(|_| {
        format!(
            "is '{issuer}', not a URL; use the provider's issuer, e.g. https://accounts.example.com"
        )
    })?;
    if !url.username().is_empty() || url.password().is_some() || url.fragment().is_some() {
        return Err("must not contain a user name, password or #fragment".into());
    }
    let loopback = match url.host() {
        Some(url::Host::Domain(host)) => host.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" if url.host().is_some() => Ok(issuer),
        "http" if environment.is_development() && loopback => Ok(issuer),
        _ => Err(format!(
            "is '{issuer}'; it must be an https:// URL (plain http only to this machine, in development)"
        )),
    }
}
