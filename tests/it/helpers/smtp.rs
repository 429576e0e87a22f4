//! A real SMTP server for the mail tests: aiosmtpd (PyPI) started from
//! tests/fixtures/smtp_server.py, plaintext or with STARTTLS required under a test CA made by
//! the fixture (trustme, PyPI). Messages are read back from the files it writes.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// An SMTP server on a fixed port that a test can stop and start again.
pub struct SmtpServer {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
    /// STARTTLS is offered and required; the fixture writes its CA to `ca.pem`.
    starttls: bool,
}

impl SmtpServer {
    pub fn stopped() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        SmtpServer {
            port,
            dir: tempfile::tempdir().expect("temp dir"),
            child: None,
            starttls: false,
        }
    }

    pub async fn started() -> Self {
        let mut server = Self::stopped();
        server.start().await;
        server
    }

    /// A server that requires STARTTLS, with a certificate for 127.0.0.1 and localhost signed
    /// by a CA the fixture makes; its PEM is [`SmtpServer::ca_file`].
    pub async fn started_with_starttls() -> Self {
        let mut server = Self::stopped();
        server.starttls = true;
        server.start().await;
        server
    }

    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    pub async fn start(&mut self) {
        let script =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/smtp_server.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(self.dir.path())
            .arg(self.port.to_string())
            .args(self.starttls.then_some("--starttls"))
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("python3 runs (pip install aiosmtpd trustme)");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let ready = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
            .await
            .expect("the SMTP server starts within 20 s")
            .expect("its output is readable");
        assert_eq!(
            ready,
            Some(format!("ready {}", self.port)),
            "the SMTP server did not start (is aiosmtpd installed?)"
        );
        self.child = Some(child);
    }

    pub async fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().await.expect("the SMTP server stops");
        }
    }

    /// Every message received so far, in arrival order.
    pub fn messages(&self) -> Vec<Value> {
        let mut names: Vec<_> = std::fs::read_dir(self.dir.path())
            .expect("the mail directory")
            .map(|e| {
                e.expect("an entry")
                    .file_name()
                    .into_string()
                    .expect("utf-8")
            })
            .filter(|n| n.ends_with(".json") && !n.starts_with('.'))
            .collect();
        // nanosecond timestamps of equal width: the names sort in arrival order
        names.sort();
        names
            .iter()
            .map(|n| {
                let text = std::fs::read_to_string(self.dir.path().join(n)).expect("a message");
                serde_json::from_str(&text).expect("JSON")
            })
            .collect()
    }

    /// Waits until `count` messages arrived and removes them, so the test counts from zero
    /// again (e.g. the verification message every registration sends).
    pub async fn take(&self, count: usize) -> Vec<Value> {
        let taken = self.wait_for(count).await;
        for entry in std::fs::read_dir(self.dir.path()).expect("the mail directory") {
            let path = entry.expect("an entry").path();
            if path.extension().is_some_and(|e| e == "json") {
                std::fs::remove_file(path).expect("a message file can be removed");
            }
        }
        taken
    }

    /// Waits until `count` messages arrived; fails with what did arrive otherwise.
    pub async fn wait_for(&self, count: usize) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let messages = self.messages();
            if messages.len() >= count || Instant::now() > deadline {
                assert_eq!(messages.len(), count, "messages: {messages:#?}");
                return messages;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// The path of the link after `prefix` in a message's text, checked to be in its HTML too.
pub fn link_path(message: &Value, prefix: &str) -> String {
    let text = message["text"].as_str().expect("a text part");
    let start = text
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix} in {text}"));
    let link: String = text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    let html = message["html"].as_str().expect("an HTML part");
    assert!(html.contains(&format!("href=\"{link}\"")), "{html}");
    link.trim_start_matches("http://localhost:8080").to_string()
}
