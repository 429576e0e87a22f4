//! Posted forms: the fields, the CSRF check every post goes through, and the errors a form is
//! shown again with.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::response::{IntoResponse, Response};

use super::session::{FORM_COOKIE, Viewer};
use crate::error::AppError;
use crate::http::problem::HttpError;
use crate::http::state::AppState;
use crate::http::{cookies, csrf};

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

fn forged() -> Response {
    HttpError(AppError::Forbidden(
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
        if !csrf::matches(fields.get(CSRF_FIELD), &viewer.csrf) {
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
        let expected = cookies::get(request.headers(), FORM_COOKIE)
            .unwrap_or("")
            .to_string();
        let fields = body_fields(request, state).await?;
        if !csrf::matches(fields.get(CSRF_FIELD), &expected) {
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
    /// Not errors: things that are allowed but look like mistakes. The form asks the person to
    /// check them and offers to save anyway.
    pub warnings: Vec<String>,
}

impl FormErrors {
    /// The errors a person can fix in the form; anything else (a missing page, a failure) is
    /// handed back to be shown as an error page.
    pub fn from_error(error: AppError) -> Result<Self, AppError> {
        match error {
            AppError::Validation { fields, .. } => Ok(Self {
                message: summary(&fields),
                fields,
                warnings: Vec::new(),
            }),
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
            message: message.into(),
            ..Self::default()
        }
    }

    /// Only warnings: the form is shown again with a "save anyway" choice.
    pub fn warnings(warnings: Vec<String>) -> Self {
        Self {
            warnings,
            ..Self::default()
        }
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.message.is_empty() && self.warnings.is_empty()
    }

    pub fn has(&self, field: &str) -> bool {
        self.fields.contains_key(field)
    }

    /// The messages of one field as sentences that name it: "Task belongs to another project."
    pub fn of(&self, field: &str) -> String {
        self.fields
            .get(field)
            .map(|messages| {
                messages
                    .iter()
                    .map(|m| sentence(field, m))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default()
    }

    /// Errors for these fields, with the line above the form that names them.
    pub fn fields(fields: &[(&str, &str)]) -> Self {
        let mut errors = Self::default();
        for (field, message) in fields {
            errors.add(field, *message);
        }
        errors.summarise();
        errors
    }

    /// Sets the line above the form from the field errors collected so far.
    pub fn summarise(&mut self) {
        self.message = summary(&self.fields);
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.fields
            .entry(field.to_string())
            .or_default()
            .push(message.into());
    }
}

/// What the forms call a field, so messages speak of "Task", never of `task_id`.
pub fn label(field: &str) -> String {
    let known = match field {
        "project_id" | "bulk_project_id" => "Project",
        "task_id" => "Task",
        "tags" | "tag_id" | "bulk_tag_id" => "Tags",
        "user_id" => "Person",
        "end_date" => "End date",
        "duration" => "Time",
        "new_password" => "New password",
        "current_password" => "Current password",
        "default_rate" => "Default hourly rate",
        "hourly_rate" => "Hourly rate",
        "lock_before" => "Lock date",
        "max_entry_hours" => "Longest entry",
        "usual_day_hours" => "Usual day",
        "time_zone" | "tz" => "Time zone",
        "week_start" => "Week starts on",
        "billable_default" => "Billable",
        "client_id" => "Client",
        "estimate_hours" | "estimate_seconds" => "Estimate",
        "budget" => "Budget",
        "expires_in_days" => "Expires after",
        "share_name" => "Name",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_string();
    }
    let words = field.trim_end_matches("_id").replace('_', " ");
    let mut chars = words.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A field's message as a sentence: one that starts lower-case continues the field's label.
fn sentence(field: &str, message: &str) -> String {
    let message = message.trim();
    let mut text = if message.starts_with(char::is_lowercase) {
        format!("{} {message}", label(field))
    } else {
        message.to_string()
    };
    if !text.ends_with(['.', '!', '?']) {
        text.push('.');
    }
    text
}

/// The line above a form with errors: the one problem, or the labels of the marked fields.
fn summary(fields: &BTreeMap<String, Vec<String>>) -> String {
    match fields.iter().next() {
        None => String::new(),
        Some((field, messages)) if fields.len() == 1 && messages.len() == 1 => {
            sentence(field, &messages[0])
        }
        Some(_) => {
            let labels: Vec<String> = fields.keys().map(|f| label(f)).collect();
            format!("Please correct the marked fields: {}.", labels.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_speak_of_labels_not_field_names() {
        let mut fields = BTreeMap::new();
        fields.insert(
            "task_id".to_string(),
            vec!["belongs to another project".to_string()],
        );
        assert_eq!(summary(&fields), "Task belongs to another project.");
        fields.insert(
            "end".to_string(),
            vec!["The end is before the start.".to_string()],
        );
        assert_eq!(
            summary(&fields),
            "Please correct the marked fields: End, Task."
        );
        let errors = FormErrors {
            fields,
            ..FormErrors::default()
        };
        assert_eq!(errors.of("end"), "The end is before the start.");
        assert_eq!(label("grid_note_id"), "Grid note");
    }
}
