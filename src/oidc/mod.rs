//! The relying party's half of OpenID Connect (issue 18; OpenID Connect Core 1.0 and
//! Discovery 1.0): the provider's discovery document and keys (cached), the token endpoint,
//! ID token verification, userinfo. Knows no database and no account: who may sign in, and
//! as whom, is `service::sso`'s. Signatures are checked by `jsonwebtoken` (ring), never here.
//!
//! Every outside call has a timeout and a body size limit, follows no redirect, and goes to an
//! https URL; plain http is accepted only for loopback addresses and only when the client was
//! made for development (`Client::new(true)`), which is how the tests reach their provider.

mod id_token;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::header::ACCEPT;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use url::Url;

pub use id_token::{Claims, Expected};

/// Discovery documents and keys are reused this long before being fetched again.
const CACHE_FOR: Duration = Duration::from_secs(15 * 60);
/// A token signed with a key id we do not know makes us fetch the keys again (the provider
/// rotated them), but not more often than this.
const REFETCH_KEYS_AFTER: Duration = Duration::from_secs(60);
const TIMEOUT: Duration = Duration::from_secs(10);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Discovery documents, key sets, token and userinfo answers are a few kilobytes.
const MAX_BODY_BYTES: usize = 256 * 1024;

/// Why talking to the provider did not give what the sign-in needs. The messages are for the
/// person signing in and for the admin setting it up: they name the step and never carry a
/// secret, a token or a response body.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// The URL is not one we may call (not https, or not a URL at all).
    #[error("{0}")]
    Url(String),
    /// The provider could not be reached or answered something unusable.
    #[error("{0}")]
    Provider(String),
    /// The provider answered, and what it sent does not pass the checks.
    #[error("{0}")]
    Invalid(String),
}

pub type OidcResult<T> = Result<T, OidcError>;

/// What the discovery document tells us (the fields we use).
#[derive(Debug, Clone, Deserialize)]
pub struct Metadata {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    #[serde(default)]
    pub userinfo_endpoint: Option<String>,
    #[serde(default)]
    pub code_challenge_methods_supported: Option<Vec<String>>,
    #[serde(default)]
    pub scopes_supported: Option<Vec<String>>,
}

struct Cached<T> {
    at: Instant,
    value: Arc<T>,
}

/// The HTTP client for providers, with the discovery and key caches. One per app.
pub struct Client {
    http: reqwest::Client,
    allow_http_loopback: bool,
    metadata: Mutex<HashMap<String, Cached<Metadata>>>,
    keys: Mutex<HashMap<String, Cached<Vec<serde_json::Value>>>>,
}

impl Default for Client {
    fn default() -> Self {
        Self::new(false)
    }
}

impl Client {
    /// `allow_http_loopback`: development only, see the module's documentation.
    pub fn new(allow_http_loopback: bool) -> Self {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("GoGoTime/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        Self {
            http,
            allow_http_loopback,
            metadata: Mutex::default(),
            keys: Mutex::default(),
        }
    }

    /// Whether `raw` is a URL this client may call; the message says why not.
    pub fn check_url(&self, raw: &str) -> OidcResult<Url> {
        let url = Url::parse(raw).map_err(|_| OidcError::Url(format!("'{raw}' is not a URL")))?;
        if !url.username().is_empty() || url.password().is_some() || url.fragment().is_some() {
            return Err(OidcError::Url(
                "must not contain a user name, password or #fragment".into(),
            ));
        }
        match url.scheme() {
            "https" if url.host().is_some() => Ok(url),
            "http" if self.allow_http_loopback && is_loopback(&url) => Ok(url),
            "http" if self.allow_http_loopback => Err(OidcError::Url(
                "must use https (plain http is accepted for loopback addresses only, in development)".into(),
            )),
            _ => Err(OidcError::Url("must be an https:// URL".into())),
        }
    }

    /// The provider's discovery document, from the cache when it is fresh. Its `issuer` must be
    /// exactly the configured one (Discovery 1.0 §4.3), and every endpoint a URL we may call.
    pub async fn discover(&self, issuer: &str) -> OidcResult<Arc<Metadata>> {
        if let Some(fresh) = fresh(&self.metadata, issuer, CACHE_FOR) {
            return Ok(fresh);
        }
        let base = self.check_url(issuer)?;
        let url = format!(
            "{}/.well-known/openid-configuration",
            base.as_str().trim_end_matches('/')
        );
        let metadata: Metadata = self.get_json(&url, "the discovery document").await?;
        if metadata.issuer != issuer {
            return Err(OidcError::Invalid(format!(
                "the discovery document names the issuer '{}', not '{issuer}'; use exactly the provider's issuer",
                metadata.issuer
            )));
        }
        for endpoint in [
            &metadata.authorization_endpoint,
            &metadata.token_endpoint,
            &metadata.jwks_uri,
        ]
        .into_iter()
        .chain(metadata.userinfo_endpoint.as_ref())
        {
            self.check_url(endpoint).map_err(|e| {
                OidcError::Invalid(format!("the provider's endpoint {endpoint} {e}"))
            })?;
        }
        if let Some(methods) = &metadata.code_challenge_methods_supported
            && !methods.iter().any(|m| m == "S256")
        {
            return Err(OidcError::Invalid(
                "the provider does not support PKCE with S256, which GoGoTime requires".into(),
            ));
        }
        let metadata = Arc::new(metadata);
        store(&self.metadata, issuer, metadata.clone());
        Ok(metadata)
    }

    /// The provider's signing keys as JSON Web Keys; `refresh` fetches them again unless the
    /// cached set is very recent.
    async fn keys(&self, jwks_uri: &str, refresh: bool) -> OidcResult<Arc<Vec<serde_json::Value>>> {
        let max_age = if refresh {
            REFETCH_KEYS_AFTER
        } else {
            CACHE_FOR
        };
        if let Some(fresh) = fresh(&self.keys, jwks_uri, max_age) {
            return Ok(fresh);
        }
        #[derive(Deserialize)]
        struct KeySet {
            keys: Vec<serde_json::Value>,
        }
        let set: KeySet = self.get_json(jwks_uri, "the provider's key set").await?;
        let keys = Arc::new(set.keys);
        store(&self.keys, jwks_uri, keys.clone());
        Ok(keys)
    }

    /// Exchanges an authorization code (with its PKCE verifier) at the token endpoint, the
    /// client authenticating with its secret (HTTP Basic, RFC 6749 §2.3.1).
    pub async fn exchange_code(
        &self,
        metadata: &Metadata,
        client: &ClientCredentials<'_>,
        code: &str,
        redirect_uri: &str,
        code_verifier: &str,
    ) -> OidcResult<Tokens> {
        let url = self.check_url(&metadata.token_endpoint)?;
        let encode =
            |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        let response = self
            .http
            .post(url)
            .basic_auth(encode(client.id), Some(encode(client.secret)))
            .header(ACCEPT, "application/json")
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", redirect_uri),
                ("code_verifier", code_verifier),
            ])
            .send()
            .await
            .map_err(|e| unreachable("the token endpoint", &e))?;
        if response.status().is_client_error() {
            #[derive(Deserialize)]
            struct Refusal {
                error: String,
            }
            let refusal: Option<Refusal> = read_json(response, "the token endpoint").await.ok();
            let code: String = refusal
                .map(|r| r.error)
                .unwrap_or_default()
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                .take(40)
                .collect();
            return Err(OidcError::Invalid(format!(
                "the provider refused to exchange the sign-in code ({code}): it was used already, expired, or was not issued to GoGoTime"
            )));
        }
        read_json(response, "the token endpoint").await
    }

    /// Verifies an ID token's signature with the provider's published keys and its claims
    /// against what this sign-in expects.
    pub async fn verify_id_token(
        &self,
        metadata: &Metadata,
        token: &str,
        expected: &Expected<'_>,
    ) -> OidcResult<Claims> {
        let keys = self.keys(&metadata.jwks_uri, false).await?;
        match id_token::verify(token, &keys, expected) {
            Err(id_token::KeyMissing) => {
                let keys = self.keys(&metadata.jwks_uri, true).await?;
                id_token::verify(token, &keys, expected).map_err(|_| {
                    OidcError::Invalid(
                        "the ID token is signed with a key the provider does not publish".into(),
                    )
                })?
            }
            Ok(result) => result,
        }
    }

    /// The userinfo endpoint's claims for an access token; its `sub` must be the ID token's.
    pub async fn userinfo(
        &self,
        metadata: &Metadata,
        access_token: &str,
        subject: &str,
    ) -> OidcResult<id_token::UserInfo> {
        let Some(endpoint) = &metadata.userinfo_endpoint else {
            return Ok(id_token::UserInfo::default());
        };
        let url = self.check_url(endpoint)?;
        let response = self
            .http
            .get(url)
            .bearer_auth(access_token)
            .header(ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| unreachable("the userinfo endpoint", &e))?;
        let info: id_token::UserInfo = read_json(response, "the userinfo endpoint").await?;
        if info.sub.as_deref() != Some(subject) {
            return Err(OidcError::Invalid(
                "the userinfo endpoint answered for another subject than the ID token".into(),
            ));
        }
        Ok(info)
    }

    async fn get_json<T: DeserializeOwned>(&self, url: &str, what: &str) -> OidcResult<T> {
        let url = self.check_url(url)?;
        let response = self
            .http
            .get(url)
            .header(ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| unreachable(what, &e))?;
        read_json(response, what).await
    }
}

/// The client's id and secret at the provider.
pub struct ClientCredentials<'a> {
    pub id: &'a str,
    pub secret: &'a str,
}

/// The token endpoint's answer (the fields we use).
#[derive(Deserialize)]
pub struct Tokens {
    pub id_token: String,
    #[serde(default)]
    pub access_token: Option<String>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tokens { .. }")
    }
}

/// The PKCE S256 challenge of a verifier (RFC 7636 §4.2).
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name == "localhost",
        None => false,
    }
}

fn unreachable(what: &str, error: &reqwest::Error) -> OidcError {
    // reqwest's error names the URL (an endpoint from the discovery document), never a header
    tracing::warn!(error = %error, "calling the identity provider failed: {what}");
    let why = if error.is_timeout() {
        "did not answer in time"
    } else if error.is_connect() {
        "could not be reached"
    } else {
        "failed"
    };
    OidcError::Provider(format!("{what} {why}"))
}

/// A JSON body of at most `MAX_BODY_BYTES` from a successful response.
async fn read_json<T: DeserializeOwned>(
    mut response: reqwest::Response,
    what: &str,
) -> OidcResult<T> {
    let status = response.status();
    if !status.is_success() {
        return Err(OidcError::Provider(format!(
            "{what} answered HTTP {}",
            status.as_u16()
        )));
    }
    if response
        .content_length()
        .is_some_and(|n| n > MAX_BODY_BYTES as u64)
    {
        return Err(OidcError::Provider(format!(
            "{what} sent too large an answer"
        )));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| unreachable(what, &e))? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(OidcError::Provider(format!(
                "{what} sent too large an answer"
            )));
        }
        body.extend_from_slice(&chunk);
    }
    serde_json::from_slice(&body)
        .map_err(|_| OidcError::Provider(format!("{what} did not answer with the expected JSON")))
}

fn fresh<T>(
    cache: &Mutex<HashMap<String, Cached<T>>>,
    key: &str,
    max_age: Duration,
) -> Option<Arc<T>> {
    let cache = cache.lock().unwrap_or_else(|p| p.into_inner());
    cache
        .get(key)
        .filter(|c| c.at.elapsed() < max_age)
        .map(|c| c.value.clone())
}

fn store<T>(cache: &Mutex<HashMap<String, Cached<T>>>, key: &str, value: Arc<T>) {
    let mut cache = cache.lock().unwrap_or_else(|p| p.into_inner());
    // a handful of providers per instance; a bound keeps a misbehaving admin form harmless
    if cache.len() > 1000 {
        cache.clear();
    }
    cache.insert(
        key.to_string(),
        Cached {
            at: Instant::now(),
            value,
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pkce_challenge_is_rfc_7636s_example() {
        // RFC 7636, Appendix B
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(
            pkce_challenge(verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn only_https_or_loopback_http_in_development_is_called() {
        let production = Client::new(false);
        let development = Client::new(true);
        assert!(production.check_url("https://idp.example.com").is_ok());
        assert!(production.check_url("http://127.0.0.1:9000").is_err());
        assert!(development.check_url("http://127.0.0.1:9000").is_ok());
        assert!(development.check_url("http://localhost:9000").is_ok());
        assert!(development.check_url("http://idp.example.com").is_err());
        assert!(
            production
                .check_url("https://user:pw@idp.example.com")
                .is_err()
        );
        assert!(production.check_url("ftp://idp.example.com").is_err());
        assert!(production.check_url("not a url").is_err());
    }
}
