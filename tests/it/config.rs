//! Configuration errors through the real binary: exit status 2, every problem named with its
//! fix, secrets never echoed.

use std::path::Path;

use crate::helpers::binary::{self, Run};

const GOOD_SECRET: &str = "Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFy";

fn check(env: &[(&str, &str)]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    check_in(env, dir.path())
}

fn check_in(env: &[(&str, &str)], dir: &Path) -> Run {
    binary::run(&["config", "check"], env, dir)
}

fn production(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let mut env = vec![
        ("GOGOTIME_ENV", "production"),
        (
            "DATABASE_URL",
            "postgres://gogotime:pg-Pa55word@db.internal:5432/gogotime",
        ),
        ("GOGOTIME_PUBLIC_URL", "https://time.example.com"),
        ("JWT_SECRET", GOOD_SECRET),
    ];
    for (name, value) in extra {
        env.retain(|(n, _)| n != name);
        env.push((name, value));
    }
    env
}

#[test]
fn each_invalid_value_exits_2_naming_the_variable_and_the_fix() {
    let cases: &[(&[(&str, &str)], &str)] = &[
        (
            &[("GOGOTIME_ENV", "prod")],
            "GOGOTIME_ENV is 'prod'; expected development, staging or production",
        ),
        (
            &[("GOGOTIME_BIND", "localhost:8080")],
            "GOGOTIME_BIND is 'localhost:8080'; expected an IP address and port",
        ),
        (
            &[("PORT", "99999")],
            "PORT is '99999'; expected a port number",
        ),
        (
            &[("DATABASE_URL", "mysql://u:p@h/db")],
            "DATABASE_URL has the unknown scheme 'mysql:'",
        ),
        (
            &[("DATABASE_URL", "postgress://u:p@h/db")],
            "did you mean postgres://?",
        ),
        (
            &[("GOGOTIME_PUBLIC_URL", "time.example.com")],
            "GOGOTIME_PUBLIC_URL is 'time.example.com', not an absolute URL",
        ),
        (
            &[("GOGOTIME_LOG_FORMAT", "xml")],
            "GOGOTIME_LOG_FORMAT is 'xml'; expected pretty or json",
        ),
        (
            &[("GOGOTIME_LOG", "info,,=[")],
            "GOGOTIME_LOG is not a valid log filter",
        ),
        (
            &[("DATABASE_MAX_CONNECTIONS", "0")],
            "DATABASE_MAX_CONNECTIONS is '0'; expected a whole number of connections from 1 to 1000",
        ),
        (
            &[("GOGOTIME_AUTO_MIGRATE", "maybe")],
            "GOGOTIME_AUTO_MIGRATE is 'maybe'; expected true or false",
        ),
        (
            &[("GOGOTIME_TRUSTED_PROXIES", "10.0.0.0/8,proxy")],
            "GOGOTIME_TRUSTED_PROXIES has 'proxy', which is not an IP address or CIDR",
        ),
        (
            &[("JWT_SECRET_FILE", "/nonexistent/jwt")],
            "JWT_SECRET_FILE names '/nonexistent/jwt', which cannot be read",
        ),
        (
            &[
                ("JWT_SECRET", GOOD_SECRET),
                ("JWT_SECRET_FILE", "/etc/hostname"),
            ],
            "JWT_SECRET and JWT_SECRET_FILE are both set",
        ),
    ];
    for (env, expected) in cases {
        let run = check(env);
        assert_eq!(run.code, 2, "{env:?} should be refused: {}", run.output());
        assert!(
            run.stderr.contains(expected),
            "{env:?}: expected {expected:?} in {}",
            run.stderr
        );
    }
}

#[test]
fn production_refuses_missing_short_or_example_secrets_with_the_generate_hint() {
    let missing = check(
        &production(&[])
            .into_iter()
            .filter(|(n, _)| *n != "JWT_SECRET")
            .collect::<Vec<_>>(),
    );
    let short = check(&production(&[("JWT_SECRET", "twelve-bytes")]));
    let example = check(&production(&[(
        "JWT_SECRET",
        "change-me-run-gogotime-secret-generate",
    )]));
    let staging_short = check(&production(&[
        ("GOGOTIME_ENV", "staging"),
        ("JWT_SECRET", "twelve-bytes"),
    ]));

    assert_eq!(missing.code, 2);
    assert!(
        missing
            .stderr
            .contains("JWT_SECRET is not set; production needs a secret of at least 32 bytes"),
        "{}",
        missing.stderr
    );
    assert_eq!(short.code, 2);
    assert!(
        short.stderr.contains(
            "JWT_SECRET is 12 bytes; production needs at least 32 — run `gogotime secret generate`"
        ),
        "{}",
        short.stderr
    );
    assert!(
        !short.output().contains("twelve-bytes"),
        "the secret itself is never printed"
    );
    assert_eq!(example.code, 2);
    assert!(
        example.stderr.contains("JWT_SECRET is the example value"),
        "{}",
        example.stderr
    );
    assert_eq!(staging_short.code, 2);
    assert!(
        staging_short.stderr.contains("staging needs at least 32"),
        "{}",
        staging_short.stderr
    );
}

#[test]
fn production_requires_a_database_an_https_public_url_and_no_debug_logging() {
    let run = check(&[
        ("GOGOTIME_ENV", "production"),
        ("JWT_SECRET", GOOD_SECRET),
        ("GOGOTIME_LOG", "debug"),
    ]);
    let http = check(&production(&[(
        "GOGOTIME_PUBLIC_URL",
        "http://time.example.com",
    )]));

    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("DATABASE_URL is not set; production needs it"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("GOGOTIME_PUBLIC_URL is not set"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("GOGOTIME_LOG enables debug or trace logging"),
        "{}",
        run.stderr
    );
    assert_eq!(http.code, 2);
    assert!(
        http.stderr.contains("browsers only send over https"),
        "{}",
        http.stderr
    );
}

#[test]
fn several_problems_are_all_reported_at_once() {
    let run = check(&[
        ("GOGOTIME_ENV", "production"),
        ("GOGOTIME_BIND", "nowhere"),
        ("PORT", "http"),
        ("GOGOTIME_LOG_FORMAT", "xml"),
    ]);

    assert_eq!(run.code, 2);
    for variable in [
        "GOGOTIME_BIND",
        "PORT",
        "GOGOTIME_LOG_FORMAT",
        "DATABASE_URL",
        "JWT_SECRET",
        "GOGOTIME_PUBLIC_URL",
    ] {
        assert!(
            run.stderr.contains(&format!("  - {variable} ")),
            "{variable} missing from:\n{}",
            run.stderr
        );
    }
    assert!(run.stderr.contains("(6 problems)"), "{}", run.stderr);
}

#[test]
fn config_check_prints_effective_values_with_every_secret_redacted() {
    let run = check(&production(&[]));

    assert_eq!(run.code, 0, "{}", run.output());
    assert!(run.stdout.contains("configuration is valid for production"));
    assert!(
        run.stdout
            .contains("DATABASE_URL=postgres://gogotime:***@db.internal:5432/gogotime"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("JWT_SECRET=<redacted>"));
    assert!(run.stdout.contains("GOGOTIME_BIND=0.0.0.0:8080"));
    assert!(run.stdout.contains("GOGOTIME_LOG_FORMAT=json"));
    assert!(run.stdout.contains("GOGOTIME_SHUTDOWN_DELAY_SECONDS=5"));
    assert!(!run.output().contains("pg-Pa55word"));
    assert!(!run.output().contains(GOOD_SECRET));
}

#[test]
fn secrets_are_read_from_files_with_the_trailing_newline_trimmed() {
    let dir = tempfile::tempdir().unwrap();
    let secret_file = dir.path().join("jwt");
    std::fs::write(&secret_file, format!("{GOOD_SECRET}\n")).unwrap();
    let short_file = dir.path().join("short");
    std::fs::write(&short_file, format!("{}\n", &GOOD_SECRET[..31])).unwrap();
    let with_file = |file: &Path| {
        let mut env: Vec<(String, String)> = production(&[])
            .into_iter()
            .filter(|(n, _)| *n != "JWT_SECRET")
            .map(|(a, b)| (a.into(), b.into()))
            .collect();
        env.push(("JWT_SECRET_FILE".into(), file.display().to_string()));
        let borrowed: Vec<(&str, &str)> =
            env.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        check(&borrowed)
    };

    let good = with_file(&secret_file);
    let short = with_file(&short_file);

    assert_eq!(good.code, 0, "{}", good.output());
    assert!(good.stdout.contains("JWT_SECRET=<redacted>"));
    assert!(good.stdout.contains("(file)"));
    assert_eq!(short.code, 2);
    assert!(
        short.stderr.contains("JWT_SECRET is 31 bytes"),
        "{}",
        short.stderr
    );
}

#[test]
fn unknown_gogotime_variables_warn_with_the_closest_known_name() {
    let run = check(&[
        ("GOGOTIME_PUBLIC_ULR", "https://x.example"),
        ("GOGOTIME_LOG_FROMAT", "json"),
    ]);

    assert_eq!(run.code, 0, "{}", run.output());
    assert!(run.stderr.contains("GOGOTIME_PUBLIC_ULR is not a GoGoTime setting and is ignored; did you mean GOGOTIME_PUBLIC_URL?"), "{}", run.stderr);
    assert!(
        run.stderr.contains("did you mean GOGOTIME_LOG_FORMAT?"),
        "{}",
        run.stderr
    );
}

#[test]
fn dotenv_is_read_in_development_only() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".env"), "GOGOTIME_BIND=127.0.0.1:9999\n").unwrap();

    let development = check_in(&[], dir.path());
    let production_run = check_in(&production(&[]), dir.path());

    assert!(
        development.stdout.contains("GOGOTIME_BIND=127.0.0.1:9999"),
        "{}",
        development.stdout
    );
    assert!(development.stdout.contains("(.env)"));
    assert!(
        production_run.stdout.contains("GOGOTIME_BIND=0.0.0.0:8080"),
        "{}",
        production_run.stdout
    );
}

#[test]
fn invalid_configuration_stops_serve_with_status_2_before_touching_anything() {
    let dir = tempfile::tempdir().unwrap();

    let run = binary::run(&["serve"], &[("GOGOTIME_ENV", "prod")], dir.path());

    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("GOGOTIME_ENV is 'prod'"));
    assert!(
        !dir.path().join("data").exists(),
        "no database file is created for an invalid configuration"
    );
}

#[test]
fn production_refuses_plaintext_smtp_to_another_machine_naming_the_fix() {
    let run = check(&production(&[
        (
            "GOGOTIME_SMTP_URL",
            "smtp://mailer:Sm7p-Pa55@smtp.example.com:25",
        ),
        ("GOGOTIME_MAIL_FROM", "time@example.com"),
    ]));

    assert_eq!(run.code, 2, "{}", run.output());
    assert!(
        run.stderr.contains("GOGOTIME_SMTP_URL is plaintext smtp:// towards smtp.example.com, which is not this machine"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("smtps://user:password@smtp.example.com:465")
    );
    assert!(run.stderr.contains("?tls=required"));
    assert!(!run.output().contains("Sm7p-Pa55"));
}

#[test]
fn plaintext_smtp_is_accepted_towards_this_machine_and_in_development() {
    for env in [
        production(&[
            ("GOGOTIME_SMTP_URL", "smtp://127.0.0.1:2525"),
            ("GOGOTIME_MAIL_FROM", "time@example.com"),
        ]),
        vec![
            ("GOGOTIME_SMTP_URL", "smtp://mail.internal:25"),
            ("GOGOTIME_MAIL_FROM", "time@example.com"),
        ],
    ] {
        let run = check(&env);
        assert_eq!(run.code, 0, "{}", run.output());
    }
}

#[test]
fn smtp_without_a_valid_sender_is_reported() {
    let cases: &[(&[(&'static str, &'static str)], &str)] = &[
        (
            &[("GOGOTIME_SMTP_URL", "smtps://u:p@smtp.example.com")],
            "GOGOTIME_MAIL_FROM is not set; GOGOTIME_SMTP_URL turns email on",
        ),
        (
            &[
                ("GOGOTIME_SMTP_URL", "smtps://u:p@smtp.example.com"),
                ("GOGOTIME_MAIL_FROM", "not an address"),
            ],
            "GOGOTIME_MAIL_FROM is 'not an address', not an email address",
        ),
        (
            &[(
                "GOGOTIME_SMTP_URL",
                "smtp://u:p@smtp.example.com?tls=opportunistic",
            )],
            "GOGOTIME_SMTP_URL has tls=opportunistic; the only accepted value is tls=required",
        ),
    ];
    for (extra, expected) in cases {
        let run = check(&production(extra));
        assert_eq!(run.code, 2, "{extra:?}: {}", run.output());
        assert!(run.stderr.contains(expected), "{extra:?}: {}", run.stderr);
    }
}

#[test]
fn config_check_says_whether_email_is_on_with_the_smtp_password_redacted() {
    let off = check(&production(&[]));
    assert_eq!(off.code, 0, "{}", off.output());
    assert!(
        off.stdout.contains("GOGOTIME_SMTP_URL=(email off)"),
        "{}",
        off.stdout
    );
    assert!(off.stdout.contains("email: off (no GOGOTIME_SMTP_URL)"));

    let dir = tempfile::tempdir().unwrap();
    let secret_file = dir.path().join("smtp_url");
    std::fs::write(
        &secret_file,
        "smtps://mailer:Sm7p-Pa55@smtp.example.com:465\n",
    )
    .unwrap();
    let path: &'static str = Box::leak(secret_file.to_str().unwrap().into());
    let on = check_in(
        &production(&[
            ("GOGOTIME_SMTP_URL_FILE", path),
            ("GOGOTIME_MAIL_FROM", "GoGoTime <time@example.com>"),
        ]),
        dir.path(),
    );
    assert_eq!(on.code, 0, "{}", on.output());
    assert!(
        on.stdout
            .contains("GOGOTIME_SMTP_URL=smtps://mailer:***@smtp.example.com:465"),
        "{}",
        on.stdout
    );
    assert!(
        on.stdout.contains(
            "email: on, via smtps://mailer:***@smtp.example.com:465 (TLS), from GoGoTime <time@example.com>"
        ),
        "{}",
        on.stdout
    );
    assert!(!on.output().contains("Sm7p-Pa55"));
}

#[test]
fn a_private_smtp_ca_is_read_at_start_and_a_bad_one_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("ca.pem");
    let made = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys, trustme; trustme.CA().cert_pem.write_to_path(sys.argv[1])",
        ])
        .arg(&good)
        .status()
        .expect("python3 runs (pip install trustme)");
    assert!(made.success());
    let no_certificate = dir.path().join("empty.pem");
    std::fs::write(&no_certificate, "just some text\n").unwrap();
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(
        &garbage,
        "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let missing = dir.path().join("missing.pem");
    let with_ca = |path: &std::path::Path| {
        let mut env: Vec<(&str, &str)> = production(&[
            (
                "GOGOTIME_SMTP_URL",
                "smtp://u:p@smtp.example.com:587?tls=required",
            ),
            ("GOGOTIME_MAIL_FROM", "time@example.com"),
        ]);
        let path = path.to_str().unwrap();
        env.push(("GOGOTIME_SMTP_CA_FILE", path));
        check(&env)
    };

    let run = with_ca(&good);
    assert_eq!(run.code, 0, "{}", run.output());
    let shown = format!(
        "GOGOTIME_SMTP_CA_FILE={} (1 certificate(s))",
        good.display()
    );
    assert!(run.stdout.contains(&shown), "{}", run.stdout);

    for (path, expected) in [
        (&missing, "which cannot be read"),
        (&no_certificate, "which holds no certificate"),
        (&garbage, "whose certificate cannot be read"),
    ] {
        let run = with_ca(path);
        assert_eq!(run.code, 2, "{}", run.output());
        let named = format!(
            "GOGOTIME_SMTP_CA_FILE names '{}', {expected}",
            path.display()
        );
        assert!(run.stderr.contains(&named), "{}", run.stderr);
    }
}
