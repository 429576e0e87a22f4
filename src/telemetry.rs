//! Logging: pretty lines for people in development, one JSON object per line elsewhere.

use tracing_subscriber::EnvFilter;

use crate::config::{LogConfig, LogFormat};

/// Installs the global subscriber; a second call (tests build many apps) is a no-op.
pub fn init(log: &LogConfig) {
    log_panics();
    let filter = EnvFilter::try_new(&log.filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match log.format {
        LogFormat::Pretty => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .try_init(),
    };
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

/// The log settings used before the configuration is known (CLI errors, `config check`).
pub fn init_default() {
    init(&LogConfig {
        filter: "info".into(),
        format: LogFormat::Pretty,
    });
}
