//! Errors on the wire. Handlers return `HttpError(AppError)`, which becomes a status and an
//! `ErrorInfo`; middleware may answer with a bare status. Either way
//! `error_body::render_errors` writes the body. A leaf of `http`: `api` and `web` both use it.

use std::sync::Arc;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::{AppError, FieldErrors};

/// What an error response means; rendered by `render_errors`, never sent as is.
#[derive(Debug, Clone, Default)]
pub struct ErrorInfo {
    pub detail: Option<String>,
    pub fields: Option<FieldErrors>,
    /// Logged with the request id, never shown to the client.
    pub internal: Option<Arc<String>>,
    /// Extension members merged into the problem body (e.g. `current` on a 412).
    pub extra: Option<Arc<serde_json::Map<String, serde_json::Value>>>,
}

/// An application error as an HTTP response, for the API and the pages alike: its status and
/// meaning here, its body (problem+json or an error page) from `render_errors`.
#[derive(Debug)]
pub struct HttpError(pub AppError);

impl<E: Into<AppError>> From<E> for HttpError {
    fn from(e: E) -> Self {
        HttpError(e.into())
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let mut info = ErrorInfo::default();
        let status = match &self.0 {
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Unauthorized | AppError::SecondFactorRequired => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_)
            | AppError::TwoFactorSetupRequired { .. }
            | AppError::SingleSignOnRequired { .. } => StatusCode::FORBIDDEN,
            AppError::Validation { fields, .. } => {
                info.fields = Some(fields.clone());
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            AppError::PreconditionFailed(current) => {
                let mut extra = serde_json::Map::new();
                extra.insert("current".into(), (**current).clone());
                info.extra = Some(Arc::new(extra));
                StatusCode::PRECONDITION_FAILED
            }
            AppError::PreconditionRequired(_) => StatusCode::PRECONDITION_REQUIRED,
            AppError::Internal(e) => {
                info.internal = Some(Arc::new(format!("{e:#}")));
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        if !matches!(self.0, AppError::Internal(_)) {
            info.detail = Some(self.0.to_string());
        }
        let mut response = status.into_response();
        match &self.0 {
            AppError::RateLimited {
                retry_after_seconds,
            } => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_seconds));
            }
            AppError::Unauthorized | AppError::SecondFactorRequired => {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            AppError::Unavailable {
                retry_after_seconds: Some(seconds),
                ..
            } => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(*seconds));
            }
            _ => {}
        }
        response.extensions_mut().insert(info);
        response
    }
}

/// The problem+json body as the OpenAPI document describes it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Problem)]
pub struct ProblemDoc {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// What went wrong, for a person.
    pub detail: String,
    /// The request path.
    pub instance: String,
    /// Field name → messages, on 422 responses.
    pub errors: Option<std::collections::BTreeMap<String, Vec<String>>>,
    /// Quote it to an operator; it is in the server log too.
    pub request_id: String,
}
