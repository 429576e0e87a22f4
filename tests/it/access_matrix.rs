//! Every API route × every role, plus anonymous callers and members of another organization.
//! Access to another organization's data answers 404, never 403.

use reqwest::Method;
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::accounts::TestUser;
use crate::helpers::{Backend, spawn_app};

both_backends!(every_route_answers_each_role_as_the_permission_matrix_says);

/// Who calls, in this order: later callers may depend on earlier ones having failed
/// (the owner deletes the organization last).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Caller {
    Anonymous,
    Outsider,
    Member,
    Manager,
    Admin,
    Owner,
}

const CALLERS: [Caller; 6] = [
    Caller::Anonymous,
    Caller::Outsider,
    Caller::Member,
    Caller::Manager,
    Caller::Admin,
    Caller::Owner,
];

struct Route {
    method: Method,
    path: String,
    body: Option<Value>,
    /// Expected status for anonymous, outsider, member, manager, admin, owner.
    expect: [u16; 6],
}

fn route(method: Method, path: String, body: Option<Value>, expect: [u16; 6]) -> Route {
    Route {
        method,
        path,
        body,
        expect,
    }
}

async fn every_route_answers_each_role_as_the_permission_matrix_says(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let o = org.id.clone();
    // subjects for role changes and removals, one per caller that may succeed
    let mut subjects = Vec::new();
    for (i, role) in ["member", "member", "member", "member"].iter().enumerate() {
        subjects.push(
            app.invite_new(&o, &org.owner, &format!("subject{i}@example.org"), role)
                .await,
        );
    }
    let invitation_ids = {
        let mut ids = Vec::new();
        for i in 0..6 {
            let path = format!("/api/v1/organizations/{o}/invitations");
            let (_, created) = app
                .post(
                    &path,
                    Some(&org.owner.token),
                    json!({ "email": format!("pending{i}@example.org"), "role": "member" }),
                )
                .await;
            ids.push(created["id"].as_str().unwrap().to_string());
        }
        ids
    };

    let subject = &subjects[0].id;
    let routes = vec![
        route(
            Method::GET,
            "/api/v1/me".into(),
            None,
            [401, 200, 200, 200, 200, 200],
        ),
        route(
            Method::PATCH,
            "/api/v1/me".into(),
            Some(json!({"week_start": 1})),
            [401, 200, 200, 200, 200, 200],
        ),
        route(
            Method::GET,
            "/api/v1/me/api-tokens".into(),
            None,
            [401, 200, 200, 200, 200, 200],
        ),
        route(
            Method::POST,
            "/api/v1/me/api-tokens".into(),
            Some(json!({"name": "ci"})),
            [401, 201, 201, 201, 201, 201],
        ),
        route(
            Method::GET,
            "/api/v1/me/sessions".into(),
            None,
            [401, 200, 200, 200, 200, 200],
        ),
        route(
            Method::GET,
            "/api/v1/organizations".into(),
            None,
            [401, 200, 200, 200, 200, 200],
        ),
        route(
            Method::POST,
            "/api/v1/organizations".into(),
            Some(json!({"name": "Side project"})),
            [401, 201, 201, 201, 201, 201],
        ),
        route(
            Method::GET,
            format!("/api/v1/organizations/{o}"),
            None,
            [401, 404, 200, 200, 200, 200],
        ),
        route(
            Method::PATCH,
            format!("/api/v1/organizations/{o}"),
            Some(json!({"name": "Renamed"})),
            [401, 404, 403, 403, 200, 200],
        ),
        route(
            Method::GET,
            format!("/api/v1/organizations/{o}/members"),
            None,
            [401, 404, 200, 200, 200, 200],
        ),
        route(
            Method::PATCH,
            format!("/api/v1/organizations/{o}/members/{subject}"),
            Some(json!({"role": "manager"})),
            [401, 404, 403, 403, 200, 200],
        ),
        route(
            Method::GET,
            format!("/api/v1/organizations/{o}/invitations"),
            None,
            [401, 404, 403, 403, 200, 200],
        ),
        route(
            Method::GET,
            format!("/api/v1/organizations/{o}/audit-log"),
            None,
            [401, 404, 403, 403, 200, 200],
        ),
        route(
            Method::GET,
            format!("/api/v1/organizations/{o}/clients"),
            None,
            [401, 404, 200, 200, 200, 200],
        ),
        route(
            Method::GET,
            format!("/api/v1/organizations/{o}/clients?archived=all"),
            None,
            [401, 404, 403, 200, 200, 200],
        ),
        route(
            Method::GET,
            format!("/api/v1/organizations/{o}/projects"),
            None,
            [401, 404, 200, 200, 200, 200],
        ),
        route(
            Method::GET,
            format!("/api/v1/organizations/{o}/tags"),
            None,
            [401, 404, 200, 200, 200, 200],
        ),
    ];
    for route in &routes {
        for (i, caller) in CALLERS.iter().enumerate() {
            let (status, body) = app
                .call(
                    route.method.clone(),
                    &route.path,
                    token(&org, *caller),
                    route.body.clone(),
                )
                .await;
            assert_eq!(
                status.as_u16(),
                route.expect[i],
                "{} {} as {caller:?}: {body}",
                route.method,
                route.path
            );
        }
    }

    // Catalog writes: managers and above; each caller creates under its own name.
    for (i, caller) in CALLERS.iter().enumerate() {
        let expect = [401, 404, 403, 201, 201, 201][i];
        for kind in ["clients", "projects", "tags"] {
            let path = format!("/api/v1/organizations/{o}/{kind}");
            let (status, body) = app
                .post(
                    &path,
                    token(&org, *caller),
                    json!({"name": format!("{kind} by {caller:?}")}),
                )
                .await;
            assert_eq!(status.as_u16(), expect, "POST {path} as {caller:?}: {body}");
            if status == 201 {
                let item = format!("{path}/{}", body["id"].as_str().unwrap());
                let (status, body) = app
                    .call(
                        Method::PATCH,
                        &item,
                        token(&org, *caller),
                        Some(json!({"archived": true})),
                    )
                    .await;
                assert_eq!(status, 200, "PATCH {item} as {caller:?}: {body}");
                let (status, body) = app
                    .call(Method::DELETE, &item, token(&org, *caller), None)
                    .await;
                assert_eq!(status, 204, "DELETE {item} as {caller:?}: {body}");
            }
        }
    }

    // Routes that consume something get a fresh target per caller.
    for (i, caller) in CALLERS.iter().enumerate() {
        let expect = [401, 404, 403, 403, 201, 201][i];
        let path = format!("/api/v1/organizations/{o}/invitations");
        let (status, body) = app
            .post(
                &path,
                token(&org, *caller),
                json!({"email": format!("new{i}@example.org"), "role": "member"}),
            )
            .await;
        assert_eq!(status.as_u16(), expect, "POST {path} as {caller:?}: {body}");

        let expect = [401, 404, 403, 403, 204, 204][i];
        let path = format!(
            "/api/v1/organizations/{o}/invitations/{}",
            invitation_ids[i]
        );
        let (status, body) = app
            .call(Method::DELETE, &path, token(&org, *caller), None)
            .await;
        assert_eq!(
            status.as_u16(),
            expect,
            "DELETE {path} as {caller:?}: {body}"
        );

        let expect = [401, 404, 403, 403, 204, 204][i];
        let target = &subjects[[0, 0, 0, 1, 2, 3][i]].id;
        let path = format!("/api/v1/organizations/{o}/members/{target}");
        let (status, body) = app
            .call(Method::DELETE, &path, token(&org, *caller), None)
            .await;
        assert_eq!(
            status.as_u16(),
            expect,
            "DELETE {path} as {caller:?}: {body}"
        );
    }

    for (i, caller) in CALLERS.iter().enumerate() {
        let expect = [401, 404, 403, 403, 403, 204][i];
        let path = format!("/api/v1/organizations/{o}");
        let (status, body) = app
            .call(Method::DELETE, &path, token(&org, *caller), None)
            .await;
        assert_eq!(
            status.as_u16(),
            expect,
            "DELETE {path} as {caller:?}: {body}"
        );
    }
}

fn token(org: &crate::helpers::accounts::Org, caller: Caller) -> Option<&str> {
    let user: &TestUser = match caller {
        Caller::Anonymous => return None,
        Caller::Outsider => &org.outsider,
        Caller::Member => &org.member,
        Caller::Manager => &org.manager,
        Caller::Admin => &org.admin,
        Caller::Owner => &org.owner,
    };
    Some(&user.token)
}
