//! `/account/two-factor`: set up, confirm and turn off two-factor sign-in, and replace the
//! recovery codes. Recovery codes are shown once, on the page answering the post that made
//! them; the setup key is shown only to its owner, and no page with a secret is cached.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use qrcode::QrCode;
use qrcode::render::svg;

use crate::error::AppError;
use crate::http::cache::no_store;
use crate::http::state::AppState;
use crate::http::web::form::{FormErrors, SignedForm};
use crate::http::web::org::account_chrome;
use crate::http::web::page::{self, Chrome};
use crate::http::web::page_error::PageResult;
use crate::http::web::session::{self, Viewer};
use crate::service::two_factor::{self, Enrolment, Reauthentication, RecoveryCodes, Status};

#[derive(Template)]
#[template(path = "account/two_factor.html")]
struct TwoFactorPage {
    chrome: Chrome,
    errors: FormErrors,
    email: String,
    status: Status,
    setup: Option<Enrolment>,
    /// The setup URI as an inline SVG QR code (drawn here: no outside service sees the key).
    qr_svg: String,
    recovery_codes: Vec<String>,
}

fn qr_svg(uri: &str) -> Result<String, AppError> {
    let code = QrCode::new(uri.as_bytes()).map_err(|e| {
        AppError::Internal(anyhow::anyhow!("drawing the setup QR code failed: {e}"))
    })?;
    let image = code
        .render::<svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    // inline in the page: without the XML declaration
    Ok(match image.find("<svg") {
        Some(start) => image[start..].to_string(),
        None => image,
    })
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    errors: FormErrors,
    recovery_codes: Vec<String>,
    status_code: StatusCode,
    headers: &HeaderMap,
) -> PageResult {
    let status = two_factor::status(&state.ctx, &viewer.actor).await?;
    let setup = two_factor::pending(&state.ctx, &viewer.actor).await?;
    let qr_svg = match &setup {
        Some(setup) => qr_svg(&setup.otpauth_uri)?,
        None => String::new(),
    };
    let page = TwoFactorPage {
        chrome: account_chrome(state, viewer, "two-factor").await?,
        errors,
        email: viewer.actor.user.email.clone(),
        status,
        setup,
        qr_svg,
        recovery_codes,
    };
    Ok(no_store(page::html_with_status(
        &page,
        headers,
        status_code,
    )))
}

/// The page again with the errors of a failed post (passwords and codes are not written back).
async fn refused(
    state: &AppState,
    viewer: &Viewer,
    e: AppError,
    headers: &HeaderMap,
) -> PageResult {
    let errors = FormErrors::from_error(e)?;
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    render(state, viewer, errors, Vec::new(), status, headers).await
}

/// The page showing freshly made recovery codes, once, or the errors of the post that failed.
async fn show_codes(
    state: &AppState,
    viewer: &Viewer,
    made: Result<RecoveryCodes, AppError>,
    headers: &HeaderMap,
) -> PageResult {
    match made {
        Ok(codes) => {
            let errors = FormErrors::default();
            let codes = codes.recovery_codes;
            render(state, viewer, errors, codes, StatusCode::OK, headers).await
        }
        Err(e) => refused(state, viewer, e, headers).await,
    }
}

pub async fn two_factor_get(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
) -> PageResult {
    let errors = FormErrors::default();
    render(
        &state,
        &viewer,
        errors,
        Vec::new(),
        StatusCode::OK,
        &headers,
    )
    .await
}

pub async fn two_factor_start_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    match two_factor::start(&state.ctx, &form.viewer.actor).await {
        Ok(_) => Ok(session::redirect_with_notice(
            "/account/two-factor",
            "Add the key to your authenticator app, then enter the code it shows.",
            state.ctx.settings.secure_cookies,
        )),
        Err(e) => refused(&state, &form.viewer, e, &headers).await,
    }
}

pub async fn two_factor_confirm_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    let code = form.fields.get("code");
    let made = two_factor::confirm(&state.ctx, &form.viewer.actor, code).await;
    show_codes(&state, &form.viewer, made, &headers).await
}

fn proof(form: &SignedForm) -> Reauthentication<'_> {
    Reauthentication {
        password: form.fields.get("current_password"),
        code: form.fields.get("code"),
    }
}

pub async fn recovery_codes_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    let actor = &form.viewer.actor;
    let made = two_factor::regenerate_recovery_codes(&state.ctx, actor, proof(&form)).await;
    show_codes(&state, &form.viewer, made, &headers).await
}

pub async fn two_factor_disable_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    match two_factor::disable(&state.ctx, &form.viewer.actor, proof(&form)).await {
        Ok(()) => Ok(session::redirect_with_notice(
            "/account/two-factor",
            "Two-factor sign-in is off; signing in needs only your password.",
            state.ctx.settings.secure_cookies,
        )),
        Err(e) => refused(&state, &form.viewer, e, &headers).await,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_qr_code_is_an_inline_svg() {
        let svg = super::qr_svg("otpauth://totp/GoGoTime:a%40b.c?secret=ABC").unwrap();
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(!svg.contains("<?xml"));
    }
}
