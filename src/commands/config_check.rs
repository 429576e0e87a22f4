//! `gogotime config check`: every problem at once, or the effective values with secrets redacted.

use std::process::ExitCode;

use super::EXIT_CONFIG;
use crate::config::{Config, EnvSnapshot};

pub fn run(env: &EnvSnapshot) -> ExitCode {
    match Config::from_env(env) {
        Ok((config, warnings)) => {
            println!("configuration is valid for {}", config.environment.as_str());
            print!("{}", config.render_effective());
            if let Some(tls) = config.database.url.tls() {
                println!("database TLS: {}", tls.summary());
            }
            match &config.mail {
                Some(mail) => println!(
                    "email: on, via {} ({}), from {}",
                    mail.smtp.redacted(),
                    mail.smtp.security.describe(),
                    mail.from
                ),
                None => println!(
                    "email: off (no GOGOTIME_SMTP_URL): invitation links are shown to admins only, and passwords are reset with `gogotime user reset-password`"
                ),
            }
            for warning in warnings {
                eprintln!("warning: {warning}");
            }
            ExitCode::SUCCESS
        }
        Err(errors) => {
            eprint!("error: {errors}");
            ExitCode::from(EXIT_CONFIG)
        }
    }
}
