//! `gogotime smoke --url URL`: the "after" half of the deployment checklist. Against a running
//! deployment it checks, in order, what a user would notice first: health, the version that
//! answers, static assets and their caching, signing in, a timer started and stopped in the
//! smoke organization, a report that finds it, and removes what it made. One line per check with
//! its timing; it stops at the first failure (still removing what it made) and exits 1 naming it.

mod api;
mod steps;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use super::checklist::Checklist;
use super::{EXIT_CONFIG, EXIT_FAILURE, http_client};
use crate::build_info;
use crate::cli::SmokeArgs;
use crate::config::EnvSnapshot;
use api::Api;

/// A check that did not pass: what is wrong and what to do.
pub struct Failed {
    pub problem: String,
    pub fix: String,
}

impl Failed {
    pub fn new(problem: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            problem: problem.into(),
            fix: fix.into(),
        }
    }
}

impl From<api::NoAnswer> for Failed {
    fn from(no_answer: api::NoAnswer) -> Self {
        Failed::new(
            no_answer.0,
            "check the URL (scheme, host, port) and that the proxy or load balancer in front of GoGoTime runs",
        )
    }
}

/// How smoke signs in, from the arguments and the environment.
pub enum Credentials {
    Token(String),
    Password { email: String, password: String },
    None,
}

struct Plan {
    url: String,
    expected_version: String,
    credentials: Credentials,
    org: Option<uuid::Uuid>,
    client: reqwest::Client,
}

fn plan(env: &EnvSnapshot, args: SmokeArgs) -> Result<Plan, String> {
    let parsed = url::Url::parse(&args.url).map_err(|e| {
        format!(
            "--url {}: not an absolute URL ({e}); give the address users open, e.g. https://time.example.com",
            args.url
        )
    })?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(format!(
            "--url {}: expected an http:// or https:// address, e.g. https://time.example.com",
            args.url
        ));
    }
    let expected_version = args
        .expect_version
        .unwrap_or_else(|| build_info::VERSION.to_string());
    crate::release_version::check(&expected_version)
        .map_err(|problem| format!("--expect-version: {problem}"))?;
    let from_env = |name: &str| {
        env.get(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let token = args.token.or_else(|| from_env("GOGOTIME_SMOKE_TOKEN"));
    let credentials = match (token, args.email) {
        (Some(_), Some(_)) => {
            return Err("--token (or GOGOTIME_SMOKE_TOKEN) and --email are both given; use one way to sign in".into());
        }
        (Some(token), None) => Credentials::Token(token),
        (None, Some(email)) => match from_env("GOGOTIME_SMOKE_PASSWORD") {
            Some(password) => Credentials::Password { email, password },
            None => {
                return Err(format!(
                    "--email {email} needs the password in GOGOTIME_SMOKE_PASSWORD (never on the command line)"
                ));
            }
        },
        (None, None) => Credentials::None,
    };
    if args.timeout == 0 {
        return Err("--timeout 0: give the seconds a request may take, e.g. 10".into());
    }
    let client = http_client::build(args.ca_file.as_deref(), Duration::from_secs(args.timeout))?;
    Ok(Plan {
        url: args.url,
        expected_version,
        credentials,
        org: args.org,
        client,
    })
}

pub async fn run(env: &EnvSnapshot, args: SmokeArgs) -> ExitCode {
    let plan = match plan(env, args) {
        Ok(plan) => plan,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    let started = Instant::now();
    println!(
        "gogotime smoke {} against {}, expecting version {}",
        build_info::VERSION_LINE,
        plan.url,
        plan.expected_version
    );
    let mut list = Checklist::default();
    let mut api = Api::new(plan.client, &plan.url);
    steps::run_all(
        &mut list,
        &mut api,
        &plan.expected_version,
        plan.credentials,
        plan.org,
    )
    .await;
    println!("{}", list.summary("smoke", started.elapsed()));
    if list.failed() {
        ExitCode::from(EXIT_FAILURE)
    } else {
        ExitCode::SUCCESS
    }
}
