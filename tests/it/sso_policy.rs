//! An organization's single sign-on policy (issue 18), against the real provider of `sso`:
//! roles taken from the provider's groups claim at every sign-in, and password sign-in turned
//! off for members, enforced on access to the organization (owners and API tokens exempt).

use reqwest::Method;
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::Backend;
use crate::helpers::accounts::PASSWORD;
use crate::helpers::web::WebClient;
use crate::sso::{CLIENT_ID, Setup, set_up, sso_sign_in};

both_backends!(
    groups_map_to_roles_at_the_first_sign_in_and_again_at_each_later_one,
    an_owner_keeps_their_role_whatever_their_groups,
    an_existing_account_linked_by_its_password_gets_the_role_of_its_groups,
    someone_in_no_mapped_group_is_refused_when_the_organization_asks,
    bad_mappings_are_refused_field_by_field,
    the_settings_page_takes_one_mapping_per_line,
    with_password_sign_in_off_a_member_comes_in_only_through_the_provider,
    password_sign_in_is_turned_off_only_with_single_sign_on_and_not_against_oneself,
);

impl Setup {
    fn sso_path(&self) -> String {
        format!("/api/v1/organizations/{}/sso", self.org)
    }

    /// Saves the provider again with `extra` fields (role mappings and their options).
    async fn save_sso(&self, extra: Value) -> (reqwest::StatusCode, Value) {
        let mut body = json!({
            "display_name": "Test IdP",
            "issuer": self.provider.issuer,
            "client_id": CLIENT_ID,
            "allowed_domains": ["example.com", "example.org"],
        });
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        self.app
            .call(
                Method::PUT,
                &self.sso_path(),
                Some(&self.admin.token),
                Some(body),
            )
            .await
    }

    async fn map_roles(&self, extra: Value) {
        let (status, saved) = self.save_sso(extra).await;
        assert_eq!(status, 200, "{saved}");
    }

    /// The groups the provider puts in `login`'s claim from now on.
    async fn groups(&self, login: &str, groups: &str) {
        self.provider
            .control("groups", &format!("{login} {groups}"))
            .await;
    }

    /// The member with this address: (user id, role); panics when there is none.
    async fn member(&self, email: &str) -> (String, String) {
        let path = format!("/api/v1/organizations/{}/members", self.org);
        let (status, members) = self.app.get_as(&path, &self.admin.token).await;
        assert_eq!(status, 200, "{members}");
        let m = members
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["email"] == email)
            .unwrap_or_else(|| panic!("{email} is not a member: {members}"));
        (
            m["user_id"].as_str().unwrap().to_string(),
            m["role"].as_str().unwrap().to_string(),
        )
    }

    async fn signs_in(&self, login: &str) -> WebClient<'_> {
        self.provider.login_as(login).await;
        let mut web = WebClient::new(&self.app);
        sso_sign_in(&mut web, &self.provider, &self.org)
            .await
            .assert_redirect(&format!("/o/{}", self.org));
        web
    }

    async fn audit(&self) -> Vec<Value> {
        let path = format!("/api/v1/organizations/{}/audit-log?limit=200", self.org);
        let (status, page) = self.app.get_as(&path, &self.admin.token).await;
        assert_eq!(status, 200, "{page}");
        page["items"].as_array().unwrap().clone()
    }

    async fn set_password_sign_in_off(
        &self,
        token: &str,
        off: bool,
    ) -> (reqwest::StatusCode, Value) {
        self.app
            .call(
                Method::PUT,
                &format!("{}/password-sign-in", self.sso_path()),
                Some(token),
                Some(json!({ "password_sign_in_disabled": off })),
            )
            .await
    }
}

fn mappings() -> Value {
    json!({
        "role_mappings": [
            { "group": "it", "role": "admin" },
            { "group": "leads", "role": "manager" },
        ],
    })
}

async fn groups_map_to_roles_at_the_first_sign_in_and_again_at_each_later_one(backend: Backend) {
    let s = set_up(backend).await;
    s.map_roles(mappings()).await;
    let (status, shown) = s.app.get_as(&s.sso_path(), &s.admin.token).await;
    assert_eq!(status, 200);
    assert_eq!(shown["groups_claim"], "groups");
    assert_eq!(
        shown["role_mappings"][0],
        json!({"group": "it", "role": "admin"})
    );
    assert_eq!(shown["default_role"], "member");

    // the highest role of the groups, at the account's creation
    s.groups("ada@example.com", "staff,leads,it").await;
    s.signs_in("ada@example.com").await;
    let (ada, role) = s.member("ada@example.com").await;
    assert_eq!(role, "admin");
    let created = s
        .audit()
        .await
        .into_iter()
        .find(|e| e["action"] == "sso.account_created")
        .unwrap();
    assert_eq!(created["detail"]["role"], "admin");

    // no mapped group any more: the default role, at the next sign-in
    s.groups("ada@example.com", "staff").await;
    s.signs_in("ada@example.com").await;
    assert_eq!(s.member("ada@example.com").await.1, "member");

    s.groups("ada@example.com", "leads").await;
    s.signs_in("ada@example.com").await;
    assert_eq!(s.member("ada@example.com").await.1, "manager");

    let changes: Vec<Value> = s
        .audit()
        .await
        .into_iter()
        .filter(|e| e["action"] == "member.role_changed")
        .collect();
    assert_eq!(changes.len(), 2, "{changes:?}");
    for change in &changes {
        assert_eq!(change["target_user_id"], ada.as_str());
        assert_eq!(change["detail"]["by"], "single sign-on");
    }
    let froms_tos: Vec<(String, String)> = changes
        .iter()
        .map(|c| {
            (
                c["detail"]["from"].to_string(),
                c["detail"]["to"].to_string(),
            )
        })
        .collect();
    assert!(
        froms_tos.contains(&("\"admin\"".into(), "\"member\"".into()))
            && froms_tos.contains(&("\"member\"".into(), "\"manager\"".into())),
        "{froms_tos:?}"
    );
}

async fn an_owner_keeps_their_role_whatever_their_groups(backend: Backend) {
    let s = set_up(backend).await;
    s.map_roles(mappings()).await;
    s.groups("ada@example.com", "staff").await;
    s.signs_in("ada@example.com").await;
    let (ada, _) = s.member("ada@example.com").await;
    let (status, body) = s
        .app
        .call(
            Method::PATCH,
            &format!("/api/v1/organizations/{}/members/{ada}", s.org),
            Some(&s.admin.token),
            Some(json!({ "role": "owner" })),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    s.signs_in("ada@example.com").await;
    s.groups("ada@example.com", "it").await;
    s.signs_in("ada@example.com").await;

    assert_eq!(s.member("ada@example.com").await.1, "owner");
}

async fn an_existing_account_linked_by_its_password_gets_the_role_of_its_groups(backend: Backend) {
    let s = set_up(backend).await;
    s.map_roles(mappings()).await;
    s.app.sign_up("ada@example.org", None).await;
    s.groups("ada@example.org", "leads").await;
    s.provider.login_as("ada@example.org").await;
    let mut web = WebClient::new(&s.app);

    let back = sso_sign_in(&mut web, &s.provider, &s.org).await;
    let link = back.assert_redirect(&format!("/sso/{}/link", s.org));
    web.get(&link).await;
    web.post(&link, &[("password", PASSWORD)])
        .await
        .assert_redirect(&format!("/o/{}", s.org));

    assert_eq!(s.member("ada@example.org").await.1, "manager");
}

async fn someone_in_no_mapped_group_is_refused_when_the_organization_asks(backend: Backend) {
    let s = set_up(backend).await;
    let mut settings = mappings();
    settings["refuse_unmapped"] = json!(true);
    s.map_roles(settings).await;
    s.groups("ada@example.com", "staff").await;
    s.provider.login_as("ada@example.com").await;
    let mut web = WebClient::new(&s.app);

    let back = sso_sign_in(&mut web, &s.provider, &s.org).await;

    assert_eq!(back.status, 403, "{}", back.body);
    back.assert_contains("none of the groups");
    assert!(web.cookie("gogotime_session").is_none());
    assert_eq!(s.member_emails().await, ["owner@example.net"]);

    // in a mapped group, the same person gets in
    s.groups("ada@example.com", "leads").await;
    s.signs_in("ada@example.com").await;
    assert_eq!(s.member("ada@example.com").await.1, "manager");
}

async fn bad_mappings_are_refused_field_by_field(backend: Backend) {
    let s = set_up(backend).await;
    let cases = [
        (
            json!({"role_mappings": [{"group": "it", "role": "owner"}]}),
            "role_mappings",
            "owner cannot come from single sign-on",
        ),
        (
            json!({"role_mappings": [{"group": "  ", "role": "admin"}]}),
            "role_mappings",
            "needs a group name",
        ),
        (
            json!({"role_mappings": [{"group": "it", "role": "admin"}, {"group": "it", "role": "member"}]}),
            "role_mappings",
            "mapped twice",
        ),
        (
            json!({"role_mappings": [{"group": "it", "role": "boss"}]}),
            "role_mappings",
            "not a role",
        ),
        (
            json!({"default_role": "owner"}),
            "default_role",
            "owner cannot",
        ),
        (json!({"groups_claim": " "}), "groups_claim", "is required"),
    ];
    for (extra, field, message) in cases {
        let (status, problem) = s.save_sso(extra.clone()).await;
        assert_eq!(status, 422, "{extra}: {problem}");
        let said = problem["errors"][field].to_string();
        assert!(said.contains(message), "{extra}: {problem}");
    }
    let (_, shown) = s.app.get_as(&s.sso_path(), &s.admin.token).await;
    assert_eq!(shown["role_mappings"], json!([]), "nothing was saved");
}

async fn the_settings_page_takes_one_mapping_per_line(backend: Backend) {
    let s = set_up(backend).await;
    let mut owner = WebClient::new(&s.app);
    owner.sign_in("owner@example.net").await;
    let settings = format!("/o/{}/settings/sso", s.org);
    let page = owner.get(&settings).await;
    let mut form = page.form(&format!("form[action='{settings}']"));
    form.set("role_mappings", "it = admin\n\nteam=leads = manager\n")
        .set("default_role", "manager");

    owner.submit(&form).await.assert_redirect(&settings);

    let (_, shown) = s.app.get_as(&s.sso_path(), &s.admin.token).await;
    assert_eq!(
        shown["role_mappings"],
        json!([{"group": "it", "role": "admin"}, {"group": "team=leads", "role": "manager"}])
    );
    assert_eq!(shown["default_role"], "manager");
    assert_eq!(
        shown["client_secret_set"], true,
        "the stored secret is kept"
    );

    let page = owner.get(&settings).await;
    let mut form = page.form(&format!("form[action='{settings}']"));
    form.set("role_mappings", "it = owner");
    let refused = owner.submit(&form).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    refused.assert_contains("owner cannot come from single sign-on");
}

async fn with_password_sign_in_off_a_member_comes_in_only_through_the_provider(backend: Backend) {
    let s = set_up(backend).await;
    // Ada has a password and, once linked, an identity at the provider
    s.app.sign_up("ada@example.org", None).await;
    s.provider.login_as("ada@example.org").await;
    let mut linking = WebClient::new(&s.app);
    let back = sso_sign_in(&mut linking, &s.provider, &s.org).await;
    let link = back.assert_redirect(&format!("/sso/{}/link", s.org));
    linking.get(&link).await;
    linking
        .post(&link, &[("password", PASSWORD)])
        .await
        .assert_redirect(&format!("/o/{}", s.org));
    let ada = s.app.sign_in("ada@example.org").await;
    let (status, created) = s
        .app
        .post(
            "/api/v1/me/api-tokens",
            Some(&ada.token),
            json!({"name": "CI"}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let api_token = created["secret"].as_str().unwrap().to_string();
    let mut by_password = WebClient::new(&s.app);
    by_password.sign_in("ada@example.org").await;
    let org_page = format!("/o/{}", s.org);
    let projects = format!("/api/v1/organizations/{}/projects", s.org);
    assert_eq!(by_password.get(&org_page).await.status, 200);

    let (status, body) = s.set_password_sign_in_off(&s.admin.token, true).await;
    assert_eq!(status, 200, "{body}");

    // the password session is refused, with the way in offered
    let refused = by_password.get(&org_page).await;
    let offer = refused.assert_redirect(&format!("/sso/{}/required", s.org));
    let page = by_password.get(&offer).await;
    assert_eq!(page.status, 403, "{}", page.body);
    page.assert_contains("Sign in with Test IdP");
    page.assert_contains(&format!("href=\"/sso/{}\"", s.org));
    let (status, problem) = s.app.get_as(&projects, &ada.token).await;
    assert_eq!(status, 403, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("only through single sign-on"),
        "{problem}"
    );
    // a personal API token is the route for scripts
    let (status, body) = s.app.get_as(&projects, &api_token).await;
    assert_eq!(status, 200, "{body}");
    // the owner still comes in with a password (the way back in when the provider fails)
    let mut owner = WebClient::new(&s.app);
    owner.sign_in("owner@example.net").await;
    assert_eq!(owner.get(&org_page).await.status, 200);
    let (status, _) = s.app.get_as(&projects, &s.admin.token).await;
    assert_eq!(status, 200);

    // through the provider, the same browser gets in
    sso_sign_in(&mut by_password, &s.provider, &s.org)
        .await
        .assert_redirect(&org_page);
    assert_eq!(by_password.get(&org_page).await.status, 200);

    // removing single sign-on lifts the policy: passwords work again
    let mut again = WebClient::new(&s.app);
    again.sign_in("ada@example.org").await;
    assert_eq!(again.get(&org_page).await.status, 303);
    let (status, _) = s
        .app
        .call(Method::DELETE, &s.sso_path(), Some(&s.admin.token), None)
        .await;
    assert_eq!(status, 204);
    assert_eq!(again.get(&org_page).await.status, 200);
    let (status, _) = s.app.get_as(&projects, &ada.token).await;
    assert_eq!(status, 200);

    let actions = s.audit_actions().await;
    assert!(
        actions.contains(&"sso.password_sign_in_disabled".to_string()),
        "{actions:?}"
    );
    let removed = s
        .audit()
        .await
        .into_iter()
        .find(|e| e["action"] == "sso.removed")
        .unwrap();
    assert_eq!(removed["detail"]["password_sign_in_enabled_again"], true);
}

async fn password_sign_in_is_turned_off_only_with_single_sign_on_and_not_against_oneself(
    backend: Backend,
) {
    let s = set_up(backend).await;
    // an admin signed in with a password would shut themselves out at once
    let bob = s
        .app
        .invite_new(&s.org, &s.admin, "bob@example.net", "admin")
        .await;
    let (status, problem) = s.set_password_sign_in_off(&bob.token, true).await;
    assert_eq!(status, 422, "{problem}");
    assert!(
        problem["errors"]["password_sign_in_disabled"]
            .to_string()
            .contains("would shut you out"),
        "{problem}"
    );

    // without single sign-on there is nothing to sign in through
    let (status, _) = s
        .app
        .call(Method::DELETE, &s.sso_path(), Some(&s.admin.token), None)
        .await;
    assert_eq!(status, 204);
    let (status, problem) = s.set_password_sign_in_off(&s.admin.token, true).await;
    assert_eq!(status, 422, "{problem}");
    assert!(
        problem["errors"]["password_sign_in_disabled"]
            .to_string()
            .contains("needs single sign-on"),
        "{problem}"
    );
    assert!(
        !s.audit_actions()
            .await
            .contains(&"sso.password_sign_in_disabled".to_string())
    );
}
