//! The signed-in person's own pages: profile, password, two-factor sign-in, API tokens (with
//! the calendar feed) and sessions. Each calls the service the `/api/v1/me` endpoints call.

mod calendar_feed;
mod email;
mod identities;
mod passkeys;
mod profile;
mod sessions;
mod tokens;
mod two_factor;

use axum::Router;
use axum::response::Response;
use axum::routing::{get, post};

use super::session;
use crate::http::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/account/profile",
            get(profile::profile_get).post(profile::profile_post),
        )
        .route("/account/email", post(email::email_post))
        .route(
            "/account/email-verification",
            post(email::email_verification_post),
        )
        .route(
            "/account/password",
            get(profile::password_get).post(profile::password_post),
        )
        .route("/account/two-factor", get(two_factor::two_factor_get))
        .route(
            "/account/two-factor/start",
            post(two_factor::two_factor_start_post),
        )
        .route(
            "/account/two-factor/confirm",
            post(two_factor::two_factor_confirm_post),
        )
        .route(
            "/account/two-factor/recovery-codes",
            post(two_factor::recovery_codes_post),
        )
        .route(
            "/account/two-factor/disable",
            post(two_factor::two_factor_disable_post),
        )
        .route(
            "/account/passkeys",
            get(passkeys::passkeys_get).post(passkeys::passkey_add_post),
        )
        .route(
            "/account/passkeys/options",
            post(passkeys::passkey_options_post),
        )
        .route(
            "/account/passkeys/{id}/rename",
            post(passkeys::passkey_rename_post),
        )
        .route(
            "/account/passkeys/{id}/remove",
            post(passkeys::passkey_remove_post),
        )
        .route("/account/identities", get(identities::identities_get))
        .route(
            "/account/identities/{id}/disconnect",
            post(identities::identity_disconnect_post),
        )
        .route(
            "/account/tokens",
            get(tokens::tokens_get).post(tokens::token_create_post),
        )
        .route(
            "/account/tokens/{id}/revoke",
            post(tokens::token_revoke_post),
        )
        .route(
            "/account/calendar-feed",
            post(calendar_feed::calendar_feed_post),
        )
        .route(
            "/account/calendar-feed/revoke",
            post(calendar_feed::calendar_feed_revoke_post),
        )
        .route("/account/sessions", get(sessions::sessions_get))
        .route(
            "/account/sessions/{id}/revoke",
            post(sessions::session_revoke_post),
        )
        .route(
            "/account/sessions/revoke-all",
            post(sessions::sessions_revoke_all_post),
        )
}

/// To the sign-in page with `notice`, the session cookie dropped: for when the viewer's own
/// session has just ended (password changed, signed out everywhere).
fn signed_out(notice: &str, secure: bool) -> Response {
    let mut response = session::redirect_with_notice("/sign-in", notice, secure);
    crate::http::cookies::clear_session(&mut response, secure);
    response
}
