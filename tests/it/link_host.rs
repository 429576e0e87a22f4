//! Links people follow (here an invitation's) start with the configured public URL; in
//! development without `GOGOTIME_PUBLIC_URL` they start with the host the request was sent to,
//! and only when that host is a plain `name[:port]`.

use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::{Backend, TestApp, spawn_app_with};

both_backends!(
    development_without_a_public_url_builds_links_on_the_request_host,
    a_configured_public_url_wins_over_the_request_host
);

/// Creates an invitation with `host` as the request's `Host` (reqwest's own when `None`) and
/// returns its link.
async fn invitation_link(app: &TestApp, host: Option<&str>, email: &str) -> String {
    let owner = app.sign_in("owner@example.test").await;
    let (_, orgs) = app.get_as("/api/v1/organizations", &owner.token).await;
    let org = orgs[0]["id"].as_str().unwrap();
    let mut request = app
        .client
        .post(format!(
            "{}/api/v1/organizations/{org}/invitations",
            app.address
        ))
        .bearer_auth(&owner.token)
        .json(&json!({ "email": email, "role": "member" }));
    if let Some(host) = host {
        request = request.header("host", host);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 201);
    let invitation: Value = response.json().await.unwrap();
    let link = invitation["accept_url"].as_str().unwrap().to_string();
    let token = invitation["token"].as_str().unwrap();
    assert!(link.ends_with(&format!("/invite/{token}")), "{link}");
    link.trim_end_matches(token).to_string()
}

async fn development_without_a_public_url_builds_links_on_the_request_host(backend: Backend) {
    let app = spawn_app_with(backend, |env| {
        env.retain(|(name, _)| name != "GOGOTIME_PUBLIC_URL");
    })
    .await;
    app.sign_up("owner@example.test", Some("Acme")).await;

    assert_eq!(
        invitation_link(&app, Some("192.168.1.20:8080"), "a@example.test").await,
        "http://192.168.1.20:8080/invite/"
    );
    assert_eq!(
        invitation_link(&app, None, "b@example.test").await,
        format!("{}/invite/", app.address)
    );
    // a Host that is more than a name and a port is not let into a link: the default
    // (localhost and the bound port, 0 in tests) is used instead
    for (i, forged) in ["evil.example@localhost", "localhost/evil", "localhost?x"]
        .into_iter()
        .enumerate()
    {
        assert_eq!(
            invitation_link(&app, Some(forged), &format!("c{i}@example.test")).await,
            "http://localhost:0/invite/",
            "{forged}"
        );
    }
}

async fn a_configured_public_url_wins_over_the_request_host(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}).await;
    app.sign_up("owner@example.test", Some("Acme")).await;
    assert_eq!(
        invitation_link(&app, Some("192.168.1.20:8080"), "a@example.test").await,
        "http://localhost:8080/invite/"
    );
}
