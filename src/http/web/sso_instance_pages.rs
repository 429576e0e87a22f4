//! The instance's single sign-on pages, configured by the operator (`GOGOTIME_SSO_*`):
//! `/sso/instance` (off to the provider), `/sso/instance/callback` (back from it; the redirect
//! URI the operator registers) and `/sso/instance/link` (confirm an existing account with its
//! password). `instance` is no organization id (those are UUIDs), so these never shadow an
//! organization's `/sso/{org}` pages. The flow is `sso_pages`' own, with `Scope::Instance`.

use axum::extract::{Query, State};
use axum::http::HeaderMap;

use super::form::AnonymousForm;
use super::page_error::PageResult;
use super::sso_pages::{self, CallbackQuery};
use crate::domain::sso::Scope;
use crate::http::client_ip::ClientIp;
use crate::http::state::AppState;

pub async fn sso_instance_start_get(State(state): State<AppState>) -> PageResult {
    sso_pages::start(&state, Scope::Instance).await
}

pub async fn sso_instance_callback_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    ip: Option<axum::Extension<ClientIp>>,
    Query(query): Query<CallbackQuery>,
) -> PageResult {
    sso_pages::callback(&state, Scope::Instance, &headers, ip, query).await
}

pub async fn sso_instance_link_get(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> PageResult {
    sso_pages::link_get(&state, Scope::Instance, &headers).await
}

pub async fn sso_instance_link_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    ip: Option<axum::Extension<ClientIp>>,
    AnonymousForm(fields): AnonymousForm,
) -> PageResult {
    sso_pages::link_post(&state, Scope::Instance, &headers, ip, fields).await
}
