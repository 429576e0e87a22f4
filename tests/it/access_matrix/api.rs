//! The API half of the matrix: one or more cases per documented operation, in the order they
//! run (an operation that ends something, like deleting the organization, comes last), and
//! the concrete request each caller sends.

use reqwest::Method;
use serde_json::json;

use super::fixture::{Fixture, import_upload};
use super::{Body, Expect, Req, Who, anyone, signed_in};
use crate::helpers::TestApp;
use crate::helpers::accounts::PASSWORD;

pub struct Case {
    /// `METHOD /path/{template}` exactly as the OpenAPI document spells it.
    pub operation: &'static str,
    /// What this case checks, when an operation has more than one.
    pub variant: &'static str,
    pub expect: Expect,
}

/// Routes under /api that the OpenAPI document does not describe (operations, not data); they
/// are listed in src/http/mod.rs and get rows by hand.
pub const UNDOCUMENTED: [&str; 8] = [
    "GET /api/system/health",
    "GET /api/system/health/ready",
    "GET /api/system/health/live",
    "GET /api/system/version",
    "GET /api/openapi.json",
    "GET /api/docs",
    "POST /api/system/csp-report",
    "GET /feeds/{file}",
];

const fn case(operation: &'static str, variant: &'static str, expect: Expect) -> Case {
    Case {
        operation,
        variant,
        expect,
    }
}

const O: &str = "/api/v1/organizations/{org_id}";

/// The parameters of every report the matrix saves or shares.
const FEBRUARY: &str = "from=2026-02-01&to=2026-02-28&tz=UTC";

/// The entry a case about one entry is about.
fn entry_of<'a>(fx: &'a Fixture, variant: &str) -> &'a str {
    if variant == "the member's entry" {
        &fx.member_entry
    } else {
        &fx.owner_entry
    }
}

/// The matrix. Public operations say what every caller gets; the rest use [`signed_in`]
/// (outsider, member, manager, admin, owner).
pub fn table() -> Vec<Case> {
    vec![
        // public: operations that are not about the caller ignore the Authorization header
        case("GET /api/system/health", "", anyone(200)),
        case("GET /api/system/health/ready", "", anyone(200)),
        case("GET /api/system/health/live", "", anyone(200)),
        case("GET /api/system/version", "", anyone(200)),
        case("GET /api/openapi.json", "", anyone(200)),
        case("GET /api/docs", "", anyone(200)),
        case("POST /api/system/csp-report", "", anyone(204)),
        case("GET /feeds/{file}", "the owner's feed", anyone(200)),
        case("POST /api/v1/auth/register", "a new email", anyone(201)),
        case(
            "POST /api/v1/auth/token",
            "the caller's own email and password (the owner's when it has none)",
            [200, 200, 200, 200, 401, 200, 200, 200, 200, 200],
        ),
        case(
            "POST /api/v1/auth/refresh",
            "the caller's own refresh token (the owner's when it has none)",
            [200, 200, 200, 200, 401, 200, 200, 200, 200, 200],
        ),
        case(
            "POST /api/v1/auth/password-reset",
            "the caller's own email; this server sends no email",
            anyone(403),
        ),
        case(
            "POST /api/v1/auth/password-reset/confirm",
            "an unknown link",
            anyone(404),
        ),
        case(
            "POST /api/v1/auth/email-verification/confirm",
            "an unknown link",
            anyone(404),
        ),
        case(
            "POST /api/v1/auth/logout",
            "an unknown refresh token",
            anyone(204),
        ),
        case(
            "POST /api/v1/auth/session",
            "the caller's own email and password (the owner's when it has none)",
            [201, 201, 201, 201, 401, 201, 201, 201, 201, 201],
        ),
        case("POST /api/v1/auth/passkey/options", "", anyone(200)),
        case(
            "POST /api/v1/auth/passkey/token",
            "an answer that is no passkey's (refused, not counted as a guess)",
            anyone(422),
        ),
        case(
            "GET /api/v1/shared-reports/{token}",
            "the owner's link",
            anyone(200),
        ),
        case(
            "POST /api/v1/invitations/{token}/accept",
            "a fresh invitation of someone new: anonymous creates the account, anyone signed in is another account",
            [201, 401, 401, 401, 401, 403, 403, 403, 403, 403],
        ),
        // the caller's own account
        case("GET /api/v1/me", "", signed_in(200, 200, 200, 200, 200)),
        case("PATCH /api/v1/me", "", signed_in(200, 200, 200, 200, 200)),
        case(
            "POST /api/v1/me/email",
            "a wrong current password: refused, the address stays",
            signed_in(422, 422, 422, 422, 422),
        ),
        case(
            "POST /api/v1/me/email-verification",
            "this server sends no email",
            signed_in(403, 403, 403, 403, 403),
        ),
        case(
            "GET /api/v1/me/security-events",
            "",
            signed_in(200, 200, 200, 200, 200),
        ),
        case(
            "GET /api/v1/me/api-tokens",
            "",
            signed_in(200, 200, 200, 200, 200),
        ),
        case(
            "POST /api/v1/me/api-tokens",
            "",
            signed_in(201, 201, 201, 201, 201),
        ),
        case(
            "DELETE /api/v1/me/api-tokens/{id}",
            "a fresh token of the owner's",
            signed_in(404, 404, 404, 404, 204),
        ),
        case(
            "GET /api/v1/me/sessions",
            "",
            signed_in(200, 200, 200, 200, 200),
        ),
        case(
            "DELETE /api/v1/me/sessions/{id}",
            "a fresh session of the owner's",
            signed_in(404, 404, 404, 404, 204),
        ),
        case(
            "GET /api/v1/me/two-factor",
            "",
            signed_in(200, 200, 200, 200, 200),
        ),
        case(
            "POST /api/v1/me/two-factor",
            "",
            signed_in(201, 201, 201, 201, 201),
        ),
        case(
            "POST /api/v1/me/two-factor/confirm",
            "a wrong code",
            signed_in(422, 422, 422, 422, 422),
        ),
        case(
            "POST /api/v1/me/two-factor/recovery-codes",
            "two-factor is off",
            signed_in(409, 409, 409, 409, 409),
        ),
        case(
            "POST /api/v1/me/two-factor/disable",
            "two-factor is off",
            signed_in(409, 409, 409, 409, 409),
        ),
        case(
            "GET /api/v1/me/passkeys",
            "",
            signed_in(200, 200, 200, 200, 200),
        ),
        case(
            "POST /api/v1/me/passkeys/options",
            "",
            signed_in(200, 200, 200, 200, 200),
        ),
        case(
            "POST /api/v1/me/passkeys",
            "an answer that is no passkey's",
            signed_in(422, 422, 422, 422, 422),
        ),
        case(
            "DELETE /api/v1/me/passkeys/{id}",
            "a passkey nobody has",
            signed_in(404, 404, 404, 404, 404),
        ),
        case(
            "PATCH /api/v1/me/passkeys/{id}",
            "a passkey nobody has",
            signed_in(404, 404, 404, 404, 404),
        ),
        case(
            "POST /api/v1/me/calendar-feed",
            "",
            signed_in(200, 200, 200, 200, 200),
        ),
        case(
            "DELETE /api/v1/me/calendar-feed",
            "after making one",
            signed_in(204, 204, 204, 204, 204),
        ),
        case(
            "DELETE /api/v1/auth/session",
            "with a bearer token: no session to end",
            signed_in(204, 204, 204, 204, 204),
        ),
        // organizations and people
        case(
            "GET /api/v1/organizations",
            "",
            signed_in(200, 200, 200, 200, 200),
        ),
        case(
            "POST /api/v1/organizations",
            "",
            signed_in(201, 201, 201, 201, 201),
        ),
        case(
            "GET /api/v1/organizations/{org_id}",
            "",
            signed_in(404, 200, 200, 200, 200),
        ),
        case(
            "PATCH /api/v1/organizations/{org_id}",
            "",
            signed_in(404, 403, 403, 200, 200),
        ),
        case(
            "GET /api/v1/organizations/{org_id}/members",
            "",
            signed_in(404, 200, 200, 200, 200),
        ),
        case(
            "PATCH /api/v1/organizations/{org_id}/members/{user_id}",
            "a member made manager",
            signed_in(404, 403, 403, 200, 200),
        ),
        case(
            "PATCH /api/v1/organizations/{org_id}/members/{user_id}",
            "the owner made admin (only owners may)",
            signed_in(404, 403, 403, 403, 409),
        ),
        case(
            "DELETE /api/v1/organizations/{org_id}/members/{user_id}",
            "a fresh member",
            signed_in(404, 403, 403, 204, 204),
        ),
        case(
            "GET /api/v1/organizations/{org_id}/invitations",
            "",
            signed_in(404, 403, 403, 200, 200),
        ),
        case(
            "POST /api/v1/organizations/{org_id}/invitations",
            "",
            signed_in(404, 403, 403, 201, 201),
        ),
        case(
            "DELETE /api/v1/organizations/{org_id}/invitations/{id}",
            "a fresh invitation",
            signed_in(404, 403, 403, 204, 204),
        ),
        case(
            "GET /api/v1/organizations/{org_id}/audit-log",
            "",
            signed_in(404, 403, 403, 200, 200),
        ),
        case(
            "GET /api/v1/organizations/{org_id}/sso",
            "single sign-on set up by the owner",
            signed_in(404, 403, 403, 200, 200),
        ),
        case(
            "PUT /api/v1/organizations/{org_id}/sso",
            "",
            signed_in(404, 403, 403, 200, 200),
        ),
        case(
            "DELETE /api/v1/organizations/{org_id}/sso",
            "single sign-on set up by the owner",
            signed_in(404, 403, 403, 204, 204),
        ),
        case(
            "PUT /api/v1/organizations/{org_id}/sso/password-sign-in",
            "single sign-on set up by the owner; passwords stay allowed",
            signed_in(404, 403, 403, 200, 200),
        ),
        // catalog
        case(
            "GET /api/v1/organizations/{org_id}/clients",
            "",
            signed_in(404, 200, 200, 200, 200),
        ),
        case(
            "POST /api/v1/organizations/{org_id}/clients",
            "",
            signed_in(404, 403, 201, 201, 201),
        ),
        case(
            "GET /api/v1/organizations/{org_id}/clients/{id}",
            "",
            signed_in(404, 200, 200, 200, 200),
        ),
        case(
            "PATCH /api/v1/organizations/{org_id}/clients/{id}",
            "",
            signed_in(404, 403, 200, 200, 200),
        ),
        case(
            "DELETE /api/v1/organizations/{org_id}/clients/{id}",
            "a fresh client",
            signed_in(404, 403, 204, 204, 204),
        ),
        case(
            "GET /api/v1/organizations/{org_id}/projects",
            "",
            signed_in(404, 200, 200, 200, 200),
        ),
        case(
            "POST /api/v1/organizations/{org_id}/projects",
            "",
            signed_in(404, 403, 201, 201, 201),
        ),
        case(
            "GET /api/v1/organizations/{org_id}/projects/{id}",
            "",
            signed_in(404, 200, 200, 200, 200),
        ),
        case(
            "PATCH /api/v1/organizations/{org_id}/projects/{id}",
            "",
            signed_in(404, 403, 200, 200, 200),
        ),
        case(
            "DELETE /api/v1/organizations/{org_id}/projects/{id}",
            "a fresh project",
            signed_in(404, 403, 204, 204, 204),
        ),
        case(
            "GET /api/v1/organizations/{org_id}/projects/{id}/members",
            "",
            signed_in(404, 200, 200, 200, 200),
        ),
        case(
            "POST /api/v1/organizations/{org_id}/projects/{id}/members",
            "a fresh project",
            signed_in(404, 403, 201, 201, 201),
        ),
        case(
            "DELETE /api/v1/organizations/{org_id}/projects/{id}/members/{user_id}",
            "a fresh project the member was added to",
            signed_in(404, 403, 204, 204, 204),
        ),
        case(
            "GET /api/v1/organizations/{org_id}/projects/{id}/tasks",
            "",
            signed_in(404, 200, 200, 200, 200),
        ),
        case(
            "POST /api/v1/organizations/{org_id}/projects/{id}/tasks",
            "",
            signed_in(404, 403, 201, 201, 201),
        ),
        case(
            "GET /api/v1/organizations/{org_id}/projects/{id}/tasks/{task_id}",
            "",
            signed_in(404, 200, 200, 200, 200),
        ),
        case(
            "PATCH /api/v1/organizations/{org_id}/projects/{id}/tasks/{task_id}",
            "",
            signed_in(404, 403, 200, 200, 200),
        ),
        case(
            "DELETE /api/v1/organizations/{org_id}/projects/{id}/tasks/{task_id}",
            "a fresh task",
            signed_in(404, 403, 204, 204, 204),
        ),
        case(
            "GET /api/v1/organizations/{org_id}/tags",
            "",
            signed_in(404, 200, 200, 200, 200),
        ),
        case(
            "POST /api/v1/organizations/{org_id}/tags",
            "",
            signed_in(404, 403, 201, 201, 201),
        ),
        case(
            "GET /api/v1/organizations/{org_id}/tags/{id}",
            "",
            signed_in(404, 200, 200, 200, 200),
        ),
        case(
            "PATCH /api/v1/organizations/{org_id}/tags/{id}",
            "",
            signed_in(404, 403, 200, 200, 200),
        ),
        case(
            "DELETE /api/v1/organizations/{org_id}/tags/{id}",
            "a fresh tag",
            signed_in(404, 403, 204, 204, 204),
        ),
        // time entries and the timer
        case(
            "GET /api/v1/organizations/{org_id}/time-entries",
            "",
            signed_in(404, 200, 200, 200, 200),
        ),
        case(
            "POST /api/v1/organizations/{org_id}/time-entries",
            "the caller's own entry",
            signed_in(404, 201, 201, 201, 201),
        ),
        case(
            "POST /api/v1/organizations/{org_id}/time-entries",
            "an entry for the member",
            signed_in(404, 201, 201, 201, 201),
        ),
        case(
            "POST /api/v1/organizations/{org_id}/time-entries",
            // a member is refused with 404, as for reading someone else's entry
            "an entry for the owner",
            signed_in(404, 404, 201, 201, 201),
        ),
        case(
            "GET /api/v1/organizations/{org_id}/time-entries/{id}",
            "the member's entry",
            signed_in(404, 200, 200, 200, 200),
        ),
        case(
            "GET /api/v1/organizations/{org_id}/time-entries/{id}",
            "the owner's entry",
            signed_in(404, 404, 200, 200, 200),
        ),
        case(
            "PATCH /api/v1/organizations/{org_id}/time-entries/{id}",
            "the member's entry",
            signed_in(404, 200, 200, 200, 200),
        ),
        case(
            "PATCH /api/v1/organizations/{org_id}/time-entries/{id}",
            "the owner's entry",
            signed_in(404, 404, 200, 200, 200),
        ),
        case(
            "DELETE /api/v1/organizations/{org_id}/time-entries/{id}",
            "a fresh entry of the member's",
            signed_in(404, 204, 204, 204, 204),
        ),
        case(
            "DELETE /api/v1/organizations/{org_id}/time-entries/{id}",
            "a fresh entry of the owner's",
            signed_in(404, 404, 204, 204, 204),
        ),
        case(
            "POST /api/v1/organizations/{org_id}/time-entries/{id}/restore",
            "a just-deleted entry of the member's",
            signed_in(404, 200, 200, 200, 200),
        ),
        case(
            "POST /api/v1/organizations/{org_id}/time-entries/{id}/restore",
            "a just-deleted entry of the owner's",
            signed_in(404, 404, 200, 200, 200),
        ),
        case(
            "PATCH /api/v1/organizations/{org_id}/time-entries",
            "the member's entry",
            signed_in(404, 200, 200, 200, 200),
        ),
        case(
            "PATCH /api/v1/organizations/{org_id}/time-entries",
            "the owner's entry",
            signed_in(404, 404, 200, 200, 200),
        ),
        case(
            "DELETE /api/v1/organizations/{org_id}/time-entries",
            "a fresh entry of the member's",
            signed_in(404, 204, 204, 204, 204),
        ),
        case(
            "DELETE /api/v1/organizations/{org_id}/time-entries",
            "a fresh entry of the owner's",
            signed_in(404, 404, 204, 204, 204),
        ),
        case(
            "POST /api/v1/organizations/{org_id}/time-entries/recalculate-rates",
            "",
            signed_in(404, 403, 403, 200, 200),
        ),
        case(
            "GET /api/v1/organizations/{org_id}/timer",
            "no timer running",
            signed_in(404, 204, 204, 204, 204),
        ),
        case(
            "POST /api/v1/organizations/{org_id}/timer/start",
            "",
            signed_in(404, 201, 201, 201, 201),
        ),
        case(
            "POST /api/v1/organizations/{org_id}/timer/stop",
            "",
            signed_in(404, 200, 200, 200, 200),
        ),
        case(
            "POST /api/v1/organizations/{org_id}/time-entries/{id}/continue",
            "the owner's entry",
            signed_in(404, 404, 201, 201, 201),
        ),
        case(
            "POST /api/v1/organizations/{org_id}/imports",
            "a dry run",
            signed_in(404, 403, 200, 200, 200),
        ),
        // rates
        case(
            "GET /api/v1/organizations/{org_id}/rates",
            "",
            signed_in(404, 403, 403, 200, 200),
        ),
        case(
            "PUT /api/v1/organizations/{org_id}/rates/default",
            "",
            signed_in(404, 403, 403, 200, 200),
        ),
        case(
            "PUT /api/v1/organizations/{org_id}/rates/members/{user_id}",
            "",
            signed_in(404, 403, 403, 200, 200),
        ),
        case(
            "PUT /api/v1/organizations/{org_id}/rates/projects/{project_id}",
            "",
            signed_in(404, 403, 403, 200, 200),
        ),
        case(
            "PUT /api/v1/organizations/{org_id}/rates/projects/{project_id}/members/{user_id}",
            "",
            signed_in(404, 403, 403, 200, 200),
        ),
        // reports and exports
        case(
            "GET /api/v1/organizations/{org_id}/reports/summary",
            "",
            signed_in(404, 200, 200, 200, 200),
        ),
        case(
            "GET /api/v1/organizations/{org_id}/reports/detailed",
            "",
            signed_in(404, 200, 200, 200, 200),
        ),
        case(
            "GET /api/v1/organizations/{org_id}/reports/weekly",
            "",
            signed_in(404, 200, 200, 200, 200),
        ),
        case(
            "GET /api/v1/organizations/{org_id}/exports/entries.csv",
            "",
            signed_in(404, 200, 200, 200, 200),
        ),
        case(
            "GET /api/v1/organizations/{org_id}/exports/entries.json",
            "",
            signed_in(404, 200, 200, 200, 200),
        ),
        case(
            "GET /api/v1/organizations/{org_id}/exports/entries.xlsx",
            "",
            signed_in(404, 200, 200, 200, 200),
        ),
        case(
            "GET /api/v1/organizations/{org_id}/exports/summary.pdf",
            "",
            signed_in(404, 200, 200, 200, 200),
        ),
        case(
            "GET /api/v1/organizations/{org_id}/reports/saved",
            "",
            signed_in(404, 200, 200, 200, 200),
        ),
        case(
            "POST /api/v1/organizations/{org_id}/reports/saved",
            "",
            signed_in(404, 201, 201, 201, 201),
        ),
        case(
            "DELETE /api/v1/organizations/{org_id}/reports/saved/{id}",
            "a fresh saved report of the owner's",
            signed_in(404, 404, 404, 404, 204),
        ),
        case(
            "GET /api/v1/organizations/{org_id}/reports/shared",
            "",
            signed_in(404, 200, 200, 200, 200),
        ),
        case(
            "POST /api/v1/organizations/{org_id}/reports/shared",
            "",
            signed_in(404, 201, 201, 201, 201),
        ),
        case(
            "DELETE /api/v1/organizations/{org_id}/reports/shared/{id}",
            "a fresh link of the owner's",
            signed_in(404, 404, 404, 204, 204),
        ),
        // last: what changes the callers themselves or ends the organization
        case(
            "POST /api/v1/me/sessions/revoke-all",
            "",
            signed_in(204, 204, 204, 204, 204),
        ),
        case(
            "POST /api/v1/me/password",
            "the caller's own current password",
            signed_in(204, 204, 204, 204, 204),
        ),
        case(
            "DELETE /api/v1/organizations/{org_id}",
            "",
            signed_in(404, 403, 403, 403, 204),
        ),
    ]
}

/// The request `who` sends for `case`, with a fresh target where the operation consumes one.
/// Single sign-on settings that pass validation (saving them calls no provider).
fn sso_settings() -> serde_json::Value {
    json!({
        "display_name": "Example IdP",
        "issuer": "https://idp.example.com",
        "client_id": "gogotime",
        "client_secret": "a-client-secret-of-the-provider",
        "allowed_domains": ["example.com"],
    })
}

pub async fn request(app: &TestApp, fx: &mut Fixture, case: &Case, who: Who) -> Req {
    use Method as M;
    let (method, template) = case.operation.split_once(' ').unwrap();
    let method = M::from_bytes(method.as_bytes()).unwrap();
    let n = fx.next();
    let own_email = Fixture::email(who);
    match (case.operation, case.variant) {
        ("GET /feeds/{file}", _) => {
            let owner = fx.credential(Who::Owner).unwrap();
            let (status, feed) = app
                .post("/api/v1/me/calendar-feed", Some(owner), json!({}))
                .await;
            assert_eq!(status, 200, "{feed}");
            let url = feed["url"].as_str().unwrap();
            Req::new(M::GET, &url[url.find("/feeds/").unwrap()..])
        }
        ("POST /api/system/csp-report", _) => Req::new(M::POST, template).json(json!({
            "csp-report": {
                "document-uri": "http://localhost:8080/",
                "violated-directive": "script-src"
            }
        })),
        ("POST /api/v1/auth/register", _) => Req::new(M::POST, template).json(json!({
            "email": format!("new{n}@example.org"), "password": PASSWORD, "name": "New"
        })),
        ("POST /api/v1/auth/token" | "POST /api/v1/auth/session", _) => {
            Req::new(method, template).json(json!({"email": own_email, "password": PASSWORD}))
        }
        ("POST /api/v1/auth/refresh", _) => {
            let token = match who {
                Who::Disabled => fx.disabled_refresh.clone(),
                _ => {
                    let (status, tokens) = app.token_for(own_email, PASSWORD).await;
                    assert_eq!(status, 200, "{tokens}");
                    tokens["refresh_token"].as_str().unwrap().to_string()
                }
            };
            Req::new(M::POST, template).json(json!({"refresh_token": token}))
        }
        ("POST /api/v1/auth/password-reset", _) => {
            Req::new(M::POST, template).json(json!({"email": own_email}))
        }
        ("POST /api/v1/auth/password-reset/confirm", _) => {
            Req::new(M::POST, template).json(json!({
                "token": "ggw_no-such-link", "password": "another correct horse battery staple"
            }))
        }
        ("POST /api/v1/auth/email-verification/confirm", _) => {
            Req::new(M::POST, template).json(json!({"token": "ggv_no-such-link"}))
        }
        ("POST /api/v1/me/email", _) => Req::new(M::POST, template).json(json!({
            "email": format!("moved{n}@example.org"), "current_password": "not the password"
        })),
        ("POST /api/v1/auth/logout", _) => {
            Req::new(M::POST, template).json(json!({"refresh_token": format!("unknown-{n}")}))
        }
        ("GET /api/v1/shared-reports/{token}", _) => Req::new(
            M::GET,
            format!("/api/v1/shared-reports/{}", fx.shared_token),
        ),
        ("POST /api/v1/invitations/{token}/accept", _) => {
            let (_, token) = fx.invitation(app).await;
            let req = Req::new(M::POST, format!("/api/v1/invitations/{token}/accept"));
            if who == Who::Anonymous {
                req.json(json!({"name": "Invited", "password": PASSWORD}))
            } else {
                req
            }
        }
        ("PATCH /api/v1/me", _) => Req::new(M::PATCH, template).json(json!({"week_start": 1})),
        ("POST /api/v1/me/api-tokens", _) => {
            Req::new(M::POST, template).json(json!({"name": format!("token {n}")}))
        }
        ("DELETE /api/v1/me/api-tokens/{id}", _) => {
            let id = fx.owner_api_token(app).await;
            Req::new(M::DELETE, format!("/api/v1/me/api-tokens/{id}"))
        }
        ("DELETE /api/v1/me/sessions/{id}", _) => {
            let id = fx.owner_session(app).await;
            Req::new(M::DELETE, format!("/api/v1/me/sessions/{id}"))
        }
        ("DELETE /api/v1/me/calendar-feed", _) => {
            if let Some(token) = fx.credential(who) {
                // a feed to revoke, made with the caller's own credential
                app.post("/api/v1/me/calendar-feed", Some(token), json!({}))
                    .await;
            }
            Req::new(M::DELETE, template)
        }
        ("PUT /api/v1/organizations/{org_id}/sso", _) => {
            Req::new(M::PUT, fx.p("sso")).json(sso_settings())
        }
        (
            "GET /api/v1/organizations/{org_id}/sso" | "DELETE /api/v1/organizations/{org_id}/sso",
            _,
        ) => {
            let owner = fx.credential(Who::Owner).unwrap().to_string();
            let (status, saved) = app
                .call(M::PUT, &fx.p("sso"), Some(&owner), Some(sso_settings()))
                .await;
            assert_eq!(status, 200, "{saved}");
            Req::new(method, fx.p("sso"))
        }
        ("PUT /api/v1/organizations/{org_id}/sso/password-sign-in", _) => {
            let owner = fx.credential(Who::Owner).unwrap().to_string();
            let (status, saved) = app
                .call(M::PUT, &fx.p("sso"), Some(&owner), Some(sso_settings()))
                .await;
            assert_eq!(status, 200, "{saved}");
            Req::new(M::PUT, fx.p("sso/password-sign-in"))
                .json(json!({ "password_sign_in_disabled": false }))
        }
        ("POST /api/v1/organizations", _) => {
            Req::new(M::POST, template).json(json!({"name": format!("Side project {n}")}))
        }
        ("PATCH /api/v1/organizations/{org_id}", _) => {
            Req::new(M::PATCH, fx.p("")).json(json!({"name": "Renamed Ltd"}))
        }
        ("PATCH /api/v1/organizations/{org_id}/members/{user_id}", "a member made manager") => {
            Req::new(M::PATCH, fx.p(&format!("members/{}", fx.subject.id)))
                .json(json!({"role": "manager"}))
        }
        ("PATCH /api/v1/organizations/{org_id}/members/{user_id}", _) => {
            Req::new(M::PATCH, fx.p(&format!("members/{}", fx.owner.id)))
                .json(json!({"role": "admin"}))
        }
        ("DELETE /api/v1/organizations/{org_id}/members/{user_id}", _) => {
            let id = fx.new_member(app).await;
            Req::new(M::DELETE, fx.p(&format!("members/{id}")))
        }
        ("POST /api/v1/organizations/{org_id}/invitations", _) => {
            Req::new(M::POST, fx.p("invitations"))
                .json(json!({"email": format!("someone{n}@example.org"), "role": "member"}))
        }
        ("DELETE /api/v1/organizations/{org_id}/invitations/{id}", _) => {
            let (id, _) = fx.invitation(app).await;
            Req::new(M::DELETE, fx.p(&format!("invitations/{id}")))
        }
        ("POST /api/v1/organizations/{org_id}/clients", _)
        | ("POST /api/v1/organizations/{org_id}/projects", _)
        | ("POST /api/v1/organizations/{org_id}/tags", _) => {
            let kind = template.rsplit('/').next().unwrap();
            Req::new(M::POST, fx.p(kind)).json(json!({"name": format!("{kind} {n}")}))
        }
        ("GET /api/v1/organizations/{org_id}/clients/{id}", _) => {
            Req::new(M::GET, fx.p(&format!("clients/{}", fx.client)))
        }
        ("PATCH /api/v1/organizations/{org_id}/clients/{id}", _) => {
            Req::new(M::PATCH, fx.p(&format!("clients/{}", fx.client)))
                .json(json!({"name": "Acme Corp"}))
        }
        ("GET /api/v1/organizations/{org_id}/projects/{id}", _)
        | ("GET /api/v1/organizations/{org_id}/projects/{id}/members", _)
        | ("GET /api/v1/organizations/{org_id}/projects/{id}/tasks", _) => Req::new(
            M::GET,
            format!(
                "{}{}",
                fx.p(""),
                &template[O.len()..].replace("{id}", &fx.project)
            ),
        ),
        ("PATCH /api/v1/organizations/{org_id}/projects/{id}", _) => {
            Req::new(M::PATCH, fx.p(&format!("projects/{}", fx.project)))
                .json(json!({"name": "Website relaunch"}))
        }
        ("POST /api/v1/organizations/{org_id}/projects/{id}/members", _) => {
            let project = fx
                .create(app, "projects", json!({"name": format!("Team {n}")}))
                .await;
            Req::new(M::POST, fx.p(&format!("projects/{project}/members")))
                .json(json!({"user_id": fx.member.id}))
        }
        ("DELETE /api/v1/organizations/{org_id}/projects/{id}/members/{user_id}", _) => {
            let project = fx
                .create(app, "projects", json!({"name": format!("Team {n}")}))
                .await;
            let member = fx.member.id.clone();
            let (status, added) = fx
                .owner_call(
                    app,
                    M::POST,
                    &format!("projects/{project}/members"),
                    json!({"user_id": member}),
                )
                .await;
            assert_eq!(status, 201, "{added}");
            Req::new(
                M::DELETE,
                fx.p(&format!("projects/{project}/members/{member}")),
            )
        }
        ("POST /api/v1/organizations/{org_id}/projects/{id}/tasks", _) => {
            Req::new(M::POST, fx.p(&format!("projects/{}/tasks", fx.project)))
                .json(json!({"name": format!("Task {n}")}))
        }
        ("GET /api/v1/organizations/{org_id}/projects/{id}/tasks/{task_id}", _) => Req::new(
            M::GET,
            fx.p(&format!("projects/{}/tasks/{}", fx.project, fx.task)),
        ),
        ("PATCH /api/v1/organizations/{org_id}/projects/{id}/tasks/{task_id}", _) => Req::new(
            M::PATCH,
            fx.p(&format!("projects/{}/tasks/{}", fx.project, fx.task)),
        )
        .json(json!({"name": "Design review"})),
        ("DELETE /api/v1/organizations/{org_id}/projects/{id}/tasks/{task_id}", _) => {
            let project = fx.project.clone();
            let task = fx
                .create(
                    app,
                    &format!("projects/{project}/tasks"),
                    json!({"name": format!("Task {n}")}),
                )
                .await;
            Req::new(M::DELETE, fx.p(&format!("projects/{project}/tasks/{task}")))
        }
        ("DELETE /api/v1/organizations/{org_id}/clients/{id}", _)
        | ("DELETE /api/v1/organizations/{org_id}/projects/{id}", _)
        | ("DELETE /api/v1/organizations/{org_id}/tags/{id}", _) => {
            let kind = template[O.len() + 1..].split('/').next().unwrap();
            let id = fx
                .create(app, kind, json!({"name": format!("{kind} to delete {n}")}))
                .await;
            Req::new(M::DELETE, fx.p(&format!("{kind}/{id}")))
        }
        ("GET /api/v1/organizations/{org_id}/tags/{id}", _) => {
            Req::new(M::GET, fx.p(&format!("tags/{}", fx.tag)))
        }
        ("PATCH /api/v1/organizations/{org_id}/tags/{id}", _) => {
            Req::new(M::PATCH, fx.p(&format!("tags/{}", fx.tag))).json(json!({"name": "urgent!"}))
        }
        ("POST /api/v1/organizations/{org_id}/time-entries", variant) => {
            let day = 1 + n % 27;
            let mut body = json!({
                "start": format!("2026-01-{day:02}T13:00:00Z"),
                "end": format!("2026-01-{day:02}T14:00:00Z"),
                "description": format!("entry {n}"),
            });
            match variant {
                "an entry for the member" => body["user_id"] = json!(fx.member.id),
                "an entry for the owner" => body["user_id"] = json!(fx.owner.id),
                _ => {}
            }
            Req::new(M::POST, fx.p("time-entries")).json(body)
        }
        ("GET /api/v1/organizations/{org_id}/time-entries/{id}", variant) => {
            let entry = entry_of(fx, variant);
            Req::new(M::GET, fx.p(&format!("time-entries/{entry}")))
        }
        ("PATCH /api/v1/organizations/{org_id}/time-entries/{id}", variant) => {
            let entry = entry_of(fx, variant).to_string();
            let mut req = Req::new(M::PATCH, fx.p(&format!("time-entries/{entry}")))
                .json(json!({"description": format!("edited {n}")}));
            req.if_match = Some(fx.etag(app, &entry).await);
            req
        }
        ("DELETE /api/v1/organizations/{org_id}/time-entries/{id}", variant) => {
            let of = if variant.contains("member") {
                Who::Member
            } else {
                Who::Owner
            };
            let entry = fx.entry_of(app, of).await;
            Req::new(M::DELETE, fx.p(&format!("time-entries/{entry}")))
        }
        ("POST /api/v1/organizations/{org_id}/time-entries/{id}/restore", variant) => {
            let of = if variant.contains("member") {
                Who::Member
            } else {
                Who::Owner
            };
            let entry = fx.deleted_entry_of(app, of).await;
            Req::new(M::POST, fx.p(&format!("time-entries/{entry}/restore")))
        }
        ("PATCH /api/v1/organizations/{org_id}/time-entries", variant) => {
            let entry = entry_of(fx, variant);
            Req::new(M::PATCH, fx.p("time-entries"))
                .json(json!({"ids": [entry], "set": {"billable": true}}))
        }
        ("DELETE /api/v1/organizations/{org_id}/time-entries", variant) => {
            let of = if variant.contains("member") {
                Who::Member
            } else {
                Who::Owner
            };
            let entry = fx.entry_of(app, of).await;
            Req::new(M::DELETE, fx.p("time-entries")).json(json!({"ids": [entry]}))
        }
        ("POST /api/v1/organizations/{org_id}/timer/start", _) => {
            Req::new(M::POST, fx.p("timer/start")).json(json!({"description": "timing"}))
        }
        ("POST /api/v1/organizations/{org_id}/timer/stop", _) => {
            Req::new(M::POST, fx.p("timer/stop")).json(json!({}))
        }
        ("POST /api/v1/organizations/{org_id}/time-entries/{id}/continue", _) => Req::new(
            M::POST,
            fx.p(&format!("time-entries/{}/continue", fx.owner_entry)),
        ),
        ("POST /api/v1/organizations/{org_id}/imports", _) => {
            let mut req = Req::new(M::POST, fx.p("imports?dry_run=true&tz=UTC"));
            req.body = Body::Multipart(import_upload());
            req
        }
        (operation, _) if operation.starts_with("PUT ") && operation.contains("/rates/") => {
            let path = template[O.len()..]
                .replace("{user_id}", &fx.subject.id)
                .replace("{project_id}", &fx.project);
            Req::new(M::PUT, format!("{}{path}", fx.p(""))).json(json!({"hourly_rate": 5000 + n}))
        }
        ("POST /api/v1/organizations/{org_id}/reports/saved", _)
        | ("POST /api/v1/organizations/{org_id}/reports/shared", _) => {
            Req::new(M::POST, format!("{}{}", fx.p(""), &template[O.len()..]))
                .json(json!({"name": format!("Report {n}"), "params": FEBRUARY}))
        }
        ("DELETE /api/v1/organizations/{org_id}/reports/saved/{id}", _)
        | ("DELETE /api/v1/organizations/{org_id}/reports/shared/{id}", _) => {
            let kind = if template.contains("saved") {
                "reports/saved"
            } else {
                "reports/shared"
            };
            let id = fx
                .create(
                    app,
                    kind,
                    json!({"name": format!("Owner's {n}"), "params": FEBRUARY}),
                )
                .await;
            Req::new(M::DELETE, fx.p(&format!("{kind}/{id}")))
        }
        (operation, _)
            if operation.contains("/reports/summary")
                || operation.contains("/reports/detailed")
                || operation.contains("/reports/weekly")
                || operation.contains("/exports/") =>
        {
            // a whole month of February, grouped by person
            Req::new(
                method,
                format!(
                    "{}?from=2026-02-01&to=2026-02-28&group=user&tz=UTC",
                    template.replace("{org_id}", &fx.org)
                ),
            )
        }
        ("POST /api/v1/me/two-factor/confirm", _) => {
            // a code is never six letters: wrong for every caller, whatever their secret
            Req::new(M::POST, template).json(json!({ "code": "abcdef" }))
        }
        ("POST /api/v1/me/two-factor/recovery-codes" | "POST /api/v1/me/two-factor/disable", _) => {
            Req::new(M::POST, template).json(json!({
                "current_password": PASSWORD, "code": "abcdef"
            }))
        }
        ("POST /api/v1/me/passkeys/options", _) => {
            Req::new(M::POST, template).json(json!({ "name": "Laptop" }))
        }
        ("POST /api/v1/me/passkeys" | "POST /api/v1/auth/passkey/token", _) => {
            Req::new(M::POST, template).json(json!({ "credential": {} }))
        }
        ("DELETE /api/v1/me/passkeys/{id}", _) => Req::new(
            M::DELETE,
            template.replace("{id}", "01890000-0000-7000-8000-000000000000"),
        )
        .json(json!({ "current_password": PASSWORD })),
        ("PATCH /api/v1/me/passkeys/{id}", _) => Req::new(
            M::PATCH,
            template.replace("{id}", "01890000-0000-7000-8000-000000000000"),
        )
        .json(json!({ "name": "Laptop" })),
        ("POST /api/v1/me/password", _) => Req::new(M::POST, template).json(json!({
            "current_password": PASSWORD, "new_password": "another correct horse battery staple"
        })),
        (operation, _)
            if !operation.contains('{')
                || (template.starts_with(O) && !template[O.len()..].contains('{')) =>
        {
            // no target beyond the organization: the template with the organization filled in
            Req::new(method, template.replace("{org_id}", &fx.org))
        }
        (operation, variant) => panic!("the matrix has no request for {operation} [{variant}]"),
    }
}
