//! Cookies, for the API and the pages alike: the session cookie's name, the one cookie parser
//! and the one writer, which gives every cookie of ours the same attributes. A leaf of `http`:
//! it imports nothing of ours, so `api` and `web` can both use it without reaching into each
//! other.

use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;

/// The session cookie's name; the `__Host-` prefix (https only) pins it to our origin.
pub fn session_name(secure: bool) -> &'static str {
    if secure {
        "__Host-gogotime_session"
    } else {
        "gogotime_session"
    }
}

/// The value of the request's cookie called `name`, from any of its `Cookie` headers.
pub fn get<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Adds a cookie to `response`: for the whole site, hidden from scripts, not sent along with
/// cross-site posts, and over https only when `secure`. `max_age_seconds` 0 deletes it. A value
/// that is not a valid header (it never is: callers pass tokens and encoded text) is skipped.
pub fn set(response: &mut Response, name: &str, value: &str, max_age_seconds: i64, secure: bool) {
    write(response, name, value, max_age_seconds, secure, "Lax");
}

fn write(
    response: &mut Response,
    name: &str,
    value: &str,
    max_age_seconds: i64,
    secure: bool,
    same_site: &str,
) {
    let secure = if secure { "; Secure" } else { "" };
    let cookie = format!(
        "{name}={value}; Max-Age={max_age_seconds}; Path=/; HttpOnly; SameSite={same_site}{secure}"
    );
    if let Ok(cookie) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
}

/// The cookie of a sign-in waiting for its second factor; `__Host-` as the session's.
pub fn challenge_name(secure: bool) -> &'static str {
    if secure {
        "__Host-gogotime_sign_in"
    } else {
        "gogotime_sign_in"
    }
}

/// Holds a sign-in challenge for its few minutes. `Strict`: no other site's link or form ever
/// carries it (the code page is only reached from our own sign-in form).
pub fn set_challenge(response: &mut Response, token: &str, max_age_seconds: i64, secure: bool) {
    let name = challenge_name(secure);
    write(response, name, token, max_age_seconds, secure, "Strict");
}

pub fn clear_challenge(response: &mut Response, secure: bool) {
    write(response, challenge_name(secure), "", 0, secure, "Strict");
}

/// The cookie binding a single sign-on to the browser that started it (the token of its
/// `state`, `nonce` and PKCE verifier); `__Host-` as the session's.
pub fn sso_login_name(secure: bool) -> &'static str {
    if secure {
        "__Host-gogotime_sso"
    } else {
        "gogotime_sso"
    }
}

/// The cookie of a provider identity waiting for the existing account's password.
pub fn sso_link_name(secure: bool) -> &'static str {
    if secure {
        "__Host-gogotime_sso_link"
    } else {
        "gogotime_sso_link"
    }
}

/// Sets or (with `max_age_seconds` 0) deletes a single sign-on cookie. `Lax`, not `Strict`:
/// the provider sends the browser back with a cross-site top-level GET, which must carry it.
pub fn set_sso(
    response: &mut Response,
    name: &str,
    token: &str,
    max_age_seconds: i64,
    secure: bool,
) {
    write(response, name, token, max_age_seconds, secure, "Lax");
}

/// Signs the browser in: the session cookie with the session's token.
pub fn set_session(response: &mut Response, token: &str, max_age_seconds: i64, secure: bool) {
    set(
        response,
        session_name(secure),
        token,
        max_age_seconds,
        secure,
    );
}

/// Signs the browser out.
pub fn clear_session(response: &mut Response, secure: bool) {
    set(response, session_name(secure), "", 0, secure);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_cookie_among_several_headers_and_pairs() {
        let mut headers = HeaderMap::new();
        headers.append(COOKIE, "a=1; gogotime_session=abc".parse().unwrap());
        headers.append(COOKIE, "b=2".parse().unwrap());
        assert_eq!(get(&headers, "gogotime_session"), Some("abc"));
        assert_eq!(get(&headers, "b"), Some("2"));
        assert_eq!(get(&headers, "gogotime"), None);
    }
}
