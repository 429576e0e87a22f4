//! Cookies of a request, read once for the API and the pages: the session cookie's name and the
//! one cookie parser. A leaf of `http`: it imports nothing of ours, so `api` and `web` can both
//! use it without reaching into each other.

use axum::http::HeaderMap;
use axum::http::header::COOKIE;

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
