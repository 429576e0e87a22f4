//! `App::build` connects the database, applies the migration policy, binds the listeners and
//! returns — so callers (and tests, on port 0) know the ports before serving starts.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{Context, bail};
use tokio::net::TcpListener;

use crate::clock::{SharedClock, SystemClock};
use crate::config::Config;
use crate::db::{self, Db, migrate};
use crate::http::state::{AppState, Shared};
use crate::lifecycle::Lifecycle;
use crate::metrics::product::ProductMetrics;
use crate::metrics::{BuildInfo, Metrics};
use crate::{http, service};

pub struct App {
    listener: TcpListener,
    metrics_listener: Option<TcpListener>,
    state: AppState,
    /// The SMTP client and its longest retry wait, when email is on; its worker starts with
    /// serving.
    mail_sender: Option<(crate::mail::SmtpSender, std::time::Duration)>,
}

impl App {
    pub async fn build(config: Config) -> anyhow::Result<App> {
        Self::build_with_clock(config, Arc::new(SystemClock)).await
    }

    pub async fn build_with_clock(config: Config, clock: SharedClock) -> anyhow::Result<App> {
        let db = Db::connect(&config.database).await?;
        apply_migration_policy(&db, &config).await?;
        let instance = db::instance::ensure(&db, clock.now())
            .await
            .context("reading the instance record failed")?;

        let listener = TcpListener::bind(config.http.bind).await.with_context(|| {
            format!(
                "cannot listen on {} (GOGOTIME_BIND / PORT)",
                config.http.bind
            )
        })?;
        let metrics_listener = match config.metrics_bind {
            Some(addr) => Some(TcpListener::bind(addr).await.with_context(|| {
                format!("cannot listen on {addr} (GOGOTIME_METRICS_BIND; empty disables metrics)")
            })?),
            None => None,
        };
        // hash and compress the embedded assets now rather than on the first request
        http::assets::Assets::get();

        let product = Arc::new(ProductMetrics::default());
        let metrics = Arc::new(Metrics::new(
            &BuildInfo {
                version: crate::build_info::VERSION,
                commit: crate::build_info::COMMIT,
                database: db.backend(),
                environment: config.environment.as_str(),
            },
            product.clone(),
        ));
        let settings = Arc::new(service::Settings::from_config(&config));
        let mail_sender = match &config.mail {
            Some(mail) => Some((
                crate::mail::SmtpSender::new(mail)
                    .context("setting up the SMTP client failed (GOGOTIME_SMTP_URL)")?,
                mail.retry_max,
            )),
            None => None,
        };
        let ctx = service::Ctx {
            db: db.clone(),
            clock: clock.clone(),
            settings,
            metrics: product,
            mail_wake: Arc::default(),
            // plain http to a loopback provider only in development (tests, a local Keycloak)
            oidc: Arc::new(crate::oidc::Client::new(
                config.environment.is_development(),
            )),
        };
        // the constant-time dummy hash, computed now rather than during a first failed sign-in
        tokio::task::spawn_blocking(service::passwords::warm_up)
            .await
            .context("warming up the password hasher failed")?;
        let state = AppState::new(Shared {
            ctx,
            config: Arc::new(config),
            metrics,
            lifecycle: Lifecycle::default(),
            instance,
        });
        Ok(App {
            listener,
            metrics_listener,
            state,
            mail_sender,
        })
    }

    pub fn port(&self) -> u16 {
        self.local_addr().port()
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or(self.state.config.http.bind)
    }

    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics_listener
            .as_ref()
            .and_then(|l| l.local_addr().ok())
            .map(|a| a.port())
    }

    /// Handle to request a graceful stop (as SIGTERM does) and to observe draining.
    pub fn lifecycle(&self) -> Lifecycle {
        self.state.lifecycle.clone()
    }

    pub fn db(&self) -> Db {
        self.state.ctx.db.clone()
    }

    /// Serves until SIGTERM/SIGINT (or `Lifecycle::request_stop`), then shuts down gracefully:
    /// readiness 503 → keep serving for the delay → stop accepting → drain within the grace.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let App {
            listener,
            metrics_listener,
            state,
            mail_sender,
        } = self;
        let config = state.config.clone();
        let address = listener
            .local_addr()
            .context("reading the bound address failed")?;
        let metrics_address = metrics_listener.as_ref().and_then(|l| l.local_addr().ok());
        let lifecycle = state.lifecycle.clone();
        let (stop_accepting, accepting) = tokio::sync::watch::channel(false);
        let until_stopped = move |mut rx: tokio::sync::watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|stop| *stop).await;
        };

        let app = http::router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
        let server =
            axum::serve(listener, app).with_graceful_shutdown(until_stopped(accepting.clone()));
        let server = tokio::spawn(server.into_future());
        let metrics_server = metrics_listener.map(|listener| {
            let app = http::metrics::router(http::metrics::Scrape {
                metrics: state.metrics.clone(),
                ctx: state.ctx.clone(),
            });
            tokio::spawn(
                axum::serve(listener, app)
                    .with_graceful_shutdown(until_stopped(accepting.clone()))
                    .into_future(),
            )
        });
        let (stop_mail, mail_stopped) = tokio::sync::watch::channel(false);
        let mail_worker = mail_sender.map(|(sender, retry_max)| {
            tokio::spawn(service::mail::run_worker(
                state.ctx.db.clone(),
                sender,
                state.ctx.mail_wake.clone(),
                retry_max,
                mail_stopped,
            ))
        });
        tracing::info!(
            %address,
            metrics = %metrics_address.map_or("disabled".into(), |a| a.to_string()),
            environment = config.environment.as_str(),
            database = state.ctx.db.backend(),
            version = crate::build_info::VERSION,
            "GoGoTime is serving"
        );

        lifecycle.stop_requested().await;
        lifecycle.start_draining();
        tracing::info!(
            delay_seconds = config.shutdown.delay.as_secs(),
            "readiness now reports 503; still serving during the shutdown delay"
        );
        tokio::time::sleep(config.shutdown.delay).await;
        let _ = stop_accepting.send(true);
        tracing::info!(
            grace_seconds = config.shutdown.grace.as_secs(),
            "stopped accepting; letting in-flight requests finish"
        );
        match tokio::time::timeout(config.shutdown.grace, server).await {
            Ok(joined) => joined
                .context("the HTTP server task failed")?
                .context("the HTTP server failed")?,
            Err(_) => tracing::warn!(
                "shutdown grace period over with requests still in flight; exiting anyway"
            ),
        }
        if let Some(metrics_server) = metrics_server {
            metrics_server.abort();
        }
        // requests are done queueing; the worker finishes the message it is sending (a message
        // cut off mid-send is retried by the next instance after its lease, so none is lost)
        let _ = stop_mail.send(true);
        if let Some(worker) = mail_worker
            && tokio::time::timeout(std::time::Duration::from_secs(10), worker)
                .await
                .is_err()
        {
            tracing::warn!("the email worker did not stop within 10 s; exiting anyway");
        }
        state.ctx.db.close().await;
        tracing::info!("shutdown complete");
        Ok(())
    }
}

async fn apply_migration_policy(db: &Db, config: &Config) -> anyhow::Result<()> {
    if config.auto_migrate {
        let applied = migrate::up(db).await?;
        if !applied.is_empty() {
            tracing::info!(?applied, "applied migrations");
        }
    }
    let status = migrate::status(db).await?;
    let newer = status.with_state(migrate::State::Newer);
    if !newer.is_empty() {
        let versions: Vec<i64> = newer.iter().map(|m| m.version).collect();
        tracing::warn!(
            ?versions,
            "the database has migrations this release does not know (applied by a newer release); continuing, as expand/contract keeps older releases working"
        );
    }
    let unusable: Vec<String> = status
        .migrations
        .iter()
        .filter(|m| {
            matches!(
                m.state,
                migrate::State::Pending | migrate::State::Modified | migrate::State::Failed
            )
        })
        .map(|m| format!("{} {} ({:?})", m.version, m.description, m.state).to_lowercase())
        .collect();
    if !unusable.is_empty() {
        bail!(
            "the database schema is not current: {}; run `gogotime migrate up` first, or set GOGOTIME_AUTO_MIGRATE=true to let serve apply migrations",
            unusable.join(", ")
        );
    }
    Ok(())
}
