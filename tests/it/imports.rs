//! CSV imports through the API and the CLI: dry run, import, re-import, bad files, permissions,
//! people mapping, and the round trip through the CSV export — on SQLite and PostgreSQL.

use std::path::PathBuf;

use serde_json::Value;

use crate::both_backends;
use crate::helpers::accounts::{Org, TestUser};
use crate::helpers::web::WebClient;
use crate::helpers::{Backend, TestApp, binary, spawn_app};

both_backends!(
    every_fixture_dry_runs_imports_and_stores_what_the_preview_showed,
    toggl_entries_are_stored_exactly_and_a_reimport_creates_nothing,
    kimai_rates_and_night_shifts_are_stored_exactly,
    bad_files_are_problems_and_change_nothing,
    a_file_over_the_cap_is_refused_with_413,
    members_may_not_import,
    unknown_emails_are_row_errors_unless_a_fallback_member_is_given,
    entry_rules_become_row_errors_and_rates_come_from_the_hierarchy,
    the_web_wizard_previews_confirms_and_imports,
    identical_rows_in_one_file_import_once,
    the_cli_imports_a_fixture_and_prints_a_summary,
    an_export_imports_into_a_fresh_organization_identically,
    overlaps_with_stored_entries_and_earlier_batches_are_row_errors,
);

pub(crate) const BOUNDARY: &str = "gogotime-test-boundary-7c1f";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixture_path(name)).expect("fixture exists")
}

fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

/// A multipart/form-data body (boundary [`BOUNDARY`]) carrying `file` as the field `file`.
pub(crate) fn multipart(file: &[u8]) -> Vec<u8> {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"export.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// POSTs `file` to the import endpoint; status and JSON body.
async fn upload(app: &TestApp, org: &str, token: &str, query: &str, file: &[u8]) -> (u16, Value) {
    let response = app
        .client
        .post(app.url(&format!("/api/v1/organizations/{org}/imports?{query}")))
        .bearer_auth(token)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(multipart(file))
        .send()
        .await
        .expect("request sent");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// Every entry of the organization, via the JSON export in UTC.
async fn stored(app: &TestApp, org: &str, token: &str) -> Vec<Value> {
    let (status, body) = app
        .get_as(
            &format!(
                "/api/v1/organizations/{org}/exports/entries.json?tz=UTC&from=2025-06-01&to=2027-06-01"
            ),
            token,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body.as_array().expect("an array").clone()
}

fn utc(local_with_offset: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(local_with_offset)
        .unwrap_or_else(|e| panic!("{local_with_offset}: {e}"))
        .to_utc()
}

/// The stored entries equal the preview rows of the dry run, field by field.
fn assert_stored_as_previewed(stored: &[Value], preview: &[Value]) {
    assert_eq!(stored.len(), preview.len(), "{stored:#?}\n{preview:#?}");
    let mut stored: Vec<&Value> = stored.iter().collect();
    stored.sort_by_key(|e| {
        (
            utc(e["start"].as_str().unwrap()),
            e["description"].to_string(),
        )
    });
    let mut preview: Vec<&Value> = preview.iter().collect();
    preview.sort_by_key(|p| {
        (
            utc(p["start"].as_str().unwrap()),
            p["description"].to_string(),
        )
    });
    for (s, p) in stored.iter().zip(preview) {
        assert_eq!(
            utc(s["start"].as_str().unwrap()),
            utc(p["start"].as_str().unwrap()),
            "{s} {p}"
        );
        assert_eq!(
            utc(s["end"].as_str().unwrap()),
            utc(p["end"].as_str().unwrap()),
            "{s} {p}"
        );
        for field in ["client", "project", "task", "description", "billable"] {
            assert_eq!(s[field], p[field], "{field}: {s} {p}");
        }
        let mut tags: Vec<String> = p["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap().to_string())
            .collect();
        tags.sort_by_key(|t| t.to_lowercase());
        let stored_tags: Vec<String> = s["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap().to_string())
            .collect();
        assert_eq!(stored_tags, tags, "{s} {p}");
        let rate = p["hourly_rate"].as_i64().map(|minor| minor as f64 / 100.0);
        assert_eq!(s["hourly_rate"].as_f64(), rate, "{s} {p}");
    }
}

fn fallback(org: &Org) -> String {
    format!("fallback_user_id={}", org.owner.id)
}

async fn every_fixture_dry_runs_imports_and_stores_what_the_preview_showed(backend: Backend) {
    for (file, tz, rows) in [
        ("toggl_detailed.csv", "Europe/Berlin", 5),
        ("clockify_2024_12h_mdy.csv", "America/New_York", 4),
        ("kimai_de_bom_semicolon.csv", "Europe/Berlin", 4),
        ("harvest_time_entries.csv", "America/Chicago", 4),
        ("solidtime_detailed.csv", "Europe/Vienna", 3),
    ] {
        let app = spawn_app(backend).await;
        let org = app.org_with_every_role().await;
        let query = format!("tz={tz}&{}", fallback(&org));
        let (status, plan) =
            upload(&app, &org.id, &org.manager.token, &query, &fixture(file)).await;
        assert_eq!(status, 200, "{file}: {plan}");
        assert_eq!(plan["dry_run"], true);
        assert_eq!(plan["applied"], false);
        assert_eq!(plan["error_count"], 0, "{file}: {plan}");
        let created = plan["entries_to_create"].as_u64().unwrap();
        assert!(created > 0 && created <= rows, "{file}: {plan}");
        assert_eq!(plan["rows_read"].as_u64().unwrap(), rows, "{file}: {plan}");
        assert!(
            stored(&app, &org.id, &org.owner.token).await.is_empty(),
            "a dry run writes nothing"
        );
        let (status, done) = upload(
            &app,
            &org.id,
            &org.manager.token,
            &format!("{query}&dry_run=false"),
            &fixture(file),
        )
        .await;
        assert_eq!(status, 201, "{file}: {done}");
        assert_eq!(done["applied"], true);
        assert_eq!(done["entries_to_create"], plan["entries_to_create"]);
        let entries = stored(&app, &org.id, &org.owner.token).await;
        assert_stored_as_previewed(&entries, plan["preview"].as_array().unwrap());
    }
}

async fn toggl_entries_are_stored_exactly_and_a_reimport_creates_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let query = format!("tz=Europe/Berlin&dry_run=false&{}", fallback(&org));
    let file = fixture("toggl_detailed.csv");
    let (status, done) = upload(&app, &org.id, &org.admin.token, &query, &file).await;
    assert_eq!(status, 201, "{done}");
    let clients = done["catalog_to_create"]["clients"].as_array().unwrap();
    assert!(clients.contains(&Value::from("Acme GmbH")), "{done}");
    let entries = stored(&app, &org.id, &org.owner.token).await;
    let first = entries
        .iter()
        .find(|e| e["description"] == "Homepage mock-ups")
        .expect("the first row is stored");
    assert_eq!(
        utc(first["start"].as_str().unwrap()).to_rfc3339(),
        "2026-03-02T08:00:00+00:00"
    );
    assert_eq!(
        utc(first["end"].as_str().unwrap()).to_rfc3339(),
        "2026-03-02T10:30:00+00:00"
    );
    assert_eq!(first["client"], "Acme GmbH");
    assert_eq!(first["project"], "Website relaunch");
    assert_eq!(first["task"], "Design");
    assert_eq!(first["billable"], true);
    assert_eq!(first["tags"], serde_json::json!(["client-call", "design"]));
    let night = entries
        .iter()
        .find(|e| e["description"] == "Release 2.0 \"night shift\"")
        .expect("the night shift is stored");
    assert_eq!(
        utc(night["start"].as_str().unwrap()).to_rfc3339(),
        "2026-03-05T21:30:00+00:00"
    );
    assert_eq!(
        utc(night["end"].as_str().unwrap()).to_rfc3339(),
        "2026-03-06T00:15:00+00:00"
    );
    let internal = entries
        .iter()
        .find(|e| e["description"] == "Team meeting, weekly")
        .expect("stored");
    assert_eq!(internal["billable"], false);
    assert_eq!(internal["client"], Value::Null);
    assert_eq!(internal["duration_seconds"], 45 * 60 + 10);

    let (status, again) = upload(&app, &org.id, &org.admin.token, &query, &file).await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(again["entries_to_create"], 0, "{again}");
    assert_eq!(
        again["duplicates_skipped"], done["entries_to_create"],
        "{again}"
    );
    assert_eq!(
        again["catalog_to_create"]["projects"],
        serde_json::json!([])
    );
    assert_eq!(
        stored(&app, &org.id, &org.owner.token).await.len(),
        entries.len()
    );
    let (status, log) = app
        .get_as(
            &format!("/api/v1/organizations/{}/audit-log", org.id),
            &org.owner.token,
        )
        .await;
    assert_eq!(status, 200, "{log}");
    assert!(log.to_string().contains("entries.imported"), "{log}");
}

async fn kimai_rates_and_night_shifts_are_stored_exactly(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let query = format!("tz=Europe/Berlin&dry_run=false&{}", fallback(&org));
    let (status, done) = upload(
        &app,
        &org.id,
        &org.manager.token,
        &query,
        &fixture("kimai_de_bom_semicolon.csv"),
    )
    .await;
    assert_eq!(status, 201, "{done}");
    let entries = stored(&app, &org.id, &org.owner.token).await;
    let login = entries
        .iter()
        .find(|e| e["description"] == "Login; Passwort zurücksetzen")
        .expect("stored");
    assert_eq!(
        utc(login["start"].as_str().unwrap()).to_rfc3339(),
        "2026-03-16T08:00:00+00:00"
    );
    assert_eq!(
        utc(login["end"].as_str().unwrap()).to_rfc3339(),
        "2026-03-16T11:30:00+00:00"
    );
    assert_eq!(login["client"], "Stadtwerke Nord");
    assert_eq!(login["project"], "Kundenportal");
    assert_eq!(login["task"], "Entwicklung");
    assert_eq!(login["billable"], true);
    assert_eq!(login["hourly_rate"], 85.0);
    assert_eq!(login["tags"], serde_json::json!(["Backend", "Sprint 12"]));
    let night = entries
        .iter()
        .find(|e| e["description"] == "Nachtschicht")
        .expect("stored");
    assert_eq!(
        utc(night["end"].as_str().unwrap()).to_rfc3339(),
        "2026-03-18T00:30:00+00:00"
    );
    assert_eq!(night["billable"], false);
    // the workshop is after the switch to summer time (UTC+2)
    let workshop = entries
        .iter()
        .find(|e| e["description"] == "Schulung „Portal“")
        .expect("stored");
    assert_eq!(
        utc(workshop["start"].as_str().unwrap()).to_rfc3339(),
        "2026-03-30T06:00:00+00:00"
    );
    assert_eq!(workshop["hourly_rate"], 119.0);
}

async fn bad_files_are_problems_and_change_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let junk: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
    let cases: [(&str, Vec<u8>, &str, &str); 5] = [
        (
            "binary junk",
            junk,
            "tz=UTC&dry_run=false",
            "not a UTF-8 CSV",
        ),
        (
            "unknown header",
            b"Name,Age\nAda,36\n".to_vec(),
            "tz=UTC&dry_run=false",
            "does not match any export",
        ),
        ("empty", Vec::new(), "tz=UTC&dry_run=false", "empty"),
        (
            "header only",
            b"Date,Start,End,Description\n".to_vec(),
            "tz=UTC&dry_run=false",
            "",
        ),
        (
            "ambiguous dates",
            fixture("generic_ambiguous_dates.csv"),
            "tz=UTC&dry_run=false",
            "date order",
        ),
    ];
    for (what, file, query, needle) in cases {
        let (status, problem) = upload(&app, &org.id, &org.manager.token, query, &file).await;
        assert_eq!(status, 422, "{what}: {problem}");
        let detail = problem["detail"].as_str().unwrap_or_default();
        assert!(detail.contains(needle), "{what}: {problem}");
    }
    // the date order settles the ambiguous file
    let (status, plan) = upload(
        &app,
        &org.id,
        &org.manager.token,
        "tz=UTC&date_order=dmy",
        &fixture("generic_ambiguous_dates.csv"),
    )
    .await;
    assert_eq!(status, 200, "{plan}");
    let (status, problem) = upload(
        &app,
        &org.id,
        &org.manager.token,
        "",
        &fixture("toggl_detailed.csv"),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert!(problem["errors"]["tz"].is_array(), "{problem}");
    assert!(stored(&app, &org.id, &org.owner.token).await.is_empty());
}

async fn a_file_over_the_cap_is_refused_with_413(backend: Backend) {
    // streams 100 MiB + 1 byte: the real cap, no test-only configuration
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let mut file = b"Date,Start,End,Description\n".to_vec();
    let row = b"2026-01-05,09:00,10:00,padding\n";
    while (file.len() as u64) <= 100 * 1024 * 1024 {
        file.extend_from_slice(row);
    }
    let (status, problem) = upload(
        &app,
        &org.id,
        &org.manager.token,
        "tz=UTC&dry_run=false",
        &file,
    )
    .await;
    assert_eq!(status, 413, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("larger than 100 MiB"),
        "{problem}"
    );
    assert!(stored(&app, &org.id, &org.owner.token).await.is_empty());
    // other routes keep the general limit
    let big = serde_json::json!({ "name": "x".repeat(3 * 1024 * 1024) });
    let (status, _) = app
        .post(
            &format!("/api/v1/organizations/{}/tags", org.id),
            Some(&org.owner.token),
            big,
        )
        .await;
    assert_eq!(status, 413);
}

async fn members_may_not_import(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let (status, problem) = upload(
        &app,
        &org.id,
        &org.member.token,
        "tz=UTC",
        &fixture("toggl_detailed.csv"),
    )
    .await;
    assert_eq!(status, 403, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("manager, admin or owner"),
        "{problem}"
    );
    let (status, _) = upload(
        &app,
        &org.id,
        &org.outsider.token,
        "tz=UTC",
        &fixture("toggl_detailed.csv"),
    )
    .await;
    assert_eq!(status, 404);
}

async fn unknown_emails_are_row_errors_unless_a_fallback_member_is_given(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let file = b"Date,Start,End,Description,Email\n\
        2026-01-05,09:00,10:00,Known,member@example.org\n\
        2026-01-05,11:00,12:00,Unknown,nobody@example.org\n"
        .to_vec();
    let (status, refused) = upload(
        &app,
        &org.id,
        &org.manager.token,
        "tz=UTC&dry_run=false",
        &file,
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["applied"], false);
    assert_eq!(refused["error_count"], 1, "{refused}");
    assert_eq!(refused["errors"][0]["line"], 3, "{refused}");
    assert_eq!(
        refused["errors"][0]["value"], "nobody@example.org",
        "{refused}"
    );
    assert!(
        stored(&app, &org.id, &org.owner.token).await.is_empty(),
        "all or nothing"
    );

    let query = format!("tz=UTC&dry_run=false&fallback_user_id={}", org.manager.id);
    let (status, done) = upload(&app, &org.id, &org.manager.token, &query, &file).await;
    assert_eq!(status, 201, "{done}");
    let entries = stored(&app, &org.id, &org.owner.token).await;
    let by =
        |d: &str| entries.iter().find(|e| e["description"] == d).unwrap()["user_email"].clone();
    assert_eq!(by("Known"), "member@example.org");
    assert_eq!(by("Unknown"), "manager@example.org");
    let people = done["people"].as_array().unwrap();
    assert!(
        people
            .iter()
            .any(|p| p["email"] == "nobody@example.org" && p["fallback"] == true),
        "{done}"
    );
}

async fn the_cli_imports_a_fixture_and_prints_a_summary(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let dir = tempfile::tempdir().unwrap();
    let path = fixture_path("solidtime_detailed.csv");
    let env = [
        ("DATABASE_URL", app.database_url()),
        ("GOGOTIME_LOG", "warn"),
    ];
    let args = |extra: &[&'static str]| -> Vec<String> {
        let mut args: Vec<String> = [
            "import",
            "--org",
            &org.id,
            "--as",
            "manager@example.org",
            "--tz",
            "Europe/Vienna",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.extend(extra.iter().map(|s| s.to_string()));
        args.push(path.to_string_lossy().into_owned());
        args
    };
    let dry: Vec<String> = args(&["--dry-run"]);
    let run = binary::run(
        &dry.iter().map(String::as_str).collect::<Vec<_>>(),
        &env,
        dir.path(),
    );
    assert_eq!(run.code, 0, "{}", run.output());
    assert!(
        run.stdout.contains("dry run: nothing was written"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("entries to create:  3"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("import: 3/3 rows"), "{}", run.stderr);
    assert!(stored(&app, &org.id, &org.owner.token).await.is_empty());

    let real: Vec<String> = args(&[]);
    let run = binary::run(
        &real.iter().map(String::as_str).collect::<Vec<_>>(),
        &env,
        dir.path(),
    );
    assert_eq!(run.code, 0, "{}", run.output());
    assert!(
        run.stdout.contains("solidtime file, imported"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("new clients: 1 (Initech)"),
        "{}",
        run.stdout
    );
    assert_eq!(stored(&app, &org.id, &org.owner.token).await.len(), 3);

    // a member may not import; errors name the line and exit non-zero
    let member: Vec<String> = real
        .iter()
        .map(|a| {
            if a == "manager@example.org" {
                "member@example.org".into()
            } else {
                a.clone()
            }
        })
        .collect();
    let run = binary::run(
        &member.iter().map(String::as_str).collect::<Vec<_>>(),
        &env,
        dir.path(),
    );
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("manager, admin or owner"),
        "{}",
        run.output()
    );

    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "Date,Start,End,Description,Email\n2026-01-05,09:00,10:00,x,nobody@example.org\n",
    )
    .unwrap();
    let mut bad_args: Vec<String> = real.clone();
    bad_args.pop();
    bad_args.push(bad.to_string_lossy().into_owned());
    let run = binary::run(
        &bad_args.iter().map(String::as_str).collect::<Vec<_>>(),
        &env,
        dir.path(),
    );
    assert_eq!(run.code, 1, "{}", run.output());
    assert!(
        run.stdout
            .contains("line 2, user_email “nobody@example.org”"),
        "{}",
        run.stdout
    );
    assert_eq!(stored(&app, &org.id, &org.owner.token).await.len(), 3);
}

async fn an_export_imports_into_a_fresh_organization_identically(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let query = format!("tz=Europe/Berlin&dry_run=false&{}", fallback(&org));
    let (status, done) = upload(
        &app,
        &org.id,
        &org.owner.token,
        &query,
        &fixture("kimai_de_bom_semicolon.csv"),
    )
    .await;
    assert_eq!(status, 201, "{done}");
    let (status, done) = upload(
        &app,
        &org.id,
        &org.owner.token,
        &query,
        &fixture("toggl_detailed.csv"),
    )
    .await;
    assert_eq!(status, 201, "{done}");
    let before = stored(&app, &org.id, &org.owner.token).await;
    let csv = app
        .client
        .get(app.url(&format!(
            "/api/v1/organizations/{}/exports/entries.csv?tz=Europe/Berlin&from=2025-06-01&to=2027-06-01",
            org.id
        )))
        .bearer_auth(&org.owner.token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec();

    // the owner's second organization
    let (status, fresh) = app
        .post(
            "/api/v1/organizations",
            Some(&org.owner.token),
            serde_json::json!({ "name": "Fresh Ltd" }),
        )
        .await;
    assert_eq!(status, 201, "{fresh}");
    let fresh = fresh["id"].as_str().unwrap().to_string();
    let (status, done) = upload(
        &app,
        &fresh,
        &org.owner.token,
        "tz=Europe/Berlin&dry_run=false",
        &csv,
    )
    .await;
    assert_eq!(status, 201, "{done}");
    assert_eq!(done["format"], "gogotime");
    let after = stored(&app, &fresh, &org.owner.token).await;
    let strip = |entries: &[Value]| -> Vec<Value> {
        let mut out: Vec<Value> = entries
            .iter()
            .map(|e| {
                let mut e = e.clone();
                e.as_object_mut().unwrap().remove("id");
                e
            })
            .collect();
        out.sort_by_key(|e| e.to_string());
        out
    };
    assert_eq!(strip(&after), strip(&before));
    let _: &TestUser = &org.owner;
}

async fn entry_rules_become_row_errors_and_rates_come_from_the_hierarchy(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let settings = serde_json::json!({
        "allow_overlap": false,
        "lock_before": "2026-02-01",
        "max_entry_hours": 8,
        "default_rate": 5000,
    });
    let (status, body) = app
        .call(
            reqwest::Method::PATCH,
            &format!("/api/v1/organizations/{}", org.id),
            Some(&org.owner.token),
            Some(settings),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let file = b"Date,Start,End,Description,Email\n\
        2026-03-02,09:00,10:00,Fine,member@example.org\n\
        2026-03-02,09:30,10:30,Overlaps,member@example.org\n\
        2026-01-10,09:00,10:00,Locked,member@example.org\n\
        2026-03-03,08:00,18:00,Too long,member@example.org\n"
        .to_vec();
    let (status, plan) = upload(&app, &org.id, &org.manager.token, "tz=UTC", &file).await;
    assert_eq!(status, 200, "{plan}");
    let lines: Vec<u64> = plan["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, vec![3, 4, 5], "{plan}");
    assert!(
        plan["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("overlap"),
        "{plan}"
    );
    assert!(
        plan["errors"][1]["message"]
            .as_str()
            .unwrap()
            .contains("locked"),
        "{plan}"
    );
    assert_eq!(plan["entries_to_create"], 1);
    assert_eq!(plan["preview"][0]["hourly_rate"], 5000, "{plan}");
    let (status, refused) = upload(
        &app,
        &org.id,
        &org.manager.token,
        "tz=UTC&dry_run=false",
        &file,
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert!(stored(&app, &org.id, &org.owner.token).await.is_empty());

    // owners may import before the lock date; the clean rows import with the default rate
    let clean = b"Date,Start,End,Description,Email\n\
        2026-03-02,09:00,10:00,Fine,member@example.org\n\
        2026-01-10,09:00,10:00,Locked,member@example.org\n"
        .to_vec();
    let (status, done) = upload(
        &app,
        &org.id,
        &org.owner.token,
        "tz=UTC&dry_run=false",
        &clean,
    )
    .await;
    assert_eq!(status, 201, "{done}");
    let entries = stored(&app, &org.id, &org.owner.token).await;
    assert_eq!(entries.len(), 2);
    assert!(
        entries
            .iter()
            .all(|e| e["hourly_rate"] == 50.0 && e["user_email"] == "member@example.org")
    );
}

async fn the_web_wizard_previews_confirms_and_imports(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let mut web = WebClient::new(&app);
    web.sign_in("manager@example.org").await;
    let entries = web.get(&format!("/o/{}/entries", org.id)).await;
    entries.assert_contains(&format!("/o/{}/import", org.id));
    let page = web.get(&format!("/o/{}/import", org.id)).await;
    assert_eq!(page.status, 200, "{}", page.body);
    page.assert_contains("Import time entries");

    // a bad file re-renders the form with the message next to the field
    let bad = web
        .post_multipart(
            &format!("/o/{}/import", org.id),
            &[
                ("tz", "Europe/Berlin"),
                ("format", ""),
                ("date_order", ""),
                ("fallback", ""),
            ],
            ("file", "junk.csv", b"Name,Age\nAda,36\n"),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    bad.assert_contains("does not match any export");
    bad.assert_contains("value=\"Europe/Berlin\"");

    let fallback = org.owner.id.clone();
    let preview = web
        .post_multipart(
            &format!("/o/{}/import", org.id),
            &[
                ("tz", "Europe/Berlin"),
                ("format", ""),
                ("date_order", ""),
                ("fallback", &fallback),
            ],
            ("file", "toggl.csv", &fixture("toggl_detailed.csv")),
        )
        .await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    preview.assert_contains("Import preview");
    preview.assert_contains("Homepage mock-ups");
    preview.assert_contains("Import 5 entries");
    assert!(stored(&app, &org.id, &org.owner.token).await.is_empty());
    let start = preview.body.find("/import/").expect("the confirm form");
    let action: String = preview.body[start..].split('"').next().unwrap().to_string();
    assert!(action.ends_with("/confirm"), "{action}");
    let done = web.post(&format!("/o/{}{action}", org.id), &[]).await;
    let to = done.assert_redirect(&format!("/o/{}/entries", org.id));
    let page = web.get(&to).await;
    page.assert_contains("Imported 5 entries");
    assert_eq!(stored(&app, &org.id, &org.owner.token).await.len(), 5);
    // the upload is gone once imported
    let again = web.post(&format!("/o/{}{action}", org.id), &[]).await;
    assert_eq!(again.status, 404, "{}", again.body);

    // members are refused by the service: the page says so instead of showing a form
    let mut member = WebClient::new(&app);
    member.sign_in("member@example.org").await;
    let page = member.get(&format!("/o/{}/import", org.id)).await;
    assert_eq!(page.status, 403, "{}", page.body);
    page.assert_contains("manager, admin or owner");
    // an upload anyway (with the CSRF token of another page) is refused the same way
    member.get(&format!("/o/{}/entries", org.id)).await;
    let refused = member
        .post_multipart(
            &format!("/o/{}/import", org.id),
            &[
                ("tz", "UTC"),
                ("format", ""),
                ("date_order", ""),
                ("fallback", ""),
            ],
            ("file", "toggl.csv", &fixture("toggl_detailed.csv")),
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    refused.assert_contains("manager, admin or owner");
}

async fn identical_rows_in_one_file_import_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let file = b"Date,Start,End,Description,Email\n\
        2026-01-05,09:00,10:00,Same,member@example.org\n\
        2026-01-05,09:00,10:00,Same,member@example.org\n"
        .to_vec();
    let (status, done) = upload(
        &app,
        &org.id,
        &org.manager.token,
        "tz=UTC&dry_run=false",
        &file,
    )
    .await;
    assert_eq!(status, 201, "{done}");
    assert_eq!(done["entries_to_create"], 1, "{done}");
    assert_eq!(done["duplicates_skipped"], 1, "{done}");
    assert_eq!(stored(&app, &org.id, &org.owner.token).await.len(), 1);
}

/// Rows are checked a batch (500) at a time: a row must still be refused when it overlaps an
/// entry stored before the import, a row of an earlier batch, or an earlier row of its own
/// batch, each naming the entry it overlaps; duplicates of rows in earlier batches are skipped.
async fn overlaps_with_stored_entries_and_earlier_batches_are_row_errors(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let (status, body) = app
        .call(
            reqwest::Method::PATCH,
            &format!("/api/v1/organizations/{}", org.id),
            Some(&org.owner.token),
            Some(serde_json::json!({"allow_overlap": false})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, stored_entry) = app
        .post(
            &format!("/api/v1/organizations/{}/time-entries", org.id),
            Some(&org.member.token),
            serde_json::json!({"start": "2026-05-01T09:00:00Z", "end": "2026-05-01T10:00:00Z"}),
        )
        .await;
    assert_eq!(status, 201, "{stored_entry}");
    // one row an hour from 1 June: lines 2..=701; then the rows that must fail
    let mut file = String::from("Start,End,Description,Email\n");
    for i in 0..700 {
        let start = chrono::DateTime::parse_from_rfc3339("2026-06-01T00:00:00Z").unwrap()
            + chrono::Duration::hours(i);
        let end = start + chrono::Duration::minutes(30);
        file.push_str(&format!(
            "{},{},row {i},member@example.org\n",
            start.to_rfc3339(),
            end.to_rfc3339()
        ));
    }
    // line 702 (second batch) overlaps row 0 (line 2, first batch); 703 the stored entry;
    // 704 repeats line 5 exactly (a duplicate, skipped); 705 overlaps line 702's row (same batch)
    file.push_str("2026-06-01T00:10:00+00:00,2026-06-01T00:20:00+00:00,late,member@example.org\n");
    file.push_str(
        "2026-05-01T09:30:00+00:00,2026-05-01T11:00:00+00:00,stored,member@example.org\n",
    );
    file.push_str("2026-06-01T03:00:00+00:00,2026-06-01T03:30:00+00:00,row 3,member@example.org\n");
    file.push_str("2026-07-01T00:00:00+00:00,2026-07-01T01:00:00+00:00,first,member@example.org\n");
    file.push_str(
        "2026-07-01T00:30:00+00:00,2026-07-01T01:30:00+00:00,second,member@example.org\n",
    );
    let (status, plan) = upload(&app, &org.id, &org.manager.token, "tz=UTC", file.as_bytes()).await;
    assert_eq!(status, 200, "{plan}");
    let errors: Vec<(u64, String)> = plan["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        errors.iter().map(|e| e.0).collect::<Vec<_>>(),
        vec![702, 703, 706],
        "{plan}"
    );
    assert!(
        errors[0]
            .1
            .contains("2026-06-01T00:00:00+00:00 to 2026-06-01T00:30:00+00:00"),
        "{plan}"
    );
    let stored_id = stored_entry["id"].as_str().unwrap();
    assert!(errors[1].1.contains(stored_id), "{plan}");
    assert!(
        errors[2]
            .1
            .contains("2026-07-01T00:00:00+00:00 to 2026-07-01T01:00:00+00:00"),
        "{plan}"
    );
    assert_eq!(plan["duplicates_skipped"], 1, "{plan}");
    assert_eq!(plan["entries_to_create"], 701, "{plan}");
    assert_eq!(plan["rows_read"], 705, "{plan}");
    // nothing was written by the dry run: only the entry made before
    assert_eq!(stored(&app, &org.id, &org.owner.token).await.len(), 1);
}
