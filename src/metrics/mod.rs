//! Prometheus metrics: every family GoGoTime exposes (docs/operations/monitoring.md describes
//! each one; a test keeps the two in step) and the registry that holds them. `http::metrics`
//! serves the registry on its own listener; `http::observe`, `db` and `service` record into it.
//!
//! One registry per `App`, so tests run many apps in one process. Two parts are process-wide on
//! purpose and shared by every registry: `process` (what the operating system says about the
//! process) and `db` (timings reported by the database driver, which knows no `App`).
//! Imports no other module of the crate: everything may record metrics.

pub mod db;
pub mod http;
mod process;
pub mod product;
mod scrape;

use std::sync::Arc;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

pub use scrape::{DatabaseSnapshot, MailBacklog, MigrationCounts, PoolSnapshot, Snapshot};

/// What `gogotime_build_info` says about the running binary.
pub struct BuildInfo<'a> {
    pub version: &'a str,
    pub commit: &'a str,
    pub database: &'a str,
    pub environment: &'a str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BuildLabels {
    version: String,
    commit: String,
    database: String,
    environment: String,
}

pub struct Metrics {
    registry: Registry,
    pub http: http::HttpMetrics,
    pub product: Arc<product::ProductMetrics>,
    scrape: Arc<scrape::ScrapeCollector>,
}

impl Metrics {
    /// The registry of one app. `product` is shared with the services that record into it.
    pub fn new(build: &BuildInfo<'_>, product: Arc<product::ProductMetrics>) -> Self {
        let mut registry = Registry::default();
        let info = Family::<BuildLabels, Gauge>::default();
        info.get_or_create(&BuildLabels {
            version: build.version.into(),
            commit: build.commit.into(),
            database: build.database.into(),
            environment: build.environment.into(),
        })
        .set(1);
        registry.register(
            "gogotime_build_info",
            "Version, commit, database backend and environment of the running binary (always 1)",
            info,
        );
        let http = http::HttpMetrics::register(&mut registry);
        product.register(&mut registry);
        db::register(&mut registry);
        let scrape = Arc::new(scrape::ScrapeCollector::default());
        registry.register_collector(Box::new(scrape.clone()));
        registry.register_collector(Box::new(process::ProcessCollector));
        Self {
            registry,
            http,
            product,
            scrape,
        }
    }

    /// The exposition text (OpenMetrics), with the values read at scrape time.
    pub fn render(&self, snapshot: Snapshot) -> String {
        self.scrape.set(snapshot);
        let mut out = String::new();
        // encoding into a String only fails when a metric's own encoder fails, which ours do not
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}
