//! Graceful shutdown of the real binary on SIGTERM: readiness turns 503 first, an in-flight
//! request still gets its whole response, then the process exits 0.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::both_backends;
use crate::helpers::binary::Server;
use crate::helpers::{Backend, TestDatabase};

both_backends!(sigterm_turns_readiness_503_and_lets_an_in_flight_request_finish);

async fn sigterm_turns_readiness_503_and_lets_an_in_flight_request_finish(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let env = [
        ("DATABASE_URL", db.url.as_str()),
        ("GOGOTIME_BIND", "127.0.0.1:0"),
        ("GOGOTIME_METRICS_BIND", ""),
        ("GOGOTIME_SHUTDOWN_DELAY_SECONDS", "1"),
        ("GOGOTIME_SHUTDOWN_GRACE_SECONDS", "10"),
    ];
    let mut server = Server::start(&env, dir.path());
    let address = server.address.trim_start_matches("http://").to_string();

    // A request whose body is still arriving is in flight when the signal comes.
    let mut slow = TcpStream::connect(&address).unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    let body = br#"{"csp-report":{"document-uri":"https://time.example.com/","violated-directive":"script-src"}}"#;
    write!(slow, "POST /api/system/csp-report HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n", body.len()).unwrap();
    slow.write_all(&body[..10]).unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    server.signal("TERM");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let readiness = reqwest::get(format!("http://{address}/api/system/health"))
        .await
        .unwrap();
    let readiness_status = readiness.status();
    let readiness_body: serde_json::Value = readiness.json().await.unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    slow.write_all(&body[10..]).unwrap();
    let mut response = String::new();
    slow.read_to_string(&mut response).unwrap();
    let code = server.wait(Duration::from_secs(15));

    assert_eq!(readiness_status, 503);
    assert_eq!(
        readiness_body["checks"]["server"]["status"],
        "shutting_down"
    );
    assert!(
        response.starts_with("HTTP/1.1 204"),
        "the in-flight request got: {response:?}"
    );
    assert_eq!(code, 0, "{:#?}", server.logs());
    assert!(
        server
            .logs()
            .iter()
            .any(|l| l.contains("shutdown complete"))
    );
    assert!(
        TcpStream::connect(&address).is_err(),
        "nothing listens after exit"
    );
}
