//! `x-request-id`: kept from the caller when it looks like an id, generated otherwise, echoed
//! on the response and attached to logs and error bodies.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::response::Response;

pub const HEADER: &str = "x-request-id";

#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Accepts only short, printable ids so a caller cannot inject text into our logs.
fn acceptable(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
}

/// The caller's id when it is acceptable, a new one otherwise.
pub fn of(request: &Request) -> RequestId {
    RequestId(
        request
            .headers()
            .get(HEADER)
            .and_then(|v| v.to_str().ok())
            .filter(|id| acceptable(id))
            .map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_owned),
    )
}

/// Echoes the id on the response.
pub fn echo(response: &mut Response, id: &RequestId) {
    if let Ok(value) = HeaderValue::from_str(&id.0) {
        response.headers_mut().insert(HEADER, value);
    }
}

#[cfg(test)]
mod tests {
    use super::acceptable;

    #[test]
    fn only_short_printable_ids_are_kept() {
        assert!(acceptable("0192f3c1-7f7e-7cc0-8d7b-1f0e2d3c4b5a"));
        assert!(!acceptable(""));
        assert!(!acceptable("abc def"));
        assert!(!acceptable("line\nbreak"));
        assert!(!acceptable(&"x".repeat(129)));
    }
}
