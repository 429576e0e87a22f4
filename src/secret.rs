//! Random secrets for `gogotime secret generate` and the development fallback.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;

/// 32 bytes from the operating system's generator, URL-safe base64 without padding (43 chars).
pub fn generate() -> String {
    let mut bytes = [0u8; 32];
    // ThreadRng is a CSPRNG reseeded from the OS
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_are_43_url_safe_chars_and_differ() {
        let (a, b) = (super::generate(), super::generate());
        assert_eq!(a.len(), 43);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_ne!(a, b);
    }
}
