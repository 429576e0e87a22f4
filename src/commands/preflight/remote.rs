//! The checks of `preflight` over the network: the public URL's certificate, its DNS name, the
//! metrics endpoint Prometheus scrapes, and the backup service's metrics.

use chrono::Utc;

use super::{Options, certificate};
use crate::commands::checklist::Checklist;
use crate::commands::http_client;
use crate::config::Config;

fn client(options: &Options) -> Result<reqwest::Client, String> {
    http_client::build(options.args.ca_file.as_deref(), options.timeout)
}

pub async fn check_certificate(list: &mut Checklist, options: &Options) {
    if options.skipped("certificate") {
        list.skip("certificate", "skipped (--skip certificate)");
        return;
    }
    let Some(url) = options.args.url.as_deref() else {
        list.skip(
            "certificate",
            "not checked: pass --url https://your.domain to check its certificate",
        );
        return;
    };
    let parsed = match url::Url::parse(url) {
        Ok(parsed)
            if matches!(parsed.scheme(), "https" | "http") && parsed.host_str().is_some() =>
        {
            parsed
        }
        _ => {
            list.fail(
                "certificate",
                format!("--url {url} is not an http(s) address"),
                "pass the address users open, e.g. --url https://time.example.com",
            );
            return;
        }
    };
    if parsed.scheme() == "http" {
        list.skip(
            "certificate",
            format!("not checked: {url} is plain http (TLS ends in front of it)"),
        );
        return;
    }
    let client = match client(options) {
        Ok(client) => client,
        Err(problem) => {
            list.fail("certificate", problem, "fix --ca-file");
            return;
        }
    };
    let response = match client.get(parsed.clone()).send().await {
        Ok(response) => response,
        Err(e) => {
            list.fail(
                "certificate",
                format!("no TLS connection to {url}: {}", http_client::describe(&e)),
                "the certificate must be valid for the name, unexpired and from a trusted CA (--ca-file for a private CA); check nginx and the certbot service's logs",
            );
            return;
        }
    };
    let der = response
        .extensions()
        .get::<reqwest::tls::TlsInfo>()
        .and_then(|info| info.peer_certificate())
        .map(<[u8]>::to_vec);
    let facts = match der.as_deref().map(certificate::read) {
        Some(Ok(facts)) => facts,
        Some(Err(problem)) => {
            list.fail("certificate", problem, "replace the certificate");
            return;
        }
        None => {
            list.fail(
                "certificate",
                format!("{url} sent no certificate"),
                "check the TLS configuration in front of GoGoTime",
            );
            return;
        }
    };
    let left = facts.not_after - Utc::now();
    let host = parsed.host_str().unwrap_or_default();
    let when = format!(
        "{host}: valid until {} ({} days left, issuer {})",
        facts.not_after.format("%Y-%m-%d %H:%M UTC"),
        left.num_days(),
        facts.issuer
    );
    if left.num_days() < i64::from(options.args.cert_min_days) {
        list.fail(
            "certificate",
            format!("{when}: fewer than {} days", options.args.cert_min_days),
            "renew it now (GOGOTIME_TLS=letsencrypt renews 30 days ahead by itself: read the certbot service's logs; GOGOTIME_TLS=files: install the new certificate)",
        );
    } else {
        list.pass("certificate", when);
    }
}

pub async fn check_public_url(list: &mut Checklist, options: &Options, config: &Config) {
    if options.skipped("public-url") {
        list.skip("public-url", "skipped (--skip public-url)");
        return;
    }
    let url = &config.http.public_url;
    let Some(host) = url.host_str() else {
        list.fail(
            "public-url",
            format!("GOGOTIME_PUBLIC_URL {url} names no host"),
            "set GOGOTIME_PUBLIC_URL=https://your.domain",
        );
        return;
    };
    let port = url.port_or_known_default().unwrap_or(443);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let lookup = tokio::time::timeout(options.timeout, tokio::net::lookup_host((host, port))).await;
    match lookup {
        Ok(Ok(addresses)) => {
            let mut ips: Vec<String> = addresses.map(|a| a.ip().to_string()).collect();
            ips.sort();
            ips.dedup();
            list.pass(
                "public-url",
                format!("{host} (GOGOTIME_PUBLIC_URL) resolves to {}", ips.join(", ")),
            );
        }
        Ok(Err(e)) => list.fail(
            "public-url",
            format!("{host} (GOGOTIME_PUBLIC_URL) does not resolve: {e}"),
            format!("create the DNS record (A/AAAA) for {host} pointing at this server, or correct GOGOTIME_PUBLIC_URL"),
        ),
        Err(_) => list.fail(
            "public-url",
            format!("looking up {host} took longer than {} s", options.timeout.as_secs()),
            "check the DNS resolver of this host (/etc/resolv.conf)",
        ),
    }
}

/// A metrics page: `Ok(body)` for 200, the problem otherwise.
async fn metrics_page(options: &Options, url: &str) -> Result<String, String> {
    let client = client(options)?;
    let response = client
        .get(url)
        .send()
        .await
        .map_err(|e| format!("{url} did not answer: {}", http_client::describe(&e)))?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("{url} answered {status}"));
    }
    response.text().await.map_err(|e| {
        format!(
            "{url} sent an unreadable body: {}",
            http_client::describe(&e)
        )
    })
}

/// The value of a sample without labels, e.g. `name 1.7e9`.
fn sample(body: &str, name: &str) -> Option<f64> {
    body.lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
}

pub async fn check_metrics(list: &mut Checklist, options: &Options, config: &Config) {
    if options.skipped("metrics") {
        list.skip("metrics", "skipped (--skip metrics)");
        return;
    }
    let Some(url) = options.args.metrics_url.as_deref() else {
        let why = match config.metrics_bind {
            None => "GOGOTIME_METRICS_BIND is empty: metrics are disabled".to_string(),
            Some(bind) => format!(
                "pass --metrics-url http://HOST:{}/metrics (a running replica; GOGOTIME_METRICS_BIND is {bind})",
                bind.port()
            ),
        };
        list.skip("metrics", format!("not checked: {why}"));
        return;
    };
    match metrics_page(options, url).await {
        Ok(body) => match body.lines().find(|l| l.starts_with("gogotime_build_info{")) {
            Some(info) => list.pass("metrics", format!("{url} answered: {info}")),
            None => list.fail(
                "metrics",
                format!("{url} answered, but without gogotime_build_info: not a GoGoTime metrics endpoint"),
                "point --metrics-url at a replica's metrics port (GOGOTIME_METRICS_BIND, 9100 in the image)",
            ),
        },
        Err(problem) => list.fail(
            "metrics",
            problem,
            "check GOGOTIME_METRICS_BIND (0.0.0.0:9100 in containers) and that this host may reach that port (Prometheus scrapes the same address)",
        ),
    }
}

pub async fn check_backup_metrics(list: &mut Checklist, options: &Options, url: &str) {
    let limit = super::age(chrono::Duration::from_std(options.max_backup_age).unwrap_or_default());
    let body = match metrics_page(options, url).await {
        Ok(body) => body,
        Err(problem) => {
            list.fail(
                "backups",
                problem,
                "check that the backup service runs (`gogotime backup --every … --metrics-bind`), or pass --backups DIR instead",
            );
            return;
        }
    };
    match sample(&body, "gogotime_backup_last_success_timestamp_seconds") {
        Some(at) if at > 0.0 => {
            let at = chrono::DateTime::from_timestamp(at as i64, 0).unwrap_or_default();
            let age = Utc::now() - at;
            if age.to_std().unwrap_or_default() > options.max_backup_age {
                list.fail(
                    "backups",
                    format!("the last successful backup was {} ago (more than {limit})", super::age(age)),
                    "read the backup service's logs and take a backup now (`gogotime backup --to /backups` in it)",
                );
            } else {
                list.pass(
                    "backups",
                    format!(
                        "last successful backup {} ago ({}), at most {limit} wanted",
                        super::age(age),
                        at.format("%Y-%m-%d %H:%M UTC")
                    ),
                );
            }
        }
        Some(_) => list.fail(
            "backups",
            format!("{url}: no backup has succeeded yet"),
            "read the backup service's logs; a backup runs when it starts",
        ),
        None => list.fail(
            "backups",
            format!("{url} has no gogotime_backup_last_success_timestamp_seconds"),
            "point --backup-metrics at the backup service's --metrics-bind address",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::sample;

    #[test]
    fn a_sample_is_read_by_its_exact_name() {
        let body = "# HELP x\ngogotime_backup_last_success_timestamp_seconds_total 5\ngogotime_backup_last_success_timestamp_seconds 1700000000\n";
        assert_eq!(
            sample(body, "gogotime_backup_last_success_timestamp_seconds"),
            Some(1.7e9)
        );
        assert_eq!(sample(body, "missing"), None);
    }
}
