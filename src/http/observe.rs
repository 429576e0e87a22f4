//! One structured log line and the Prometheus series per request, labelled by route template
//! (`MatchedPath`), never by the raw path, so ids cannot explode the metric cardinality.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::client_ip::{self, ClientIp};
use super::request_id::RequestId;
use crate::state::AppState;

/// Probes hit every few seconds; logging each would drown the useful lines.
const QUIET_ROUTES: &[&str] = &["/api/system/health/live"];

pub async fn observe(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(unmatched)".to_string(), |p| p.as_str().to_string());
    let request_id = request
        .extensions()
        .get::<RequestId>()
        .map(|id| id.0.clone())
        .unwrap_or_default();
    let client = client_ip::peer(&request).map(|peer| {
        client_ip::resolve(peer, request.headers(), &state.config.http.trusted_proxies)
    });
    if let Some(ip) = client {
        request.extensions_mut().insert(ClientIp(ip));
    }

    let response = next.run(request).await;

    let status = response.status().as_u16();
    let latency = started.elapsed();
    state
        .metrics
        .observe_request(method.as_str(), &route, status, latency);
    if !QUIET_ROUTES.contains(&route.as_str()) {
        tracing::info!(
            request_id = %request_id,
            method = %method,
            route = %route,
            status,
            latency_ms = latency.as_secs_f64() * 1000.0,
            client_ip = %client.map(|ip| ip.to_string()).unwrap_or_default(),
            "request"
        );
    }
    response
}
