//! `gogotime user create|reset-password|disable|reset-two-factor`.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;
use std::sync::Arc;

use super::{EXIT_CONFIG, EXIT_FAILURE, load};
use crate::cli::UserCommand;
use crate::clock::SystemClock;
use crate::config::EnvSnapshot;
use crate::db::{Db, migrate};
use crate::error::AppError;
use crate::service::{self, accounts};

pub async fn run(env: &EnvSnapshot, command: UserCommand) -> ExitCode {
    let (config, _) = match load(env, super::migrate::relevant) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let db = match Db::connect(&config.database).await {
        Ok(db) => db,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    match migrate::status(&db).await {
        Ok(status) if status.is_current() => {}
        Ok(_) => {
            eprintln!("error: the database schema is not current; run `gogotime migrate up` first");
            return ExitCode::from(EXIT_FAILURE);
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(EXIT_FAILURE);
        }
    }
    let ctx = service::Ctx {
        db: db.clone(),
        clock: Arc::new(SystemClock),
        settings: Arc::new(service::Settings::from_config(&config)),
        // a CLI run serves no metrics; its counters go nowhere
        metrics: Arc::default(),
        // nothing a CLI run queues needs waking: a running server's worker polls the outbox
        mail_wake: Arc::default(),
        oidc: Default::default(),
    };
    let result = match command {
        UserCommand::Create { email, name, admin } => match read_password() {
            Ok(password) => {
                let name =
                    name.unwrap_or_else(|| email.split('@').next().unwrap_or("").to_string());
                let input = accounts::Registration {
                    email,
                    password,
                    name,
                    time_zone: None,
                    organization_name: None,
                };
                accounts::create_by_operator(&ctx, input, admin)
                    .await
                    .map(|u| {
                        format!(
                            "created {} ({}){}",
                            u.email,
                            u.id,
                            if admin {
                                " as instance administrator"
                            } else {
                                ""
                            }
                        )
                    })
            }
            Err(code) => return code,
        },
        UserCommand::ResetPassword { email } => match read_password() {
            Ok(password) => accounts::reset_password_by_operator(&ctx, &email, &password)
                .await
                .map(|u| {
                    format!(
                        "password of {} reset; all their sessions and refresh tokens are revoked",
                        u.email
                    )
                }),
            Err(code) => return code,
        },
        UserCommand::Disable { email } => {
            accounts::disable_by_operator(&ctx, &email).await.map(|u| {
                format!(
                    "{} is disabled; their sessions and tokens no longer work",
                    u.email
                )
            })
        }
        UserCommand::ResetTwoFactor { email } => accounts::reset_two_factor_by_operator(&ctx, &email)
            .await
            .map(|u| {
                format!(
                    "two-factor sign-in of {} is off; they sign in with the password and may set it up again",
                    u.email
                )
            }),
    };
    db.close().await;
    match result {
        Ok(message) => {
            println!("{message}");
            ExitCode::SUCCESS
        }
        Err(AppError::Validation { fields, .. }) => {
            for (field, messages) in fields {
                for message in messages {
                    eprintln!("error: {field} {message}");
                }
            }
            ExitCode::from(EXIT_CONFIG)
        }
        Err(AppError::Internal(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(EXIT_FAILURE)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

/// Prompts twice without echo on a terminal; otherwise reads the first line of stdin.
fn read_password() -> Result<String, ExitCode> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("New password: ")
            .map_err(|_| ExitCode::from(EXIT_FAILURE))?;
        let second =
            rpassword::prompt_password("Repeat it: ").map_err(|_| ExitCode::from(EXIT_FAILURE))?;
        if first != second {
            eprintln!("error: the two passwords differ; nothing was changed");
            return Err(ExitCode::from(EXIT_CONFIG));
        }
        return Ok(first);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|_| ExitCode::from(EXIT_FAILURE))?;
    let password = line.trim_end_matches(['\n', '\r']).to_string();
    if password.is_empty() {
        eprintln!(
            "error: no password on standard input; pipe it in, or run in a terminal to be prompted"
        );
        return Err(ExitCode::from(EXIT_CONFIG));
    }
    Ok(password)
}
