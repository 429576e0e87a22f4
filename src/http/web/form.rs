//! Posted forms: the fields, the CSRF check every post goes through, and the errors a form is
//! shown again with.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::response::{IntoResponse, Response};

use super::session::{FORM_COOKIE, Viewer, cookie};
use crate::error::AppError;
use crate::http::problem::ApiError;
use crate::state::AppState;

/// The name of the hidden field carrying the CSRF token.
pub const CSRF_FIELD: &str = "_csrf";

/// The fields of an `application/x-www-form-urlencoded` body, in order, repeats kept.
#[derive(Debug, Default, Clone)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    pub fn parse(body: &[u8]) -> Self {
        Self(
            url::form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// Adds a field, e.g. to reuse a parser under another name.
    pub fn push(&mut self, name: &str, value: &str) {
        self.0.push((name.to_string(), value.to_string()));
    }

    /// Every (name, value) pair, in order.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The first value of `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The value of `name` trimmed, `None` when empty or absent.
    pub fn non_empty(&self, name: &str) -> Option<&str> {
        Some(self.get(name).trim()).filter(|v| !v.is_empty())
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// A checkbox: present (with any value but "false") means ticked.
    pub fn checked(&self, name: &str) -> bool {
        self.0.iter().any(|(k, v)| k == name && v != "false")
    }
}

/// Compares without an early exit, so timing does not reveal how much of a guess matched.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn forged() -> Response {
    ApiError(AppError::Forbidden(
        "This form has expired or was not sent from a GoGoTime page. Go back, reload the page and try again."
            .into(),
    ))
    .into_response()
}

async fn body_fields(request: Request, state: &AppState) -> Result<Fields, Response> {
    let bytes = Bytes::from_request(request, state)
        .await
        .map_err(IntoResponse::into_response)?;
    Ok(Fields::parse(&bytes))
}

/// A form posted by a signed-in person, its `_csrf` field checked against the session's token.
pub struct SignedForm {
    pub viewer: Viewer,
    pub fields: Fields,
}

impl FromRequest<AppState> for SignedForm {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let viewer = Viewer::from_request_parts(&mut parts, state).await?;
        let fields = body_fields(Request::from_parts(parts, body), state).await?;
        if !same(fields.get(CSRF_FIELD), &viewer.csrf) {
            return Err(forged());
        }
        Ok(SignedForm { viewer, fields })
    }
}

/// A form posted from an anonymous page; `_csrf` must repeat the form cookie.
pub struct AnonymousForm(pub Fields);

impl FromRequest<AppState> for AnonymousForm {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let expected = cookie(request.headers(), FORM_COOKIE)
            .unwrap_or("")
            .to_string();
        let fields = body_fields(request, state).await?;
        if expected.is_empty() || !same(fields.get(CSRF_FIELD), &expected) {
            return Err(forged());
        }
        Ok(AnonymousForm(fields))
    }
}

/// What went wrong with a form: messages per field, and one for the form as a whole.
#[derive(Debug, Default)]
pub struct FormErrors {
    pub fields: BTreeMap<String, Vec<String>>,
    pub message: String,
}

impl FormErrors {
    /// The errors a person can fix in the form; anything else (a missing page, a failure) is
    /// handed back to be shown as an error page.
    pub fn from_error(error: AppError) -> Result<Self, AppError> {
        match error {
            AppError::Validation { message, fields } => Ok(Self { fields, message }),
            AppError::Conflict(message) => Ok(Self::message(message)),
            AppError::Forbidden(message) => Ok(Self::message(message)),
            AppError::PreconditionFailed(_) => Ok(Self::message(
                "Someone changed this in the meantime. Reload the page to see the current version, then make your change again.",
            )),
            e @ AppError::RateLimited { .. } => Ok(Self::message(e.to_string())),
            other => Err(other),
        }
    }

    pub fn message(message: impl Into<String>) -> Self {
        Self {
            fields: BTreeMap::new(),
            message: message.into(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.message.is_empty()
    }

    pub fn has(&self, field: &str) -> bool {
        self.fields.contains_key(field)
    }

    /// The messages of one field, as one sentence.
    pub fn of(&self, field: &str) -> String {
        self.fields
            .get(field)
            .map(|m| m.join("; "))
            .unwrap_or_default()
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.fields
            .entry(field.to_string())
            .or_default()
            .push(message.into());
    }
}
