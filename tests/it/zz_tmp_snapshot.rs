//! TEMPORARY (refactor check; removed afterwards): dumps the clients and tags pages in many states.

use serde_json::json;

use crate::helpers::web::{Page, WebClient};
use crate::helpers::{Backend, spawn_app};

struct Dump {
    dir: String,
    n: usize,
    secrets: Vec<(String, String)>,
}

impl Dump {
    fn add(&mut self, label: &str, page: &Page) {
        if let Some(t) = page.field("_csrf") {
            let k = format!("<CSRF{}>", self.secrets.len());
            self.secrets.push((t, k));
        }
        let mut body = format!("{} {:?}\n{}", page.status, page.location, page.body);
        for (s, k) in &self.secrets {
            body = body.replace(s.as_str(), k);
        }
        self.n += 1;
        std::fs::write(format!("{}/{:02}-{label}.html", self.dir, self.n), body).unwrap();
    }
}

async fn scenario(coll: &str, dump_dir: &str) {
    let app = spawn_app(Backend::Sqlite).await;
    let org = app.org_with_every_role().await;
    let mut d = Dump { dir: dump_dir.into(), n: 0, secrets: vec![(org.id.clone(), "<ORG>".into())] };
    std::fs::create_dir_all(dump_dir).unwrap();
    let base = format!("/o/{}/{coll}", org.id);
    let mut m = WebClient::new(&app);
    m.sign_in("manager@example.org").await;
    let p = m.get(&base).await; d.add("empty", &p);
    let p = m.post(&base, &[("name", "  "), ("notes", "n1 <b>")]).await; d.add("create-bad", &p);
    let p = m.post(&base, &[("name", "Globex"), ("notes", "net 30")]).await; d.add("create-ok", &p);
    let p = m.follow(p).await; d.add("after-create", &p);
    let p = m.post(&base, &[("name", "Initech")]).await; let p = m.follow(p).await; d.add("after-create2", &p);
    let p = m.post(&base, &[("name", "Initech")]).await; d.add("create-dup", &p);
    let p = m.post(&format!("{base}?archived=all"), &[("name", "Hooli")]).await; d.add("create-all", &p);
    let (_, items) = app.get_as(&format!("/api/v1/organizations/{}/{coll}?archived=all", org.id), &org.manager.token).await;
    let mut ids = std::collections::BTreeMap::new();
    for it in items.as_array().unwrap() {
        ids.insert(it["name"].as_str().unwrap().to_string(), it["id"].as_str().unwrap().to_string());
    }
    for (n, id) in &ids { d.secrets.push((id.clone(), format!("<ID-{n}>"))); }
    let g = &ids["Globex"];
    let i = &ids["Initech"];
    let p = m.post(&format!("{base}/{g}"), &[("name", ""), ("notes", "x")]).await; d.add("edit-bad", &p);
    let p = m.post(&format!("{base}/{g}?archived=all"), &[("name", "Initech"), ("notes", "x")]).await; d.add("edit-dup", &p);
    let p = m.post(&format!("{base}/{g}"), &[("name", "Globex2"), ("notes", "y")]).await; d.add("edit-ok", &p);
    let p = m.follow(p).await; d.add("after-edit", &p);
    let p = m.post(&format!("{base}/{g}?archived=all"), &[("archived", "true")]).await; d.add("archive", &p);
    let p = m.follow(p).await; d.add("after-archive", &p);
    let p = m.get(&base).await; d.add("active-only", &p);
    let p = m.post(&format!("{base}/{g}"), &[("archived", "false")]).await; d.add("restore", &p);
    let p = m.follow(p).await; d.add("after-restore", &p);
    if coll == "clients" {
        app.post(&format!("/api/v1/organizations/{}/projects", org.id), Some(&org.manager.token), json!({"name": "Website", "client_id": i})).await;
        let p = m.post(&format!("{base}/{i}/delete?archived=all"), &[]).await; d.add("delete-refused", &p);
    }
    let p = m.post(&format!("{base}/{g}/delete"), &[]).await; d.add("delete", &p);
    let p = m.follow(p).await; d.add("after-delete", &p);
    let p = m.post(&format!("{base}/00000000-0000-0000-0000-000000000000"), &[("name", "zz")]).await; d.add("missing", &ids_status(&p));
    let p = m.post(&format!("{base}/not-an-id"), &[("name", "zz")]).await; d.add("bad-id", &ids_status(&p));

    let mut u = WebClient::new(&app);
    u.sign_in("member@example.org").await;
    let p = u.get(&base).await; d.add("member", &p);
    let p = u.get(&format!("{base}?archived=all")).await; d.add("member-all", &p);
    let p = u.post(&base, &[("name", "Nope"), ("notes", "nn")]).await; d.add("member-create", &p);
    let p = u.post(&format!("{base}/{i}"), &[("name", "Nope")]).await; d.add("member-edit", &p);
    let p = u.post(&format!("{base}/{i}"), &[("archived", "true")]).await; d.add("member-archive", &p);
    let p = u.post(&format!("{base}/{i}/delete"), &[]).await; d.add("member-delete", &p);
}

/// Error pages carry a request id: keep the status and the location only.
fn ids_status(p: &Page) -> Page {
    Page { status: p.status, location: p.location.clone(), body: String::new() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dump_catalog_pages() {
    let out = std::env::var("SNAP_DIR").unwrap();
    scenario("clients", &format!("{out}/clients")).await;
    scenario("tags", &format!("{out}/tags")).await;
}
