//! The HTTP ceiling for `bench/compare.sh`: axum on the same runtime as `gogotime serve`
//! answering the same body as `GET /api/system/health/live`, with no middleware at all. The
//! ratio of the two rates is what GoGoTime's middleware stack (request id, metrics, security
//! headers, compression, timeouts, error pages) costs per request.
//!
//! `cargo run --release --example bare_health -- 127.0.0.1:PORT`

use axum::Json;
use axum::Router;
use axum::http::header::CACHE_CONTROL;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

async fn liveness() -> Response {
    (
        [(CACHE_CONTROL, "no-store")],
        Json(serde_json::json!({ "status": "ok" })),
    )
        .into_response()
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".to_string());
    let listener = tokio::net::TcpListener::bind(&address).await?;
    println!("listening on {}", listener.local_addr()?);
    let app = Router::new().route("/api/system/health/live", get(liveness));
    axum::serve(listener, app).await
}
