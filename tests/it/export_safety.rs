//! Exports are safe to open in a spreadsheet: text that a spreadsheet would run as a formula is
//! written with a leading `'` in the CSV and the XLSX (OWASP's advice), the XLSX holds no formula
//! cell, GoGoTime's own numbers stay numbers, and the exported CSV imports back into another
//! organization with every text byte-identical — on SQLite and PostgreSQL.

use calamine::{Data, Reader, Xlsx};
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::accounts::TestUser;
use crate::helpers::{Backend, TestApp, spawn_app};

both_backends!(exported_text_cannot_be_a_formula_and_imports_back_identically);

const RANGE: &str = "tz=UTC&from=2026-03-10&to=2026-03-10";
const BOUNDARY: &str = "gogotime-safety-boundary-51c2";

/// Descriptions as sent, as stored, and as the exported cell must read.
const DESCRIPTIONS: [(&str, &str, &str); 9] = [
    (
        "=HYPERLINK(\"http://x\",\"y\")",
        "=HYPERLINK(\"http://x\",\"y\")",
        "'=HYPERLINK(\"http://x\",\"y\")",
    ),
    ("+1", "+1", "'+1"),
    ("-2", "-2", "'-2"),
    ("@SUM(A1)", "@SUM(A1)", "'@SUM(A1)"),
    // a quote the person typed before a trigger gets one more, so the import can tell them apart
    ("'=x", "'=x", "''=x"),
    // nothing to neutralise: left exactly as it is
    ("'tis plain", "'tis plain", "'tis plain"),
    ("a=b", "a=b", "a=b"),
    // a description is stored trimmed (domain::entries::check_description), so a
    // stored text never starts with a tab or CR; the exporter's rule for them is unit-tested in
    // src/domain/formula.rs
    ("\tx", "x", "x"),
    ("\rx", "x", "x"),
];

async fn create(app: &TestApp, path: &str, user: &TestUser, body: Value) -> Value {
    let (status, body) = app.post(path, Some(&user.token), body).await;
    assert_eq!(status, 201, "{path}: {body}");
    body
}

async fn download(app: &TestApp, org: &str, user: &TestUser, file: &str) -> Vec<u8> {
    let response = app
        .client
        .get(app.url(&format!(
            "/api/v1/organizations/{org}/exports/{file}?{RANGE}"
        )))
        .bearer_auth(&user.token)
        .send()
        .await
        .expect("request sent");
    assert_eq!(response.status(), 200, "{file}");
    response.bytes().await.expect("the whole body").to_vec()
}

/// Every exported entry as JSON (not a spreadsheet: the text as stored), ids left out, in order.
async fn stored(app: &TestApp, org: &str, user: &TestUser) -> Vec<Value> {
    let bytes = download(app, org, user, "entries.json").await;
    let entries: Vec<Value> = serde_json::from_slice(&bytes).expect("a JSON array");
    entries
        .into_iter()
        .map(|mut entry| {
            entry.as_object_mut().unwrap().remove("id");
            entry
        })
        .collect()
}

async fn exported_text_cannot_be_a_formula_and_imports_back_identically(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.sign_up("=owner@example.org", None).await;
    let (_, orgs) = app.get_as("/api/v1/organizations", &owner.token).await;
    let org = orgs[0]["id"].as_str().unwrap().to_string();
    let base = format!("/api/v1/organizations/{org}");
    let client = create(
        &app,
        &format!("{base}/clients"),
        &owner,
        json!({"name": "-Acme"}),
    )
    .await;
    let project = create(
        &app,
        &format!("{base}/projects"),
        &owner,
        json!({"name": "=cmd", "client_id": client["id"]}),
    )
    .await;
    let task = create(
        &app,
        &format!("{base}/projects/{}/tasks", project["id"].as_str().unwrap()),
        &owner,
        json!({"name": "+task"}),
    )
    .await;
    let tag = create(
        &app,
        &format!("{base}/tags"),
        &owner,
        json!({"name": "@tag"}),
    )
    .await;
    for (minute, (description, _, _)) in DESCRIPTIONS.iter().enumerate() {
        create(
            &app,
            &format!("{base}/time-entries"),
            &owner,
            json!({
                "start": format!("2026-03-10T09:{minute:02}:00Z"),
                "end": format!("2026-03-10T09:{minute:02}:30Z"),
                "description": description,
                "project_id": project["id"],
                "task_id": task["id"],
                "tags": [tag["id"]],
                "billable": true,
            }),
        )
        .await;
    }
    let before = stored(&app, &org, &owner).await;
    let descriptions: Vec<&str> = before
        .iter()
        .map(|e| e["description"].as_str().unwrap())
        .collect();
    let as_stored: Vec<&str> = DESCRIPTIONS.iter().map(|(_, stored, _)| *stored).collect();
    assert_eq!(descriptions, as_stored, "stored as sent (trimmed)");
    assert_eq!(before[0]["project"], "=cmd");
    assert_eq!(before[0]["user_email"], "=owner@example.org");

    // CSV: every text cell exactly as the rule says; GoGoTime's own values untouched
    let csv_bytes = download(&app, &org, &owner, "entries.csv").await;
    let mut reader = csv::Reader::from_reader(csv_bytes.as_slice());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), DESCRIPTIONS.len());
    for (row, (sent, _, cell)) in rows.iter().zip(DESCRIPTIONS) {
        assert_eq!(&row[column("description")], cell, "{sent:?}");
        assert_eq!(&row[column("user_email")], "'=owner@example.org");
        assert_eq!(&row[column("client")], "'-Acme");
        assert_eq!(&row[column("project")], "'=cmd");
        assert_eq!(&row[column("task")], "'+task");
        assert_eq!(&row[column("tags")], "'@tag");
        assert_eq!(&row[column("duration_seconds")], "30");
        assert_eq!(&row[column("billable")], "true");
        assert_eq!(&row[column("currency")], "EUR");
    }

    // XLSX: the same strings as string cells, numbers as numbers, and no formula anywhere
    let xlsx = download(&app, &org, &owner, "entries.xlsx").await;
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(xlsx)).expect("a valid XLSX file");
    let formulas = book.worksheet_formula("Time entries").expect("the sheet");
    let written: Vec<String> = formulas
        .cells()
        .filter(|(_, _, f)| !f.is_empty())
        .map(|(row, col, f)| format!("{row}:{col} {f}"))
        .collect();
    assert!(written.is_empty(), "formula cells: {written:?}");
    let sheet = book.worksheet_range("Time entries").expect("the sheet");
    let cells: Vec<&[Data]> = sheet.rows().skip(1).collect();
    assert_eq!(cells.len(), DESCRIPTIONS.len());
    for (row, (sent, _, cell)) in cells.iter().zip(DESCRIPTIONS) {
        let text = |name: &str| row[column(name)].clone();
        assert_eq!(text("description"), Data::String(cell.into()), "{sent:?}");
        assert_eq!(
            text("user_email"),
            Data::String("'=owner@example.org".into())
        );
        assert_eq!(text("client"), Data::String("'-Acme".into()));
        assert_eq!(text("project"), Data::String("'=cmd".into()));
        assert_eq!(text("task"), Data::String("'+task".into()));
        assert_eq!(text("tags"), Data::String("'@tag".into()));
        assert_eq!(text("duration_seconds"), Data::Float(30.0));
        assert_eq!(text("billable"), Data::Bool(true));
    }

    // the CSV imports into a fresh organization with every text byte-identical
    let (status, fresh) = app
        .post(
            "/api/v1/organizations",
            Some(&owner.token),
            json!({"name": "Fresh Ltd"}),
        )
        .await;
    assert_eq!(status, 201, "{fresh}");
    let fresh = fresh["id"].as_str().unwrap().to_string();
    let (status, done) = upload(&app, &fresh, &owner, &csv_bytes).await;
    assert_eq!(status, 201, "{done}");
    assert_eq!(done["format"], "gogotime", "{done}");
    let after = stored(&app, &fresh, &owner).await;
    assert_eq!(after, before);
}

/// Imports `file` for real (no dry run) as `user`; status and JSON body.
async fn upload(app: &TestApp, org: &str, user: &TestUser, file: &[u8]) -> (u16, Value) {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"export.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let response = app
        .client
        .post(app.url(&format!(
            "/api/v1/organizations/{org}/imports?tz=UTC&dry_run=false"
        )))
        .bearer_auth(&user.token)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(body)
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
