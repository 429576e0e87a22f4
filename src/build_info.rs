//! What this binary is. Both values are set by build.rs, from one source each, so that
//! `gogotime --version`, `/api/system/version`, `gogotime_build_info` and the image's OCI labels
//! (the same build arguments) always agree.

/// The release version: the image's `VERSION` build argument, or Cargo.toml's version.
pub const VERSION: &str = env!("GOGOTIME_VERSION");

/// `GOGOTIME_GIT_COMMIT` or `git rev-parse --short=12 HEAD`; "unknown" outside a checkout.
pub const COMMIT: &str = env!("GOGOTIME_GIT_COMMIT");

/// `gogotime --version` prints "gogotime" and this.
pub const VERSION_LINE: &str = concat!(
    env!("GOGOTIME_VERSION"),
    " (commit ",
    env!("GOGOTIME_GIT_COMMIT"),
    ")"
);
