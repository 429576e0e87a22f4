//! The JSON API under `/api/v1`. Handlers are thin: extract, call `service`, serialize.

mod auth;
pub mod authn;
mod catalog;
pub mod doc;
mod email;
mod entries;
pub mod exports;
pub mod extract;
pub mod imports;
mod me;
mod organizations;
mod params;
mod passkeys;
mod reports;
mod sso;
mod two_factor;

use axum::Router;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::state::AppState;

/// The `/api/v1` router and the OpenAPI document assembled from the same handler list, so the
/// document cannot miss a route; and, apart, the upload routes, which accept bodies up to
/// `import::MAX_BYTES` and so are mounted (under `/api/v1`) outside the general body limit. The
/// document covers both.
pub fn routers() -> (Router<AppState>, utoipa::openapi::OpenApi, Router<AppState>) {
    let (uploads, uploads_api) = OpenApiRouter::new()
        .routes(routes!(imports::imports_post))
        .split_for_parts();
    let (router, mut api) = OpenApiRouter::with_openapi(doc::base())
        .routes(routes!(auth::register))
        .routes(routes!(auth::token))
        .routes(routes!(auth::refresh))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::password_reset_request))
        .routes(routes!(auth::password_reset_confirm))
        .routes(routes!(email::email_verification_confirm))
        .routes(routes!(auth::session_sign_in, auth::session_sign_out))
        .routes(routes!(me::me_get, me::me_patch))
        .routes(routes!(me::password_post))
        .routes(routes!(email::email_post))
        .routes(routes!(email::email_verification_post))
        .routes(routes!(email::security_events_get))
        .routes(routes!(me::api_tokens_get, me::api_tokens_post))
        .routes(routes!(me::api_token_delete))
        .routes(routes!(me::sessions_get))
        .routes(routes!(me::sessions_revoke_all))
        .routes(routes!(me::session_delete))
        .routes(routes!(
            two_factor::two_factor_get,
            two_factor::two_factor_post
        ))
        .routes(routes!(two_factor::two_factor_confirm))
        .routes(routes!(two_factor::recovery_codes_post))
        .routes(routes!(two_factor::two_factor_disable))
        .routes(routes!(passkeys::passkeys_get, passkeys::passkeys_post))
        .routes(routes!(passkeys::passkey_options_post))
        .routes(routes!(passkeys::passkey_delete, passkeys::passkey_patch))
        .routes(routes!(passkeys::sign_in_options_post))
        .routes(routes!(passkeys::passkey_token_post))
        .routes(routes!(
            organizations::organizations_get,
            organizations::organizations_post
        ))
        .routes(routes!(
            organizations::organization_get,
            organizations::organization_patch,
            organizations::organization_delete
        ))
        .routes(routes!(sso::sso_get, sso::sso_put, sso::sso_delete))
        .routes(routes!(sso::sso_password_sign_in_put))
        .routes(routes!(organizations::members_get))
        .routes(routes!(
            organizations::member_patch,
            organizations::member_delete
        ))
        .routes(routes!(
            organizations::invitations_get,
            organizations::invitations_post
        ))
        .routes(routes!(organizations::invitation_delete))
        .routes(routes!(organizations::audit_log_get))
        .routes(routes!(organizations::invitation_accept))
        .routes(routes!(catalog::clients_get, catalog::clients_post))
        .routes(routes!(
            catalog::client_get,
            catalog::client_patch,
            catalog::client_delete
        ))
        .routes(routes!(catalog::projects_get, catalog::projects_post))
        .routes(routes!(
            catalog::project_get,
            catalog::project_patch,
            catalog::project_delete
        ))
        .routes(routes!(
            catalog::project_members_get,
            catalog::project_members_post
        ))
        .routes(routes!(catalog::project_member_delete))
        .routes(routes!(catalog::tasks_get, catalog::tasks_post))
        .routes(routes!(
            catalog::task_get,
            catalog::task_patch,
            catalog::task_delete
        ))
        .routes(routes!(catalog::tags_get, catalog::tags_post))
        .routes(routes!(
            catalog::tag_get,
            catalog::tag_patch,
            catalog::tag_delete
        ))
        .routes(routes!(
            entries::entries_get,
            entries::entries_post,
            entries::entries_patch,
            entries::entries_delete
        ))
        .routes(routes!(entries::recalculate_post))
        .routes(routes!(
            entries::entry_get,
            entries::entry_patch,
            entries::entry_delete
        ))
        .routes(routes!(entries::entry_restore))
        .routes(routes!(entries::entry_continue))
        .routes(routes!(entries::timer_get))
        .routes(routes!(entries::timer_start))
        .routes(routes!(entries::timer_stop))
        .routes(routes!(reports::summary_get))
        .routes(routes!(reports::detailed_get))
        .routes(routes!(reports::weekly_get))
        .routes(routes!(exports::entries_csv_get))
        .routes(routes!(exports::entries_json_get))
        .routes(routes!(exports::entries_xlsx_get))
        .routes(routes!(exports::summary_pdf_get))
        .routes(routes!(
            exports::calendar_feed_post,
            exports::calendar_feed_delete
        ))
        .routes(routes!(reports::saved_get, reports::saved_post))
        .routes(routes!(reports::saved_delete))
        .routes(routes!(reports::shared_get, reports::shared_post))
        .routes(routes!(reports::shared_delete))
        .routes(routes!(reports::public_get))
        .routes(routes!(entries::rates_get))
        .routes(routes!(entries::rate_default_put))
        .routes(routes!(entries::rate_member_put))
        .routes(routes!(entries::rate_project_put))
        .routes(routes!(entries::rate_project_member_put))
        .split_for_parts();
    api.merge(uploads_api);
    doc::finish(&mut api, "/api/v1");
    (router, api, uploads)
}
