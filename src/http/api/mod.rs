//! The JSON API under `/api/v1`. Handlers are thin: extract, call `service`, serialize.

mod auth;
pub mod authn;
mod catalog;
mod entries;
pub mod extract;
mod me;
mod organizations;

use axum::Router;
use axum::routing::{delete, get, patch, post, put};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/register", post(auth::register))
        .route("/auth/token", post(auth::token))
        .route("/auth/refresh", post(auth::refresh))
        .route("/auth/logout", post(auth::logout))
        .route(
            "/auth/session",
            post(auth::session_create).delete(auth::session_delete),
        )
        .route("/me", get(me::me_get).patch(me::me_patch))
        .route("/me/password", post(me::password_post))
        .route(
            "/me/api-tokens",
            get(me::api_tokens_get).post(me::api_tokens_post),
        )
        .route("/me/api-tokens/{id}", delete(me::api_token_delete))
        .route("/me/sessions", get(me::sessions_get))
        .route("/me/sessions/revoke-all", post(me::sessions_revoke_all))
        .route("/me/sessions/{id}", delete(me::session_delete))
        .route(
            "/organizations",
            get(organizations::organizations_get).post(organizations::organizations_post),
        )
        .route(
            "/organizations/{org_id}",
            get(organizations::organization_get)
                .patch(organizations::organization_patch)
                .delete(organizations::organization_delete),
        )
        .route(
            "/organizations/{org_id}/members",
            get(organizations::members_get),
        )
        .route(
            "/organizations/{org_id}/members/{user_id}",
            patch(organizations::member_patch).delete(organizations::member_delete),
        )
        .route(
            "/organizations/{org_id}/invitations",
            get(organizations::invitations_get).post(organizations::invitations_post),
        )
        .route(
            "/organizations/{org_id}/invitations/{id}",
            delete(organizations::invitation_delete),
        )
        .route(
            "/organizations/{org_id}/audit-log",
            get(organizations::audit_log_get),
        )
        .route(
            "/invitations/{token}/accept",
            post(organizations::invitation_accept),
        )
        .nest("/organizations/{org_id}", catalog_router())
}

fn catalog_router() -> Router<AppState> {
    Router::new()
        .route(
            "/clients",
            get(catalog::clients_get).post(catalog::clients_post),
        )
        .route(
            "/clients/{id}",
            get(catalog::client_get)
                .patch(catalog::client_patch)
                .delete(catalog::client_delete),
        )
        .route(
            "/projects",
            get(catalog::projects_get).post(catalog::projects_post),
        )
        .route(
            "/projects/{id}",
            get(catalog::project_get)
                .patch(catalog::project_patch)
                .delete(catalog::project_delete),
        )
        .route(
            "/projects/{id}/members",
            get(catalog::project_members_get).post(catalog::project_members_post),
        )
        .route(
            "/projects/{id}/members/{user_id}",
            delete(catalog::project_member_delete),
        )
        .route(
            "/projects/{id}/tasks",
            get(catalog::tasks_get).post(catalog::tasks_post),
        )
        .route(
            "/projects/{id}/tasks/{task_id}",
            get(catalog::task_get)
                .patch(catalog::task_patch)
                .delete(catalog::task_delete),
        )
        .route("/tags", get(catalog::tags_get).post(catalog::tags_post))
        .route(
            "/tags/{id}",
            get(catalog::tag_get)
                .patch(catalog::tag_patch)
                .delete(catalog::tag_delete),
        )
        .route(
            "/time-entries",
            get(entries::entries_get)
                .post(entries::entries_post)
                .patch(entries::entries_patch)
                .delete(entries::entries_delete),
        )
        .route(
            "/time-entries/recalculate-rates",
            post(entries::recalculate_post),
        )
        .route(
            "/time-entries/{id}",
            get(entries::entry_get)
                .patch(entries::entry_patch)
                .delete(entries::entry_delete),
        )
        .route("/time-entries/{id}/continue", post(entries::entry_continue))
        .route("/timer", get(entries::timer_get))
        .route("/timer/start", post(entries::timer_start))
        .route("/timer/stop", post(entries::timer_stop))
        .route("/rates", get(entries::rates_get))
        .route("/rates/default", put(entries::rate_default_put))
        .route("/rates/members/{user_id}", put(entries::rate_member_put))
        .route(
            "/rates/projects/{project_id}",
            put(entries::rate_project_put),
        )
        .route(
            "/rates/projects/{project_id}/members/{user_id}",
            put(entries::rate_project_member_put),
        )
}
