//! U+0000 in free text: PostgreSQL's text cannot hold it (the query failed, a 500), SQLite's
//! can. Both backends answer a 422 naming the field, and nothing is stored.

use serde_json::json;

use crate::both_backends;
use crate::helpers::{Backend, spawn_app};

both_backends!(nul_characters_in_texts_and_searches_are_field_errors);

async fn nul_characters_in_texts_and_searches_are_field_errors(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let base = format!("/api/v1/organizations/{}", org.id);
    let token = &org.manager.token;
    let message = json!(["must not contain the NUL character (U+0000)"]);

    let writes = [
        (
            "clients",
            json!({"name": "Acme", "notes": "net\u{0}30"}),
            "notes",
        ),
        (
            "time-entries",
            json!({"start": "2026-11-02T09:00:00Z", "end": "2026-11-02T10:00:00Z",
                   "description": "a\u{0}b"}),
            "description",
        ),
    ];
    for (rest, body, field) in writes {
        let (status, problem) = app.post(&format!("{base}/{rest}"), Some(token), body).await;
        assert_eq!(status, 422, "{rest}: {problem}");
        assert_eq!(problem["errors"][field], message, "{rest}: {problem}");
        let (listed, items) = app.get_as(&format!("{base}/{rest}"), token).await;
        assert_eq!(listed, 200, "{rest}: {items}");
        let items = items.get("items").unwrap_or(&items);
        assert_eq!(items.as_array().map(Vec::len), Some(0), "{rest}: {items}");
    }

    let searches = [
        ("clients?search=a%00", "search"),
        ("tags?search=%00", "search"),
        ("time-entries?q=a%00b", "q"),
        (
            "reports/summary?from=2026-11-01&to=2026-11-30&group=project&q=%00",
            "q",
        ),
    ];
    for (rest, field) in searches {
        let (status, problem) = app.get_as(&format!("{base}/{rest}"), token).await;
        assert_eq!(status, 422, "{rest}: {problem}");
        assert_eq!(problem["errors"][field], message, "{rest}: {problem}");
    }
}
