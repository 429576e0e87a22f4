//! The entries list without JavaScript: rows under a header per day with the day's total, a
//! delete that asks on a page of its own, the restore form, and a bulk delete that asks first.

use chrono::{DateTime, Utc};

use crate::both_backends;
use crate::helpers::web::WebClient;
use crate::helpers::{Backend, spawn_app};

both_backends!(
    the_list_shows_each_day_once_as_a_header_with_its_exact_total,
    a_delete_asks_on_its_own_page_returns_to_the_list_and_can_be_undone,
    a_bulk_delete_lists_what_goes_and_deletes_only_when_confirmed,
);

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Adds a finished entry through the entries page's form; the list it returns to.
async fn add(web: &mut WebClient<'_>, home: &str, what: &str, date: &str, from: &str, to: &str) {
    web.get(&format!("{home}/entries")).await;
    let added = web
        .post(
            &format!("{home}/entries"),
            &[
                ("description", what),
                ("date", date),
                ("start", from),
                ("end", to),
                ("back", &format!("{home}/entries")),
            ],
        )
        .await;
    added.assert_redirect(&format!("{home}/entries"));
}

/// The id in `id="row-<id>"` of the row that shows `what`.
fn row_id(body: &str, what: &str) -> String {
    let at = body.find(what).expect("the entry is listed");
    let marker = "id=\"row-";
    let start = body[..at].rfind(marker).expect("a row") + marker.len();
    body[start..start + 36].to_string()
}

async fn the_list_shows_each_day_once_as_a_header_with_its_exact_total(backend: Backend) {
    let app = spawn_app(backend).await;
    app.clock.set(at("2026-11-25T16:00:00Z"));
    let mut web = WebClient::new(&app);
    let home = web
        .set_up_instance("Ada", "ada@example.org", "Analytical")
        .await;
    add(&mut web, &home, "Reading", "2026-11-24", "09:00", "10:30").await;
    add(&mut web, &home, "Writing", "2026-11-24", "13:00", "13:45").await;
    add(&mut web, &home, "Calling", "2026-11-25", "09:00", "09:10").await;

    let list = web.get(&format!("{home}/entries")).await;

    let header = |day: &str, total: &str| {
        format!(
            "<tr class=\"day-head\"><th scope=\"rowgroup\" colspan=\"8\"><span>{day}</span> <span class=\"day-total\"><span class=\"visually-hidden\">total </span><span data-day-total>{total}</span></span></th></tr>"
        )
    };
    let tuesday = header("Tue 24 Nov 2026", "2:15");
    let wednesday = header("Wed 25 Nov 2026", "0:10");
    list.assert_contains(&tuesday);
    list.assert_contains(&wednesday);
    assert!(
        list.body.find(&wednesday) < list.body.find(&tuesday),
        "newest day first"
    );
    assert_eq!(list.body.matches("class=\"day-head\"").count(), 2);
    assert_eq!(list.body.matches("data-entry ").count(), 3);
    list.assert_contains("<td class=\"num when\">09:00–10:30</td>");
    list.assert_contains("<td class=\"num dur\">1:30</td>");
    list.assert_contains("3 shown · 2:25");
}

async fn a_delete_asks_on_its_own_page_returns_to_the_list_and_can_be_undone(backend: Backend) {
    let app = spawn_app(backend).await;
    app.clock.set(at("2026-11-25T16:00:00Z"));
    let mut web = WebClient::new(&app);
    let home = web
        .set_up_instance("Ada", "ada@example.org", "Analytical")
        .await;
    add(&mut web, &home, "Reading", "2026-11-24", "09:00", "10:30").await;
    let list = web.get(&format!("{home}/entries?text=Read")).await;
    let id = row_id(&list.body, "Reading");
    let back = format!("{home}/entries?text=Read");
    let query: String = url::form_urlencoded::byte_serialize(back.as_bytes()).collect();

    let ask = web
        .get(&format!("{home}/entries/{id}/delete?back={query}"))
        .await;
    let foreign = web
        .get(&format!(
            "{home}/entries/{id}/delete?back=https://evil.example/"
        ))
        .await;

    assert_eq!(ask.status, 200);
    ask.assert_contains("Delete this entry?");
    ask.assert_contains("Reading");
    ask.assert_contains(&format!("action=\"{home}/entries/{id}/delete\""));
    assert_eq!(ask.field("back").as_deref(), Some(back.as_str()));
    assert_eq!(foreign.field("back").as_deref(), Some(home.as_str()));
    let listed = web.get(&format!("{home}/entries")).await;
    listed.assert_contains("Reading");

    web.get(&format!("{home}/entries/{id}/delete?back={query}"))
        .await;
    let deleted = web
        .post(&format!("{home}/entries/{id}/delete"), &[("back", &back)])
        .await;
    assert_eq!(deleted.assert_redirect(&back), back);
    let gone = web.follow(deleted).await;
    gone.assert_contains("Entry deleted.");
    gone.assert_contains("No entries match.");

    let restored = web
        .post(&format!("{home}/entries/{id}/restore"), &[("back", &back)])
        .await;
    let again = web.follow(restored).await;
    again.assert_contains("Entry restored.");
    assert_eq!(
        row_id(&again.body, "Reading"),
        id,
        "the same entry came back"
    );
    let twice = web
        .post(&format!("{home}/entries/{id}/restore"), &[("back", &back)])
        .await;
    web.follow(twice).await.assert_contains(
        "The entry was not restored: This entry is not deleted; there is nothing to restore.",
    );
}

async fn a_bulk_delete_lists_what_goes_and_deletes_only_when_confirmed(backend: Backend) {
    let app = spawn_app(backend).await;
    app.clock.set(at("2026-11-25T16:00:00Z"));
    let mut web = WebClient::new(&app);
    let home = web
        .set_up_instance("Ada", "ada@example.org", "Analytical")
        .await;
    add(&mut web, &home, "Reading", "2026-11-24", "09:00", "10:30").await;
    add(&mut web, &home, "Writing", "2026-11-24", "13:00", "13:45").await;
    let list = web.get(&format!("{home}/entries")).await;
    let (reading, writing) = (row_id(&list.body, "Reading"), row_id(&list.body, "Writing"));
    let back = format!("{home}/entries");

    let ask = web
        .post(
            &format!("{home}/entries/bulk"),
            &[
                ("entry_id", &reading),
                ("entry_id", &writing),
                ("action", "delete"),
                ("back", &back),
            ],
        )
        .await;
    let still = web.get(&back).await;

    assert_eq!(ask.status, 200);
    ask.assert_contains("Delete 2 entries?");
    ask.assert_contains("Reading");
    ask.assert_contains("Writing");
    ask.assert_contains(&format!("name=\"entry_id\" value=\"{reading}\""));
    ask.assert_contains("name=\"confirmed\" value=\"true\"");
    still.assert_contains("2 shown");

    let done = web
        .post(
            &format!("{home}/entries/bulk"),
            &[
                ("entry_id", &reading),
                ("entry_id", &writing),
                ("action", "delete"),
                ("confirmed", "true"),
                ("back", &back),
            ],
        )
        .await;
    let after = web.follow(done).await;
    after.assert_contains("2 entries deleted.");
    after.assert_contains("No entries match.");
}
