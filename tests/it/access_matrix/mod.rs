//! The authorization matrix: every operation of the API (enumerated from the app's own OpenAPI
//! document, so a new route cannot be missed) × every kind of caller → the exact status.
//! Another organization's data answers 404, never 403; a missing, expired, revoked or disabled
//! credential answers 401.

mod api;
mod fixture;
mod web;

use reqwest::Method;
use serde_json::Value;

use crate::both_backends;
use crate::helpers::Backend;

both_backends!(
    every_api_operation_answers_each_caller_as_the_matrix_says,
    every_web_page_answers_each_browser_as_the_matrix_says,
);

use web::every_web_page_answers_each_browser_as_the_matrix_says;

#[test]
fn the_web_matrix_lists_every_page_route() {
    web::the_web_table_lists_every_page_route();
}

/// Who calls. Credentials that must not work (expired, revoked, disabled) belong to powerful
/// users (the owner, an admin), so a 2xx for them would be a real hole, not a harmless one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Anonymous,
    /// The owner's JWT access token, past its 15-minute lifetime.
    ExpiredAccessToken,
    /// The owner's personal API token, past its `expires_at`.
    ExpiredApiToken,
    /// The owner's personal API token, revoked (DELETE /me/api-tokens/{id}).
    RevokedApiToken,
    /// An admin of the organization whose account `gogotime user disable` disabled; calls
    /// with the API token they made before.
    Disabled,
    /// The owner of another organization.
    Outsider,
    Member,
    Manager,
    Admin,
    Owner,
}

pub const WHO: [Who; 10] = [
    Who::Anonymous,
    Who::ExpiredAccessToken,
    Who::ExpiredApiToken,
    Who::RevokedApiToken,
    Who::Disabled,
    Who::Outsider,
    Who::Member,
    Who::Manager,
    Who::Admin,
    Who::Owner,
];

/// Expected status per caller, in the order of [`WHO`].
pub type Expect = [u16; 10];

/// An operation that needs a working credential: 401 for the five callers without one, then
/// the statuses for outsider, member, manager, admin, owner.
pub const fn signed_in(o: u16, me: u16, ma: u16, ad: u16, ow: u16) -> Expect {
    [401, 401, 401, 401, 401, o, me, ma, ad, ow]
}

/// A public operation that ignores who calls.
pub const fn anyone(status: u16) -> Expect {
    [status; 10]
}

pub enum Body {
    None,
    Json(Value),
    /// A multipart/form-data body with the boundary [`fixture::BOUNDARY`].
    Multipart(Vec<u8>),
}

/// One concrete request of one case for one caller.
pub struct Req {
    pub method: Method,
    pub path: String,
    pub body: Body,
    pub if_match: Option<String>,
}

impl Req {
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Req {
            method,
            path: path.into(),
            body: Body::None,
            if_match: None,
        }
    }

    pub fn json(mut self, body: Value) -> Self {
        self.body = Body::Json(body);
        self
    }
}

/// The (method, path template) pairs of the OpenAPI document the app serves.
async fn documented_operations(app: &crate::helpers::TestApp) -> Vec<String> {
    let (status, doc) = app.get_json("/api/openapi.json").await;
    assert_eq!(status, 200, "{doc}");
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in [
            "get", "put", "post", "delete", "patch", "head", "options", "trace",
        ] {
            if item.get(method).is_some() {
                operations.push(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    operations.sort();
    operations
}

async fn every_api_operation_answers_each_caller_as_the_matrix_says(backend: Backend) {
    let app = crate::helpers::spawn_app(backend).await;

    let documented = documented_operations(&app).await;
    let table = api::table();
    let in_table: std::collections::BTreeSet<&str> = table.iter().map(|c| c.operation).collect();
    let missing: Vec<&str> = documented
        .iter()
        .map(String::as_str)
        .chain(api::UNDOCUMENTED)
        .filter(|op| !in_table.contains(op))
        .collect();
    let stale: Vec<&&str> = in_table
        .iter()
        .filter(|op| {
            !documented.iter().any(|d| d.as_str() == **op) && !api::UNDOCUMENTED.contains(*op)
        })
        .collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "the authorization matrix (tests/it/access_matrix/api.rs) must list exactly the API's \
         operations.\nOperations with no entry: {missing:#?}\nEntries for operations that no \
         longer exist: {stale:#?}"
    );

    let mut fx = fixture::Fixture::build(&app).await;
    let mut failures = Vec::new();
    let mut checks = 0;
    let mut idor_checks = 0;
    for case in &table {
        for (i, who) in WHO.iter().enumerate() {
            let req = api::request(&app, &mut fx, case, *who).await;
            let (status, body) = fx.send(&app, &req, *who).await;
            checks += 1;
            if status != case.expect[i] {
                failures.push(format!(
                    "{} [{}] as {who:?}: {} {} answered {status}, expected {}: {:.300}",
                    case.operation,
                    case.variant,
                    req.method,
                    req.path,
                    case.expect[i],
                    body.to_string()
                ));
            }
            if matches!(status, 401 | 403 | 404) && body["status"] != status {
                // every refusal is a problem+json saying so
                failures.push(format!(
                    "{} [{}] as {who:?}: a {status} without its problem body: {body}",
                    case.operation, case.variant
                ));
            }
        }
        // The same objects through the outsider's own organization, where the outsider may do
        // everything: an id of another organization's object answers 404 there too.
        let template = case.operation.split_once(' ').unwrap().1;
        let Some(rest) = template.strip_prefix("/api/v1/organizations/{org_id}") else {
            continue;
        };
        if !rest.contains('{') {
            continue;
        }
        let mut req = api::request(&app, &mut fx, case, Who::Owner).await;
        req.path = req.path.replace(&fx.org, &fx.elsewhere);
        let (status, body) = fx.send(&app, &req, Who::Outsider).await;
        checks += 1;
        idor_checks += 1;
        if status != 404 {
            failures.push(format!(
                "{} [{}] through the outsider's organization: {} {} answered {status}, \
                 expected 404: {:.300}",
                case.operation,
                case.variant,
                req.method,
                req.path,
                body.to_string()
            ));
        }
    }
    println!(
        "authorization matrix (API): {idor_checks} operations on another organization's objects \
         through the outsider's own organization"
    );
    println!(
        "authorization matrix (API): {} documented operations + {} outside the document, \
         {} cases × {} callers = {checks} checks",
        documented.len(),
        api::UNDOCUMENTED.len(),
        table.len(),
        WHO.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {checks} checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
