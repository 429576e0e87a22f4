//! `AppError`: what went wrong, by meaning. Transports map it (API → problem+json).

use std::collections::BTreeMap;

/// Field name → human-readable problems with that field.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    NotFound(String),
    #[error("authentication required")]
    Unauthorized,
    /// 401: the password was right, and the account's two-factor sign-in asks for a code too.
    #[error(
        "A two-factor code is required: send the current 6-digit code from your authenticator app, or an unused recovery code, in the `totp` field."
    )]
    SecondFactorRequired,
    #[error("{0}")]
    Forbidden(String),
    /// 403: the organization requires two-factor sign-in of its members and the caller has not
    /// set it up; pages send the person to set it up.
    #[error(
        "{organization} requires two-factor sign-in of its members. Turn it on for your account (Account → Two-factor, at /account/two-factor), then try again."
    )]
    TwoFactorSetupRequired { organization: String },
    /// 403: the organization lets its members in only through its single sign-on and the
    /// caller came in another way (a password, another organization's provider); pages offer
    /// the organization's provider.
    #[error(
        "{organization} lets its members in only through single sign-on. Sign in with {provider} (at /sso/{organization_id}), then try again; scripts use a personal API token."
    )]
    SingleSignOnRequired {
        organization: String,
        organization_id: crate::domain::ids::OrganizationId,
        provider: String,
    },
    #[error("{message}")]
    Validation {
        message: String,
        fields: FieldErrors,
    },
    #[error("{0}")]
    Conflict(String),
    #[error("too many attempts; retry in {retry_after_seconds} seconds")]
    RateLimited { retry_after_seconds: u64 },
    /// 503: the request could not be served now; `retry_after_seconds` when waiting helps (a
    /// database restarting), none when it does not (a full disk, a request that ran too long).
    #[error("{message}")]
    Unavailable {
        message: String,
        retry_after_seconds: Option<u32>,
    },
    /// `If-Match` named an older version; carries the current representation.
    #[error(
        "This entry was changed by someone else; the current version is attached. Apply your change to it and try again."
    )]
    PreconditionFailed(Box<serde_json::Value>),
    #[error("{0}")]
    PreconditionRequired(String),
    /// Logged once with the request id; clients see a generic message.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;
