//! Process lifecycle shared by the server and its handlers: running → draining → stopped.
//!
//! On SIGTERM readiness turns 503 at once (`draining`), the server keeps serving for the
//! configured delay so load balancers take us out of rotation, then stops accepting.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Notify;

#[derive(Debug, Clone, Default)]
pub struct Lifecycle {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    draining: AtomicBool,
    stop_requested: Notify,
}

impl Lifecycle {
    pub fn is_draining(&self) -> bool {
        self.inner.draining.load(Ordering::SeqCst)
    }

    pub fn start_draining(&self) {
        self.inner.draining.store(true, Ordering::SeqCst);
    }

    /// Asks the server to shut down as if it had received SIGTERM.
    pub fn request_stop(&self) {
        self.inner.stop_requested.notify_one();
    }

    /// Resolves on SIGTERM, SIGINT or `request_stop`.
    pub async fn stop_requested(&self) {
        let terminate = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut signal) => {
                    signal.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = terminate => tracing::info!("SIGTERM received"),
            _ = tokio::signal::ctrl_c() => tracing::info!("SIGINT received"),
            () = self.inner.stop_requested.notified() => tracing::info!("stop requested"),
        }
    }
}
