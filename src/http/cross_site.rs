//! Cross-site writes refused before any handler runs. A browser names the site a request comes
//! from in `Origin` (older ones only in `Referer`); a state-changing request that carries our
//! cookies from another site is refused whatever token it holds: OWASP's "verify the source
//! origin", in front of the CSRF tokens. Requests without cookies (API clients with a bearer
//! token) and requests that name no source (clients other than browsers) pass through.

use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, COOKIE, HOST, ORIGIN, REFERER};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use url::Url;

use crate::error::AppError;
use crate::http::problem::HttpError;
use crate::http::state::AppState;

pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if let Some(source) = foreign_source(
        request.method(),
        request.headers(),
        &state.config.http.public_url,
    ) {
        return HttpError(AppError::Forbidden(format!(
            "This request came from another site ({source}) and was refused. Open GoGoTime at its own address and try again."
        )))
        .into_response();
    }
    next.run(request).await
}

/// The other site a cookie-carrying write comes from, or `None` when it may pass.
fn foreign_source(method: &Method, headers: &HeaderMap, public_url: &Url) -> Option<String> {
    if method.is_safe() || !headers.contains_key(COOKIE) || headers.contains_key(AUTHORIZATION) {
        return None;
    }
    let named = headers
        .get(ORIGIN)
        .or_else(|| headers.get(REFERER))?
        .to_str()
        .unwrap_or("null");
    let Ok(source) = Url::parse(named) else {
        // "null" (sandboxed frames, privacy redirects) or garbage: no site vouches for it
        return Some(named.chars().take(100).collect());
    };
    let same = source.origin() == public_url.origin() || same_host(&source, headers);
    (!same).then(|| source.origin().ascii_serialization())
}

/// Whether `source` names the host the request was sent to (the `Host` header, which the
/// reverse proxy passes on): TLS may end in front of us, so the scheme is not compared.
fn same_host(source: &Url, headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let Some(name) = source.host_str() else {
        return false;
    };
    let authority = match source.port() {
        Some(port) => format!("{name}:{port}"),
        None => name.to_string(),
    };
    host.eq_ignore_ascii_case(&authority)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(method: Method, pairs: &[(&str, &str)]) -> Option<String> {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(
                axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
        }
        let public = Url::parse("https://time.example.com").unwrap();
        foreign_source(&method, &headers, &public)
    }

    #[test]
    fn another_sites_cookie_write_is_refused_and_our_own_passes() {
        let cookie = ("cookie", "gogotime_session=abc");
        let host = ("host", "time.example.com");
        assert_eq!(
            check(
                Method::POST,
                &[cookie, host, ("origin", "https://evil.example")]
            ),
            Some("https://evil.example".into())
        );
        assert_eq!(
            check(
                Method::DELETE,
                &[cookie, host, ("referer", "https://evil.example/page")]
            ),
            Some("https://evil.example".into())
        );
        assert_eq!(
            check(Method::POST, &[cookie, host, ("origin", "null")]),
            Some("null".into())
        );
        assert_eq!(
            check(
                Method::POST,
                &[cookie, host, ("origin", "https://time.example.com")]
            ),
            None
        );
        // the address a developer opened, not the configured public URL
        assert_eq!(
            check(
                Method::POST,
                &[
                    cookie,
                    ("host", "127.0.0.1:8080"),
                    ("origin", "http://127.0.0.1:8080")
                ]
            ),
            None
        );
        assert_eq!(
            check(
                Method::POST,
                &[
                    cookie,
                    ("host", "127.0.0.1:8080"),
                    ("origin", "http://127.0.0.1:9999")
                ]
            ),
            Some("http://127.0.0.1:9999".into())
        );
    }

    #[test]
    fn reads_bearer_calls_and_clients_that_name_no_site_pass() {
        let evil = ("origin", "https://evil.example");
        let cookie = ("cookie", "gogotime_session=abc");
        assert_eq!(check(Method::GET, &[cookie, evil]), None);
        assert_eq!(check(Method::POST, &[evil]), None);
        assert_eq!(
            check(
                Method::POST,
                &[cookie, evil, ("authorization", "Bearer gg_x")]
            ),
            None
        );
        assert_eq!(check(Method::POST, &[cookie]), None);
    }
}
