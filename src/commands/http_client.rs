//! The HTTP client of `smoke` and `preflight`: HTTPS with the compiled-in Mozilla roots plus an
//! optional private CA (staging behind an internal CA, a test ACME server), no redirects (a
//! redirect means the URL given is not the one users reach, which the check should say), and the
//! peer certificate kept for the expiry check.

use std::path::Path;
use std::time::Duration;

pub fn build(ca_file: Option<&Path>, timeout: Duration) -> Result<reqwest::Client, String> {
    let mut builder = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .tls_info(true)
        .user_agent(concat!("gogotime-operator/", env!("GOGOTIME_VERSION")));
    if let Some(path) = ca_file {
        let pem = std::fs::read(path).map_err(|e| {
            format!(
                "--ca-file {} cannot be read ({e}); name a PEM file with the CA certificate",
                path.display()
            )
        })?;
        let certificates = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
            format!(
                "--ca-file {} holds no PEM certificate ({e}); name a file with '-----BEGIN CERTIFICATE-----' blocks",
                path.display()
            )
        })?;
        if certificates.is_empty() {
            return Err(format!(
                "--ca-file {} holds no PEM certificate; name a file with '-----BEGIN CERTIFICATE-----' blocks",
                path.display()
            ));
        }
        for certificate in certificates {
            builder = builder.add_root_certificate(certificate);
        }
    }
    builder
        .build()
        .map_err(|e| format!("cannot create an HTTP client: {e}"))
}

/// Why a request got no answer, in words that point at the cause (refused, unknown host,
/// certificate, timeout), with the chain of causes reqwest keeps.
pub fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    if error.is_timeout() {
        text.push_str(" (timed out)");
    }
    text
}
