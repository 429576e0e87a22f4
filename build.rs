//! Records the git commit for `/api/system/version` and `gogotime_build_info`.
//! Container builds have no `.git`: they pass `GOGOTIME_GIT_COMMIT` as a build argument.

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=GOGOTIME_GIT_COMMIT");
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs/heads");
    // sqlx::migrate! embeds the migration files but cannot tell cargo about a file added later:
    // watching the folder makes `cargo build` (and the dev stack) pick up a new migration.
    println!("cargo:rerun-if-changed=migrations");
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
    println!("cargo:rustc-env=GOGOTIME_GIT_COMMIT={}", commit.trim());
}
