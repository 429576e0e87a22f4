//! Prometheus metrics on their own listener: labelled by route template, bounded label sets,
//! and the families docs/operations/monitoring.md documents, no more and no fewer.

use std::collections::{BTreeMap, BTreeSet};

use crate::both_backends;
use crate::helpers::{Backend, TestApp, spawn_app};

both_backends!(
    requests_are_counted_by_route_template_and_status_class,
    pool_build_and_schema_state_are_reported,
    metrics_are_not_served_on_the_public_port,
    every_documented_family_is_exposed_and_every_exposed_family_documented,
    a_thousand_unknown_paths_and_invented_methods_add_no_label_values,
    response_sizes_are_recorded_as_sent,
);

/// The value of one series, written exactly as exposed (`name{label="value",…}`).
pub fn value(metrics: &str, series: &str) -> f64 {
    metrics
        .lines()
        .find_map(|line| {
            let (name, value) = line.rsplit_once(' ')?;
            (name == series).then(|| value.parse().expect("a number"))
        })
        .unwrap_or_else(|| panic!("no series {series} in:\n{metrics}"))
}

/// Families by name (counters with their `_total`), from the `# TYPE` lines, with their type.
fn families(metrics: &str) -> BTreeMap<String, String> {
    metrics
        .lines()
        .filter_map(|line| {
            let mut words = line.strip_prefix("# TYPE ")?.split(' ');
            let (name, kind) = (words.next()?, words.next()?);
            let name = if kind == "counter" {
                format!("{name}_total")
            } else {
                name.to_string()
            };
            Some((name, kind.to_string()))
        })
        .collect()
}

/// Distinct values of `label` among the series of `family`.
fn label_values(metrics: &str, family: &str, label: &str) -> BTreeSet<String> {
    let key = format!("{label}=\"");
    metrics
        .lines()
        .filter(|l| l.starts_with(&format!("{family}{{")))
        .filter_map(|l| {
            let start = l.find(&key)? + key.len();
            Some(l[start..start + l[start..].find('"')?].to_string())
        })
        .collect()
}

async fn requests_are_counted_by_route_template_and_status_class(backend: Backend) {
    let app = spawn_app(backend).await;
    app.get("/static/app.0123456789ab.css").await;
    app.get("/api/system/health").await;
    app.get("/api/system/health").await;

    let metrics = app.metrics().await;

    assert_eq!(
        value(
            &metrics,
            r#"gogotime_http_requests_total{method="GET",route="/static/{file}",status_class="4xx"}"#
        ),
        1.0
    );
    assert_eq!(
        value(
            &metrics,
            r#"gogotime_http_requests_total{method="GET",route="/api/system/health",status_class="2xx"}"#
        ),
        2.0
    );
    assert_eq!(
        value(
            &metrics,
            r#"gogotime_http_request_duration_seconds_count{method="GET",route="/api/system/health"}"#
        ),
        2.0
    );
    assert!(
        !metrics.contains("0123456789ab"),
        "raw paths must not become labels"
    );
    // only the scrape itself is in flight, and the scrape is on another listener
    assert_eq!(value(&metrics, "gogotime_http_requests_in_flight"), 0.0);
}

async fn pool_build_and_schema_state_are_reported(backend: Backend) {
    let app = spawn_app(backend).await;
    let (postgres, sqlite) = gogotime::db::migrate::embedded_versions();
    let embedded = match backend {
        Backend::Postgres => postgres,
        Backend::Sqlite => sqlite,
    };

    let metrics = app.metrics().await;

    assert_eq!(
        value(&metrics, r#"gogotime_db_pool_connections{state="max"}"#),
        10.0
    );
    let idle = value(&metrics, r#"gogotime_db_pool_connections{state="idle"}"#);
    let in_use = value(&metrics, r#"gogotime_db_pool_connections{state="in_use"}"#);
    assert!(idle + in_use >= 1.0 && idle + in_use <= 10.0, "{metrics}");
    let database = match backend {
        Backend::Postgres => "postgres",
        Backend::Sqlite => "sqlite",
    };
    let build = format!(
        r#"gogotime_build_info{{version="{}",commit="{}",database="{database}",environment="development"}}"#,
        env!("CARGO_PKG_VERSION"),
        gogotime::build_info::COMMIT,
    );
    assert_eq!(value(&metrics, &build), 1.0);
    assert_eq!(value(&metrics, "gogotime_db_up"), 1.0);
    assert_eq!(
        value(&metrics, r#"gogotime_db_migrations{state="applied"}"#),
        embedded.len() as f64
    );
    for state in ["pending", "newer", "modified", "failed"] {
        let series = format!(r#"gogotime_db_migrations{{state="{state}"}}"#);
        assert_eq!(value(&metrics, &series), 0.0, "{state}");
    }
    let newest = embedded.iter().map(|(v, _)| *v).max().unwrap();
    assert_eq!(value(&metrics, "gogotime_db_schema_version"), newest as f64);
}

async fn metrics_are_not_served_on_the_public_port(backend: Backend) {
    let app = spawn_app(backend).await;

    let response = app.get("/metrics").await;

    assert_eq!(response.status(), 404);
}

/// The rows of the "Metrics a replica exposes" table: (name, type).
fn documented_families() -> BTreeMap<String, String> {
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/operations/monitoring.md"),
    )
    .expect("docs/operations/monitoring.md");
    let section = doc
        .split("\n## ")
        .find(|s| s.starts_with("Metrics a replica exposes"))
        .expect("a \"Metrics a replica exposes\" section");
    section
        .lines()
        .filter_map(|line| {
            let mut cells = line.strip_prefix("| `")?.split('|');
            let name = cells.next()?.trim().trim_end_matches('`');
            let kind = cells.next()?.trim();
            Some((name.to_string(), kind.to_string()))
        })
        .collect()
}

async fn every_documented_family_is_exposed_and_every_exposed_family_documented(backend: Backend) {
    let app = spawn_app(backend).await;
    let documented = documented_families();
    // a labelled histogram appears with its first observation: one request, one export
    let user = app.sign_up("ada@example.org", Some("Analytical")).await;
    let (_, orgs) = app.get_as("/api/v1/organizations", &user.token).await;
    let export = format!(
        "/api/v1/organizations/{}/exports/entries.csv?from=2026-01-01&to=2026-01-31",
        orgs[0]["id"].as_str().unwrap()
    );
    let (status, _) = app.get_as(&export, &user.token).await;
    assert_eq!(status, 200);

    let exposed = families(&app.metrics().await);

    assert!(documented.len() >= 25, "the table parsed: {documented:?}");
    // only where a container memory limit is set; and the statement durations come from the
    // logging layer that the real binary installs (checked on the binary in metrics_product.rs)
    let conditional = [
        "gogotime_memory_limit_bytes",
        "gogotime_db_query_duration_seconds",
    ];
    let missing: Vec<&String> = documented
        .keys()
        .filter(|name| !exposed.contains_key(*name) && !conditional.contains(&name.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "documented but not exposed: {missing:?}"
    );
    for (name, kind) in &exposed {
        assert_eq!(
            documented.get(name),
            Some(kind),
            "{name} ({kind}) is exposed but not documented as such in docs/operations/monitoring.md"
        );
    }
}

async fn request_raw(app: &TestApp, method: &str, path: &str) -> u16 {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    app.client
        .request(method, app.url(path))
        .send()
        .await
        .expect("request sent")
        .status()
        .as_u16()
}

async fn a_thousand_unknown_paths_and_invented_methods_add_no_label_values(backend: Backend) {
    let app = spawn_app(backend).await;
    request_raw(&app, "GET", "/api/system/version").await;
    let before = app.metrics().await;
    let routes_before = label_values(&before, "gogotime_http_requests_total", "route");

    for i in 0..1000 {
        let path = match i % 5 {
            0 => format!("/no-such-page-{i}"),
            1 => format!("/api/v1/no-such-endpoint-{i}"),
            2 => format!("/api/nothing/{i}/here"),
            3 => format!("/static/missing-{i}.css"),
            _ => format!("/o/{i}/unknown/{i}"),
        };
        let method = if i % 7 == 0 { "BREW" } else { "GET" };
        let status = request_raw(&app, method, &path).await;
        assert!((400..500).contains(&status), "{method} {path}: {status}");
    }

    let after = app.metrics().await;
    let routes: BTreeSet<String> = label_values(&after, "gogotime_http_requests_total", "route")
        .difference(&routes_before)
        .cloned()
        .collect();
    assert!(
        routes.len() <= 4,
        "1000 unknown paths became {} route labels: {routes:?}",
        routes.len()
    );
    assert!(
        routes
            .iter()
            .all(|r| !r.contains("no-such") && !r.contains("missing")),
        "{routes:?}"
    );
    let methods = label_values(&after, "gogotime_http_requests_total", "method");
    assert_eq!(
        methods,
        BTreeSet::from(["GET".to_string(), "other".to_string()])
    );
    let series = after
        .lines()
        .filter(|l| l.starts_with("gogotime_http_requests_total{"))
        .count();
    assert!(series <= 1 + 2 * 4, "{series} series:\n{after}");
    let counted: f64 = after
        .lines()
        .filter(|l| {
            l.starts_with("gogotime_http_requests_total{") && l.contains("status_class=\"4xx\"")
        })
        .map(|l| l.rsplit_once(' ').unwrap().1.parse::<f64>().unwrap())
        .sum();
    assert_eq!(counted, 1000.0, "every unknown request is still counted");
}

async fn response_sizes_are_recorded_as_sent(backend: Backend) {
    let app = spawn_app(backend).await;
    let body = app
        .get("/api/system/version")
        .await
        .bytes()
        .await
        .expect("body");
    app.get("/api/system/version").await.bytes().await.unwrap();

    let metrics = app.metrics().await;

    let series = r#"{method="GET",route="/api/system/version"}"#;
    assert_eq!(
        value(
            &metrics,
            &format!("gogotime_http_response_size_bytes_count{series}")
        ),
        2.0
    );
    assert_eq!(
        value(
            &metrics,
            &format!("gogotime_http_response_size_bytes_sum{series}")
        ),
        2.0 * body.len() as f64
    );
}
