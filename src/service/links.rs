//! The address links people follow start with: invitations, password resets, email
//! confirmations, shared reports, the calendar feed, an organization's single sign-on page.
//!
//! It is the configured public URL. In development without `GOGOTIME_PUBLIC_URL` it is the host
//! the current request was sent to instead, so a developer who opened GoGoTime on another port
//! or from another machine on the LAN gets links that work there. Production and staging never
//! look at `Host` (a forged header would otherwise put an attacker's address in a reset email),
//! and protocol addresses (the token issuer, passkeys' relying party, the single sign-on
//! callback a provider has registered) always use the configured URL.

use std::future::Future;

use super::Ctx;

tokio::task_local! {
    static REQUEST_ORIGIN: String;
}

/// The origin (`http://host[:port]`, no trailing slash) links are built on.
pub fn base(ctx: &Ctx) -> String {
    if ctx.settings.links_follow_host
        && let Ok(origin) = REQUEST_ORIGIN.try_with(Clone::clone)
    {
        return origin;
    }
    ctx.settings.public_url.clone()
}

/// Runs `work` (a request being served) with links built on `host`, when the instance builds
/// links from the request's host and `host` is a plain `name[:port]`; otherwise as it is.
pub async fn for_host<F: Future>(ctx: &Ctx, host: Option<&str>, work: F) -> F::Output {
    match host
        .filter(|_| ctx.settings.links_follow_host)
        .and_then(origin_of)
    {
        Some(origin) => REQUEST_ORIGIN.scope(origin, work).await,
        None => work.await,
    }
}

/// `http://` and the `Host` header, when it is a host name or address with an optional port
/// and nothing else (no user, path or stray characters to smuggle into a link).
fn origin_of(host: &str) -> Option<String> {
    let url = url::Url::parse(&format!("http://{host}")).ok()?;
    let plain = url.username().is_empty()
        && url.password().is_none()
        && url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none();
    let origin = url.origin().ascii_serialization();
    // the origin must say what the header said: no normalising away of surprises
    (plain && origin.eq_ignore_ascii_case(&format!("http://{host}"))).then_some(origin)
}

#[cfg(test)]
mod tests {
    use super::origin_of;

    #[test]
    fn a_host_with_or_without_a_port_is_an_origin_and_anything_else_is_not() {
        assert_eq!(
            origin_of("192.168.1.20:8080").as_deref(),
            Some("http://192.168.1.20:8080")
        );
        assert_eq!(
            origin_of("devbox.local").as_deref(),
            Some("http://devbox.local")
        );
        assert_eq!(
            origin_of("[::1]:3000").as_deref(),
            Some("http://[::1]:3000")
        );
        for forged in [
            "evil.example@localhost",
            "localhost/evil",
            "localhost:8080#x",
            "localhost?x",
            "",
            "local host",
        ] {
            assert_eq!(origin_of(forged), None, "{forged}");
        }
    }
}
