//! The catalog pages: clients, projects (with their tasks, members and rates) and tags. Every
//! change goes through `service::catalog` / `service::rates`; handlers only turn form fields into
//! service inputs and service errors into forms shown again.

mod clients;
mod colours;
mod named_items;
mod project;
mod project_parts;
mod projects;
mod tags;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;

use super::form::{Fields, FormErrors};
use crate::error::AppError;
use crate::http::state::AppState;
use crate::service::catalog::ListQuery;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(named_items::routes::<clients::Clients>())
        .route(
            "/o/{org}/projects",
            get(projects::list).post(projects::create),
        )
        .route(
            "/o/{org}/projects/{id}",
            get(project::show).post(project::update),
        )
        .route("/o/{org}/projects/{id}/delete", post(project::delete))
        .route(
            "/o/{org}/projects/{id}/tasks",
            post(project_parts::task_create),
        )
        .route(
            "/o/{org}/projects/{id}/tasks/{task}",
            post(project_parts::task_update),
        )
        .route(
            "/o/{org}/projects/{id}/tasks/{task}/delete",
            post(project_parts::task_delete),
        )
        .route(
            "/o/{org}/projects/{id}/members",
            post(project_parts::member_add),
        )
        .route(
            "/o/{org}/projects/{id}/members/{user}/remove",
            post(project_parts::member_remove),
        )
        .route("/o/{org}/projects/{id}/rate", post(project_parts::rate_set))
        .route(
            "/o/{org}/projects/{id}/rates/{user}",
            post(project_parts::member_rate_set),
        )
        .merge(named_items::routes::<tags::Tags>())
}

/// `?archived=all` on a list page: managers may ask to see archived items too.
#[derive(Debug, Default, Deserialize)]
pub struct Listing {
    #[serde(default)]
    archived: String,
}

impl Listing {
    fn all(&self) -> bool {
        self.archived == "all"
    }

    /// What the service is asked for; anything but `all` means the active items.
    fn query(&self) -> ListQuery {
        ListQuery {
            archived: self.all().then(|| "all".to_string()),
            search: None,
        }
    }

    /// The query string that keeps the choice across a form post and its redirect.
    fn suffix(&self) -> &'static str {
        if self.all() { "?archived=all" } else { "" }
    }
}

/// The form of a page that failed, with its errors and the input to show it again with.
struct Failure {
    form: String,
    errors: FormErrors,
    fields: Fields,
}

/// What happened to the last form posted on a page: nothing (a plain GET) or a failure.
#[derive(Default)]
struct Attempt(Option<Failure>);

impl Attempt {
    /// The errors and input of `form`, if it is the form that failed; each failure is given
    /// out once, so whatever is left belongs to the page as a whole.
    fn take(&mut self, form: &str) -> Option<(FormErrors, Fields)> {
        if self.failed(form) {
            self.0.take().map(|f| (f.errors, f.fields))
        } else {
            None
        }
    }

    /// Reports the failure for the page as a whole when its form is not on the page for this
    /// viewer (e.g. a member posting a manager's form), so its message is still shown.
    fn unless_shown(&mut self, shown: impl Fn(&str) -> bool) {
        if let Some(failure) = self.0.as_mut()
            && !shown(&failure.form)
        {
            failure.form = "page".into();
        }
    }

    /// Whether `form` is the one that failed (and not yet taken).
    fn failed(&self, form: &str) -> bool {
        self.0.as_ref().is_some_and(|f| f.form == form)
    }

    /// The errors no form took: shown at the top of the page.
    fn rest(self) -> FormErrors {
        let Some(failure) = self.0 else {
            return FormErrors::default();
        };
        let mut errors = failure.errors;
        let details: Vec<String> = errors
            .fields
            .iter()
            .map(|(field, messages)| format!("{field}: {}", messages.join("; ")))
            .collect();
        if !details.is_empty() {
            errors.message = format!("{} {}", errors.message, details.join(". "))
                .trim()
                .to_string();
            errors.fields.clear();
        }
        errors
    }
}

/// A failed post as a form to show again: `403` when the role does not allow it, else `422`;
/// errors nobody can fix in a form are handed back, for the error page.
fn retry(form: &str, fields: Fields, error: AppError) -> Result<(Attempt, StatusCode), AppError> {
    let status = match error {
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let errors = FormErrors::from_error(error)?;
    Ok((
        Attempt(Some(Failure {
            form: form.into(),
            errors,
            fields,
        })),
        status,
    ))
}

/// Errors found before asking the service (a field that is not a number, …), shown like its own.
fn rejected(form: &str, fields: Fields, errors: FormErrors) -> (Attempt, StatusCode) {
    let failure = Failure {
        form: form.into(),
        errors,
        fields,
    };
    (Attempt(Some(failure)), StatusCode::UNPROCESSABLE_ENTITY)
}

/// Minor units as money with its code: `8550` → `85.50 EUR`, `5000` → `5000 JPY`.
pub fn money(minor: i64, currency: &str) -> String {
    crate::domain::money::with_code(minor, currency)
}

/// Minor units as the amount field shows them: `8550` → `85.50` (in `currency`'s decimals).
pub fn amount(minor: Option<i64>, currency: &str) -> String {
    minor.map_or_else(String::new, |m| crate::domain::money::decimal(m, currency))
}

/// An amount typed in a form (`85`, `85.5`, `85,50`) in minor units of `currency`; empty
/// means none.
pub fn parse_amount(raw: &str, currency: &str) -> Result<Option<i64>, String> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    crate::domain::money::parse(raw, currency).map(Some)
}

/// Hours typed in a form (`12`, `12.5`, `12,5`); empty means none.
pub fn parse_hours(raw: &str) -> Result<Option<f64>, String> {
    let text = raw.trim().replace(',', ".");
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<f64>()
        .map(Some)
        .map_err(|_| format!("'{}' is not a number of hours like 12.5", raw.trim()))
}

/// Hours as the estimate field shows them: `45000` seconds → `12.5`.
pub fn hours(seconds: Option<i64>) -> String {
    seconds.map_or_else(String::new, |s| {
        let text = format!("{:.2}", s as f64 / 3600.0);
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_in_the_usual_spellings() {
        assert_eq!(parse_amount("85", "EUR"), Ok(Some(8500)));
        assert_eq!(parse_amount(" 85.5 ", "EUR"), Ok(Some(8550)));
        assert_eq!(parse_amount("85,05", "EUR"), Ok(Some(8505)));
        assert_eq!(parse_amount("", "EUR"), Ok(None));
        for bad in [
            "85.505",
            "-3",
            "eighty",
            ".5",
            "1e3",
            "99999999999999999999",
        ] {
            assert!(parse_amount(bad, "EUR").is_err(), "{bad}");
        }
    }

    #[test]
    fn money_shows_two_decimals_and_the_currency() {
        assert_eq!(money(8550, "EUR"), "85.50 EUR");
        assert_eq!(money(5, "USD"), "0.05 USD");
        assert_eq!(amount(Some(8500), "EUR"), "85.00");
        assert_eq!(amount(Some(8500), "JPY"), "8500");
        assert_eq!(amount(None, "EUR"), "");
    }

    #[test]
    fn estimates_show_as_short_hours() {
        assert_eq!(hours(Some(45000)), "12.5");
        assert_eq!(hours(Some(7200)), "2");
        assert_eq!(hours(None), "");
        assert_eq!(parse_hours("12,5"), Ok(Some(12.5)));
        assert!(parse_hours("lots").is_err());
    }
}
