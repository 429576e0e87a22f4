//! Hostile text in every free-text field a person can write through the API: very long strings,
//! control characters, right-to-left overrides, zero-width and combining characters, emoji, and
//! invalid surrogates through JSON escapes. Each is either stored and read back byte-identical
//! (names and descriptions have their surrounding whitespace trimmed, as docs/api.md says; notes
//! are kept exactly), or
//! refused with a 4xx problem document that changes nothing.

use reqwest::Method;
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::{Backend, TestApp, spawn_app};

both_backends!(hostile_text_comes_back_byte_identical_or_is_refused_and_changes_nothing);

fn hostile() -> Vec<String> {
    [
        "x".repeat(100_000),
        "a".repeat(201),
        "tab\there, newline\nthere, carriage\rreturn".to_string(),
        "bell\u{7}escape\u{1b}[31mred\u{1b}[0m del\u{7f}".to_string(),
        "\u{202e}evil.exe\u{202c} and \u{2066}isolate\u{2069}".to_string(),
        "zero\u{200b}width\u{200d}joiner\u{feff}bom".to_string(),
        "e\u{301}\u{301}\u{301} combining, 👩‍👩‍👧‍👦 family, 𝔘𝔫𝔦𝔠𝔬𝔡𝔢".to_string(),
        "<script>alert(1)</script> & \"quotes\" 'single'".to_string(),
        "   leading and trailing spaces   ".to_string(),
        "=1+2 @SUM(A1) -3".to_string(),
    ]
    .into()
}

/// A JSON body whose `field` is a lone surrogate escape, which no valid UTF-8 can carry.
fn with_lone_surrogate(body: &Value, field: &str) -> String {
    let mut body = body.clone();
    body[field] = json!("SURROGATE");
    serde_json::to_string(&body)
        .unwrap()
        .replace("\"SURROGATE\"", "\"before \\ud800 after\"")
}

async fn count(app: &TestApp, token: &str, path: &str) -> usize {
    let (status, list) = app.get_as(path, token).await;
    assert_eq!(status, 200, "{path}: {list}");
    list.get("items")
        .unwrap_or(&list)
        .as_array()
        .expect("a list")
        .len()
}

/// Sends one write and checks the rule; returns whether it was stored.
async fn check(
    app: &TestApp,
    token: &str,
    (collection, list): (&str, &str),
    body: String,
    field: &str,
    sent: Option<(&str, bool)>,
) -> bool {
    let before = count(app, token, list).await;
    let response = app
        .client
        .post(app.url(collection))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    let status = response.status();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    let answer: Value = response.json().await.unwrap_or(Value::Null);
    let shown = body.chars().take(80).collect::<String>();
    if status.is_success() {
        let id = answer["id"].as_str().expect("an id");
        let (read_status, read) = app.get_as(&format!("{collection}/{id}"), token).await;
        assert_eq!(read_status, 200, "{collection}/{id}: {read}");
        let (sent, trimmed) = sent.expect("an invalid surrogate was accepted");
        assert_eq!(
            read[field].as_str(),
            Some(if trimmed { sent.trim() } else { sent }),
            "{collection}.{field} was stored differently from what was sent ({shown})"
        );
        assert_eq!(count(app, token, list).await, before + 1);
        true
    } else {
        assert!(
            status.is_client_error(),
            "{collection} with {shown}: {status} {answer}"
        );
        assert_eq!(
            content_type, "application/problem+json",
            "{collection} with {shown}"
        );
        assert!(
            answer["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{collection} with {shown}: a message for a person: {answer}"
        );
        assert_eq!(
            count(app, token, list).await,
            before,
            "{collection}: a refused write changed the list ({shown})"
        );
        false
    }
}

async fn hostile_text_comes_back_byte_identical_or_is_refused_and_changes_nothing(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let base = format!("/api/v1/organizations/{}", org.id);
    let token = org.manager.token.as_str();
    let (status, project) = app
        .post(
            &format!("{base}/projects"),
            Some(token),
            json!({"name": "Host"}),
        )
        .await;
    assert_eq!(status, 201, "{project}");
    let project_id = project["id"].as_str().unwrap().to_string();

    // (collection, list, body for the n-th value, text field)
    type Body = Box<dyn Fn(usize, &str) -> Value>;
    let day = |n: usize| format!("2026-0{}-{:02}", 1 + n / 28, n % 28 + 1);
    let targets: Vec<(String, String, Body, &str)> = vec![
        (
            format!("{base}/time-entries"),
            format!("{base}/time-entries?limit=500"),
            Box::new(
                move |n, text| json!({"start": format!("{}T09:00:00Z", day(n)), "end": format!("{}T10:00:00Z", day(n)), "description": text}),
            ),
            "description",
        ),
        (
            format!("{base}/clients"),
            format!("{base}/clients"),
            Box::new(|n, text| json!({"name": format!("client {n}"), "notes": text})),
            "notes",
        ),
        (
            format!("{base}/clients"),
            format!("{base}/clients"),
            Box::new(|n, text| json!({"name": format!("{n} {text}")})),
            "name",
        ),
        (
            format!("{base}/projects"),
            format!("{base}/projects"),
            Box::new(|n, text| json!({"name": format!("{n} {text}")})),
            "name",
        ),
        (
            format!("{base}/tags"),
            format!("{base}/tags"),
            Box::new(|n, text| json!({"name": format!("{n} {text}")})),
            "name",
        ),
        (
            format!("{base}/projects/{project_id}/tasks"),
            format!("{base}/projects/{project_id}/tasks"),
            Box::new(|n, text| json!({"name": format!("{n} {text}")})),
            "name",
        ),
    ];

    let mut stored = 0;
    let mut refused = 0;
    let values = hostile();
    for (collection, list, body, field) in &targets {
        for (n, value) in values.iter().enumerate() {
            let json = body(n, value);
            let sent = json[*field].as_str().unwrap().to_string();
            let text = serde_json::to_string(&json).unwrap();
            // names and descriptions are trimmed (docs/api.md); notes are kept exactly
            let trimmed = *field != "notes";
            let sent = Some((sent.as_str(), trimmed));
            if check(&app, token, (collection, list), text, field, sent).await {
                stored += 1;
            } else {
                refused += 1;
            }
        }
        let surrogate = with_lone_surrogate(&body(values.len(), "placeholder"), field);
        assert!(
            !check(&app, token, (collection, list), surrogate, field, None).await,
            "{collection}: a lone surrogate must be refused"
        );
        refused += 1;
    }
    // the organization's and the person's own names
    let (status, renamed) = app
        .call(
            Method::PATCH,
            &base,
            Some(org.owner.token.as_str()),
            Some(json!({"name": values[4]})),
        )
        .await;
    assert_eq!(status, 200, "{renamed}");
    assert_eq!(renamed["name"].as_str(), Some(values[4].as_str()));
    println!(
        "hostile text {backend:?}: {} writes, {stored} stored byte-identical, {refused} refused with a problem document",
        stored + refused + 1
    );
}
