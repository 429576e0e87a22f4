//! Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP) as authenticator apps make
//! them: HMAC-SHA-1, 6 digits, 30-second steps; and the single-use recovery codes that stand in
//! for a lost phone. Pure: the caller supplies the secret, the time and the last step accepted.

use hmac::{Hmac, Mac};
use sha1::Sha1;
use subtle::ConstantTimeEq;

pub const DIGITS: u32 = 6;
pub const STEP_SECONDS: i64 = 30;
/// Steps accepted either side of now, for clocks that drift a little (RFC 6238 §5.2).
pub const SKEW_STEPS: i64 = 1;
/// 160 bits, the HMAC-SHA-1 block size RFC 4226 §4 recommends.
pub const SECRET_BYTES: usize = 20;
pub const ISSUER: &str = "GoGoTime";

/// The time step of a Unix time.
pub fn step_at(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// The code of one time step (RFC 4226 §5.3 dynamic truncation).
pub fn code_at_step(secret: &[u8], step: i64) -> String {
    // an HMAC key of any length is accepted; `new_from_slice` cannot fail for HMAC
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else {
        unreachable!("HMAC takes keys of any length")
    };
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[19] & 0x0f);
    let word = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    format!(
        "{:0width$}",
        word % 10u32.pow(DIGITS),
        width = DIGITS as usize
    )
}

/// The step whose code `code` is, within `SKEW_STEPS` of `unix_seconds` and later than
/// `last_step` (a code already accepted, or an older one, is refused: no replay).
pub fn accepted_step(secret: &[u8], code: &str, unix_seconds: i64, last_step: i64) -> Option<i64> {
    let code = normalize_code(code)?;
    let now = step_at(unix_seconds);
    // every candidate is computed and compared in constant time, so timing does not tell which
    let mut found = None;
    for step in (now - SKEW_STEPS)..=(now + SKEW_STEPS) {
        let matches: bool = code_at_step(secret, step)
            .as_bytes()
            .ct_eq(code.as_bytes())
            .into();
        if matches && step > last_step && found.is_none() {
            found = Some(step);
        }
    }
    found
}

/// The six digits of `input` with spaces dropped ("123 456" as apps show it), or `None` when
/// it cannot be a code.
pub fn normalize_code(input: &str) -> Option<String> {
    let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    (digits.len() == DIGITS as usize && digits.bytes().all(|b| b.is_ascii_digit()))
        .then_some(digits)
}

/// RFC 4648 base32 without padding, the form authenticator apps take a secret in.
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    for chunk in bytes.chunks(5) {
        let mut block = [0u8; 5];
        block[..chunk.len()].copy_from_slice(chunk);
        let bits = block.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        let chars = (chunk.len() * 8).div_ceil(5);
        for i in 0..chars {
            let index = (bits >> (35 - 5 * i)) & 0x1f;
            out.push(char::from(ALPHABET[index as usize]));
        }
    }
    out
}

/// The `otpauth://` URI of a secret (Google Authenticator's key URI format, which every app
/// reads): issuer GoGoTime, the account named by its email.
pub fn otpauth_uri(secret: &[u8], email: &str) -> String {
    let label: String =
        url::form_urlencoded::byte_serialize(format!("{ISSUER}:{email}").as_bytes())
            // a space in a path is %20, not the form encoding's +
            .map(|part| part.replace('+', "%20"))
            .collect();
    format!(
        "otpauth://totp/{label}?secret={}&issuer={ISSUER}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        base32(secret)
    )
}

/// Recovery codes handed out at once; each works one time.
pub const RECOVERY_CODES: usize = 10;
/// Letters and digits that cannot be mistaken for one another when copied by hand.
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// A recovery code of two groups of five characters, `xxxxx-xxxxx` (about 49 bits); `pick(n)`
/// must return a uniformly random index below `n` (the caller owns the randomness).
pub fn recovery_code(mut pick: impl FnMut(usize) -> usize) -> String {
    let mut code = String::with_capacity(11);
    for i in 0..10 {
        if i == 5 {
            code.push('-');
        }
        let index = pick(RECOVERY_ALPHABET.len()) % RECOVERY_ALPHABET.len();
        code.push(char::from(RECOVERY_ALPHABET[index]));
    }
    code
}

/// A recovery code as typed (any case, with or without the dash and spaces), in the form its
/// digest was taken of; `None` when it cannot be one.
pub fn normalize_recovery_code(input: &str) -> Option<String> {
    let plain: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (plain.len() == 10 && plain.bytes().all(|b| RECOVERY_ALPHABET.contains(&b)))
        .then(|| format!("{}-{}", &plain[..5], &plain[5..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B: the SHA-1 secret is the ASCII of "12345678901234567890"; the
    /// 8-digit codes given there end in these 6 digits.
    #[test]
    fn codes_match_the_rfc_6238_test_vectors() {
        let secret = b"12345678901234567890";
        for (time, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
            (20_000_000_000, "353130"),
        ] {
            assert_eq!(code_at_step(secret, step_at(time)), code, "at {time}");
        }
    }

    #[test]
    fn a_code_is_accepted_one_step_either_side_and_never_again() {
        let secret = b"12345678901234567890";
        let now = 1_111_111_111;
        let step = step_at(now);
        for offset in [-1, 0, 1] {
            let code = code_at_step(secret, step + offset);
            assert_eq!(accepted_step(secret, &code, now, 0), Some(step + offset));
            assert_eq!(accepted_step(secret, &code, now, step + offset), None);
        }
        for offset in [-2, 2] {
            let code = code_at_step(secret, step + offset);
            assert_eq!(accepted_step(secret, &code, now, 0), None, "{offset} steps");
        }
        let spaced = code_at_step(secret, step);
        let spaced = format!("{} {}", &spaced[..3], &spaced[3..]);
        assert_eq!(accepted_step(secret, &spaced, now, 0), Some(step));
        assert_eq!(accepted_step(secret, "12345", now, 0), None);
        assert_eq!(accepted_step(secret, "abcdef", now, 0), None);
    }

    #[test]
    fn base32_follows_rfc_4648() {
        for (raw, encoded) in [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32(raw.as_bytes()), encoded);
        }
    }

    #[test]
    fn the_uri_names_issuer_and_account() {
        let uri = otpauth_uri(b"12345678901234567890", "ada lovelace@example.org");
        assert_eq!(
            uri,
            "otpauth://totp/GoGoTime%3Aada%20lovelace%40example.org?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=GoGoTime&algorithm=SHA1&digits=6&period=30"
        );
    }

    #[test]
    fn recovery_codes_read_back_in_any_case_and_spacing() {
        let mut next = 0;
        let code = recovery_code(|_| {
            next += 1;
            next - 1
        });
        assert_eq!(code, "abcde-fghjk");
        assert_eq!(
            normalize_recovery_code(" ABCDE FGHJK ").as_deref(),
            Some("abcde-fghjk")
        );
        assert_eq!(
            normalize_recovery_code("abcdefghjk").as_deref(),
            Some("abcde-fghjk")
        );
        assert_eq!(normalize_recovery_code("abcde-fghj1"), None);
        assert_eq!(normalize_recovery_code("123456"), None);
    }
}
