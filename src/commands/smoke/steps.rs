//! The checks of `smoke`, in the order they run. Each returns the detail of its `✓` line or what
//! failed and the fix.

use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::api::{Answer, Api};
use super::{Credentials, Failed};
use crate::commands::checklist::{Checklist, took};

/// Description of the entry smoke makes; a leftover of an interrupted run is recognised by it.
const MARKER: &str = "gogotime smoke";

type Step = Result<String, Failed>;

/// Runs every check, printing each line; stops at the first failure, but removes what it made.
pub async fn run_all(
    list: &mut Checklist,
    api: &mut Api,
    expected_version: &str,
    credentials: Credentials,
    org: Option<uuid::Uuid>,
) {
    macro_rules! step {
        ($name:literal, $check:expr) => {
            match $check.await {
                Ok(detail) => list.pass($name, detail),
                Err(failed) => return list.fail($name, failed.problem, failed.fix),
            }
        };
    }
    step!("health", health(api));
    step!("version", version(api, expected_version));
    step!("assets", assets(api));
    if matches!(credentials, Credentials::None) {
        let why = "not checked: give --token (or GOGOTIME_SMOKE_TOKEN), or --email with GOGOTIME_SMOKE_PASSWORD, of the smoke account";
        for name in ["sign-in", "timer", "report", "cleanup"] {
            list.skip(name, why);
        }
        return;
    }
    step!("sign-in", sign_in(api, credentials));
    let org = match organization(api, org).await {
        Ok(org) => org,
        Err(failed) => return list.fail("timer", failed.problem, failed.fix),
    };
    let entry = match timer(api, &org).await {
        Ok((entry, detail)) => {
            list.pass("timer", detail);
            entry
        }
        Err(failed) => return list.fail("timer", failed.problem, failed.fix),
    };
    let report = report(api, &org, &entry).await;
    let cleanup = cleanup(api, &org.id, &entry.id).await;
    match report {
        Ok(detail) => list.pass("report", detail),
        Err(failed) => list.fail("report", failed.problem, failed.fix),
    }
    match cleanup {
        Ok(detail) => list.pass("cleanup", detail),
        Err(failed) => list.fail("cleanup", failed.problem, failed.fix),
    }
}

/// A non-2xx answer as a failure, naming the request and quoting the body's start.
fn unexpected(what: &str, answer: &Answer, fix: &str) -> Failed {
    let location = match answer.header("location") {
        "" => String::new(),
        to => format!(" (Location: {to})"),
    };
    Failed::new(
        format!(
            "{what} answered {}{location}: {}",
            answer.status,
            answer.excerpt()
        ),
        fix,
    )
}

async fn health(api: &Api) -> Step {
    let answer = api.get("/api/system/health").await?;
    if answer.status.is_redirection() {
        return Err(unexpected(
            "GET /api/system/health",
            &answer,
            "give --url the address the redirect points at (https://…)",
        ));
    }
    if answer.status != StatusCode::OK {
        return Err(unexpected(
            "GET /api/system/health",
            &answer,
            "the deployment is not ready: read the replicas' logs (database unreachable, schema not migrated) and the proxy's (no replica in rotation)",
        ));
    }
    let checks = answer.json()["checks"].clone();
    let statuses: Vec<String> = checks
        .as_object()
        .map(|c| {
            c.iter()
                .map(|(name, check)| format!("{name} {}", check["status"].as_str().unwrap_or("?")))
                .collect()
        })
        .unwrap_or_default();
    Ok(format!(
        "200 ({}) in {}",
        statuses.join(", "),
        took(answer.took)
    ))
}

async fn version(api: &Api, expected: &str) -> Step {
    let answer = api.get("/api/system/version").await?;
    if answer.status != StatusCode::OK {
        return Err(unexpected(
            "GET /api/system/version",
            &answer,
            "check that --url points at GoGoTime",
        ));
    }
    let body = answer.json();
    let running = body["version"].as_str().unwrap_or("(none)");
    let commit = body["commit"].as_str().unwrap_or("unknown");
    if running != expected {
        return Err(Failed::new(
            format!("the server runs {running} (commit {commit}), expected {expected}"),
            "finish or repeat the deploy of the expected version (a replica of the old one may still be in rotation), or pass --expect-version with the version you meant",
        ));
    }
    Ok(format!(
        "{running} (commit {commit}) as expected, in {}",
        took(answer.took)
    ))
}

/// The first `/static/…` path of a given extension that a page links to.
fn linked_asset(page: &str, extension: &str) -> Option<String> {
    page.split(['"', '\''])
        .find(|part| part.starts_with("/static/") && part.ends_with(extension))
        .map(str::to_owned)
}

async fn assets(api: &Api) -> Step {
    let mut page = api.get("/sign-in").await?;
    // before the first account exists, every page leads to /setup
    let location = page.header("location").to_string();
    if page.status.is_redirection() && location.starts_with('/') {
        page = api.get(&location).await?;
    }
    if page.status != StatusCode::OK {
        return Err(unexpected("GET /sign-in", &page, "read the replicas' logs"));
    }
    let mut details = Vec::new();
    for (extension, content_type) in [(".css", "text/css"), (".js", "javascript")] {
        let Some(path) = linked_asset(&page.body, extension) else {
            return Err(Failed::new(
                format!("the sign-in page links no {extension} file under /static/"),
                "the page is not GoGoTime's, or the release is broken: check --url",
            ));
        };
        let asset = api.get(&path).await?;
        if asset.status != StatusCode::OK {
            return Err(unexpected(
                &format!("GET {path}"),
                &asset,
                "assets are embedded in the binary: a 404 means the page and the asset came from different releases (a replica of the old release still in rotation?)",
            ));
        }
        if !asset.header("content-type").contains(content_type) {
            return Err(Failed::new(
                format!(
                    "{path} has Content-Type '{}', expected {content_type}",
                    asset.header("content-type")
                ),
                "check the proxy does not rewrite Content-Type",
            ));
        }
        let cache = asset.header("cache-control");
        if !(cache.contains("max-age=31536000") && cache.contains("immutable")) {
            return Err(Failed::new(
                format!(
                    "{path} has Cache-Control '{cache}', expected a year and immutable (content-hashed names)"
                ),
                "check the proxy passes the app's Cache-Control (deploy/nginx/snippets/gogotime-proxy.conf sets it for /static/)",
            ));
        }
        details.push(format!("{path} in {}", took(asset.took)));
    }
    Ok(format!(
        "{} (200, Cache-Control immutable)",
        details.join(", ")
    ))
}

async fn sign_in(api: &mut Api, credentials: Credentials) -> Step {
    let how = match credentials {
        Credentials::Token(token) => {
            api.token = Some(token);
            "an API token"
        }
        Credentials::Password { email, password } => {
            let body = json!({ "email": email, "password": password });
            let answer = api
                .call(Method::POST, "/api/v1/auth/token", Some(&body))
                .await?;
            if answer.status != StatusCode::OK {
                return Err(unexpected(
                    "POST /api/v1/auth/token",
                    &answer,
                    "check the smoke account's email and GOGOTIME_SMOKE_PASSWORD",
                ));
            }
            api.token = answer.json()["access_token"].as_str().map(str::to_owned);
            "a password"
        }
        Credentials::None => unreachable!("smoke skips signing in without credentials"),
    };
    let me = api.get("/api/v1/me").await?;
    if me.status != StatusCode::OK {
        return Err(unexpected(
            "GET /api/v1/me",
            &me,
            "the token is wrong, expired or revoked: create a new one for the smoke account (POST /api/v1/me/api-tokens) and set GOGOTIME_SMOKE_TOKEN",
        ));
    }
    Ok(format!(
        "{} signed in with {how} in {}",
        me.json()["email"].as_str().unwrap_or("?"),
        took(me.took)
    ))
}

pub struct Organization {
    id: String,
    name: String,
}

async fn organization(api: &Api, wanted: Option<uuid::Uuid>) -> Result<Organization, Failed> {
    let answer = api.get("/api/v1/organizations").await?;
    if answer.status != StatusCode::OK {
        return Err(unexpected(
            "GET /api/v1/organizations",
            &answer,
            "read the replicas' logs",
        ));
    }
    let all: Vec<Organization> = answer
        .json()
        .as_array()
        .map(|list| {
            list.iter()
                .map(|o| Organization {
                    id: o["id"].as_str().unwrap_or_default().to_string(),
                    name: o["name"].as_str().unwrap_or_default().to_string(),
                })
                .collect()
        })
        .unwrap_or_default();
    let names = || {
        all.iter()
            .map(|o| format!("{} ({})", o.name, o.id))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match wanted {
        Some(id) => {
            let names = names();
            all.into_iter().find(|o| o.id == id.to_string()).ok_or_else(|| {
                Failed::new(
                    format!("the smoke account is no member of organization {id}; it belongs to: {names}"),
                    "pass --org with the id of the smoke organization, or add the account to it",
                )
            })
        }
        None if all.len() == 1 => Ok(all.into_iter().next().expect("one organization")),
        None => Err(Failed::new(
            format!(
                "the smoke account belongs to {} organizations: {}",
                all.len(),
                names()
            ),
            "pass --org with the id of the organization smoke may write to (a dedicated one)",
        )),
    }
}

pub struct Made {
    id: String,
    start: DateTime<Utc>,
    seconds: i64,
    marker: String,
}

async fn timer(api: &Api, org: &Organization) -> Result<(Made, String), Failed> {
    let base = format!("/api/v1/organizations/{}", org.id);
    let running = api.get(&format!("{base}/timer")).await?;
    let mut note = String::new();
    if running.status == StatusCode::OK {
        let body = running.json();
        let description = body["description"].as_str().unwrap_or_default();
        if !description.starts_with(MARKER) {
            return Err(Failed::new(
                format!(
                    "the smoke account has a timer running in {} that smoke did not start ('{description}')",
                    org.name
                ),
                "use an account that only smoke runs use (docs/deployment/checklist.md), and stop that timer",
            ));
        }
        // an interrupted smoke run left it: stop and remove it like any other smoke entry
        let id = body["id"].as_str().unwrap_or_default();
        api.call(Method::POST, &format!("{base}/timer/stop"), None)
            .await?;
        api.call(Method::DELETE, &format!("{base}/time-entries/{id}"), None)
            .await?;
        note = format!("; removed the entry {id} an interrupted smoke run left running");
    }
    let marker = format!("{MARKER} {}", uuid::Uuid::now_v7().simple());
    let started = api
        .call(
            Method::POST,
            &format!("{base}/timer/start"),
            Some(&json!({ "description": marker })),
        )
        .await?;
    if started.status != StatusCode::CREATED {
        return Err(unexpected(
            &format!("POST {base}/timer/start"),
            &started,
            "the smoke account needs at least the member role in the organization; read the replicas' logs",
        ));
    }
    let stopped = api
        .call(Method::POST, &format!("{base}/timer/stop"), None)
        .await?;
    let entry = stopped.json();
    let id = started.json()["started"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if stopped.status != StatusCode::OK
        || entry["id"].as_str() != Some(id.as_str())
        || entry["running"] != Value::Bool(false)
    {
        return Err(unexpected(
            &format!("POST {base}/timer/stop"),
            &stopped,
            "read the replicas' logs",
        ));
    }
    let start = entry["start"]
        .as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or_default();
    let made = Made {
        id: id.clone(),
        start,
        seconds: entry["duration_seconds"].as_i64().unwrap_or(0),
        marker,
    };
    let detail = format!(
        "started and stopped in {} (entry {id}, {} s) in {}{note}",
        org.name,
        made.seconds,
        took(started.took + stopped.took)
    );
    Ok((made, detail))
}

async fn report(api: &Api, org: &Organization, made: &Made) -> Step {
    let day = made.start.format("%Y-%m-%d");
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("from", &day.to_string())
        .append_pair("to", &day.to_string())
        .append_pair("tz", "UTC")
        .append_pair("group", "day")
        .append_pair("q", &made.marker)
        .finish();
    let path = format!("/api/v1/organizations/{}/reports/summary?{query}", org.id);
    let answer = api.get(&path).await?;
    if answer.status != StatusCode::OK {
        return Err(unexpected(
            "GET reports/summary",
            &answer,
            "read the replicas' logs",
        ));
    }
    let totals = &answer.json()["totals"];
    let (entries, seconds) = (totals["entries"].as_i64(), totals["seconds"].as_i64());
    if entries != Some(1) || seconds != Some(made.seconds) {
        return Err(Failed::new(
            format!(
                "the summary for {day} finds {} entries and {} s of the smoke entry, expected 1 and {} s",
                entries.unwrap_or(-1),
                seconds.unwrap_or(-1),
                made.seconds
            ),
            "the report does not see what was just written: check that every replica uses the same database",
        ));
    }
    Ok(format!(
        "summary for {day} counts the smoke entry ({} s) in {}",
        made.seconds,
        took(answer.took)
    ))
}

async fn cleanup(api: &Api, org: &str, id: &str) -> Step {
    let path = format!("/api/v1/organizations/{org}/time-entries/{id}");
    let deleted = api.call(Method::DELETE, &path, None).await?;
    if deleted.status != StatusCode::NO_CONTENT {
        return Err(unexpected(
            &format!("DELETE {path}"),
            &deleted,
            "delete the entry by hand; read the replicas' logs",
        ));
    }
    let gone = api.get(&path).await?;
    if gone.status != StatusCode::NOT_FOUND {
        return Err(unexpected(
            &format!("GET {path} after deleting it"),
            &gone,
            "read the replicas' logs",
        ));
    }
    Ok(format!(
        "deleted entry {id} (then 404) in {}",
        took(deleted.took + gone.took)
    ))
}

#[cfg(test)]
mod tests {
    use super::linked_asset;

    #[test]
    fn the_first_linked_asset_of_a_kind_is_found() {
        let page = r#"<link rel="stylesheet" href="/static/app.1a2b3c4d.css"><script src='/static/app.5e6f7a8b.js' defer></script>"#;
        assert_eq!(
            linked_asset(page, ".css").as_deref(),
            Some("/static/app.1a2b3c4d.css")
        );
        assert_eq!(
            linked_asset(page, ".js").as_deref(),
            Some("/static/app.5e6f7a8b.js")
        );
        assert_eq!(linked_asset(page, ".png"), None);
    }
}
