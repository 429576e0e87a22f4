//! HTML pages. Each handler calls the same `service` functions as the API and renders an
//! askama template through `page::html`, which adds the `no-cache` + ETag revalidation every
//! page uses. Every form works without JavaScript; `static/app.js` only adds comfort.

mod account_pages;
pub mod api_docs;
mod auth_pages;
mod catalog_pages;
mod email_verification_pages;
pub mod error_page;
mod form;
mod format;
mod import_page;
mod org;
mod org_pages;
mod page;
mod page_error;
mod passkey_sign_in;
mod password_reset_pages;
mod reports_page;
mod session;
mod sign_in_code;
mod sso_instance_pages;
mod sso_pages;
pub mod status;
mod tracking;

use axum::Router;
use axum::routing::{get, post};

use crate::http::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(auth_pages::start_page))
        .route("/system/status", get(status::status_get))
        .route(
            "/setup",
            get(auth_pages::setup_get).post(auth_pages::setup_post),
        )
        .route(
            "/sign-in",
            get(auth_pages::sign_in_get).post(auth_pages::sign_in_post),
        )
        .route(
            "/sign-in/two-factor",
            get(sign_in_code::sign_in_code_get).post(sign_in_code::sign_in_code_post),
        )
        .merge(passkey_sign_in::routes())
        .route(
            "/sign-in/sso",
            get(sso_pages::sso_find_get).post(sso_pages::sso_find_post),
        )
        // static segments win over `{org}`, and no organization id is `instance`
        .route(
            "/sso/instance",
            get(sso_instance_pages::sso_instance_start_get),
        )
        .route(
            "/sso/instance/callback",
            get(sso_instance_pages::sso_instance_callback_get),
        )
        .route(
            "/sso/instance/link",
            get(sso_instance_pages::sso_instance_link_get)
                .post(sso_instance_pages::sso_instance_link_post),
        )
        .route("/sso/{org}", get(sso_pages::sso_start_get))
        .route("/sso/{org}/callback", get(sso_pages::sso_callback_get))
        .route("/sso/{org}/required", get(sso_pages::sso_required_get))
        .route(
            "/sso/{org}/link",
            get(sso_pages::sso_link_get).post(sso_pages::sso_link_post),
        )
        .route("/sign-out", post(auth_pages::sign_out_post))
        .route(
            "/forgot-password",
            get(password_reset_pages::forgot_password_get)
                .post(password_reset_pages::forgot_password_post),
        )
        .route(
            "/reset-password/{token}",
            get(password_reset_pages::reset_password_get)
                .post(password_reset_pages::reset_password_post),
        )
        .route(
            "/verify-email/{token}",
            get(email_verification_pages::verify_email_get)
                .post(email_verification_pages::verify_email_post),
        )
        .route(
            "/register",
            get(auth_pages::register_get).post(auth_pages::register_post),
        )
        .route(
            "/invite/{token}",
            get(auth_pages::invite_get).post(auth_pages::invite_post),
        )
        .route(
            "/orgs/new",
            get(auth_pages::new_org_get).post(auth_pages::new_org_post),
        )
        .merge(tracking::routes())
        .merge(reports_page::routes())
        .merge(org_pages::routes())
        .merge(account_pages::routes())
        .merge(catalog_pages::routes())
        .merge(import_page::routes())
}

/// Pages that accept uploads larger than the general body limit (the import wizard's upload).
pub fn upload_routes() -> Router<AppState> {
    import_page::upload_routes()
}
