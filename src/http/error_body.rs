//! The body of every error response: RFC 9457 `application/problem+json` under `/api/`, the
//! error page elsewhere, with the request id; internal errors are logged here exactly once.
//! It sits above `api` and `web` (it renders the pages' error page), so that `problem`, which
//! both of them use, stays a leaf.

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::problem::ErrorInfo;
use super::request_id::RequestId;
use super::web;
use crate::error::FieldErrors;

/// RFC 9457 body; `errors` and `request_id` are extension members.
#[derive(Debug, Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'a str,
    status: u16,
    detail: String,
    instance: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<&'a FieldErrors>,
    request_id: &'a str,
}

/// Middleware: the one place error responses get their body.
pub async fn render_errors(request: Request, next: Next) -> Response {
    let path = instance(
        request.uri().path(),
        request
            .extensions()
            .get::<MatchedPath>()
            .map(MatchedPath::as_str),
    );
    let request_id = request
        .extensions()
        .get::<RequestId>()
        .map(|id| id.0.clone())
        .unwrap_or_default();
    let method = request.method().clone();
    let mut response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let info = response.extensions_mut().remove::<ErrorInfo>();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    // Bodies other layers already wrote on purpose (e.g. the health report) stay as they are.
    let bare = content_type.is_empty() || content_type.starts_with("text/plain");
    if info.is_none() && !bare {
        return response;
    }
    let info = info.unwrap_or_default();
    if let Some(internal) = &info.internal {
        tracing::error!(request_id = %request_id, error = %internal, "internal error");
    }
    let detail = info
        .detail
        .clone()
        .unwrap_or_else(|| default_detail(status, &method));
    let mut rendered = if path.starts_with("/api/") || path == "/api" {
        let title = status.canonical_reason().unwrap_or("Error");
        let problem = Problem {
            kind: "about:blank",
            title,
            status: status.as_u16(),
            detail,
            instance: &path,
            errors: info.fields.as_ref(),
            request_id: &request_id,
        };
        let mut value = serde_json::to_value(&problem).unwrap_or_default();
        if let (Some(extra), Some(object)) = (&info.extra, value.as_object_mut()) {
            object.extend(extra.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        let body = serde_json::to_vec(&value).unwrap_or_default();
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/problem+json"),
            )],
            body,
        )
            .into_response()
    } else {
        web::error_page::render(status, &detail, &request_id)
    };
    *rendered.status_mut() = status;
    for name in [
        header::RETRY_AFTER,
        header::WWW_AUTHENTICATE,
        header::ALLOW,
        header::CONNECTION,
    ] {
        if let Some(value) = response.headers().get(&name) {
            rendered.headers_mut().insert(name, value.clone());
        }
    }
    rendered
}

/// The problem's `instance`: the request's path, except that a secret which is part of the
/// address (an invitation's or a shared report's token: routes name that parameter `{token}`) is
/// written as the placeholder, so an error body never repeats a credential.
fn instance(path: &str, route: Option<&str>) -> String {
    let Some(route) = route.filter(|route| route.contains("{token}")) else {
        return path.to_string();
    };
    let segments: Vec<&str> = path.split('/').collect();
    let template: Vec<&str> = route.split('/').collect();
    if segments.len() != template.len() {
        return route.to_string();
    }
    segments
        .iter()
        .zip(template)
        .map(|(segment, pattern)| {
            if pattern == "{token}" {
                pattern
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn default_detail(status: StatusCode, method: &axum::http::Method) -> String {
    match status {
        StatusCode::NOT_FOUND => "There is nothing at this address.".into(),
        StatusCode::METHOD_NOT_ALLOWED => {
            format!("This address does not accept {method} requests; see the Allow header.")
        }
        StatusCode::PAYLOAD_TOO_LARGE => {
            "The request body is larger than this server accepts.".into()
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            "The request body has a content type this address does not accept.".into()
        }
        StatusCode::BAD_REQUEST => "The request could not be read.".into(),
        StatusCode::UNPROCESSABLE_ENTITY => {
            "The request body does not have the expected fields.".into()
        }
        StatusCode::SERVICE_UNAVAILABLE => {
            "The server is temporarily unable to answer; try again shortly.".into()
        }
        StatusCode::INTERNAL_SERVER_ERROR => {
            "Something went wrong on our side. The request id identifies it in the server log."
                .into()
        }
        _ => status
            .canonical_reason()
            .unwrap_or("The request failed.")
            .to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::instance;

    #[test]
    fn a_token_in_the_address_is_not_repeated() {
        assert_eq!(
            instance(
                "/api/v1/invitations/ggi_s3cret/accept",
                Some("/api/v1/invitations/{token}/accept")
            ),
            "/api/v1/invitations/{token}/accept"
        );
        assert_eq!(
            instance(
                "/api/v1/organizations/0191/projects/7",
                Some("/api/v1/organizations/{org_id}/projects/{id}")
            ),
            "/api/v1/organizations/0191/projects/7"
        );
        assert_eq!(instance("/api/v1/nothing", None), "/api/v1/nothing");
    }
}
