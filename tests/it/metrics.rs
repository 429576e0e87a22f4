//! Prometheus metrics on their own listener, labelled by route template.

use crate::both_backends;
use crate::helpers::{Backend, spawn_app};

both_backends!(
    metrics_count_requests_by_route_template_not_raw_path,
    metrics_report_pool_usage_and_build_info,
    metrics_are_not_served_on_the_public_port,
);

async fn metrics_count_requests_by_route_template_not_raw_path(backend: Backend) {
    let app = spawn_app(backend).await;
    app.get("/static/app.0123456789ab.css").await;
    app.get("/api/system/health").await;

    let metrics = app.metrics().await;

    assert!(
        metrics.contains(
            r#"gogotime_http_requests_total{method="GET",route="/static/{file}",status="404"} 1"#
        ),
        "{metrics}"
    );
    assert!(metrics.contains(
        r#"gogotime_http_requests_total{method="GET",route="/api/system/health",status="200"} 1"#
    ));
    assert!(
        !metrics.contains("0123456789ab"),
        "raw paths must not become labels"
    );
    assert!(metrics.contains("gogotime_http_request_duration_seconds_bucket"));
}

async fn metrics_report_pool_usage_and_build_info(backend: Backend) {
    let app = spawn_app(backend).await;

    let metrics = app.metrics().await;

    assert!(
        metrics.contains(r#"gogotime_db_pool_connections{state="max"} 10"#),
        "{metrics}"
    );
    assert!(metrics.contains(r#"gogotime_db_pool_connections{state="in_use"}"#));
    assert!(metrics.contains(r#"gogotime_db_pool_connections{state="idle"}"#));
    let build = metrics
        .lines()
        .find(|l| l.starts_with("gogotime_build_info{"))
        .expect("build info");
    assert!(
        build.contains(&format!(r#"version="{}""#, env!("CARGO_PKG_VERSION"))),
        "{build}"
    );
    assert!(build.ends_with(" 1"));
}

async fn metrics_are_not_served_on_the_public_port(backend: Backend) {
    let app = spawn_app(backend).await;

    let response = app.get("/metrics").await;

    assert_eq!(response.status(), 404);
}
