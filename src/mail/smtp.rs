//! Delivery over SMTP with lettre (rustls, compiled-in Mozilla roots plus the operator's
//! private CA, `GOGOTIME_SMTP_CA_FILE`). One connection per
//! batch of attempts is plenty for the handful of messages GoGoTime sends.

use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;

use crate::config::{MailConfig, SmtpSecurity};

/// Longest a single delivery may take (connect, TLS, authenticate, send).
const TIMEOUT: Duration = Duration::from_secs(30);

/// Why a message was not delivered, in words safe to store and log (no credentials: lettre's
/// errors name the server's reply or the I/O failure, never the password it sent).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SendError(String);

pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// Where it sends, for logs: host and port, never the credentials.
    pub server: String,
}

impl SmtpSender {
    pub fn new(config: &MailConfig) -> anyhow::Result<Self> {
        let smtp = &config.smtp;
        // the compiled-in roots, and the operator's private CA when there is one
        let tls = || {
            config
                .ca_certificates
                .iter()
                .try_fold(TlsParameters::builder(smtp.host.clone()), |b, der| {
                    Ok::<_, lettre::transport::smtp::Error>(
                        b.add_root_certificate(Certificate::from_der(der.clone())?),
                    )
                })?
                .build()
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
            .port(smtp.port)
            .timeout(Some(TIMEOUT));
        builder = match smtp.security {
            SmtpSecurity::Tls => builder.tls(Tls::Wrapper(tls()?)),
            SmtpSecurity::StartTls => builder.tls(Tls::Required(tls()?)),
            SmtpSecurity::Plaintext => builder.tls(Tls::None),
        };
        if let Some(user) = &smtp.username {
            let password = smtp
                .password
                .as_ref()
                .map(|p| p.expose_secret().to_string())
                .unwrap_or_default();
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        Ok(SmtpSender {
            transport: builder.build(),
            from: config.from.clone(),
            server: format!("{}:{}", smtp.host, smtp.port),
        })
    }

    /// Sends one message; `message_key` becomes its `Message-ID`, the same on every attempt.
    pub async fn send(
        &self,
        recipient: &str,
        subject: &str,
        text: &str,
        html: &str,
        message_key: &str,
    ) -> Result<(), SendError> {
        let to: Mailbox = recipient
            .parse()
            .map_err(|e| SendError(format!("the recipient address is not valid ({e})")))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .message_id(Some(format!("<{message_key}>")))
            .multipart(MultiPart::alternative_plain_html(
                text.to_string(),
                html.to_string(),
            ))
            .map_err(|e| SendError(format!("the message could not be built ({e})")))?;
        self.transport
            .send(message)
            .await
            .map(drop)
            .map_err(|e| SendError(bounded(&format!("{} refused or failed: {e}", self.server))))
    }
}

/// Error texts are stored; a chatty server does not get to fill the column.
fn bounded(text: &str) -> String {
    text.chars().take(500).collect()
}
