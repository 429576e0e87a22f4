//! What this binary is: version from Cargo, commit from the build environment.

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Set by build.rs from `GOGOTIME_GIT_COMMIT` or `git rev-parse`; "unknown" outside a checkout.
pub const COMMIT: &str = env!("GOGOTIME_GIT_COMMIT");
