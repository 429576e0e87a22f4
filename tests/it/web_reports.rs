//! The Reports page without JavaScript: defaults, grouping, inline errors, saving, sharing and
//! revoking a public link.

use chrono::{DateTime, Utc};

use crate::both_backends;
use crate::helpers::web::WebClient;
use crate::helpers::{Backend, spawn_app};

both_backends!(the_reports_page_groups_saves_and_shares);

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
    page.assert_contains("Sun 1 Nov 2026 – Mon 30 Nov 2026");
    page.assert_contains("No project");
    page.assert_contains(">2:30<");
    page.assert_contains("Days in Europe/Berlin; weeks start on Monday.");
    page.assert_contains("/exports/entries.csv?");

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
