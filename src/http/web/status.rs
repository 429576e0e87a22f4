//! `GET /system/status`: the server status page (version, database, instance).

use std::time::Duration;

use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

use super::page::{self, Chrome};
use crate::build_info;
use crate::http::state::AppState;

#[derive(Template)]
#[template(path = "system/status.html")]
struct StatusPage {
    chrome: Chrome,
    commit: &'static str,
    database: &'static str,
    database_ok: bool,
    instance_id: String,
    environment: &'static str,
}

pub async fn status_get(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let template = StatusPage {
        chrome: Chrome::anonymous(String::new()),
        commit: build_info::COMMIT,
        database: state.ctx.db.backend(),
        database_ok: state.ctx.db.ping(Duration::from_secs(1)).await.is_ok(),
        instance_id: state.instance.id.to_string(),
        environment: state.config.environment.as_str(),
    };
    page::html(&template, &headers)
}
