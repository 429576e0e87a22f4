//! The HTTP surface every route shares: problem+json errors, request ids, security headers,
//! compression, body limits, timeouts, assets and page caching.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::both_backends;
use crate::helpers::{Backend, set, spawn_app, spawn_app_with};

both_backends!(
    unknown_api_route_is_a_problem_json_404,
    wrong_method_is_a_problem_json_405_with_allow,
    request_id_is_generated_or_propagated_and_unsafe_ids_replaced,
    every_response_carries_the_security_headers,
    bodies_over_the_limit_are_refused_with_413_problem_json,
    a_client_still_sending_a_body_over_the_limit_hears_the_413,
    a_body_far_over_the_limit_is_refused_at_once_and_the_connection_closed,
    requests_past_the_timeout_get_a_503_problem,
    responses_are_compressed_when_the_client_accepts_it,
    hashed_assets_are_immutable_and_served_precompressed,
    pages_revalidate_with_etags,
    unknown_pages_get_an_html_404_with_the_request_id,
);

async fn unknown_api_route_is_a_problem_json_404(backend: Backend) {
    let app = spawn_app(backend).await;

    let response = app.get("/api/v1/no-such-thing").await;

    assert_eq!(response.status(), 404);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let request_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], 404);
    assert_eq!(body["title"], "Not Found");
    assert_eq!(body["instance"], "/api/v1/no-such-thing");
    assert_eq!(body["request_id"], request_id);
    assert!(body["detail"].as_str().unwrap().len() > 10);
}

async fn wrong_method_is_a_problem_json_405_with_allow(backend: Backend) {
    let app = spawn_app(backend).await;

    let response = app
        .client
        .delete(app.url("/api/system/health"))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 405);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    assert!(
        response.headers()["allow"]
            .to_str()
            .unwrap()
            .contains("GET")
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(
        body["detail"].as_str().unwrap().contains("DELETE"),
        "{body}"
    );
}

async fn request_id_is_generated_or_propagated_and_unsafe_ids_replaced(backend: Backend) {
    let app = spawn_app(backend).await;

    let generated = app.get("/api/system/health/live").await;
    let propagated = app
        .client
        .get(app.url("/api/system/health/live"))
        .header("x-request-id", "lb-1234.abc")
        .send()
        .await
        .unwrap();
    let unsafe_id = app
        .client
        .get(app.url("/api/system/health/live"))
        .header("x-request-id", "a b\tc")
        .send()
        .await
        .unwrap();

    let generated = generated.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(
        uuid::Uuid::parse_str(generated).unwrap().get_version_num(),
        7
    );
    assert_eq!(propagated.headers()["x-request-id"], "lb-1234.abc");
    assert_ne!(unsafe_id.headers()["x-request-id"], "a b\tc");
}

async fn every_response_carries_the_security_headers(backend: Backend) {
    let app = spawn_app(backend).await;

    for path in [
        "/",
        "/system/status",
        "/sign-in",
        "/api/system/health",
        "/api/nope",
        "/nope",
    ] {
        let response = app.get(path).await;
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("default-src 'self'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"));
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(
            headers["referrer-policy"], "strict-origin-when-cross-origin",
            "{path}"
        );
        // development must not pin https on localhost
        assert!(headers.get("strict-transport-security").is_none(), "{path}");
    }
}

async fn bodies_over_the_limit_are_refused_with_413_problem_json(backend: Backend) {
    let app = spawn_app_with(backend, |env| set(env, "GOGOTIME_BODY_LIMIT_BYTES", "2048")).await;

    let response = app
        .client
        .post(app.url("/api/system/csp-report"))
        .body(vec![b'x'; 4096])
        .send()
        .await
        .unwrap();
    let small = app
        .client
        .post(app.url("/api/system/csp-report"))
        .body(r#"{"csp-report":{}}"#)
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 413);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], 413);
    assert_eq!(small.status(), 204);
}

async fn a_client_still_sending_a_body_over_the_limit_hears_the_413(backend: Backend) {
    let app = spawn_app_with(backend, |env| set(env, "GOGOTIME_BODY_LIMIT_BYTES", "2048")).await;

    // 4 MiB does not fit in the socket buffers: answering before it is read used to reset the
    // connection under the client, which then saw a broken pipe instead of the answer.
    for _ in 0..5 {
        let response = app
            .client
            .post(app.url("/api/system/csp-report"))
            .header("content-type", "application/json")
            .body(vec![b'x'; 4 * 1024 * 1024])
            .send()
            .await
            .expect("the client hears the answer");
        assert_eq!(response.status(), 413);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(
            body["detail"],
            "The request body is larger than this server accepts."
        );
    }
}

async fn a_body_far_over_the_limit_is_refused_at_once_and_the_connection_closed(backend: Backend) {
    let app = spawn_app_with(backend, |env| set(env, "GOGOTIME_BODY_LIMIT_BYTES", "2048")).await;
    let address = app.address.trim_start_matches("http://").to_string();

    // A gigabyte is announced and only a little sent: the server must not wait for the rest.
    let response = tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(address).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(stream, "POST /api/system/csp-report HTTP/1.1\r\nHost: test\r\nContent-Length: 1073741824\r\n\r\n").unwrap();
        stream.write_all(&[b'x'; 1024]).unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    })
    .await
    .unwrap();

    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert!(response.contains("connection: close"), "{response}");
    assert!(response.contains("application/problem+json"), "{response}");
}

async fn requests_past_the_timeout_get_a_503_problem(backend: Backend) {
    let app = spawn_app_with(backend, |env| {
        set(env, "GOGOTIME_REQUEST_TIMEOUT_SECONDS", "1")
    })
    .await;
    let address = app.address.trim_start_matches("http://").to_string();

    // A client that announces a body and then stalls keeps its request in flight.
    let response = tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(address).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(stream, "POST /api/system/csp-report HTTP/1.1\r\nHost: test\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{{").unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    })
    .await
    .unwrap();

    assert!(response.starts_with("HTTP/1.1 503"), "{response}");
    assert!(response.contains("application/problem+json"), "{response}");
    assert!(response.contains("longer than 1 seconds"), "{response}");
}

async fn responses_are_compressed_when_the_client_accepts_it(backend: Backend) {
    let app = spawn_app(backend).await;

    let gzip = app
        .client
        .get(app.url("/system/status"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    let brotli = app
        .client
        .get(app.url("/system/status"))
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    let identity = app.get("/system/status").await;

    assert_eq!(gzip.headers()["content-encoding"], "gzip");
    assert_eq!(brotli.headers()["content-encoding"], "br");
    assert!(identity.headers().get("content-encoding").is_none());
    let compressed = gzip.bytes().await.unwrap();
    let mut html = String::new();
    flate2::read::GzDecoder::new(&compressed[..])
        .read_to_string(&mut html)
        .unwrap();
    assert!(html.contains("GoGoTime"));
}

async fn hashed_assets_are_immutable_and_served_precompressed(backend: Backend) {
    let app = spawn_app(backend).await;
    let page = app.get("/system/status").await.text().await.unwrap();
    let href = stylesheet_href(&page);

    let brotli = app
        .client
        .get(app.url(&href))
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .unwrap();
    let plain = app.get(&href).await;
    let stale = app.get("/static/app.000000000000.css").await;

    assert_eq!(brotli.status(), 200);
    assert_eq!(
        brotli.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(brotli.headers()["content-encoding"], "br");
    assert!(
        brotli.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    let css = plain.text().await.unwrap();
    assert!(css.contains("prefers-color-scheme"));
    assert_eq!(stale.status(), 404);

    let start = page.find("src=\"/static/app.").expect("a script") + 5;
    let script = &page[start..start + page[start..].find('"').unwrap()];
    let js = app.get(script).await;
    assert_eq!(js.status(), 200);
    assert_eq!(
        js.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(
        js.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
}

async fn pages_revalidate_with_etags(backend: Backend) {
    let app = spawn_app(backend).await;

    let first = app.get("/system/status").await;
    let etag = first.headers()["etag"].to_str().unwrap().to_string();
    let second = app
        .client
        .get(app.url("/system/status"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();

    assert_eq!(first.headers()["cache-control"], "no-cache");
    assert_eq!(second.status(), 304);
}

async fn unknown_pages_get_an_html_404_with_the_request_id(backend: Backend) {
    let app = spawn_app(backend).await;

    let response = app.get("/no/such/page").await;

    assert_eq!(response.status(), 404);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let request_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    let html = response.text().await.unwrap();
    assert!(html.contains("404"));
    assert!(html.contains(&request_id));
}

pub fn stylesheet_href(page: &str) -> String {
    let marker = "rel=\"stylesheet\" href=\"";
    let start = page.find(marker).expect("a stylesheet link") + marker.len();
    let end = start + page[start..].find('"').unwrap();
    page[start..end].to_string()
}
