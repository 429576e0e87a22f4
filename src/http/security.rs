//! Baseline security headers on every response (DESIGN §4); HSTS outside development only, so
//! a developer's browser does not pin https on localhost.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::Response;

/// No inline script or style anywhere; only our own origin.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; \
     report-uri /api/system/csp-report";

/// The headers, made once at start and shared by every response.
#[derive(Clone)]
pub struct Headers(Arc<[(HeaderName, HeaderValue)]>);

pub fn headers(hsts: bool) -> Headers {
    let mut headers: Vec<(HeaderName, &'static str)> = vec![
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
        (
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=(), interest-cohort=()",
        ),
    ];
    if hsts {
        headers.push((
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        ));
    }
    Headers(
        headers
            .into_iter()
            .map(|(name, value)| (name, HeaderValue::from_static(value)))
            .collect(),
    )
}

/// Adds each header the response does not set itself (a page may set a stricter policy). One
/// middleware for all of them: a layer per header cost a boxed service per request each.
pub async fn add(State(headers): State<Headers>, mut response: Response) -> Response {
    let map = response.headers_mut();
    for (name, value) in headers.0.iter() {
        if !map.contains_key(name) {
            map.insert(name.clone(), value.clone());
        }
    }
    response
}
