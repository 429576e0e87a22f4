//! ID token validation (OpenID Connect Core 1.0 §3.1.3.7): the signature with one of the
//! provider's published keys, under an asymmetric algorithm the key itself allows (never
//! `none`, never HMAC: a public key is no shared secret); then issuer, audience (and `azp`),
//! expiry and issue time with a small leeway, and the nonce this sign-in sent.

use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use subtle::ConstantTimeEq;

use super::{OidcError, OidcResult};

/// Clocks differ a little between the provider and us.
pub const LEEWAY_SECONDS: i64 = 60;

/// Signature algorithms accepted: asymmetric ones only.
const ALLOWED: [Algorithm; 8] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
];

/// What this sign-in's ID token must say.
pub struct Expected<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub nonce: &'a str,
    /// Unix seconds, from the app's clock.
    pub now: i64,
}

/// The claims GoGoTime uses, from the ID token and, for those it lacks, the userinfo endpoint.
#[derive(Debug, Clone, Default)]
pub struct Claims {
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
    /// The claims GoGoTime does not name, for those an organization chooses (its groups claim).
    pub other: serde_json::Map<String, serde_json::Value>,
}

impl Claims {
    /// Whether the ID token left out what the sign-in needs, so userinfo must be asked.
    pub fn lacks_email(&self) -> bool {
        self.email.is_none()
    }

    /// Fills what the ID token did not carry from the userinfo answer.
    pub fn complete(&mut self, info: UserInfo) {
        if self.email.is_none() {
            self.email = info.email;
            self.email_verified = info.email_verified.is_some_and(|v| v.is_true());
        }
        if self.name.is_none() {
            self.name = info.name;
        }
        for (name, value) in info.other {
            self.other.entry(name).or_insert(value);
        }
    }

    /// The claim `name` as a list of strings: `None` when it is absent; an array keeps its
    /// strings, a single string is a list of one (some providers send one group so).
    pub fn strings(&self, name: &str) -> Option<Vec<String>> {
        match self.other.get(name)? {
            serde_json::Value::Array(items) => Some(
                items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect(),
            ),
            serde_json::Value::String(one) => Some(vec![one.clone()]),
            _ => Some(Vec::new()),
        }
    }
}

/// `email_verified` as a boolean, or as the string some providers send.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Flag {
    Bool(bool),
    Text(String),
}

impl Flag {
    fn is_true(&self) -> bool {
        match self {
            Flag::Bool(b) => *b,
            Flag::Text(t) => t == "true",
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct UserInfo {
    #[serde(default)]
    pub sub: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub email_verified: Option<Flag>,
    #[serde(default)]
    pub name: Option<String>,
    /// Every other claim (the groups claim an organization names is among them).
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    // read by jsonwebtoken's audience check; only its shape matters here
    #[allow(dead_code)]
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
struct Raw {
    sub: String,
    aud: Audience,
    exp: i64,
    iat: i64,
    #[serde(default)]
    azp: Option<String>,
    #[serde(default)]
    nonce: Option<String>,
    #[serde(flatten)]
    info: UserInfo,
}

/// No published key has the token's key id: fetch the keys again (rotation) and retry.
pub struct KeyMissing;

fn invalid(why: &str) -> OidcError {
    OidcError::Invalid(format!("the provider's ID token {why}"))
}

/// `Err(KeyMissing)` when no key matches; otherwise the outcome of the checks.
pub fn verify(
    token: &str,
    keys: &[serde_json::Value],
    expected: &Expected<'_>,
) -> Result<OidcResult<Claims>, KeyMissing> {
    let header = match jsonwebtoken::decode_header(token) {
        Ok(header) => header,
        Err(_) => return Ok(Err(invalid("is not a signed JWT"))),
    };
    if !ALLOWED.contains(&header.alg) {
        return Ok(Err(invalid(&format!(
            "is signed with {:?}, which GoGoTime does not accept (RS*, PS*, ES256, ES384)",
            header.alg
        ))));
    }
    // keys GoGoTime cannot read (other types, encryption keys) are skipped, not fatal
    let usable: Vec<Jwk> = keys
        .iter()
        .filter_map(|k| serde_json::from_value::<Jwk>(k.clone()).ok())
        .filter(|k| !matches!(k.common.public_key_use, Some(PublicKeyUse::Encryption)))
        .filter(|k| fits(k, header.alg))
        .collect();
    let key = match &header.kid {
        Some(kid) => usable
            .iter()
            .find(|k| k.common.key_id.as_deref() == Some(kid.as_str())),
        None if usable.len() == 1 => usable.first(),
        None => None,
    };
    let Some(key) = key else {
        return Err(KeyMissing);
    };
    Ok(check(token, key, header.alg, expected))
}

/// The key may sign with `alg`: its type is the algorithm's family, and its own `alg`, when it
/// names one, is that algorithm.
fn fits(key: &Jwk, alg: Algorithm) -> bool {
    let family = match &key.algorithm {
        AlgorithmParameters::RSA(_) => matches!(
            alg,
            Algorithm::RS256
                | Algorithm::RS384
                | Algorithm::RS512
                | Algorithm::PS256
                | Algorithm::PS384
                | Algorithm::PS512
        ),
        AlgorithmParameters::EllipticCurve(_) => matches!(alg, Algorithm::ES256 | Algorithm::ES384),
        AlgorithmParameters::OctetKey(_) | AlgorithmParameters::OctetKeyPair(_) => false,
    };
    let named = key.common.key_algorithm.is_none_or(|named| {
        let name = match named {
            KeyAlgorithm::RS256 => Algorithm::RS256,
            KeyAlgorithm::RS384 => Algorithm::RS384,
            KeyAlgorithm::RS512 => Algorithm::RS512,
            KeyAlgorithm::PS256 => Algorithm::PS256,
            KeyAlgorithm::PS384 => Algorithm::PS384,
            KeyAlgorithm::PS512 => Algorithm::PS512,
            KeyAlgorithm::ES256 => Algorithm::ES256,
            KeyAlgorithm::ES384 => Algorithm::ES384,
            _ => return false,
        };
        name == alg
    });
    family && named
}

fn check(token: &str, key: &Jwk, alg: Algorithm, expected: &Expected<'_>) -> OidcResult<Claims> {
    let decoding =
        DecodingKey::from_jwk(key).map_err(|_| invalid("names a key GoGoTime cannot use"))?;
    let mut validation = Validation::new(alg);
    validation.algorithms = vec![alg];
    validation.set_issuer(&[expected.issuer]);
    validation.set_audience(&[expected.client_id]);
    // expiry against the app's clock, below
    validation.validate_exp = false;
    validation.set_required_spec_claims(&["iss", "aud", "sub", "exp"]);
    let raw = match jsonwebtoken::decode::<Raw>(token, &decoding, &validation) {
        Ok(data) => data.claims,
        Err(e) => {
            use jsonwebtoken::errors::ErrorKind;
            return Err(match e.kind() {
                ErrorKind::InvalidSignature => {
                    invalid("has a signature that does not verify with the provider's key")
                }
                ErrorKind::InvalidIssuer => invalid("was issued by another issuer"),
                ErrorKind::InvalidAudience => invalid("was issued to another client (audience)"),
                ErrorKind::MissingRequiredClaim(_) => invalid("lacks a required claim"),
                _ => invalid("could not be read"),
            });
        }
    };
    if let Audience::Many(audiences) = &raw.aud
        && audiences.len() > 1
        && raw.azp.is_none()
    {
        return Err(invalid(
            "has several audiences and no authorized party (azp)",
        ));
    }
    if raw
        .azp
        .as_deref()
        .is_some_and(|azp| azp != expected.client_id)
    {
        return Err(invalid("was issued to another client (azp)"));
    }
    if expected.now > raw.exp + LEEWAY_SECONDS {
        return Err(invalid("has expired"));
    }
    if raw.iat > expected.now + LEEWAY_SECONDS {
        return Err(invalid("was issued in the future (check the clocks)"));
    }
    let nonce_ok = raw
        .nonce
        .as_deref()
        .is_some_and(|n| bool::from(n.as_bytes().ct_eq(expected.nonce.as_bytes())));
    if !nonce_ok {
        return Err(invalid("does not carry this sign-in's nonce"));
    }
    let mut claims = Claims {
        subject: raw.sub,
        ..Claims::default()
    };
    claims.complete(raw.info);
    Ok(claims)
}
