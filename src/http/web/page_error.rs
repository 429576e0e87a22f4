//! Why a page handler stops early: an error the error page explains (by its meaning, through
//! the same rendering as every error response), or a response already made (a redirect to sign
//! in, a page for another organization). Handlers return `PageResult` and use `?` on both.

use axum::response::{IntoResponse, Response};

use crate::error::AppError;
use crate::http::problem::HttpError;

#[derive(Debug)]
pub enum PageError {
    App(AppError),
    Response(Response),
}

pub type PageResult<T = Response> = Result<T, PageError>;

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
            PageError::App(error) => HttpError(error).into_response(),
            PageError::Response(response) => response,
        }
    }
}
