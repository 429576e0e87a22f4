//! Email: the messages GoGoTime sends (askama templates under `templates/mail/`, text and
//! HTML) and the SMTP client that delivers them. Queueing and retrying live in
//! `service::mail`; this module knows nothing of the database.

mod messages;
mod smtp;

pub use messages::{
    EmailChanged, EmailVerification, Invitation, PasswordChanged, PasswordReset, Rendered,
};
pub use smtp::{SendError, SmtpSender};
