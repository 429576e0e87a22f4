//! Crash under write load: writers create entries with tags, start and stop timers and edit
//! entries with If-Match against the real `gogotime serve`, which is killed with SIGKILL
//! mid-load three times and restarted on the same database. Every write that got a 2xx must
//! be there afterwards, exactly as acknowledged; a write cut off by the crash must be wholly
//! there or wholly absent (an entry with all its tags or none of it; a timer start that stopped
//! the previous timer did both or neither); never two running timers for one person.
//!
//! An importer submits whole CSV imports alongside (see `importer`): each is there entirely
//! or not at all, and entirely when it was acknowledged.
//!
//! Figures (printed, never asserted): operations acknowledged, lost, crashes, restart-to-ready;
//! imports acknowledged, cut off, and of those wholly applied or wholly absent.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::binary::Server;
use crate::helpers::{Backend, TestDatabase};
use importer::Importer;

mod importer;

both_backends!(acknowledged_writes_survive_kill_9_mid_load);

const CRASHES: usize = 3;
const WRITERS: usize = 3;
/// A bound on each writer's operations per round, far above what fits before the kill: the
/// writers are always mid-request when it comes.
const OPS_PER_ROUND: usize = 5_000;
/// How long the writers run before each kill (varied, so the kill meets different requests).
const LOAD_BEFORE_KILL: [Duration; CRASHES] = [
    Duration::from_millis(1_500),
    Duration::from_millis(2_100),
    Duration::from_millis(1_700),
];

/// The tags every writer's organization has, by name.
const TAG_NAMES: [&str; 3] = ["billable-review", "client-call", "deep-work"];

/// What the server holds for one entry, as far as this drill checks it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stored {
    description: String,
    start: DateTime<Utc>,
    end: Option<DateTime<Utc>>,
    tags: Vec<String>,
    version: i64,
}

impl Stored {
    fn from_json(entry: &Value) -> (String, Stored) {
        let time = |v: &Value| {
            v.as_str().map(|s| {
                DateTime::parse_from_rfc3339(s)
                    .unwrap_or_else(|e| panic!("{s}: {e}"))
                    .with_timezone(&Utc)
            })
        };
        let mut tags: Vec<String> = entry["tags"]
            .as_array()
            .unwrap_or_else(|| panic!("an entry without a tags array: {entry}"))
            .iter()
            .map(|t| t.as_str().unwrap().to_string())
            .collect();
        tags.sort();
        (
            entry["id"].as_str().unwrap().to_string(),
            Stored {
                description: entry["description"].as_str().unwrap().to_string(),
                start: time(&entry["start"]).expect("a start"),
                end: time(&entry["end"]),
                tags,
                version: entry["version"].as_i64().unwrap(),
            },
        )
    }
}

/// A write whose answer the crash cut off: it may have committed or not. `None` ids are new
/// entries, recognised by their unique description.
#[derive(Debug, Clone)]
struct Pending {
    what: &'static str,
    outcomes: Vec<(Option<String>, Stored)>,
}

/// One person in their own organization, writing sequentially and remembering every
/// acknowledged write.
struct Writer {
    n: usize,
    token: String,
    org: String,
    tags: Vec<String>,
    /// Every entry as its last acknowledged write left it.
    model: BTreeMap<String, Stored>,
    pending: Option<Pending>,
    acknowledged: usize,
    step: usize,
    next_slot: i64,
    next_timer: i64,
    timer_base: DateTime<Utc>,
    running: Option<String>,
}

enum Sent {
    Answered(StatusCode, Value, Option<String>),
    /// The connection failed: the server is gone.
    Cut,
}

async fn send(
    client: &reqwest::Client,
    method: Method,
    url: String,
    token: Option<&str>,
    if_match: Option<i64>,
    body: Option<Value>,
) -> Sent {
    let mut request = client.request(method, url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(version) = if_match {
        request = request.header("If-Match", format!("\"{version}\""));
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    dispatch(request).await
}

/// Sends a built request and reads its answer, or notes that the server is gone.
async fn dispatch(request: reqwest::RequestBuilder) -> Sent {
    let Ok(response) = request.send().await else {
        return Sent::Cut;
    };
    let status = response.status();
    let etag = response
        .headers()
        .get("etag")
        .map(|v| v.to_str().unwrap().to_string());
    match response.text().await {
        Ok(text) => Sent::Answered(
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
            etag,
        ),
        Err(_) => Sent::Cut,
    }
}

fn slot_start(writer: usize, slot: i64) -> DateTime<Utc> {
    // finished entries: one per hour from January 2025, a separate month per writer
    Utc.with_ymd_and_hms(2025, 1 + writer as u32, 1, 0, 0, 0)
        .unwrap()
        + chrono::Duration::hours(slot)
}

/// Timers run every 10 minutes from two days ago (well after every finished entry, and close
/// enough to now that a running one stays within the organization's maximum length).
fn timer_base() -> DateTime<Utc> {
    let now = Utc::now().timestamp();
    Utc.timestamp_opt(now - now % 60 - 2 * 86_400, 0).unwrap()
}

impl Writer {
    fn url(&self, address: &str, path: &str) -> String {
        format!("{address}/api/v1/organizations/{}/{path}", self.org)
    }

    /// Which of the writer's tags (indices into `TAG_NAMES`) a write carries: one to all.
    fn tag_indices(&self, salt: usize) -> impl Iterator<Item = usize> + use<> {
        let all = self.tags.len();
        (0..1 + salt % all).map(move |i| (salt + i) % all)
    }

    fn pick_tags(&self, salt: usize) -> Vec<String> {
        let mut tags: Vec<String> = self
            .tag_indices(salt)
            .map(|i| self.tags[i].clone())
            .collect();
        tags.sort();
        tags
    }

    /// A finished entry of this writer that the next edit may change (not the running timer).
    fn edit_target(&self) -> Option<(String, Stored)> {
        let finished: Vec<_> = self
            .model
            .iter()
            .filter(|(_, s)| s.end.is_some() && s.start < self.timer_base)
            .collect();
        let (id, stored) = finished.get(self.step * 7 % finished.len().max(1))?;
        Some(((*id).clone(), (*stored).clone()))
    }

    /// Runs up to `OPS_PER_ROUND` writes; returns when the server stops answering.
    async fn run_round(&mut self, client: &reqwest::Client, address: &str, round: usize) {
        for _ in 0..OPS_PER_ROUND {
            self.step += 1;
            let step = self.step;
            let description = format!("w{} r{round} s{step}", self.n);
            let outcome = match step % 5 {
                0 | 3 => self.create(client, address, description).await,
                1 => self.edit(client, address, description).await,
                2 => self.start_timer(client, address, description).await,
                _ => self.stop_timer_or_edit(client, address, description).await,
            };
            if !outcome {
                return;
            }
        }
    }

    /// Sends one write; on 2xx the caller's `acknowledged` runs, on a cut the write is pending.
    async fn write(
        &mut self,
        client: &reqwest::Client,
        method: Method,
        url: String,
        if_match: Option<i64>,
        body: Value,
        pending: Pending,
    ) -> Option<(Value, Option<String>)> {
        match send(
            client,
            method,
            url,
            Some(&self.token),
            if_match,
            Some(body.clone()),
        )
        .await
        {
            Sent::Answered(status, value, etag) if status.is_success() => {
                self.acknowledged += 1;
                Some((value, etag))
            }
            Sent::Answered(status, value, _) => {
                panic!(
                    "writer {}: {} {body} got {status}: {value}",
                    self.n, pending.what
                )
            }
            Sent::Cut => {
                self.pending = Some(pending);
                None
            }
        }
    }

    /// Records what an acknowledged write returned, checking it is what was sent.
    fn acknowledge(&mut self, entry: &Value, expected: &Stored) {
        let (id, stored) = Stored::from_json(entry);
        assert_eq!(&stored, expected, "the server acknowledged something else");
        self.model.insert(id, stored);
    }

    async fn create(&mut self, client: &reqwest::Client, address: &str, d: String) -> bool {
        let start = slot_start(self.n, self.next_slot);
        self.next_slot += 1;
        let end = start + chrono::Duration::minutes(30 + (self.step % 25) as i64);
        let tags = self.pick_tags(self.step);
        let expected = Stored {
            description: d.clone(),
            start,
            end: Some(end),
            tags: tags.clone(),
            version: 1,
        };
        let body =
            json!({"description": d, "start": start, "end": end, "tags": tags, "billable": true});
        let pending = Pending {
            what: "create",
            outcomes: vec![(None, expected.clone())],
        };
        let url = self.url(address, "time-entries");
        match self
            .write(client, Method::POST, url, None, body, pending)
            .await
        {
            Some((entry, _)) => {
                self.acknowledge(&entry, &expected);
                true
            }
            None => false,
        }
    }

    async fn edit(&mut self, client: &reqwest::Client, address: &str, d: String) -> bool {
        let Some((id, current)) = self.edit_target() else {
            return self.create(client, address, d).await;
        };
        let tags = self.pick_tags(self.step + 1);
        let end = current.start + chrono::Duration::minutes(5 + (self.step % 50) as i64);
        let expected = Stored {
            description: d.clone(),
            start: current.start,
            end: Some(end),
            tags: tags.clone(),
            version: current.version + 1,
        };
        let body = json!({"description": d, "end": end, "tags": tags});
        let pending = Pending {
            what: "edit",
            outcomes: vec![(Some(id.clone()), expected.clone())],
        };
        let url = self.url(address, &format!("time-entries/{id}"));
        match self
            .write(
                client,
                Method::PATCH,
                url,
                Some(current.version),
                body,
                pending,
            )
            .await
        {
            Some((entry, etag)) => {
                assert_eq!(etag, Some(format!("\"{}\"", expected.version)));
                self.acknowledge(&entry, &expected);
                true
            }
            None => false,
        }
    }

    async fn start_timer(&mut self, client: &reqwest::Client, address: &str, d: String) -> bool {
        let start = self.timer_base + chrono::Duration::minutes(10 * self.next_timer);
        self.next_timer += 1;
        let tags = self.pick_tags(self.step + 2);
        let started = Stored {
            description: d.clone(),
            start,
            end: None,
            tags: tags.clone(),
            version: 1,
        };
        // starting stops the running timer at the new start, in the same transaction
        let stopped = self.running.clone().map(|id| {
            let mut s = self.model[&id].clone();
            s.end = Some(start);
            s.version += 1;
            (id, s)
        });
        let mut outcomes = vec![(None, started.clone())];
        outcomes.extend(stopped.iter().map(|(id, s)| (Some(id.clone()), s.clone())));
        let pending = Pending {
            what: "timer start",
            outcomes,
        };
        let body = json!({"description": d, "start": start, "tags": tags});
        let url = self.url(address, "timer/start");
        match self
            .write(client, Method::POST, url, None, body, pending)
            .await
        {
            Some((answer, _)) => {
                match &stopped {
                    Some((_, s)) => self.acknowledge(&answer["stopped"], s),
                    None => assert!(answer["stopped"].is_null(), "{answer}"),
                }
                self.acknowledge(&answer["started"], &started);
                self.running = Some(answer["started"]["id"].as_str().unwrap().to_string());
                true
            }
            None => false,
        }
    }

    async fn stop_timer_or_edit(
        &mut self,
        client: &reqwest::Client,
        address: &str,
        d: String,
    ) -> bool {
        let Some(id) = self.running.clone() else {
            return self.edit(client, address, d).await;
        };
        let mut stopped = self.model[&id].clone();
        let end = stopped.start + chrono::Duration::minutes(5);
        stopped.end = Some(end);
        stopped.version += 1;
        let pending = Pending {
            what: "timer stop",
            outcomes: vec![(Some(id.clone()), stopped.clone())],
        };
        let url = self.url(address, "timer/stop");
        match self
            .write(
                client,
                Method::POST,
                url,
                None,
                json!({"end": end}),
                pending,
            )
            .await
        {
            Some((entry, _)) => {
                self.acknowledge(&entry, &stopped);
                self.running = None;
                true
            }
            None => false,
        }
    }

    /// Every entry the server holds for this writer.
    async fn server_entries(
        &self,
        client: &reqwest::Client,
        address: &str,
    ) -> BTreeMap<String, Stored> {
        let mut all = BTreeMap::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut url = self.url(address, "time-entries?limit=500");
            if let Some(c) = &cursor {
                url.push_str(&format!("&cursor={c}"));
            }
            let Sent::Answered(status, page, _) =
                send(client, Method::GET, url, Some(&self.token), None, None).await
            else {
                panic!("listing entries after the restart failed");
            };
            assert_eq!(status, 200, "{page}");
            for entry in page["items"].as_array().unwrap() {
                let (id, stored) = Stored::from_json(entry);
                assert!(all.insert(id, stored).is_none(), "an entry listed twice");
            }
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => return all,
            }
        }
    }

    /// After a restart: the server must hold exactly the acknowledged state, plus the whole of
    /// the write the crash cut off or none of it. Returns the acknowledged entries found wrong
    /// and, for a cut-off write, whether it landed.
    async fn reconcile(
        &mut self,
        client: &reqwest::Client,
        address: &str,
    ) -> (Vec<String>, Option<bool>) {
        let mut actual = self.server_entries(client, address).await;
        let running: Vec<&String> = actual
            .iter()
            .filter(|(_, s)| s.end.is_none())
            .map(|(id, _)| id)
            .collect();
        assert!(
            running.len() <= 1,
            "writer {}: {} running timers: {running:?}",
            self.n,
            running.len()
        );
        let mut expected = self.model.clone();
        let mut cut_off = None;
        if let Some(pending) = self.pending.take() {
            let landed = |(id, outcome): &(Option<String>, Stored)| match id {
                Some(id) => actual.get(id) == Some(outcome),
                None => actual
                    .values()
                    .any(|s| s.description == outcome.description),
            };
            let landed_count = pending.outcomes.iter().filter(|o| landed(o)).count();
            assert!(
                landed_count == 0 || landed_count == pending.outcomes.len(),
                "writer {}: the {} cut off by the crash is half-applied: {:?}\nserver: {actual:#?}",
                self.n,
                pending.what,
                pending.outcomes
            );
            cut_off = Some(landed_count > 0);
            if landed_count > 0 {
                for (id, outcome) in &pending.outcomes {
                    let id = id.clone().unwrap_or_else(|| {
                        actual
                            .iter()
                            .find(|(_, s)| s.description == outcome.description)
                            .map(|(id, _)| id.clone())
                            .unwrap()
                    });
                    expected.insert(id, outcome.clone());
                }
            }
        }
        let mut wrong = Vec::new();
        for (id, want) in &expected {
            match actual.remove(id) {
                Some(got) if &got == want => {}
                got => wrong.push(format!("{id}: acknowledged {want:?}, server has {got:?}")),
            }
        }
        assert!(
            actual.is_empty(),
            "writer {}: entries nobody acknowledged: {actual:#?}",
            self.n
        );
        self.running = expected
            .iter()
            .find(|(_, s)| s.end.is_none())
            .map(|(id, _)| id.clone());
        self.model = expected;
        (wrong, cut_off)
    }
}

fn server_env<'a>(database_url: &'a str, tmp: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("GOGOTIME_ENV", "development"),
        // a killed server leaves its import spool files behind: keep them in the drill's
        // directory, which the test removes, instead of the machine's /tmp
        ("TMPDIR", tmp),
        ("DATABASE_URL", database_url),
        ("GOGOTIME_BIND", "127.0.0.1:0"),
        ("GOGOTIME_METRICS_BIND", ""),
        ("GOGOTIME_PUBLIC_URL", "http://localhost:8080"),
        // tokens issued before a crash must still be accepted after it
        (
            "JWT_SECRET",
            "crash-drill-secret-that-is-long-enough-for-hs256",
        ),
        ("GOGOTIME_SHUTDOWN_DELAY_SECONDS", "0"),
    ]
}

/// Starts the server on the database and waits for readiness 200; returns it and how long
/// that took from the spawn.
async fn start_ready(
    client: &reqwest::Client,
    database_url: &str,
    dir: &std::path::Path,
) -> (Server, Duration) {
    let started = Instant::now();
    let (url, dir) = (database_url.to_string(), dir.to_path_buf());
    let server = tokio::task::spawn_blocking(move || {
        let tmp = dir.join("tmp");
        std::fs::create_dir_all(&tmp).unwrap();
        Server::start(&server_env(&url, &tmp.to_string_lossy()), &dir)
    })
    .await
    .unwrap();
    let health = format!("{}/api/system/health", server.address);
    loop {
        if let Ok(response) = client.get(&health).send().await
            && response.status() == 200
        {
            return (server, started.elapsed());
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "readiness was not 200 within 30 s of a restart: {:#?}",
            server.logs()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn sign_up(client: &reqwest::Client, address: &str, n: usize) -> Writer {
    let email = format!("writer{n}@example.org");
    let register = json!({"email": email, "password": crate::helpers::accounts::PASSWORD,
        "name": format!("Writer {n}"), "organization_name": format!("Crash drill {n}")});
    let url = format!("{address}/api/v1/auth/register");
    let Sent::Answered(status, user, _) =
        send(client, Method::POST, url, None, None, Some(register)).await
    else {
        panic!("register failed")
    };
    assert_eq!(status, 201, "{user}");
    let url = format!("{address}/api/v1/auth/token");
    let body = json!({"email": email, "password": crate::helpers::accounts::PASSWORD});
    let Sent::Answered(status, tokens, _) =
        send(client, Method::POST, url, None, None, Some(body)).await
    else {
        panic!("sign-in failed")
    };
    assert_eq!(status, 200, "{tokens}");
    let token = tokens["access_token"].as_str().unwrap().to_string();
    let url = format!("{address}/api/v1/organizations");
    let Sent::Answered(_, orgs, _) = send(client, Method::GET, url, Some(&token), None, None).await
    else {
        panic!("listing organizations failed")
    };
    let org = orgs[0]["id"].as_str().unwrap().to_string();
    let mut tags = Vec::new();
    for name in TAG_NAMES {
        let url = format!("{address}/api/v1/organizations/{org}/tags");
        let Sent::Answered(status, tag, _) = send(
            client,
            Method::POST,
            url,
            Some(&token),
            None,
            Some(json!({"name": name})),
        )
        .await
        else {
            panic!("creating a tag failed")
        };
        assert_eq!(status, 201, "{tag}");
        tags.push(tag["id"].as_str().unwrap().to_string());
    }
    Writer {
        n,
        token,
        org,
        tags,
        model: BTreeMap::new(),
        pending: None,
        acknowledged: 0,
        step: 0,
        next_slot: 0,
        next_timer: 0,
        timer_base: timer_base(),
        running: None,
    }
}

async fn acknowledged_writes_survive_kill_9_mid_load(backend: Backend) {
    let database = TestDatabase::new(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();

    let (mut server, first_ready) = start_ready(&client, &database.url, dir.path()).await;
    let mut writers = Vec::new();
    for n in 0..WRITERS {
        writers.push(sign_up(&client, &server.address, n).await);
    }
    let mut importer = Importer::new(sign_up(&client, &server.address, WRITERS).await);
    importer.import_before_load(&client, &server.address).await;
    let mut ready_after_crash = Vec::new();
    let (mut landed, mut absent) = (0, 0);
    for (round, load) in LOAD_BEFORE_KILL.into_iter().enumerate() {
        let address = server.address.clone();
        let tasks: Vec<_> = writers
            .into_iter()
            .map(|mut writer| {
                let (client, address) = (client.clone(), address.clone());
                tokio::spawn(async move {
                    writer.run_round(&client, &address, round).await;
                    writer
                })
            })
            .collect();
        let (importing, address) = (client.clone(), address.clone());
        let imports = tokio::spawn(async move {
            importer.run_round(&importing, &address, load / 2).await;
            importer
        });
        tokio::time::sleep(load).await;
        server.signal("KILL");
        let code = server.wait(Duration::from_secs(10));
        assert_eq!(code, -1, "SIGKILL leaves no exit code");
        writers = Vec::new();
        for task in tasks {
            writers.push(task.await.unwrap());
        }
        importer = imports.await.unwrap();
        drop(server);

        let (restarted, ready) = start_ready(&client, &database.url, dir.path()).await;
        server = restarted;
        ready_after_crash.push(ready);
        assert_started_cleanly(&server);
        for writer in &mut writers {
            let (wrong, cut_off) = writer.reconcile(&client, &server.address).await;
            match cut_off {
                Some(true) => landed += 1,
                Some(false) => absent += 1,
                None => {}
            }
            assert!(
                wrong.is_empty(),
                "after crash {}: writer {} lost acknowledged writes:\n{}",
                round + 1,
                writer.n,
                wrong.join("\n")
            );
        }
        importer.reconcile(&client, &server.address).await;
    }

    let acknowledged: usize = writers.iter().map(|w| w.acknowledged).sum();
    let entries: usize = writers.iter().map(|w| w.model.len()).sum();
    println!(
        "crash drill ({backend:?}): {acknowledged} writes acknowledged over {CRASHES} kill -9 crashes, \
         0 lost; {} writes cut off mid-request: {landed} wholly applied, {absent} wholly absent; \
         {entries} entries checked exactly; first start to ready {first_ready:?}, \
         restart to ready after each crash {ready_after_crash:?}",
        landed + absent
    );
    let imports = importer.figures();
    println!(
        "crash drill imports ({backend:?}): {} of {} imports acknowledged, 0 lost or partial; \
         {} cut off mid-request: {} wholly applied, {} wholly absent; {} imported entries \
         checked exactly",
        imports.acknowledged,
        imports.submitted,
        imports.whole + imports.absent,
        imports.whole,
        imports.absent,
        imports.rows_checked
    );
    assert!(
        acknowledged > CRASHES * WRITERS,
        "the writers barely wrote ({acknowledged}): the drill proved nothing"
    );
    assert!(
        imports.whole + imports.absent > 0,
        "no import was cut off by a crash: the drill proved nothing about half-applied imports"
    );
    assert_started_cleanly(&server);
}

/// No error was logged by a server started on the database a crash left behind.
fn assert_started_cleanly(server: &Server) {
    let errors: Vec<String> = server
        .logs()
        .into_iter()
        .filter(|l| l.contains("\"level\":\"ERROR\""))
        .collect();
    assert!(errors.is_empty(), "errors after a restart: {errors:#?}");
}
