//! Random tokens handed to clients and the SHA-256 digests we store instead of them.

use sha2::{Digest, Sha256};

/// A new random token with a recognisable prefix (so leaked tokens are easy to scan for).
pub fn new_token(prefix: &str) -> String {
    format!("{prefix}{}", crate::secret::generate())
}

pub fn digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

pub const API_TOKEN_PREFIX: &str = "ggt_";
pub const REFRESH_TOKEN_PREFIX: &str = "ggr_";
pub const INVITATION_PREFIX: &str = "ggi_";
pub const SESSION_PREFIX: &str = "ggs_";
pub const SHARED_REPORT_PREFIX: &str = "ggp_";
pub const CALENDAR_FEED_PREFIX: &str = "ggc_";
pub const PASSWORD_RESET_PREFIX: &str = "ggw_";
pub const SIGN_IN_CHALLENGE_PREFIX: &str = "ggf_";
pub const EMAIL_VERIFICATION_PREFIX: &str = "ggv_";
pub const SSO_LOGIN_PREFIX: &str = "ggo_";
pub const SSO_LINK_PREFIX: &str = "ggl_";
