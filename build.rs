//! Records what this binary is, for `gogotime --version`, `/api/system/version` and
//! `gogotime_build_info`:
//!
//! - the version: `GOGOTIME_VERSION` when set (the image's `VERSION` build argument, which also
//!   becomes its `org.opencontainers.image.version` label, so the two cannot disagree), otherwise
//!   Cargo.toml's version; it must be a semantic version;
//! - the commit: `GOGOTIME_GIT_COMMIT` (container builds have no `.git`), otherwise
//!   `git rev-parse`, otherwise "unknown".

use std::process::Command;

#[path = "src/release_version.rs"]
mod release_version;

fn main() {
    println!("cargo:rerun-if-env-changed=GOGOTIME_VERSION");
    println!("cargo:rerun-if-env-changed=GOGOTIME_GIT_COMMIT");
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs/heads");
    // sqlx::migrate! embeds the migration files but cannot tell cargo about a file added later:
    // watching the folder makes `cargo build` (and the dev stack) pick up a new migration.
    println!("cargo:rerun-if-changed=migrations");

    let version = std::env::var("GOGOTIME_VERSION")
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| env!("CARGO_PKG_VERSION").to_string());
    if let Err(problem) = release_version::check(&version) {
        eprintln!("error: GOGOTIME_VERSION (the image's VERSION build argument): {problem}");
        std::process::exit(1);
    }

    let commit = std::env::var("GOGOTIME_GIT_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty())
        .or_else(|| {
            let out = Command::new("git")
                .args(["rev-parse", "--short=12", "HEAD"])
                .output()
                .ok()?;
            out.status
                .success()
                .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=GOGOTIME_VERSION={version}");
    println!("cargo:rustc-env=GOGOTIME_GIT_COMMIT={}", commit.trim());
}
