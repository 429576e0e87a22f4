//! What each CLI command does. Exit status: 0 success, 1 failure, 2 invalid configuration.

mod backup;
mod checklist;
mod config_check;
mod healthcheck;
mod http_client;
mod import;
mod migrate;
mod preflight;
mod restore;
mod serve;
mod smoke;
mod user;

use std::process::ExitCode;

use crate::cli::{Cli, Command, ConfigCommand, SecretCommand};
use crate::config::{Config, ConfigErrors, EnvSnapshot, Warning};

pub const EXIT_FAILURE: u8 = 1;
pub const EXIT_CONFIG: u8 = 2;

pub fn run(cli: Cli) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    let env = EnvSnapshot::from_process();
    runtime.block_on(async move {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => serve::run(&env).await,
            Command::Migrate(command) => migrate::run(&env, command).await,
            Command::Config(ConfigCommand::Check) => config_check::run(&env),
            Command::Healthcheck(args) => healthcheck::run(&env, args).await,
            Command::User(command) => user::run(&env, command).await,
            Command::Import(args) => import::run(&env, args).await,
            Command::Backup(args) => backup::run(&env, args).await,
            Command::Restore(args) => restore::run(&env, args).await,
            Command::Preflight(args) => preflight::run(&env, args).await,
            Command::Smoke(args) => smoke::run(&env, args).await,
            Command::Secret(SecretCommand::Generate) => {
                println!("{}", crate::secret::generate());
                ExitCode::SUCCESS
            }
        }
    })
}

/// Parses the configuration or prints every problem and yields exit status 2.
fn load(
    env: &EnvSnapshot,
    relevant: impl Fn(&str) -> bool,
) -> Result<(Config, Vec<Warning>), ExitCode> {
    Config::from_env_for(env, relevant).map_err(|errors: ConfigErrors| {
        eprint!("error: {errors}");
        ExitCode::from(EXIT_CONFIG)
    })
}

fn log_warnings(warnings: &[Warning]) {
    for warning in warnings {
        tracing::warn!(variable = %warning.variable, "{warning}");
    }
}
