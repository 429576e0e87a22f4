//! `gogotime healthcheck`: GET the local health endpoint, exit 0 when it answers 200.
//! Container images without curl use this as their HEALTHCHECK.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use super::{EXIT_CONFIG, EXIT_FAILURE};
use crate::cli::HealthcheckArgs;
use crate::config::EnvSnapshot;

pub async fn run(env: &EnvSnapshot, args: HealthcheckArgs) -> ExitCode {
    let url = match args.url {
        Some(url) => url,
        None => match local_url(env) {
            Ok(url) => url,
            Err(message) => {
                eprintln!("error: {message}");
                return ExitCode::from(EXIT_CONFIG);
            }
        },
    };
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(args.timeout))
        .build()
    {
        Ok(client) => client,
        Err(e) => {
            eprintln!("unhealthy: cannot create an HTTP client: {e}");
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    match client.get(&url).send().await {
        Ok(response) if response.status().is_success() => {
            println!("healthy: {url} answered {}", response.status());
            ExitCode::SUCCESS
        }
        Ok(response) => {
            let status = response.status();
            let body = response.text().await.unwrap_or_default();
            println!(
                "unhealthy: {url} answered {status}: {}",
                body.chars().take(500).collect::<String>()
            );
            ExitCode::from(EXIT_FAILURE)
        }
        Err(e) => {
            println!("unhealthy: {url} did not answer: {e}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

/// The health URL of a server started with the same environment.
fn local_url(env: &EnvSnapshot) -> Result<String, String> {
    let development = env
        .get("GOGOTIME_ENV")
        .is_none_or(|e| e.trim() == "development");
    let default_ip = if development {
        Ipv4Addr::LOCALHOST
    } else {
        Ipv4Addr::UNSPECIFIED
    };
    let mut addr = match env
        .get("GOGOTIME_BIND")
        .map(str::trim)
        .filter(|b| !b.is_empty())
    {
        Some(bind) => bind.parse::<SocketAddr>().map_err(|_| {
            format!("GOGOTIME_BIND is '{bind}'; expected an address such as 0.0.0.0:8080")
        })?,
        None => SocketAddr::new(IpAddr::V4(default_ip), 8080),
    };
    if let Some(port) = env.get("PORT").map(str::trim).filter(|p| !p.is_empty()) {
        addr.set_port(
            port.parse()
                .map_err(|_| format!("PORT is '{port}'; expected a port number"))?,
        );
    }
    // a server listening on every interface is reachable on loopback
    if addr.ip().is_unspecified() {
        addr.set_ip(if addr.is_ipv4() {
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        } else {
            IpAddr::V6(std::net::Ipv6Addr::LOCALHOST)
        });
    }
    Ok(format!("http://{addr}/api/system/health"))
}
