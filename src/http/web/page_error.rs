//! Why a page handler stops early: an error the error page explains (by its meaning, through
//! the same rendering as every error response), or a response already made (a redirect to sign
//! in, a page for another organization). Handlers return `PageResult` and use `?` on both.

use axum::response::{IntoResponse, Redirect, Response};

use crate::error::AppError;
use crate::http::problem::HttpError;

#[derive(Debug)]
pub enum PageError {
    App(AppError),
    Response(Response),
}

pub type PageResult<T = Response> = Result<T, PageError>;

/// Where a member is sent whose organization requires two-factor sign-in they have not set up.
pub const TWO_FACTOR_SETUP: &str = "/account/two-factor";

impl From<AppError> for PageError {
    fn from(error: AppError) -> Self {
        PageError::App(error)
    }
}

impl From<Response> for PageError {
    fn from(response: Response) -> Self {
        PageError::Response(response)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            // the guided setup: the two-factor page names the organizations that require it
            PageError::App(AppError::TwoFactorSetupRequired { .. }) => {
                Redirect::to(TWO_FACTOR_SETUP).into_response()
            }
            // the organization's page that offers its provider
            PageError::App(AppError::SingleSignOnRequired {
                organization_id, ..
            }) => Redirect::to(&format!("/sso/{organization_id}/required")).into_response(),
            PageError::App(error) => HttpError(error).into_response(),
            PageError::Response(response) => response,
        }
    }
}
