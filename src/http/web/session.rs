//! Who is looking at a page. A signed-in person is a `Viewer`; anyone else asking for a page
//! that needs one is sent to the sign-in page and brought back afterwards.

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use chrono_tz::Tz;

use crate::domain::ids::SessionId;
use crate::error::AppError;
use crate::http::client_ip::client_ip;
use crate::http::cookies;
use crate::http::problem::HttpError;
use crate::http::state::AppState;
use crate::service::{Actor, sessions};

/// A short message for the next page after a redirect ("Timer stopped.").
const NOTICE_COOKIE: &str = "gogotime_notice";

pub struct Viewer {
    pub actor: Actor,
    pub session: SessionId,
    /// Every form posted with the session cookie must carry this in `_csrf`.
    pub csrf: String,
    pub tz: Tz,
    pub notice: String,
}

impl Viewer {
    pub fn name(&self) -> String {
        self.actor.user.name.clone()
    }
}

/// Where to send someone who must sign in first, remembering the page they wanted.
pub fn sign_in_redirect(parts: &Parts) -> Response {
    let wanted = if parts.method == axum::http::Method::GET {
        parts
            .uri
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_string()
    } else {
        "/".to_string()
    };
    let target = format!(
        "/sign-in?next={}",
        url::form_urlencoded::byte_serialize(wanted.as_bytes()).collect::<String>()
    );
    Redirect::to(&target).into_response()
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let name = cookies::session_name(state.ctx.settings.secure_cookies);
        let Some(token) = cookies::get(&parts.headers, name) else {
            return Err(sign_in_redirect(parts));
        };
        let ip = client_ip(parts);
        match sessions::authenticate(&state.ctx, token, &ip).await {
            Ok((actor, session, csrf)) => {
                let tz = actor.user.tz();
                Ok(Viewer {
                    actor,
                    session,
                    csrf,
                    tz,
                    notice: notice(&parts.headers),
                })
            }
            Err(AppError::Unauthorized) => Err(sign_in_redirect(parts)),
            Err(e) => Err(HttpError(e).into_response()),
        }
    }
}

pub fn notice(headers: &HeaderMap) -> String {
    cookies::get(headers, NOTICE_COOKIE)
        .and_then(|raw| {
            url::form_urlencoded::parse(format!("n={raw}").as_bytes())
                .next()
                .map(|(_, v)| v.chars().take(300).collect())
        })
        .unwrap_or_default()
}

/// The browser's `User-Agent`, shown in the list of sessions.
pub fn user_agent(headers: &HeaderMap) -> &str {
    headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// `response` with the viewer's session replaced by a fresh one, for a change that gave them
/// more access (`sessions::rotate`).
pub async fn with_rotated_session(
    state: &AppState,
    viewer: &Viewer,
    headers: &HeaderMap,
    mut response: Response,
) -> Result<Response, AppError> {
    let new = sessions::rotate(
        &state.ctx,
        &viewer.actor,
        viewer.session,
        user_agent(headers),
    )
    .await?;
    cookies::set_session(
        &mut response,
        &new.token,
        new.max_age_seconds,
        state.ctx.settings.secure_cookies,
    );
    Ok(response)
}

/// `303 See Other` to `to`, with a notice for the page it leads to.
pub fn redirect_with_notice(to: &str, notice: &str, secure: bool) -> Response {
    let mut response = Redirect::to(to).into_response();
    let notice: String = url::form_urlencoded::byte_serialize(notice.as_bytes()).collect();
    cookies::set(&mut response, NOTICE_COOKIE, &notice, 60, secure);
    response
}

/// Drops the notice once a page has shown it (added to every page answering a request that
/// carried one). Without `Secure`: a deletion needs only the name and path to match, and the
/// page renderer does not know the scheme.
pub fn clear_notice(response: &mut Response, request: &HeaderMap) {
    if cookies::get(request, NOTICE_COOKIE).is_some() {
        cookies::set(response, NOTICE_COOKIE, "", 0, false);
    }
}

/// The form token of anonymous pages (sign in, register, setup, invitation): a random value in
/// a cookie that the form must repeat, so another site cannot post these forms for a visitor.
pub const FORM_COOKIE: &str = "gogotime_form";

pub fn anonymous_form_token(headers: &HeaderMap) -> (String, bool) {
    match cookies::get(headers, FORM_COOKIE) {
        Some(token)
            if token.len() >= 32
                && token
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
        {
            (token.to_string(), false)
        }
        _ => (crate::secret::generate(), true),
    }
}

pub fn set_form_cookie(response: &mut Response, token: &str, secure: bool) {
    cookies::set(response, FORM_COOKIE, token, 86400, secure);
}
