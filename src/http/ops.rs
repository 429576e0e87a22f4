//! Operational endpoints: readiness, liveness, version, CSP violation reports.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::build_info;
use crate::db::migrate;
use crate::http::cache::no_store;
use crate::http::state::AppState;

/// Readiness must answer within 2 s even when the database hangs; leave room for the network.
const CHECK_TIMEOUT: Duration = Duration::from_millis(1500);

#[derive(Debug, Serialize)]
struct Check {
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    latency_ms: Option<f64>,
}

impl Check {
    fn status(status: &'static str) -> Self {
        Self {
            status,
            latency_ms: None,
        }
    }
}

#[derive(Debug, Serialize)]
struct Health {
    status: &'static str,
    version: &'static str,
    checks: BTreeMap<&'static str, Check>,
}

/// `GET /api/system/health` and `/ready`: 200 when the database answers and the schema is current.
pub async fn readiness(State(state): State<AppState>) -> Response {
    let mut checks = BTreeMap::new();
    match state.ctx.db.ping(CHECK_TIMEOUT).await {
        Ok(latency) => {
            checks.insert(
                "database",
                Check {
                    status: "ok",
                    latency_ms: Some((latency.as_secs_f64() * 1e6).round() / 1e3),
                },
            );
            let remaining = CHECK_TIMEOUT.saturating_sub(latency);
            let schema = match tokio::time::timeout(remaining, migrate::status(&state.ctx.db)).await
            {
                Ok(Ok(status)) if status.is_current() => "ok",
                Ok(Ok(_)) => "pending",
                Ok(Err(e)) => {
                    tracing::warn!(error = %format!("{e:#}"), "health: reading migration status failed");
                    "unavailable"
                }
                Err(_) => "unavailable",
            };
            checks.insert("migrations", Check::status(schema));
        }
        Err(reason) => {
            // the reason stays in our log; the probe's caller only learns which check failed
            tracing::warn!(%reason, "health: database check failed");
            checks.insert("database", Check::status("unavailable"));
            checks.insert("migrations", Check::status("unknown"));
        }
    }
    if state.lifecycle.is_draining() {
        checks.insert("server", Check::status("shutting_down"));
    }
    let healthy = checks.values().all(|c| c.status == "ok");
    let body = Health {
        status: if healthy { "ok" } else { "unavailable" },
        version: build_info::VERSION,
        checks,
    };
    let status = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    no_store((status, Json(body)).into_response())
}

/// `GET /api/system/health/live`: the process answers; no dependency is consulted.
pub async fn liveness() -> Response {
    no_store(Json(serde_json::json!({ "status": "ok" })).into_response())
}

#[derive(Debug, Serialize)]
struct Version {
    version: &'static str,
    commit: &'static str,
    instance_id: String,
    database: &'static str,
}

/// `GET /api/system/version`.
pub async fn version(State(state): State<AppState>) -> Json<impl Serialize> {
    Json(Version {
        version: build_info::VERSION,
        commit: build_info::COMMIT,
        instance_id: state.instance.id.to_string(),
        database: state.ctx.db.backend(),
    })
}

/// `POST /api/system/csp-report`: browsers report Content-Security-Policy violations here; they
/// are logged so an operator sees a page that is broken by the policy.
pub async fn csp_report(body: axum::body::Bytes) -> StatusCode {
    let report: serde_json::Value =
        serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
    let report = report.get("csp-report").unwrap_or(&report);
    let field = |name: &str| {
        report
            .get(name)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .chars()
            .take(200)
            .collect::<String>()
    };
    tracing::warn!(
        document = %field("document-uri"),
        directive = %field("violated-directive"),
        blocked = %field("blocked-uri"),
        "content security policy violation"
    );
    StatusCode::NO_CONTENT
}
