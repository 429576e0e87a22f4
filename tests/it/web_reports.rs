//! The Reports page without JavaScript: defaults, grouping, inline errors, saving, sharing and
//! revoking a public link.

use chrono::{DateTime, Utc};

use crate::both_backends;
use crate::helpers::web::{Page, WebClient};
use crate::helpers::{Backend, spawn_app};

both_backends!(
    the_reports_page_groups_saves_and_shares,
    the_report_says_how_the_entries_files_differ_from_it
);

/// The label of the period link marked as the one shown.
fn current_period(page: &Page) -> Option<String> {
    page.text_of(".periods [aria-current]")
}

/// Where the period link labelled `label` leads.
fn period_href(page: &Page, label: &str) -> String {
    let document = scraper::Html::parse_document(&page.body);
    let links = scraper::Selector::parse(".periods a").unwrap();
    document
        .select(&links)
        .find(|a| a.text().collect::<String>() == label)
        .and_then(|a| a.value().attr("href"))
        .unwrap_or_else(|| panic!("no period link {label:?} in:\n{}", page.body))
        .to_string()
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

async fn the_reports_page_groups_saves_and_shares(backend: Backend) {
    let app = spawn_app(backend).await;
    app.clock.set(at("2026-11-25T09:00:00Z"));
    let mut web = WebClient::new(&app);
    let home = web
        .set_up_instance("Ada", "ada@example.org", "Analytical")
        .await;
    web.get(&format!("{home}/week")).await;
    let added = web
        .post(
            &format!("{home}/week/add"),
            &[
                ("date", "2026-11-24"),
                ("duration", "2:30"),
                ("description", "Reading"),
            ],
        )
        .await;
    web.follow(added).await;

    let page = web.get(&format!("{home}/reports")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    page.assert_contains("Time by project");
    // this week by default (Wednesday 25 November; weeks start on Monday)
    page.assert_contains("Mon 23 Nov 2026 – Sun 29 Nov 2026");
    page.assert_contains("No project");
    page.assert_contains(">2:30<");
    page.assert_contains("Days in Europe/Berlin; weeks start on Monday.");
    page.assert_contains("/exports/entries.csv?");

    // the named periods: the one shown is marked, and each link names its exact days and keeps
    // the other filters
    assert_eq!(current_period(&page).as_deref(), Some("This week"));
    let last_month = web.get(&period_href(&page, "Last month")).await;
    assert_eq!(current_period(&last_month).as_deref(), Some("Last month"));
    last_month.assert_contains("Thu 1 Oct 2026 – Sat 31 Oct 2026");
    assert_eq!(
        period_href(&last_month, "Today"),
        format!("{home}/reports?from=2026-11-25&to=2026-11-25&tz=Europe%2FBerlin&group=project")
    );
    let custom = web
        .get(&format!(
            "{home}/reports?from=2026-11-10&to=2026-11-12&group=day"
        ))
        .await;
    assert_eq!(current_period(&custom).as_deref(), Some("Custom"));
    assert_eq!(
        period_href(&custom, "Yesterday"),
        format!("{home}/reports?from=2026-11-24&to=2026-11-24&tz=Europe%2FBerlin&group=day")
    );

    let by_day = web
        .get(&format!(
            "{home}/reports?from=2026-11-23&to=2026-11-29&group=day&rounding=up&rounding_minutes=60"
        ))
        .await;
    by_day.assert_contains("Tue 24 Nov 2026");
    by_day.assert_contains(">3:00<");
    by_day
        .assert_contains("Rounding: each entry up to 60 minutes; totals add the rounded entries.");

    let wrong = web
        .get(&format!(
            "{home}/reports?from=2026-11-29&to=2026-11-23&group=day"
        ))
        .await;
    assert_eq!(wrong.status, 422);
    wrong.assert_contains("id=\"to-error\"");
    wrong.assert_contains("must not be before from");
    wrong.assert_contains("value=\"2026-11-29\"");

    let params = "from=2026-11-23&to=2026-11-29&group=day";
    web.get(&format!("{home}/reports?{params}")).await;
    let saved = web
        .post(
            &format!("{home}/reports/save"),
            &[("params", params), ("name", "This week")],
        )
        .await;
    let page = web.follow(saved).await;
    page.assert_contains("Report “This week” saved.");
    page.assert_contains(">This week</a>");

    let shared = web
        .post(
            &format!("{home}/reports/share"),
            &[
                ("params", params),
                ("share_name", "For the client"),
                ("expires_in_days", "30"),
            ],
        )
        .await;
    assert_eq!(shared.status, 200, "{}", shared.body);
    let start = shared
        .body
        .find("id=\"share-link\">")
        .expect("the link is shown")
        + "id=\"share-link\">".len();
    let link = &shared.body[start..start + shared.body[start..].find('<').unwrap()];
    let path = link.trim_start_matches("http://localhost:8080");
    assert!(path.starts_with("/shared/ggp_"), "{link}");
    let mut stranger = WebClient::new(&app);
    let public = stranger.get(path).await;
    assert_eq!(public.status, 200);
    public.assert_contains("For the client");
    public.assert_contains(">2:30<");
    assert!(
        !public.body.contains("method=\"post\"") && !public.body.contains("method=\"get\""),
        "nothing to change on a shared page"
    );

    let page = web.get(&format!("{home}/reports")).await;
    assert!(!page.body.contains(link), "the link is shown once");
    let marker = "/reports/shared/";
    let id_start = page.body.find(marker).expect("a revoke form") + marker.len();
    let id = &page.body[id_start..id_start + 36];
    let revoked = web
        .post(&format!("{home}/reports/shared/{id}/revoke"), &[])
        .await;
    web.follow(revoked)
        .await
        .assert_contains("The shared link no longer works.");
    let gone = stranger.get(path).await;
    assert_eq!(gone.status, 404);
    gone.assert_contains("revoked");
}

/// The entries files list finished entries starting in the range, each whole; the report counts
/// running timers and only the part of an entry inside the range. The page says which of those
/// apply to the report shown, with their numbers, and nothing when the files match it.
async fn the_report_says_how_the_entries_files_differ_from_it(backend: Backend) {
    let app = spawn_app(backend).await;
    // Sunday 22 November, 23:30 in Berlin
    app.clock.set(at("2026-11-22T22:30:00Z"));
    let mut web = WebClient::new(&app);
    let home = web
        .set_up_instance("Ada", "ada@example.org", "Analytical")
        .await;
    let note = |page: &Page| page.text_of("#export-note");

    let empty = web.get(&format!("{home}/reports")).await;
    assert_eq!(note(&empty), None, "nothing tracked, nothing differs");

    web.post(&format!("{home}/timer/start"), &[("description", "Late")])
        .await;
    // Monday 23 November, 00:30: the entry crosses into this week
    app.clock.set(at("2026-11-22T23:30:00Z"));
    web.post(&format!("{home}/timer/stop"), &[]).await;
    let this_week = web.get(&format!("{home}/reports")).await;
    assert_eq!(
        note(&this_week).as_deref(),
        Some(
            "The CSV, Excel and JSON files list the finished entries that start in this range, \
             each in full. It counts only the part inside the range of 1 entry that crosses its \
             start or end."
        )
    );

    app.clock.set(at("2026-11-25T09:00:00Z"));
    web.post(&format!("{home}/timer/start"), &[("description", "Now")])
        .await;
    let both = web.get(&format!("{home}/reports")).await;
    assert_eq!(
        note(&both).as_deref(),
        Some(
            "The CSV, Excel and JSON files list the finished entries that start in this range, \
             each in full. This report also counts 1 running timer, up to now. It counts only the \
             part inside the range of 1 entry that crosses its start or end."
        )
    );
    // over both weeks the late entry lies inside: only the running timer differs
    let two_weeks = web
        .get(&format!(
            "{home}/reports?from=2026-11-16&to=2026-11-29&group=project"
        ))
        .await;
    assert_eq!(
        note(&two_weeks).as_deref(),
        Some(
            "The CSV, Excel and JSON files list the finished entries that start in this range, \
             each in full. This report also counts 1 running timer, up to now."
        )
    );
    // a range before any of it: the files and the report agree
    let october = web
        .get(&format!(
            "{home}/reports?from=2026-10-01&to=2026-10-31&group=project"
        ))
        .await;
    assert_eq!(october.status, 200);
    assert_eq!(note(&october), None);
}
