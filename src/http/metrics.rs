//! The metrics listener (`GOGOTIME_METRICS_BIND`), never the public port: `GET /metrics` in the
//! OpenMetrics text format. The families themselves live in `crate::metrics`.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::metrics::{Metrics, PoolSnapshot, Snapshot};
use crate::service::{Ctx, instance_stats};

/// The scrape-time database queries get this long; a scrape must answer well within
/// Prometheus' timeout even when the database hangs.
const DATABASE_TIMEOUT: Duration = Duration::from_secs(2);

/// What a scrape reads: the families, and the services' context for the pool and the
/// database-wide figures. Nothing of the public router's state.
#[derive(Clone)]
pub struct Scrape {
    pub metrics: Arc<Metrics>,
    pub ctx: Ctx,
}

pub fn router(state: Scrape) -> Router {
    Router::new()
        .route("/metrics", get(metrics_get))
        .with_state(state)
}

async fn metrics_get(State(state): State<Scrape>) -> Response {
    let stats = state.ctx.db.pool_stats();
    let database =
        match tokio::time::timeout(DATABASE_TIMEOUT, instance_stats::collect(&state.ctx)).await {
            Ok(Ok(snapshot)) => Some(snapshot),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "metrics: the database statistics could not be read");
                None
            }
            Err(_) => {
                tracing::warn!("metrics: the database statistics took longer than 2 s; left out");
                None
            }
        };
    let body = state.metrics.render(Snapshot {
        pool: Some(PoolSnapshot {
            size: stats.size,
            idle: stats.idle,
            max: stats.max,
        }),
        database,
    });
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
        )],
        body,
    )
        .into_response()
}
