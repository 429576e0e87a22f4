//! `AppState`: what every handler may reach. Cheap to clone (all `Arc`s and pools).

use std::sync::Arc;

use crate::config::Config;
use crate::db::instance::Instance;
use crate::lifecycle::Lifecycle;
use crate::metrics::Metrics;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub metrics: Arc<Metrics>,
    pub lifecycle: Lifecycle,
    pub instance: Instance,
    /// What the use cases in `service` need.
    pub ctx: crate::service::Ctx,
}
