//! The facts `preflight` reports about the public URL's certificate, read from the DER the TLS
//! handshake delivered.

use chrono::{DateTime, Utc};
use x509_cert::Certificate;
use x509_cert::der::Decode;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub not_after: DateTime<Utc>,
    /// RFC 4514 form, e.g. "CN=R11,O=Let's Encrypt,C=US".
    pub issuer: String,
}

pub fn read(der: &[u8]) -> Result<Facts, String> {
    let certificate = Certificate::from_der(der)
        .map_err(|e| format!("the server's certificate cannot be read ({e})"))?;
    let tbs = &certificate.tbs_certificate;
    let seconds = tbs.validity.not_after.to_unix_duration().as_secs();
    let not_after = i64::try_from(seconds)
        .ok()
        .and_then(|s| DateTime::from_timestamp(s, 0))
        .ok_or_else(|| "the server's certificate has an expiry date out of range".to_string())?;
    Ok(Facts {
        not_after,
        issuer: tbs.issuer.to_string(),
    })
}
