//! Serves each request with links built on its `Host` when the instance builds links from the
//! request's host (development without a public URL; `service::links`).

use axum::extract::{Request, State};
use axum::http::header::HOST;
use axum::middleware::Next;
use axum::response::Response;

use crate::http::state::AppState;
use crate::service::links;

pub async fn scope(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned);
    links::for_host(&state.ctx, host.as_deref(), next.run(request)).await
}
