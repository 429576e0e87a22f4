//! Exports: golden CSV (shared header, local offsets across DST, RFC 4180 quoting, rounding),
//! typed JSON, XLSX read back with calamine, the summary PDF read back with pdftotext, and the
//! iCalendar feed read back with Python's `icalendar` — on SQLite and PostgreSQL.

use std::io::Write;
use std::process::{Command, Stdio};

use chrono::{Duration, DurationRound, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::accounts::{Org, TestUser};
use crate::helpers::web::WebClient;
use crate::helpers::{Backend, TestApp, spawn_app};

both_backends!(
    the_csv_export_has_local_offsets_rfc_4180_quoting_and_rounded_amounts,
    members_export_their_own_rows_and_bad_parameters_are_named,
    the_json_export_has_the_csv_fields_as_typed_values,
    the_xlsx_export_has_numeric_cells_and_formats,
    the_summary_pdf_shows_the_groups_and_totals,
    the_calendar_feed_is_valid_icalendar_and_rotating_or_revoking_closes_it,
    an_export_of_5000_entries_completes_in_every_format,
    the_account_page_creates_replaces_and_revokes_the_calendar_feed,
    every_export_downloads_whole_with_gzip_brotli_or_no_compression,
);

const HEADER: &str = "id,date,start,end,duration_seconds,duration,hours,user_email,user_name,client,project,task,description,tags,billable,hourly_rate,amount,currency";
const RANGE: &str = "tz=Europe/Berlin&from=2026-03-29&to=2026-03-30";

fn p(org: &Org, rest: &str) -> String {
    format!("/api/v1/organizations/{}/{rest}", org.id)
}

async fn create(app: &TestApp, path: &str, user: &TestUser, body: Value) -> Value {
    let (status, body) = app.post(path, Some(&user.token), body).await;
    assert_eq!(status, 201, "{path}: {body}");
    body
}

/// GET with a bearer token; status, headers and raw body.
async fn fetch(
    app: &TestApp,
    path: &str,
    token: &str,
) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let response = app
        .client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("request sent");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.bytes().await.expect("the whole body").to_vec();
    (status, headers, body)
}

async fn export(app: &TestApp, org: &Org, user: &TestUser, file: &str, query: &str) -> Vec<u8> {
    let (status, _, body) = fetch(
        app,
        &p(org, &format!("exports/{file}?{query}")),
        &user.token,
    )
    .await;
    assert_eq!(
        status,
        200,
        "{file}?{query}: {}",
        String::from_utf8_lossy(&body)
    );
    body
}

/// Two entries of the member in Berlin's DST week-end: one billable hour on a client's project
/// at 85.50 across the 02:00 → 03:00 jump, with tags and quotes; one short plain one.
struct Fixture {
    org: Org,
    first: String,
    second: String,
}

async fn fixture(app: &TestApp) -> Fixture {
    let org = app.org_with_every_role().await;
    let admin = &org.admin;
    let client = create(
        app,
        &p(&org, "clients"),
        admin,
        json!({"name": "Acme, Inc."}),
    )
    .await;
    let project = create(
        app,
        &p(&org, "projects"),
        admin,
        json!({"name": "Web", "client_id": client["id"]}),
    )
    .await;
    let (status, body) = app
        .call(
            Method::PUT,
            &p(
                &org,
                &format!("rates/projects/{}", project["id"].as_str().unwrap()),
            ),
            Some(&admin.token),
            Some(json!({"hourly_rate": 8550})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let beta = create(app, &p(&org, "tags"), admin, json!({"name": "beta"})).await;
    let alpha = create(app, &p(&org, "tags"), admin, json!({"name": "alpha"})).await;
    let entries = p(&org, "time-entries");
    // 01:30+01:00 → 03:31+02:00 in Berlin: 61 minutes
    let first = create(
        app,
        &entries,
        &org.member,
        json!({
            "start": "2026-03-29T00:30:00Z", "end": "2026-03-29T01:31:00Z",
            "description": "He said \"hi\", then left", "project_id": project["id"],
            "billable": true, "tags": [beta["id"], alpha["id"]],
        }),
    )
    .await;
    let second = create(app, &entries, &org.member, json!({
        "start": "2026-03-30T07:00:00Z", "end": "2026-03-30T07:07:30Z", "description": "short; plain",
    }))
    .await;
    Fixture {
        org,
        first: first["id"].as_str().unwrap().to_string(),
        second: second["id"].as_str().unwrap().to_string(),
    }
}

async fn the_csv_export_has_local_offsets_rfc_4180_quoting_and_rounded_amounts(backend: Backend) {
    let app = spawn_app(backend).await;
    let Fixture { org, first, second } = fixture(&app).await;

    let (status, headers, body) = fetch(
        &app,
        &p(&org, &format!("exports/entries.csv?{RANGE}")),
        &org.member.token,
    )
    .await;

    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"gogotime-owner-s-organization-2026-03-29_2026-03-30.csv\""
    );
    assert_eq!(headers["cache-control"], "no-store");
    let expected = format!(
        "{HEADER}\r\n\
         {first},2026-03-29,2026-03-29T01:30:00+01:00,2026-03-29T03:31:00+02:00,3660,1:01:00,1.02,member@example.org,member,\"Acme, Inc.\",Web,,\"He said \"\"hi\"\", then left\",\"alpha, beta\",true,85.50,86.93,EUR\r\n\
         {second},2026-03-30,2026-03-30T09:00:00+02:00,2026-03-30T09:07:30+02:00,450,0:07:30,0.13,member@example.org,member,,,,short; plain,,false,,0.00,EUR\r\n"
    );
    assert_eq!(String::from_utf8(body).unwrap(), expected);

    // rounding is the export's, per entry: the seconds and the money change, the rate does not
    let rounded = export(
        &app,
        &org,
        &org.manager,
        "entries.csv",
        &format!("{RANGE}&rounding=up&rounding_minutes=15"),
    )
    .await;
    let rounded = String::from_utf8(rounded).unwrap();
    let lines: Vec<&str> = rounded.lines().collect();
    assert_eq!(lines.len(), 3, "{rounded}");
    assert!(lines[1].contains(",4500,1:15:00,1.25,"), "{}", lines[1]);
    assert!(lines[1].ends_with(",true,85.50,106.88,EUR"), "{}", lines[1]);
    assert!(lines[2].contains(",900,0:15:00,0.25,"), "{}", lines[2]);
    // in UTC the same instants carry +00:00
    let utc = export(
        &app,
        &org,
        &org.member,
        "entries.csv",
        "tz=UTC&from=2026-03-29&to=2026-03-29",
    )
    .await;
    let utc = String::from_utf8(utc).unwrap();
    assert!(
        utc.contains(",2026-03-29T00:30:00+00:00,2026-03-29T01:31:00+00:00,"),
        "{utc}"
    );
    assert_eq!(
        utc.lines().count(),
        2,
        "the second entry is on 30 March: {utc}"
    );
}

async fn members_export_their_own_rows_and_bad_parameters_are_named(backend: Backend) {
    let app = spawn_app(backend).await;
    let Fixture { org, .. } = fixture(&app).await;
    create(&app, &p(&org, "time-entries"), &org.manager, json!({
        "start": "2026-03-29T10:00:00Z", "end": "2026-03-29T11:00:00Z", "description": "manager's",
    }))
    .await;

    let mine =
        String::from_utf8(export(&app, &org, &org.member, "entries.csv", RANGE).await).unwrap();
    let everyone =
        String::from_utf8(export(&app, &org, &org.manager, "entries.csv", RANGE).await).unwrap();

    assert_eq!(mine.lines().count(), 3, "{mine}");
    assert!(!mine.contains("manager"), "{mine}");
    assert_eq!(everyone.lines().count(), 4, "{everyone}");
    let (status, body) = app
        .get_as(
            &p(
                &org,
                &format!("exports/entries.json?{RANGE}&user_id={}", org.manager.id),
            ),
            &org.member.token,
        )
        .await;
    assert_eq!(status, 403, "{body}");
    let (status, _) = app
        .get_as(
            &p(&org, &format!("exports/entries.csv?{RANGE}")),
            &org.outsider.token,
        )
        .await;
    assert_eq!(
        status, 404,
        "other organizations' exports do not exist for outsiders"
    );
    for (file, query, fields) in [
        ("entries.csv", "to=2026-03-01", &["from"][..]),
        (
            "entries.xlsx",
            "from=2026-03-10&to=2026-03-01&tz=Mars/Olympus",
            &["to", "tz"][..],
        ),
        (
            "entries.json",
            "from=2026-03-01&to=2026-03-02&rounding=sideways",
            &["rounding"][..],
        ),
        (
            "entries.csv",
            "from=2026-03-01&to=2026-03-02&project_id=nope",
            &["project_id"][..],
        ),
        (
            "summary.pdf",
            "from=2026-03-01&to=2026-03-02&group=planet",
            &["group"][..],
        ),
    ] {
        let response = app
            .client
            .get(app.url(&p(&org, &format!("exports/{file}?{query}"))))
            .bearer_auth(&org.member.token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "{file}?{query}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let body: Value = response.json().await.unwrap();
        for field in fields {
            assert!(
                body["errors"][field].is_array(),
                "{file}?{query} names {field}: {body}"
            );
        }
    }
}

async fn the_json_export_has_the_csv_fields_as_typed_values(backend: Backend) {
    let app = spawn_app(backend).await;
    let Fixture { org, first, .. } = fixture(&app).await;

    let body = export(&app, &org, &org.member, "entries.json", RANGE).await;
    let csv =
        String::from_utf8(export(&app, &org, &org.member, "entries.csv", RANGE).await).unwrap();

    let items: Vec<Value> = serde_json::from_slice(&body).expect("a JSON array");
    assert_eq!(items.len(), 2);
    assert_eq!(
        items[0],
        json!({
            "id": first, "date": "2026-03-29",
            "start": "2026-03-29T01:30:00+01:00", "end": "2026-03-29T03:31:00+02:00",
            "duration_seconds": 3660, "duration": "1:01:00", "hours": 1.02,
            "user_email": "member@example.org", "user_name": "member",
            "client": "Acme, Inc.", "project": "Web", "task": null,
            "description": "He said \"hi\", then left", "tags": ["alpha", "beta"],
            "billable": true, "hourly_rate": 85.5, "amount": 86.93, "currency": "EUR",
        })
    );
    assert_eq!(items[1]["hourly_rate"], Value::Null);
    assert_eq!(items[1]["amount"], 0.0);
    assert_eq!(items[1]["tags"], json!([]));
    // every field matches the CSV's
    let mut reader = csv_rows(&csv);
    let header = reader.remove(0);
    for (item, row) in items.iter().zip(reader) {
        for (name, cell) in header.iter().zip(row) {
            let value = match &item[name.as_str()] {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                Value::Array(tags) => tags
                    .iter()
                    .map(|t| t.as_str().unwrap())
                    .collect::<Vec<_>>()
                    .join(", "),
                Value::Number(n) if ["hours", "hourly_rate", "amount"].contains(&name.as_str()) => {
                    format!("{:.2}", n.as_f64().unwrap())
                }
                other => other.to_string(),
            };
            assert_eq!(value, cell, "{name}");
        }
    }
}

/// CSV rows parsed by hand (quoted fields, doubled quotes), to check the export's quoting
/// independently of the crate that wrote it.
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let (mut row, mut field, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut field)),
            ('\r', false) => {}
            ('\n', false) => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => field.push(c),
        }
    }
    rows
}

async fn the_xlsx_export_has_numeric_cells_and_formats(backend: Backend) {
    use calamine::{Data, Reader, Xlsx};
    let app = spawn_app(backend).await;
    let Fixture { org, first, .. } = fixture(&app).await;

    let (status, headers, body) = fetch(
        &app,
        &p(&org, &format!("exports/entries.xlsx?{RANGE}")),
        &org.member.token,
    )
    .await;

    assert_eq!(status, 200);
    assert_eq!(
        headers["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(body)).expect("a valid XLSX file");
    let sheet = book.worksheet_range("Time entries").expect("the sheet");
    let rows: Vec<&[Data]> = sheet.rows().collect();
    assert_eq!(rows.len(), 3);
    let header: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
    assert_eq!(header.join(","), HEADER);
    let row = rows[1];
    let cell = |name: &str| &row[header.iter().position(|h| h == name).unwrap()];
    assert_eq!(cell("id"), &Data::String(first));
    match cell("date") {
        Data::DateTime(d) if d.is_datetime() => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            assert_eq!((y, m, day), (2026, 3, 29));
        }
        other => panic!("date is a date cell, not {other:?}"),
    }
    match cell("end") {
        Data::DateTime(d) => assert_eq!(
            d.to_ymd_hms_milli(),
            (2026, 3, 29, 3, 31, 0, 0),
            "local wall clock"
        ),
        other => panic!("end is a date-time cell, not {other:?}"),
    }
    assert_eq!(cell("duration_seconds"), &Data::Float(3660.0));
    match cell("duration") {
        Data::DateTime(d) => {
            assert!(d.is_duration(), "[h]:mm:ss is a duration format: {d:?}");
            assert!((d.as_f64() - 3660.0 / 86400.0).abs() < 1e-9);
        }
        other => panic!("duration is a time value, not {other:?}"),
    }
    assert_eq!(cell("hours"), &Data::Float(3660.0 / 3600.0));
    assert_eq!(cell("billable"), &Data::Bool(true));
    assert_eq!(cell("hourly_rate"), &Data::Float(85.5));
    assert_eq!(cell("amount"), &Data::Float(86.93));
    assert_eq!(cell("tags"), &Data::String("alpha, beta".into()));
    assert_eq!(
        rows[2][header.iter().position(|h| h == "client").unwrap()],
        Data::Empty
    );
}

async fn the_summary_pdf_shows_the_groups_and_totals(backend: Backend) {
    let app = spawn_app(backend).await;
    let Fixture { org, .. } = fixture(&app).await;
    let query = format!("{RANGE}&group=project&subgroup=user&rounding=up&rounding_minutes=15");

    let (status, headers, body) = fetch(
        &app,
        &p(&org, &format!("exports/summary.pdf?{query}")),
        &org.manager.token,
    )
    .await;

    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(headers["content-type"], "application/pdf");
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .ends_with("-2026-03-29_2026-03-30.pdf\"")
    );
    assert!(body.starts_with(b"%PDF-"));
    let text = pdf_text(&body);
    for expected in [
        "Summary report",
        "Organization: owner's organization",
        "Range: 2026-03-29 to 2026-03-30",
        "Time zone: Europe/Berlin",
        "Rounding: each entry up to 15 minutes",
        "Grouped by: project, then user",
        "Total: 1:30 h, 106.88 EUR, 2 entries",
        "Web",
        "No project",
        "member",
        "1:15",
        "0:15",
        "106.88",
    ] {
        assert!(
            text.contains(expected),
            "the PDF says {expected:?}:\n{text}"
        );
    }
}

/// The text of a PDF, by poppler's pdftotext.
fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("summary.pdf");
    std::fs::write(&file, pdf).unwrap();
    let output = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&file)
        .arg("-")
        .output()
        .unwrap_or_else(|e| {
            panic!("pdftotext is needed to read the PDF back (Debian: apt-get install poppler-utils; .ci/run installs it): {e}")
        });
    assert!(
        output.status.success(),
        "pdftotext: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The calendar as Python's `icalendar` reads it: name and events, or its complaint.
fn parse_icalendar(text: &str) -> Value {
    const SCRIPT: &str = r#"
import icalendar, json, sys
cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read().decode("utf-8"))
events = []
for e in cal.walk("VEVENT"):
    assert not e.errors, e.errors
    events.append({k: (e.decoded(k).isoformat() if k.startswith("DT") else str(e.get(k, "")))
                   for k in ["UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION"]})
assert not cal.errors, cal.errors
print(json.dumps({"name": str(cal["X-WR-CALNAME"]), "version": str(cal["VERSION"]),
                  "prodid": str(cal["PRODID"]), "events": events}))
"#;
    let mut child = Command::new("python3")
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "icalendar (pip install icalendar; scripts/test installs it) refused the feed: {}\n{text}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The feed's path on the test server (the URL carries the configured public URL).
fn feed_path(url: &str) -> String {
    let path = url
        .strip_prefix("http://localhost:8080")
        .expect("the public URL");
    assert!(
        path.starts_with("/feeds/ggc_") && path.ends_with(".ics"),
        "{url}"
    );
    path.to_string()
}

async fn the_calendar_feed_is_valid_icalendar_and_rotating_or_revoking_closes_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.sign_up("owner@example.org", None).await;
    let (_, orgs) = app.get_as("/api/v1/organizations", &owner.token).await;
    let home = orgs[0]["id"].as_str().unwrap().to_string();
    let (status, other) = app
        .post(
            "/api/v1/organizations",
            Some(&owner.token),
            json!({"name": "Side Gig"}),
        )
        .await;
    assert_eq!(status, 201, "{other}");
    let other = other["id"].as_str().unwrap().to_string();
    let day = (Utc::now() - Duration::days(3))
        .duration_trunc(Duration::days(1))
        .unwrap();
    let at = |hours: i64| (day + Duration::hours(hours)).to_rfc3339();
    let in_org = |org: &str| format!("/api/v1/organizations/{org}/time-entries");
    let project = create(
        &app,
        &format!("/api/v1/organizations/{home}/projects"),
        &owner,
        json!({"name": "Web"}),
    )
    .await;
    let tricky = "Fix login, again; see C:\\logs\nthen deploy — a long description that goes on well past seventy-five octets";
    let first = create(
        &app,
        &in_org(&home),
        &owner,
        json!({"start": at(9), "end": at(10), "description": tricky, "project_id": project["id"]}),
    )
    .await;
    let second = create(
        &app,
        &in_org(&home),
        &owner,
        json!({"start": at(11), "end": at(12), "project_id": project["id"]}),
    )
    .await;
    let third = create(
        &app,
        &in_org(&other),
        &owner,
        json!({"start": at(13), "end": at(14), "description": "side"}),
    )
    .await;
    let old = (Utc::now() - Duration::days(400))
        .duration_trunc(Duration::days(1))
        .unwrap();
    create(&app, &in_org(&home), &owner, json!({"start": old.to_rfc3339(), "end": (old + Duration::hours(1)).to_rfc3339(), "description": "too old"})).await;
    let (status, body) = app
        .post(
            &format!("/api/v1/organizations/{home}/timer/start"),
            Some(&owner.token),
            json!({"description": "running"}),
        )
        .await;
    assert!(status.is_success(), "{body}");

    let (status, feed) = app
        .post("/api/v1/me/calendar-feed", Some(&owner.token), json!({}))
        .await;
    assert_eq!(status, 200, "{feed}");
    let path = feed_path(feed["url"].as_str().unwrap());
    let response = app.get(&path).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/calendar; charset=utf-8"
    );
    let text = response.text().await.unwrap();

    assert!(text.starts_with("BEGIN:VCALENDAR\r\n") && text.ends_with("END:VCALENDAR\r\n"));
    for line in text.trim_end().split("\r\n") {
        assert!(line.len() <= 75, "lines fold at 75 octets: {line}");
        assert!(!line.contains('\n'), "CRLF only");
    }
    let calendar = parse_icalendar(&text);
    assert_eq!(calendar["version"], "2.0");
    assert!(calendar["prodid"].as_str().unwrap().contains("GoGoTime"));
    assert_eq!(calendar["name"], "GoGoTime — owner");
    // one organization after the other; calendars order events by time themselves
    let mut events = calendar["events"].as_array().unwrap().clone();
    events.sort_by_key(|e| e["DTSTART"].as_str().unwrap().to_string());
    let uid = |e: &Value| format!("{}@localhost", e["id"].as_str().unwrap());
    let uids: Vec<&str> = events.iter().map(|e| e["UID"].as_str().unwrap()).collect();
    assert_eq!(
        uids,
        [uid(&first), uid(&second), uid(&third)],
        "finished entries of the last 365 days, every organization"
    );
    let utc = |hours: i64| {
        (day + Duration::hours(hours))
            .format("%Y-%m-%dT%H:%M:%S+00:00")
            .to_string()
    };
    assert_eq!(events[0]["DTSTART"], utc(9));
    assert_eq!(events[0]["DTEND"], utc(10));
    assert_eq!(events[0]["SUMMARY"], tricky, "escaping round-trips");
    assert!(
        events[0]["DESCRIPTION"]
            .as_str()
            .unwrap()
            .contains("Project: Web"),
        "{}",
        events[0]
    );
    assert!(
        events[0]["DESCRIPTION"]
            .as_str()
            .unwrap()
            .contains("Duration: 1:00:00"),
        "{}",
        events[0]
    );
    assert_eq!(
        events[1]["SUMMARY"], "Web",
        "without a description, the project"
    );
    assert!(
        events[2]["DESCRIPTION"]
            .as_str()
            .unwrap()
            .contains("Organization: Side Gig")
    );

    // rotating closes the old address; revoking closes the new one
    let (status, rotated) = app
        .post("/api/v1/me/calendar-feed", Some(&owner.token), json!({}))
        .await;
    assert_eq!(status, 200);
    let new_path = feed_path(rotated["url"].as_str().unwrap());
    assert_ne!(new_path, path);
    let gone = app.get(&path).await;
    assert_eq!(gone.status(), 404);
    assert_eq!(gone.headers()["content-type"], "application/problem+json");
    let problem: Value = gone.json().await.unwrap();
    assert!(
        problem["detail"].as_str().unwrap().contains("revoked"),
        "{problem}"
    );
    assert_eq!(app.get(&new_path).await.status(), 200);
    let (status, _) = app
        .call(
            Method::DELETE,
            "/api/v1/me/calendar-feed",
            Some(&owner.token),
            None,
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(app.get(&new_path).await.status(), 404);
    let (status, _) = app
        .call(
            Method::DELETE,
            "/api/v1/me/calendar-feed",
            Some(&owner.token),
            None,
        )
        .await;
    assert_eq!(status, 404, "nothing left to revoke");
    assert_eq!(app.get("/feeds/ggc_made-up.ics").await.status(), 404);
    assert_eq!(app.get("/feeds/whatever").await.status(), 404);
}

async fn an_export_of_5000_entries_completes_in_every_format(backend: Backend) {
    use gogotime::domain::entries::TimeEntry;
    use gogotime::domain::ids::{OrganizationId, TimeEntryId, UserId};
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let start = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
        .unwrap()
        .to_utc();
    let mut tx = app.db.begin().await.unwrap();
    for i in 0..5000 {
        let at = start + Duration::minutes(30 * i);
        let entry = TimeEntry {
            id: TimeEntryId::new(),
            organization_id: org.id.parse::<OrganizationId>().unwrap(),
            user_id: org.member.id.parse::<UserId>().unwrap(),
            project_id: None,
            task_id: None,
            description: format!("entry {i}, with a comma"),
            start: at,
            end: Some(at + Duration::minutes(25)),
            billable: i % 2 == 0,
            hourly_rate: Some(10000),
            tags: Vec::new(),
            version: 1,
            created_at: at,
            updated_at: at,
            deleted_at: None,
        };
        gogotime::db::entries::insert(&mut tx.conn(), &entry)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let query = "tz=UTC&from=2026-01-01&to=2026-05-31";

    let path = p(&org, &format!("exports/entries.csv?{query}"));
    let (status, headers, csv) = fetch(&app, &path, &org.manager.token).await;
    let json: Vec<Value> =
        serde_json::from_slice(&export(&app, &org, &org.manager, "entries.json", query).await)
            .unwrap();
    let xlsx = export(&app, &org, &org.manager, "entries.xlsx", query).await;

    assert_eq!(status, 200);
    assert!(
        headers.get("content-length").is_none(),
        "streamed, not buffered: {headers:?}"
    );
    let csv = String::from_utf8(csv).unwrap();
    assert_eq!(csv.lines().count(), 5001);
    assert!(
        csv.lines()
            .last()
            .unwrap()
            .contains("\"entry 4999, with a comma\"")
    );
    assert_eq!(json.len(), 5000);
    assert_eq!(json[4999]["description"], "entry 4999, with a comma");
    let mut book: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(xlsx)).unwrap();
    use calamine::Reader;
    assert_eq!(
        book.worksheet_range("Time entries").unwrap().rows().count(),
        5001
    );
}

async fn the_account_page_creates_replaces_and_revokes_the_calendar_feed(backend: Backend) {
    let app = spawn_app(backend).await;
    app.sign_up("owner@example.org", None).await;
    let mut web = WebClient::new(&app);
    web.sign_in("owner@example.org").await;
    let page = web.get("/account/tokens").await;
    page.assert_contains("Calendar feed");
    page.assert_contains("You have no calendar feed.");

    let created = web.post("/account/calendar-feed", &[]).await;

    assert_eq!(created.status, 200);
    created.assert_contains("http://localhost:8080/feeds/ggc_");
    let start = created.body.find("/feeds/ggc_").unwrap();
    let end = start + created.body[start..].find(".ics").unwrap() + 4;
    let path = created.body[start..end].to_string();
    assert_eq!(
        app.get(&path).await.status(),
        200,
        "the shown address works"
    );
    let later = web.get("/account/tokens").await;
    assert!(!later.body.contains(&path), "the address is shown once");
    later.assert_contains("Your feed address was created");
    let replaced = web.post("/account/calendar-feed", &[]).await;
    replaced.assert_contains("/feeds/ggc_");
    assert_eq!(
        app.get(&path).await.status(),
        404,
        "replacing closes the old address"
    );
    let revoked = web.post("/account/calendar-feed/revoke", &[]).await;
    revoked.assert_redirect("/account/tokens");
    web.follow(revoked)
        .await
        .assert_contains("You have no calendar feed.");
    let forged = web.post_raw("/account/calendar-feed", &[]).await;
    assert_eq!(forged.status, 403, "the form needs its CSRF token");
}

/// GET as a browser asks for it: with a bearer token and the given `Accept-Encoding`; the
/// body decoded as its `Content-Encoding` says.
async fn download_encoded(
    app: &TestApp,
    path: &str,
    token: &str,
    accept: &str,
) -> (String, Vec<u8>) {
    let response = app
        .client
        .get(app.url(path))
        .bearer_auth(token)
        .header("accept-encoding", accept)
        .send()
        .await
        .expect("request sent");
    assert_eq!(response.status(), 200, "{path} with {accept}");
    let encoding = response
        .headers()
        .get("content-encoding")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = response
        .bytes()
        .await
        .unwrap_or_else(|e| panic!("{path} with {accept}: the body ends early: {e}"));
    let decoded = match encoding.as_str() {
        "" => body.to_vec(),
        "gzip" => {
            let mut out = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&body[..]), &mut out)
                .unwrap_or_else(|e| panic!("{path}: the gzip stream is cut short: {e}"));
            out
        }
        "br" => {
            let mut out = Vec::new();
            brotli::BrotliDecompress(&mut &body[..], &mut out)
                .unwrap_or_else(|e| panic!("{path}: the brotli stream is cut short: {e}"));
            out
        }
        other => panic!("{path}: unexpected content-encoding {other}"),
    };
    (encoding, decoded)
}

/// Browsers always send `Accept-Encoding`; the streamed exports (CSV, JSON, XLSX) used to end
/// after the headers under the compression layer, with a panic in the server's log.
async fn every_export_downloads_whole_with_gzip_brotli_or_no_compression(backend: Backend) {
    let app = spawn_app(backend).await;
    let Fixture { org, first, second } = fixture(&app).await;
    let token = &org.member.token;
    let summary = format!("{RANGE}&group=project");

    for (file, query) in [
        ("entries.csv", RANGE),
        ("entries.json", RANGE),
        ("entries.xlsx", RANGE),
        ("summary.pdf", summary.as_str()),
    ] {
        let path = p(&org, &format!("exports/{file}?{query}"));
        let (plain_encoding, plain) = download_encoded(&app, &path, token, "identity").await;
        assert_eq!(
            plain_encoding, "",
            "{file}: identity asked, nothing applied"
        );
        for accept in ["gzip", "br", "gzip, deflate, br, zstd"] {
            let (encoding, body) = download_encoded(&app, &path, token, accept).await;
            if file.ends_with(".csv") || file.ends_with(".json") {
                let expected = if accept == "gzip" { "gzip" } else { "br" };
                assert_eq!(
                    encoding, expected,
                    "{file} is text and compressed for {accept}"
                );
            }
            match file {
                "entries.csv" | "entries.json" => {
                    assert_eq!(
                        body, plain,
                        "{file} with {accept}: the same bytes as uncompressed"
                    )
                }
                // these two carry their creation time: compare what they say
                "entries.xlsx" => assert_eq!(
                    xlsx_rows(&body),
                    xlsx_rows(&plain),
                    "{file} with {accept}: the same cells"
                ),
                _ => assert_eq!(
                    pdf_text(&body),
                    pdf_text(&plain),
                    "{file} with {accept}: the same text"
                ),
            }
        }
        match file {
            "entries.csv" => {
                let rows = csv_rows(std::str::from_utf8(&plain).unwrap());
                assert_eq!(rows.len(), 3, "header and two entries");
                assert_eq!(rows[1][0], first);
                assert_eq!(rows[2][0], second);
            }
            "entries.json" => {
                let items: Vec<Value> = serde_json::from_slice(&plain).unwrap();
                assert_eq!(items.len(), 2);
                assert_eq!(items[0]["id"], first.as_str());
            }
            "entries.xlsx" => {
                let rows = xlsx_rows(&plain);
                assert_eq!(rows.len(), 3, "header and two entries");
                assert_eq!(rows[1][0], first);
            }
            _ => {
                let text = pdf_text(&plain);
                assert!(
                    text.contains("Total: 1:08 h, 86.93 EUR, 2 entries"),
                    "{text}"
                );
            }
        }
    }
}

/// The rows of the first sheet of an XLSX file, as text.
fn xlsx_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("an XLSX file");
    let sheet = book
        .worksheet_range_at(0)
        .expect("a first sheet")
        .expect("the sheet reads");
    sheet
        .rows()
        .map(|row| row.iter().map(ToString::to_string).collect())
        .collect()
}
