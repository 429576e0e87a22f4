//! `x-request-id`: kept from the caller when it looks like an id, generated otherwise, echoed
//! on the response and attached to logs and error bodies.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::response::Response;
use rand::RngCore;

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
            .map_or_else(new_id, str::to_owned),
    )
}

/// A UUIDv7 whose random part comes from the thread's generator: `Uuid::now_v7` asks the
/// operating system (a getrandom(2) system call) every time, a measurable part of a cheap
/// request.
fn new_id() -> String {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    let mut random = [0u8; 10];
    rand::rng().fill_bytes(&mut random);
    uuid::Builder::from_unix_timestamp_millis(millis, &random)
        .into_uuid()
        .to_string()
}

/// Echoes the id on the response.
pub fn echo(response: &mut Response, id: &RequestId) {
    if let Ok(value) = HeaderValue::from_str(&id.0) {
        response.headers_mut().insert(HEADER, value);
    }
}

#[cfg(test)]
mod tests {
    use super::{acceptable, new_id};

    #[test]
    fn only_short_printable_ids_are_kept() {
        assert!(acceptable("0192f3c1-7f7e-7cc0-8d7b-1f0e2d3c4b5a"));
        assert!(!acceptable(""));
        assert!(!acceptable("abc def"));
        assert!(!acceptable("line\nbreak"));
        assert!(!acceptable(&"x".repeat(129)));
    }

    #[test]
    fn a_new_id_is_an_acceptable_version_7_uuid() {
        let (a, b) = (new_id(), new_id());
        assert!(acceptable(&a));
        assert_ne!(a, b);
        let parsed = uuid::Uuid::parse_str(&a).unwrap();
        assert_eq!(parsed.get_version_num(), 7);
        assert_eq!(parsed.get_variant(), uuid::Variant::RFC4122);
    }
}
