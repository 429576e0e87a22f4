//! The HTTP surface: router, middleware stack, ops endpoints, metrics, assets and pages.

pub mod api;
pub mod assets;
pub mod backup_metrics;
mod body_limit;
pub mod cache;
pub mod client_ip;
pub mod cookies;
mod cross_site;
pub mod csrf;
mod error_body;
pub mod import_query;
mod link_host;
pub mod metrics;
mod observe;
mod ops;
pub mod problem;
pub mod query;
pub mod request_id;
mod security;
pub mod state;
pub mod upload;
mod web;

use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;

use crate::error::AppError;
use crate::http::state::AppState;
use problem::HttpError;

/// CSP reports are small; no reason to accept the general body limit for them.
const CSP_REPORT_LIMIT: usize = 64 * 1024;

pub fn router(state: AppState) -> Router {
    let (v1, openapi, uploads) = api::routers();
    let openapi_json: axum::body::Bytes = openapi.to_pretty_json().unwrap_or_default().into();
    let docs = std::sync::Arc::new(web::api_docs::Reference::from_openapi(&openapi));
    let api = Router::new()
        .route("/system/health", get(ops::readiness))
        .route("/system/health/ready", get(ops::readiness))
        .route("/system/health/live", get(ops::liveness))
        .route("/system/version", get(ops::version))
        .nest("/v1", v1)
        .route(
            "/openapi.json",
            get(move || std::future::ready(openapi_response(&openapi_json))),
        )
        .route(
            "/docs",
            get(move |headers| std::future::ready(web::api_docs::render(&docs, &headers))),
        )
        .route(
            "/system/csp-report",
            post(ops::csp_report).layer(DefaultBodyLimit::max(CSP_REPORT_LIMIT)),
        )
        .fallback(api_not_found);

    // import uploads (up to 100 MiB) get their own limit instead of the general one
    let upload_limit = crate::import::MAX_BYTES as usize + api::imports::UPLOAD_OVERHEAD;
    let uploads = body_limit::limit(
        Router::new()
            .nest("/api/v1", uploads)
            .merge(web::upload_routes()),
        upload_limit,
    );
    let router = body_limit::limit(
        Router::new()
            .merge(web::routes())
            .route("/static/{file}", get(assets::asset_get))
            .route("/favicon.ico", get(assets::favicon_get))
            .route("/feeds/{file}", get(api::exports::feed_get))
            .nest("/api", api)
            .route("/api", any(api_not_found))
            .fallback(page_not_found),
        state.config.http.body_limit_bytes,
    )
    .merge(uploads);
    // One layer for the whole stack: `Router::layer` boxes each layer around every route, and
    // each box is cloned per request. Outermost first.
    let stack = ServiceBuilder::new()
        .layer(middleware::from_fn_with_state(
            state.clone(),
            observe::observe,
        ))
        // outside render_errors, so rendered error pages carry them too
        .layer(middleware::map_response_with_state(
            security::headers(!state.config.environment.is_development()),
            security::add,
        ))
        .layer(middleware::from_fn(error_body::render_errors))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            cross_site::guard,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            link_host::scope,
        ))
        .layer(CatchPanicLayer::custom(|_| {
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }))
        .layer(CompressionLayer::new())
        .layer(middleware::from_fn_with_state(
            state.config.http.request_timeout,
            timeout,
        ));
    router.layer(stack).with_state(state)
}

async fn api_not_found() -> HttpError {
    HttpError(AppError::NotFound(
        "There is no API endpoint at this address.".into(),
    ))
}

async fn page_not_found() -> Response {
    StatusCode::NOT_FOUND.into_response()
}

/// Answers 503 when a request runs past `GOGOTIME_REQUEST_TIMEOUT_SECONDS`.
async fn timeout(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => HttpError(AppError::Unavailable {
            message: format!(
                "The request took longer than {} seconds and was stopped.",
                limit.as_secs()
            ),
            retry_after_seconds: None,
        })
        .into_response(),
    }
}

/// `GET /api/openapi.json`, serialized once at start.
fn openapi_response(json: &axum::body::Bytes) -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        json.clone(),
    )
        .into_response()
}
