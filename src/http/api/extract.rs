//! Extractors whose rejections are our problem+json errors: `ApiJson`, `ApiOptionalJson`,
//! `ApiPath`, `ApiQuery`. The statuses they answer are the ones `doc::StandardResponses`
//! declares for every operation with a body, path or query parameters.

use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::AppError;
use crate::http::problem::{ErrorInfo, HttpError};
use crate::service::invalid;

/// A JSON body: 415 without a JSON content type, 400 for malformed JSON, 422 for the wrong shape.
pub struct ApiJson<T>(pub T);

/// A JSON body that may be left out: no body, only whitespace or `null` is `T::default()`
/// ("start the timer now, no details"). Otherwise as `ApiJson`, except that the content type
/// is not checked (such calls have always been accepted without one).
pub struct ApiOptionalJson<T>(pub T);

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
        if !json_content_type(req.headers()) {
            return Err(status_error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Send the request body as JSON with Content-Type: application/json.".into(),
            ));
        }
        let body = Bytes::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        parse(&body, false)
            .map(ApiJson)
            .map_err(IntoResponse::into_response)
    }
}

impl<S: Send + Sync, T: DeserializeOwned + Default> FromRequest<S> for ApiOptionalJson<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let body = Bytes::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(ApiOptionalJson(T::default()));
        }
        parse::<Option<T>>(&body, true)
            .map(|value| ApiOptionalJson(value.unwrap_or_default()))
            .map_err(IntoResponse::into_response)
    }
}

/// `application/json` or any `application/*+json`, as axum's own `Json` accepts.
fn json_content_type(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Parses a JSON body, which must be an object (or `null` where the body is optional): 400 for
/// malformed JSON, 422 naming the field for the wrong shape. serde would otherwise read a struct
/// from an array too (`[null, null]`), which no client means.
///
/// JSON does not tell integers from floats (RFC 8259 §6), and JSON Schema's `integer` includes
/// `12.0`; serde does not, so a body refused for its shape is tried once more with such numbers
/// written as integers before the refusal stands.
fn parse<T: DeserializeOwned>(body: &[u8], null_allowed: bool) -> Result<T, BodyError> {
    let start = body.iter().find(|b| !b.is_ascii_whitespace());
    if start != Some(&b'{') && !(null_allowed && start == Some(&b'n')) {
        return Err(
            match serde_json::from_slice::<serde::de::IgnoredAny>(body) {
                Err(e) => BodyError::NotJson(e.to_string()),
                Ok(_) => BodyError::Invalid(invalid("body", "must be a JSON object")),
            },
        );
    }
    let first = match axum::Json::<T>::from_bytes(body) {
        Ok(axum::Json(value)) => return Ok(value),
        Err(rejection) => rejection,
    };
    if let JsonRejection::JsonDataError(_) = &first
        && let Ok(mut value) = serde_json::from_slice::<Value>(body)
        && integral_floats_as_integers(&mut value)
        && let Ok(axum::Json(parsed)) =
            axum::Json::<T>::from_bytes(&serde_json::to_vec(&value).unwrap_or_default())
    {
        return Ok(parsed);
    }
    Err(match first {
        JsonRejection::JsonDataError(e) => {
            let text = e.body_text();
            let reason = text
                .strip_prefix("Failed to deserialize the JSON body into the target type: ")
                .unwrap_or(&text);
            BodyError::Invalid(field_error(reason, "body"))
        }
        other => BodyError::NotJson(other.body_text()),
    })
}

/// Why a JSON body was refused.
enum BodyError {
    /// 400: not JSON at all.
    NotJson(String),
    /// 422: JSON of the wrong shape.
    Invalid(AppError),
}

impl IntoResponse for BodyError {
    fn into_response(self) -> Response {
        match self {
            BodyError::NotJson(reason) => status_error(
                StatusCode::BAD_REQUEST,
                format!("The request body is not valid JSON: {reason}"),
            ),
            BodyError::Invalid(error) => HttpError(error).into_response(),
        }
    }
}

/// Rewrites numbers such as `12.0` (in the range of i64) as `12`; true when it changed any.
fn integral_floats_as_integers(value: &mut Value) -> bool {
    match value {
        Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            // the i64 range, written so that both bounds are exact in f64
            if f.fract() == 0.0 && f >= -(2f64.powi(63)) && f < 2f64.powi(63) {
                *value = Value::from(f as i64);
                true
            } else {
                false
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |changed, v| integral_floats_as_integers(v) | changed),
        Value::Object(fields) => fields
            .values_mut()
            .fold(false, |changed, v| integral_floats_as_integers(v) | changed),
        _ => false,
    }
}

/// A 422 for serde's `path: message` (the path is `.` when the problem is the whole value,
/// e.g. an unknown field), naming the field so that `errors` points at it.
fn field_error(reason: &str, whole: &str) -> AppError {
    match reason.split_once(": ") {
        Some((path, message)) if !path.is_empty() && !path.contains(' ') && path != "." => {
            invalid(path, message)
        }
        _ => invalid(whole, reason),
    }
}

/// Path parameters; a malformed id is answered like an unknown one (404).
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(value)| ApiPath(value))
            .map_err(|_| {
                HttpError(AppError::NotFound(
                    "There is nothing at this address.".into(),
                ))
            })
    }
}

/// Query parameters: 422 naming the parameter, as the query strings the services read answer.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(value)| ApiQuery(value))
            .map_err(|e| {
                let text = e.body_text();
                let reason = text
                    .strip_prefix("Failed to deserialize query string: ")
                    .unwrap_or(&text);
                HttpError(field_error(reason, "query"))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integral_floats_become_integers_and_others_stay() {
        let mut value = serde_json::json!({"a": 12.0, "b": [1.5, -3.0], "c": "1.0", "d": 1e300});

        let changed = integral_floats_as_integers(&mut value);

        assert!(changed);
        assert_eq!(value["a"].as_i64(), Some(12));
        assert_eq!(value["b"][0].as_f64(), Some(1.5));
        assert_eq!(value["b"][1].as_i64(), Some(-3));
        assert_eq!(value["c"], "1.0");
        // too large for an integer: stays the float it was
        assert!(value["d"].is_f64() && value["d"].as_f64() == Some(1e300));
    }

    #[test]
    fn a_serde_path_names_the_field_and_a_whole_value_problem_names_the_body() {
        let named = field_error(
            "hourly_rate: invalid type: string \"x\", expected i64",
            "body",
        );
        let whole = field_error("unknown field `x`, expected `name`", "body");

        let fields = |e: AppError| match e {
            AppError::Validation { fields, .. } => fields,
            other => panic!("not a validation error: {other:?}"),
        };
        assert_eq!(
            fields(named)["hourly_rate"],
            vec!["invalid type: string \"x\", expected i64"]
        );
        assert_eq!(
            fields(whole)["body"],
            vec!["unknown field `x`, expected `name`"]
        );
    }
}
