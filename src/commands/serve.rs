//! `gogotime serve`.

use std::process::ExitCode;

use super::{EXIT_FAILURE, load, log_warnings};
use crate::config::EnvSnapshot;
use crate::startup::App;
use crate::telemetry;

pub async fn run(env: &EnvSnapshot) -> ExitCode {
    let (config, warnings) = match load(env, |_| true) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    telemetry::init(&config.log);
    log_warnings(&warnings);
    let app = match App::build(config).await {
        Ok(app) => app,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "GoGoTime cannot start");
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    match app.run_until_stopped().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "GoGoTime stopped with an error");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}
