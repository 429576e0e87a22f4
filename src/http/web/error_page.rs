//! The error page: same look as every other page, with the request id to quote to an operator.

use askama::Template;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::page::{self, Chrome};

#[derive(Template)]
#[template(path = "errors/error.html")]
struct ErrorPage<'a> {
    chrome: Chrome,
    status: u16,
    title: &'a str,
    detail: &'a str,
    request_id: &'a str,
}

pub fn render(status: StatusCode, detail: &str, request_id: &str) -> Response {
    let template = ErrorPage {
        chrome: Chrome::anonymous(String::new()),
        status: status.as_u16(),
        title: status.canonical_reason().unwrap_or("Error"),
        detail,
        request_id,
    };
    // error pages are never cached
    crate::http::cache::no_store(page::html(&template, &HeaderMap::new()))
}
