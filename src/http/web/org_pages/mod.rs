//! Running an organization: its members and invitations (`members`) and its settings
//! (`settings`). Pages only show and send; who may do what, and rules such as "an organization
//! keeps an owner", are the service's.

mod members;
mod settings;
mod sso;

use axum::Router;
use axum::routing::{get, post};

use super::form::FormErrors;
use crate::error::AppError;
use crate::http::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/o/{org}/members", get(members::members_get))
        .route(
            "/o/{org}/members/{user}/role",
            post(members::member_role_post),
        )
        .route(
            "/o/{org}/members/{user}/remove",
            post(members::member_remove_post),
        )
        .route(
            "/o/{org}/invitations",
            post(members::invitation_create_post),
        )
        .route(
            "/o/{org}/invitations/{id}/revoke",
            post(members::invitation_revoke_post),
        )
        .route(
            "/o/{org}/settings",
            get(settings::settings_get).post(settings::settings_post),
        )
        .route(
            "/o/{org}/settings/sso",
            get(sso::sso_settings_get).post(sso::sso_settings_post),
        )
        .route("/o/{org}/settings/sso/remove", post(sso::sso_remove_post))
        .route(
            "/o/{org}/settings/sso/password-sign-in",
            post(sso::sso_password_sign_in_post),
        )
        .route("/o/{org}/delete", post(settings::organization_delete_post))
}

/// The errors a person can fix in the form. A refusal is not one of them: it gets the 403
/// page, as the form was not offered to them in the first place.
fn fixable(error: AppError) -> Result<FormErrors, AppError> {
    match error {
        e @ AppError::Forbidden(_) => Err(e),
        other => FormErrors::from_error(other),
    }
}
