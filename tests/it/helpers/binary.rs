//! The real `gogotime` binary, run as a child process with exactly the environment a test gives.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const BINARY: &str = env!("CARGO_BIN_EXE_gogotime");

#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn output(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

fn command(args: &[&str], env: &[(&str, &str)], cwd: &Path) -> Command {
    let mut command = Command::new(BINARY);
    command.args(args).current_dir(cwd).env_clear();
    if let Ok(path) = std::env::var("PATH") {
        command.env("PATH", path);
    }
    command.envs(env.iter().copied());
    command
}

/// Runs a command to completion.
pub fn run(args: &[&str], env: &[(&str, &str)], cwd: &Path) -> Run {
    let output = command(args, env, cwd)
        .stdin(Stdio::null())
        .output()
        .expect("the gogotime binary runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A `gogotime serve` child with JSON logs collected line by line.
pub struct Server {
    child: Child,
    pub address: String,
    logs: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// Starts `serve` and waits for its "serving" log line (which carries the bound address).
    pub fn start(env: &[(&str, &str)], cwd: &Path) -> Server {
        let mut env = env.to_vec();
        env.push(("GOGOTIME_LOG_FORMAT", "json"));
        let mut child = command(&["serve"], &env, cwd)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("gogotime serve starts");
        let logs = Arc::new(Mutex::new(Vec::new()));
        let stderr = child.stderr.take().expect("piped stderr");
        let sink = logs.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().expect("log lock").push(line);
            }
        });
        let started = Instant::now();
        loop {
            let found = logs.lock().expect("log lock").iter().find_map(|line| {
                let json: serde_json::Value = serde_json::from_str(line).ok()?;
                (json["message"] == "GoGoTime is serving")
                    .then(|| json["address"].as_str().map(str::to_owned))?
            });
            if let Some(address) = found {
                return Server {
                    child,
                    address: format!("http://{address}"),
                    logs,
                };
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "gogotime serve exited with {status} before serving: {:?}",
                    logs.lock().expect("log lock")
                );
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "gogotime serve did not start within 30 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &self.pid().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{signal} failed");
    }

    /// Waits for the process to exit and returns its exit code.
    pub fn wait(&mut self, within: Duration) -> i32 {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status.code().unwrap_or(-1);
            }
            assert!(
                started.elapsed() < within,
                "gogotime serve did not exit within {within:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn logs(&self) -> Vec<String> {
        self.logs.lock().expect("log lock").clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // a panic while serving fails the test even when every response looked right
        if !std::thread::panicking() {
            let panics: Vec<String> = self
                .logs()
                .into_iter()
                .filter(|line| line.contains("panicked"))
                .collect();
            assert!(
                panics.is_empty(),
                "gogotime serve panicked:\n{}",
                panics.join("\n")
            );
        }
    }
}

/// An owner signed up through the API of a running binary.
pub struct SignedUp {
    /// A JWT access token (15 minutes).
    pub token: String,
    pub org: String,
}

/// Registers `email` with a new organization called `organization` and signs in.
pub async fn sign_up(
    client: &reqwest::Client,
    address: &str,
    email: &str,
    organization: &str,
) -> SignedUp {
    let password = super::accounts::PASSWORD;
    let account = serde_json::json!({"email": email, "password": password,
        "name": "Owner", "organization_name": organization});
    let registered = client
        .post(format!("{address}/api/v1/auth/register"))
        .json(&account)
        .send()
        .await
        .expect("the server answers");
    assert_eq!(registered.status(), 201);
    let tokens: serde_json::Value = client
        .post(format!("{address}/api/v1/auth/token"))
        .json(&serde_json::json!({"email": email, "password": password}))
        .send()
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("tokens");
    let token = tokens["access_token"].as_str().unwrap().to_string();
    let orgs: serde_json::Value = client
        .get(format!("{address}/api/v1/organizations"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("organizations");
    SignedUp {
        token,
        org: orgs[0]["id"].as_str().unwrap().to_string(),
    }
}
