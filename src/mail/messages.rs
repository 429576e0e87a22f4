//! The messages, each rendered once into a subject, a plain-text body and an HTML body.

use askama::Template;

/// A message ready for the outbox.
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

fn render(subject: String, text: &impl Template, html: &impl Template) -> anyhow::Result<Rendered> {
    Ok(Rendered {
        subject,
        text: text.render()?,
        html: html.render()?,
    })
}

/// "You are invited to join {organization}".
pub struct Invitation<'a> {
    pub organization: &'a str,
    pub inviter: &'a str,
    pub role: &'a str,
    pub accept_url: &'a str,
    pub valid_days: i64,
}

#[derive(Template)]
#[template(path = "mail/invitation.txt")]
struct InvitationText<'a, 'b> {
    m: &'b Invitation<'a>,
}

#[derive(Template)]
#[template(path = "mail/invitation.html")]
struct InvitationHtml<'a, 'b> {
    m: &'b Invitation<'a>,
}

impl Invitation<'_> {
    pub fn render(&self) -> anyhow::Result<Rendered> {
        render(
            format!("You are invited to join {} on GoGoTime", self.organization),
            &InvitationText { m: self },
            &InvitationHtml { m: self },
        )
    }
}

/// The link to set a new password.
pub struct PasswordReset<'a> {
    pub name: &'a str,
    pub reset_url: &'a str,
    pub valid_minutes: i64,
}

#[derive(Template)]
#[template(path = "mail/password_reset.txt")]
struct PasswordResetText<'a, 'b> {
    m: &'b PasswordReset<'a>,
}

#[derive(Template)]
#[template(path = "mail/password_reset.html")]
struct PasswordResetHtml<'a, 'b> {
    m: &'b PasswordReset<'a>,
}

impl PasswordReset<'_> {
    pub fn render(&self) -> anyhow::Result<Rendered> {
        render(
            "Reset your GoGoTime password".into(),
            &PasswordResetText { m: self },
            &PasswordResetHtml { m: self },
        )
    }
}

/// The notice after a password was changed, sent to the account's address.
pub struct PasswordChanged<'a> {
    pub name: &'a str,
    /// How, after "was just changed": "with a reset link", "on your account page".
    pub how: &'a str,
    pub sign_in_url: &'a str,
    pub forgot_url: &'a str,
}

#[derive(Template)]
#[template(path = "mail/password_changed.txt")]
struct PasswordChangedText<'a, 'b> {
    m: &'b PasswordChanged<'a>,
}

#[derive(Template)]
#[template(path = "mail/password_changed.html")]
struct PasswordChangedHtml<'a, 'b> {
    m: &'b PasswordChanged<'a>,
}

impl PasswordChanged<'_> {
    pub fn render(&self) -> anyhow::Result<Rendered> {
        render(
            "Your GoGoTime password was changed".into(),
            &PasswordChangedText { m: self },
            &PasswordChangedHtml { m: self },
        )
    }
}

/// The link that proves an address: a new account's, or a new one for an existing account.
pub struct EmailVerification<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub verify_url: &'a str,
    pub valid_hours: i64,
    /// The address replaces the account's current one once the link is followed.
    pub change: bool,
}

#[derive(Template)]
#[template(path = "mail/email_verification.txt")]
struct EmailVerificationText<'a, 'b> {
    m: &'b EmailVerification<'a>,
}

#[derive(Template)]
#[template(path = "mail/email_verification.html")]
struct EmailVerificationHtml<'a, 'b> {
    m: &'b EmailVerification<'a>,
}

impl EmailVerification<'_> {
    pub fn render(&self) -> anyhow::Result<Rendered> {
        let subject = if self.change {
            "Confirm your new GoGoTime email address"
        } else {
            "Confirm your GoGoTime email address"
        };
        render(
            subject.into(),
            &EmailVerificationText { m: self },
            &EmailVerificationHtml { m: self },
        )
    }
}

/// The notice to the old address after the account's address changed.
pub struct EmailChanged<'a> {
    pub name: &'a str,
    pub old_email: &'a str,
    pub new_email: &'a str,
}

#[derive(Template)]
#[template(path = "mail/email_changed.txt")]
struct EmailChangedText<'a, 'b> {
    m: &'b EmailChanged<'a>,
}

#[derive(Template)]
#[template(path = "mail/email_changed.html")]
struct EmailChangedHtml<'a, 'b> {
    m: &'b EmailChanged<'a>,
}

impl EmailChanged<'_> {
    pub fn render(&self) -> anyhow::Result<Rendered> {
        render(
            "Your GoGoTime email address was changed".into(),
            &EmailChangedText { m: self },
            &EmailChangedHtml { m: self },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_bodies_escape_what_people_typed_and_text_bodies_keep_it() {
        let m = Invitation {
            organization: "Smith & <Sons>",
            inviter: "Ann",
            role: "member",
            accept_url: "http://localhost/invite/ggi_x",
            valid_days: 7,
        };
        let rendered = m.render().unwrap();
        assert_eq!(
            rendered.subject,
            "You are invited to join Smith & <Sons> on GoGoTime"
        );
        assert!(
            rendered.html.contains("Smith &#38; &#60;Sons&#62;")
                || rendered.html.contains("Smith &amp; &lt;Sons&gt;"),
            "{}",
            rendered.html
        );
        assert!(rendered.text.contains("Smith & <Sons>"));
        assert!(rendered.text.contains("http://localhost/invite/ggi_x"));
    }
}
