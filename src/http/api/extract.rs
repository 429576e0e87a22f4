//! Extractors whose rejections are our problem+json errors: `ApiJson`, `ApiPath`, `ApiQuery`.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::error::AppError;
use crate::http::problem::{ApiError, ErrorInfo};

/// A JSON body: 415 without a JSON content type, 400 for malformed JSON, 422 for the wrong shape.
pub struct ApiJson<T>(pub T);

/// An error response with a given status and message (statuses `AppError` has no variant for).
pub fn status_error(status: StatusCode, detail: String) -> Response {
    let mut response = status.into_response();
    response.extensions_mut().insert(ErrorInfo {
        detail: Some(detail),
        ..ErrorInfo::default()
    });
    response
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(match rejection {
                JsonRejection::MissingJsonContentType(_) => status_error(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "Send the request body as JSON with Content-Type: application/json.".into(),
                ),
                JsonRejection::JsonSyntaxError(e) => status_error(
                    StatusCode::BAD_REQUEST,
                    format!("The request body is not valid JSON: {}", e.body_text()),
                ),
                JsonRejection::JsonDataError(e) => status_error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!(
                        "The request body does not have the expected fields: {}",
                        e.body_text()
                    ),
                ),
                other => status_error(other.status(), other.body_text()),
            }),
        }
    }
}

/// Path parameters; a malformed id is answered like an unknown one (404).
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(value)| ApiPath(value))
            .map_err(|_| {
                ApiError(AppError::NotFound(
                    "There is nothing at this address.".into(),
                ))
            })
    }
}

/// Query parameters: 400 naming the problem.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(value)| ApiQuery(value))
            .map_err(|e| {
                status_error(
                    StatusCode::BAD_REQUEST,
                    format!("The query string is not valid: {}", e.body_text()),
                )
            })
    }
}
