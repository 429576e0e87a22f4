//! Request body limits a client can hear.
//!
//! Refusing a body that is announced too large before reading it, and then closing the
//! connection while the client is still sending, resets the connection under the client: it
//! reports a broken pipe and never reads the 413. So a body over the limit by a bounded amount is
//! read and thrown away first (nginx's "lingering close"), and one far over it is refused at once
//! with `Connection: close`, so nobody can make the server read a gigabyte.

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use tower_http::limit::RequestBodyLimitLayer;

/// How far past the limit an announced body is still read to the end before the 413.
const DRAIN_ALLOWANCE: u64 = 16 * 1024 * 1024;
/// How long reading it to the end may take.
const DRAIN_TIME: Duration = Duration::from_secs(10);

/// Limits the bodies of every route in `router` to `limit` bytes, answering 413 past it.
pub fn limit<S: Clone + Send + Sync + 'static>(router: Router<S>, limit: usize) -> Router<S> {
    router
        // bodies without a length, and extractors that buffer, stop at the limit
        .layer(DefaultBodyLimit::max(limit))
        .layer(RequestBodyLimitLayer::new(limit))
        .layer(middleware::from_fn_with_state(limit as u64, announced))
}

/// Answers a body announced over the limit without passing it on.
async fn announced(State(limit): State<u64>, request: Request, next: Next) -> Response {
    let length = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    match length {
        Some(length) if length > limit => {
            let read = length - limit <= DRAIN_ALLOWANCE && read_to_end(request.into_body()).await;
            let mut response = StatusCode::PAYLOAD_TOO_LARGE.into_response();
            if !read {
                response
                    .headers_mut()
                    .insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            response
        }
        _ => next.run(request).await,
    }
}

/// Reads and drops `body`; false when it broke off or took longer than [`DRAIN_TIME`].
async fn read_to_end(body: Body) -> bool {
    let mut chunks = body.into_data_stream();
    let read = async {
        while let Some(chunk) = chunks.next().await {
            if chunk.is_err() {
                return false;
            }
        }
        true
    };
    tokio::time::timeout(DRAIN_TIME, read)
        .await
        .unwrap_or(false)
}
