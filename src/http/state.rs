//! `AppState`: what every handler may reach. One `Arc`: axum clones the state for every
//! extractor and middleware that asks for it, so a clone is a single reference count.

use std::ops::Deref;
use std::sync::Arc;

use crate::config::Config;
use crate::db::instance::Instance;
use crate::lifecycle::Lifecycle;
use crate::metrics::Metrics;

#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> Self {
        AppState(Arc::new(shared))
    }
}

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

pub struct Shared {
    pub config: Arc<Config>,
    pub metrics: Arc<Metrics>,
    pub lifecycle: Lifecycle,
    pub instance: Instance,
    /// What the use cases in `service` need.
    pub ctx: crate::service::Ctx,
}
