//! Forged posts (CSRF): every form the web UI declares, posted as a person who may use it, with
//! their real session cookie but without the form token or with a wrong one, is refused with
//! 403 and changes nothing. The forms come from the same route declarations as the rest of the
//! web matrix ([`super::declared_routes`]), so a new form is forged here without a new row.
//!
//! Signed-in forms (`SignedForm`, and the import upload) compare `_csrf` with the session's
//! token; anonymous forms (`AnonymousForm`) with the `gogotime_form` cookie the page set. The
//! invitation's form is both: accepted with the session's token when signed in.

use reqwest::header::{COOKIE, SET_COOKIE};
use serde_json::Value;

use super::{Browser, WebFixture, csrf_of, session_csrf};
use crate::helpers::TestApp;
use crate::helpers::accounts::PASSWORD;

/// The forms of anonymous pages; every other declared form needs a session.
pub const ANONYMOUS_FORMS: [&str; 10] = [
    "/setup",
    "/sign-in",
    "/sign-in/sso",
    "/sso/{org}/link",
    "/sso/instance/link",
    "/register",
    "/invite/{token}",
    "/forgot-password",
    "/reset-password/{token}",
    "/verify-email/{token}",
];

/// How a form with a session is forged: the owner's cookie and…
pub const SIGNED_FORGERIES: [&str; 3] = [
    "no _csrf field",
    "another session's token (the member's)",
    "a made-up token",
];

/// How an anonymous form is forged.
pub const ANONYMOUS_FORGERIES: [&str; 3] = [
    "the form cookie, no _csrf field",
    "the form cookie and another browser's token",
    "a token, no form cookie",
];

/// The status every forged post answers: the form-expired refusal.
const REFUSED: u16 = 403;

/// The email an anonymous forgery registers, sets up or signs in as.
const FORGED_EMAIL: &str = "forged-csrf@example.org";

pub struct Forged {
    pub signed_forms: usize,
    pub anonymous_forms: usize,
    pub checks: usize,
}

/// The owner's view of everything a form can change, read through the API. Fields that record
/// reads rather than changes (`last_…`: when a session or token was last used) are left out.
async fn snapshot(app: &TestApp, fx: &WebFixture) -> Vec<(String, Value)> {
    let o = format!("/api/v1/organizations/{}", fx.org);
    let p = format!("{o}/projects/{}", fx.project);
    let mut reads = vec![
        "/api/v1/me".to_string(),
        "/api/v1/me/api-tokens".to_string(),
        "/api/v1/me/sessions".to_string(),
        "/api/v1/organizations".to_string(),
    ];
    for rest in [
        "",
        "/members",
        "/invitations",
        "/clients",
        "/projects",
        "/rates",
        "/tags",
        "/time-entries",
        "/timer",
        "/reports/saved",
        "/reports/shared",
    ] {
        reads.push(format!("{o}{rest}"));
    }
    for rest in ["", "/tasks", "/members"] {
        reads.push(format!("{p}{rest}"));
    }
    let mut state = Vec::new();
    for path in reads {
        let (status, mut body) = app.get_as(&path, &fx.owner_access).await;
        strip_reads(&mut body);
        state.push((
            path,
            serde_json::json!({"status": status.as_u16(), "body": body}),
        ));
    }
    state
}

fn strip_reads(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|k, _| !k.starts_with("last_"));
            map.values_mut().for_each(strip_reads);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_reads),
        _ => {}
    }
}

/// Fields enough for each form to do something if its token were accepted: a name, a role, an
/// entry to change or delete, a week cell to fill, a person to invite, a rate.
fn signed_body(fx: &WebFixture, csrf: Option<&str>) -> String {
    let mut body = url::form_urlencoded::Serializer::new(String::new());
    if let Some(csrf) = csrf {
        body.append_pair("_csrf", csrf);
    }
    body.extend_pairs([
        ("name", "Forged"),
        ("role", "member"),
        ("description", "Forged"),
        ("email", "forged-invite@example.org"),
        ("hourly_rate", "1"),
        ("currency", "EUR"),
        ("entry_id", &fx.owner_entry),
        ("user_id", &fx.owner_id),
        ("action", "delete"),
        ("start", "2026-02-02"),
        ("duration", "1:00"),
        ("project_id", &fx.project),
        ("share_name", "Forged"),
        ("expires_in_days", "7"),
        (&format!("cell.{}|.2026-02-03", fx.project), "1:00"),
        (&format!("was.{}|.2026-02-03", fx.project), ""),
    ]);
    body.finish()
}

/// The import upload, a multipart form, with the CSV it would import.
fn upload_body(csrf: Option<&str>) -> (String, String) {
    let boundary = "forged-upload-boundary";
    let mut body = String::new();
    if let Some(csrf) = csrf {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"tz\"\r\n\r\nUTC\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"e.csv\"\r\n\
         Content-Type: text/csv\r\n\r\ndate,start,end,description\n\
         2026-02-02,09:00,10:00,Forged\n\r\n--{boundary}--\r\n"
    ));
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A fresh anonymous browser's form cookie (`name=value`) and the token its page carries.
async fn form_cookie(app: &TestApp) -> (String, String) {
    let page = app.client.get(app.url("/sign-in")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let cookie = page
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|v| v.starts_with("gogotime_form="))
        .expect("the sign-in page sets the form cookie")
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let token = csrf_of(&page.text().await.unwrap()).expect("the sign-in form's token");
    assert_eq!(cookie, format!("gogotime_form={token}"));
    (cookie, token)
}

fn session_cookie_set(response: &reqwest::Response) -> bool {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().unwrap().split(';').next())
        .any(|pair| pair.starts_with("gogotime_session=") && pair != "gogotime_session=")
}

pub async fn post_every_form_forged(
    app: &TestApp,
    fx: &WebFixture,
    failures: &mut Vec<String>,
) -> Forged {
    let (_, posts) = super::declared_routes();
    for anonymous in ANONYMOUS_FORMS {
        assert!(
            posts.contains(anonymous),
            "{anonymous} is listed as an anonymous form but src/http/web/ declares no such form"
        );
    }
    let owner = fx.cookies[7].clone().expect("the owner's session");
    let member = fx.cookies[4].clone().expect("the member's session");
    let owner_csrf = session_csrf(app, &owner).await.expect("a form token");
    let member_csrf = session_csrf(app, &member).await.expect("a form token");
    assert_ne!(owner_csrf, member_csrf, "each session has its own token");
    let made_up = "0".repeat(owner_csrf.len());

    let before = snapshot(app, fx).await;
    let mut forged = Forged {
        signed_forms: 0,
        anonymous_forms: 0,
        checks: 0,
    };
    // the forms that end the owner's session or organization last, so that were one to get
    // through, the others are still forged against a working session
    let mut order: Vec<&String> = posts.iter().collect();
    let last = |t: &str| t == "/sign-out" || t.ends_with("/delete") || t.contains("revoke-all");
    order.sort_by_key(|t| last(t));
    for template in order {
        let path = fx
            .path(template, "the owner's entry")
            .replace("{user}", &fx.owner_id)
            .replace("{task}", "01a23000-0000-7000-8000-000000000000")
            .replace("{upload}", "01a23000-0000-7000-8000-000000000000");
        if path.contains('{') {
            failures.push(format!(
                "POST {template}: the forged posts (access_matrix/web/forged.rs) have no value \
                 for its path parameters ({path})"
            ));
            continue;
        }
        let anonymous = ANONYMOUS_FORMS.contains(&template.as_str());
        if !anonymous || template.starts_with("/invite/") {
            forged.signed_forms += 1;
            let tokens = [None, Some(member_csrf.as_str()), Some(made_up.as_str())];
            for (how, csrf) in SIGNED_FORGERIES.iter().zip(tokens) {
                let (content_type, body) = if template.ends_with("/import") {
                    upload_body(csrf)
                } else {
                    (
                        "application/x-www-form-urlencoded".to_string(),
                        signed_body(fx, csrf),
                    )
                };
                let response = app
                    .client
                    .post(app.url(&path))
                    .header(COOKIE, &owner)
                    .header("content-type", content_type)
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                forged.checks += 1;
                let status = response.status().as_u16();
                if status != REFUSED {
                    failures.push(format!(
                        "POST {template} as {:?} with {how}: {path} answered {status}, \
                         expected {REFUSED}",
                        Browser::Owner
                    ));
                }
            }
        }
        if anonymous {
            forged.anonymous_forms += 1;
            let (cookie, _) = form_cookie(app).await;
            let (_, other_token) = form_cookie(app).await;
            let (_, own_token) = form_cookie(app).await;
            let email = if template == "/sign-in" {
                "owner@example.org"
            } else {
                FORGED_EMAIL
            };
            let fields = [
                ("email", email),
                ("password", PASSWORD),
                ("name", "Forged"),
                ("organization_name", "Forged"),
                ("time_zone", "UTC"),
            ];
            let cases = [
                (Some(cookie.as_str()), None),
                (Some(cookie.as_str()), Some(other_token.as_str())),
                (None, Some(own_token.as_str())),
            ];
            for (how, (cookie, csrf)) in ANONYMOUS_FORGERIES.iter().zip(cases) {
                let mut body = url::form_urlencoded::Serializer::new(String::new());
                if let Some(csrf) = csrf {
                    body.append_pair("_csrf", csrf);
                }
                body.extend_pairs(fields);
                let mut request = app
                    .client
                    .post(app.url(&path))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(body.finish());
                if let Some(cookie) = cookie {
                    request = request.header(COOKIE, cookie);
                }
                let response = request.send().await.unwrap();
                forged.checks += 1;
                let status = response.status().as_u16();
                if status != REFUSED || session_cookie_set(&response) {
                    failures.push(format!(
                        "POST {template} anonymously with {how}: {path} answered {status} \
                         (session cookie set: {}), expected {REFUSED} and no session",
                        session_cookie_set(&response)
                    ));
                }
            }
        }
    }

    // nothing changed: the owner's view is the same, no account was made or signed in
    let after = snapshot(app, fx).await;
    for ((path, was), (_, is)) in before.iter().zip(&after) {
        if was != is {
            failures.push(format!(
                "a forged post changed {path}:\nbefore {was}\nafter  {is}"
            ));
        }
    }
    for email in [FORGED_EMAIL, "pending@example.org"] {
        let (status, _) = app.token_for(email, PASSWORD).await;
        if status != 401 {
            failures.push(format!(
                "a forged anonymous post made the account {email} (signing in answered {status})"
            ));
        }
    }
    // the same sign-in with the form's own token works: the refusals above were the token's
    let (cookie, token) = form_cookie(app).await;
    let response = app
        .client
        .post(app.url("/sign-in"))
        .header(COOKIE, cookie)
        .form(&[
            ("_csrf", token.as_str()),
            ("email", "owner@example.org"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        303,
        "signing in with the form's own token"
    );
    assert!(session_cookie_set(&response), "a session after signing in");
    forged
}
