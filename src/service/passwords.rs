//! Argon2id hashing, off the async threads (it is deliberately slow).

use std::sync::LazyLock;

use anyhow::Context;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::AppError;

/// OWASP's first recommended argon2id setting: 19 MiB, 2 passes, 1 lane.
pub const MEMORY_KIB: u32 = 19 * 1024;
pub const ITERATIONS: u32 = 2;
pub const PARALLELISM: u32 = 1;

fn argon2() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None)
        .expect("constant argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Verified against when the account does not exist, so a wrong email costs as long as a
/// wrong password and the timing does not tell which one it was.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_blocking("not a real password").unwrap_or_default());

pub fn hash_blocking(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password failed: {e}"))
}

pub async fn hash(password: String) -> Result<String, AppError> {
    Ok(
        tokio::task::spawn_blocking(move || hash_blocking(&password))
            .await
            .context("the hashing task failed")??,
    )
}

/// Checks a password against a stored hash, or against a dummy when there is none.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, AppError> {
    let ok = tokio::task::spawn_blocking(move || {
        let real = stored.is_some();
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.clone());
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return false;
        };
        argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
            && real
    })
    .await
    .context("the verification task failed")?;
    Ok(ok)
}

/// Computes the dummy hash now rather than during the first failed sign-in.
pub fn warm_up() {
    LazyLock::force(&DUMMY_HASH);
}
