//! Responses no cache may keep: secrets shown once (tokens, invitation and share links,
//! recovery codes), private data, error pages and health answers that must be fresh.

use axum::http::{HeaderValue, header};
use axum::response::Response;

/// Marks `response` `Cache-Control: no-store`, replacing any earlier cache directive.
pub fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
