//! The outermost middleware: the request id (`x-request-id`, see `request_id`), one structured
//! log line and the Prometheus series per request, labelled by route template (`MatchedPath`),
//! never by the raw path, so ids cannot explode the metric cardinality.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use http_body::{Frame, SizeHint};

use super::client_ip::{self, ClientIp};
use super::request_id;
use crate::http::state::AppState;
use crate::metrics::http::SizeRecorder;

/// Probes hit every few seconds; logging each would drown the useful lines.
const QUIET_ROUTES: &[&str] = &["/api/system/health/live"];

pub async fn observe(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let _in_flight = state.metrics.http.start();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(unmatched)".to_string(), |p| p.as_str().to_string());
    let request_id = request_id::of(&request);
    request.extensions_mut().insert(request_id.clone());
    let client = client_ip::peer(&request).map(|peer| {
        client_ip::resolve(peer, request.headers(), &state.config.http.trusted_proxies)
    });
    if let Some(ip) = client {
        request.extensions_mut().insert(ClientIp(ip));
    }

    let response = next.run(request).await;

    let status = response.status().as_u16();
    let latency = started.elapsed();
    let size = state
        .metrics
        .http
        .observe(method.as_str(), &route, status, latency);
    if !QUIET_ROUTES.contains(&route.as_str()) {
        tracing::info!(
            request_id = %request_id.0,
            method = %method,
            route = %route,
            status,
            latency_ms = latency.as_secs_f64() * 1000.0,
            client_ip = %client.map(|ip| ip.to_string()).unwrap_or_default(),
            "request"
        );
    }
    let (mut parts, body) = response.into_parts();
    if let Ok(value) = HeaderValue::from_str(&request_id.0) {
        parts.headers.insert(request_id::HEADER, value);
    }
    Response::from_parts(
        parts,
        Body::new(Counted {
            inner: body,
            bytes: 0,
            size: Some(size),
        }),
    )
}

/// A response body that records how many bytes it carried once it ends or is dropped (a client
/// that leaves early counts with what it received). Size hints pass through, so a body of known
/// length keeps its `Content-Length`.
struct Counted {
    inner: Body,
    bytes: u64,
    size: Option<SizeRecorder>,
}

impl Counted {
    fn finish(&mut self) {
        if let Some(size) = self.size.take() {
            size.record(self.bytes);
        }
    }
}

impl http_body::Body for Counted {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    self.bytes += data.len() as u64;
                }
            }
            Poll::Ready(None) => self.finish(),
            _ => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.finish();
    }
}
