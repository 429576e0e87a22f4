//! `gogotime user create|reset-password` through the real binary, password on stdin.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::both_backends;
use crate::helpers::accounts::PASSWORD;
use crate::helpers::binary::BINARY;
use crate::helpers::{Backend, spawn_app};

both_backends!(operators_create_accounts_and_reset_passwords_from_the_command_line);

fn user_command(args: &[&str], database_url: &str, stdin: &str) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(BINARY)
        .args(args)
        .current_dir(dir.path())
        .env_clear()
        .env("DATABASE_URL", database_url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    )
}

async fn operators_create_accounts_and_reset_passwords_from_the_command_line(backend: Backend) {
    let app = spawn_app(backend).await;
    let url = app.database_url().to_string();
    let run = move |args: &'static [&'static str], stdin: &'static str| {
        let url = url.clone();
        tokio::task::spawn_blocking(move || user_command(args, &url, stdin))
    };

    let created = run(
        &["user", "create", "--email", "root@example.org", "--admin"],
        "correct horse battery staple\n",
    )
    .await
    .unwrap();
    let duplicate = run(
        &["user", "create", "--email", "ROOT@example.org"],
        "correct horse battery staple\n",
    )
    .await
    .unwrap();
    let weak = run(
        &["user", "create", "--email", "weak@example.org"],
        "short\n",
    )
    .await
    .unwrap();
    let (signed_in, _) = app.token_for("root@example.org", PASSWORD).await;
    let reset = run(
        &["user", "reset-password", "--email", "root@example.org"],
        "a brand new passphrase\n",
    )
    .await
    .unwrap();
    let unknown = run(
        &["user", "reset-password", "--email", "nobody@example.org"],
        "a brand new passphrase\n",
    )
    .await
    .unwrap();
    let (old, _) = app.token_for("root@example.org", PASSWORD).await;
    let (new, _) = app
        .token_for("root@example.org", "a brand new passphrase")
        .await;

    assert_eq!(created.0, 0, "{}", created.1);
    assert!(created.1.contains("as instance administrator"));
    assert_ne!(duplicate.0, 0);
    assert!(duplicate.1.contains("already exists"), "{}", duplicate.1);
    assert_eq!(weak.0, 2, "{}", weak.1);
    assert!(
        weak.1.contains("password must be at least 12 characters"),
        "{}",
        weak.1
    );
    assert_eq!(signed_in, 200);
    assert_eq!(reset.0, 0, "{}", reset.1);
    assert_ne!(unknown.0, 0);
    assert!(
        unknown.1.contains("no account with the email"),
        "{}",
        unknown.1
    );
    assert_eq!(old, 401);
    assert_eq!(new, 200);
}
