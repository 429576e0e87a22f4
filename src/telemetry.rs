//! Logging: pretty lines for people in development, one JSON object per line elsewhere; and the
//! bridge that turns the database driver's statement events into metrics (`metrics::db`).

use tracing::level_filters::LevelFilter;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::prelude::*;

use crate::config::{LogConfig, LogFormat};
use crate::metrics::db::{STATEMENT_TARGET, StatementLayer};

/// Installs the global subscriber; a second call (tests build many apps) is a no-op.
pub fn init(log: &LogConfig) {
    log_panics();
    let filter = EnvFilter::try_new(&log.filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let fmt = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let fmt = match log.format {
        LogFormat::Pretty => fmt.boxed(),
        LogFormat::Json => fmt
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .boxed(),
    };
    // sqlx reports each statement at DEBUG: the metrics layer sees them whatever the log level,
    // the log lines still follow GOGOTIME_LOG
    let statements = StatementLayer
        .with_filter(Targets::new().with_target(STATEMENT_TARGET, LevelFilter::DEBUG));
    let _ = tracing_subscriber::registry()
        .with(fmt.with_filter(filter))
        .with(statements)
        .try_init();
}

/// Panics become one log line like any other event (JSON outside development), so a log
/// pipeline sees them and a test can fail on them; the request still gets its 500 from the
/// catch-panic layer, or its connection is closed when the panic was in a streamed body.
fn log_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "(no message)".into());
            let location = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()))
                .unwrap_or_default();
            let thread = std::thread::current();
            tracing::error!(
                target: "gogotime::panic",
                thread = thread.name().unwrap_or(""),
                location,
                "panicked: {message}"
            );
        }));
    });
}
