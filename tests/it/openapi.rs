//! The OpenAPI document: valid OpenAPI 3.1 by a standard validator, every documented operation
//! is a real route, and the HTML reference renders.

use std::process::Command;

use reqwest::Method;
use serde_json::Value;

use crate::both_backends;
use crate::helpers::{Backend, spawn_app};

both_backends!(
    the_openapi_document_passes_the_standard_validator,
    every_documented_operation_is_a_real_route_with_problem_errors,
    the_html_reference_lists_every_operation,
);

async fn the_openapi_document_passes_the_standard_validator(backend: Backend) {
    let app = spawn_app(backend).await;
    let (status, doc) = app.get_json("/api/openapi.json").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("openapi.json");
    std::fs::write(&file, doc.to_string()).unwrap();

    let output = Command::new("python3")
        .args(["-m", "openapi_spec_validator"])
        .arg(&file)
        .output()
        .expect("python3 runs");

    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(
        output.status.success(),
        "openapi-spec-validator (pip install openapi-spec-validator; scripts/test installs it) said: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    for schema in [
        "TimeEntry",
        "EntryInput",
        "Problem",
        "User",
        "MyOrganization",
        "Project",
        "TokenPair",
    ] {
        assert!(
            doc["components"]["schemas"][schema].is_object(),
            "schema {schema} is missing"
        );
    }
}

async fn every_documented_operation_is_a_real_route_with_problem_errors(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, doc) = app.get_json("/api/openapi.json").await;
    let paths = doc["paths"].as_object().unwrap();
    let mut operations = 0;

    for (path, item) in paths {
        let concrete = path
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    "0190c8a8-0000-7000-8000-000000000000"
                } else {
                    segment
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            // an empty requirement means "no authentication needed" (alone or as an option)
            let public = op["security"].as_array().is_some_and(|s| {
                s.iter()
                    .any(|r| r.as_object().is_some_and(|o| o.is_empty()))
            });
            let response = app
                .client
                .request(method.clone(), app.url(&concrete))
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            assert_ne!(
                body["detail"], "There is no API endpoint at this address.",
                "{method} {path} is documented but not routed"
            );
            assert_ne!(
                status, 405,
                "{method} {path} is documented but the route does not take {method}"
            );
            if !public {
                assert_eq!(
                    status, 401,
                    "{method} {path} must require authentication: {body}"
                );
            }
            assert!(
                op["responses"]
                    .as_object()
                    .unwrap()
                    .keys()
                    .any(|s| s.starts_with('2')),
                "{method} {path} documents no success"
            );
        }
    }
    assert!(operations >= 60, "only {operations} operations documented");
}

async fn the_html_reference_lists_every_operation(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, doc) = app.get_json("/api/openapi.json").await;

    let response = app.get("/api/docs").await;

    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = response.text().await.unwrap();
    for path in doc["paths"].as_object().unwrap().keys() {
        assert!(
            html.contains(&format!("<code>{path}</code>")),
            "{path} is missing from /api/docs"
        );
    }
    // only our own hashed app.js (keyboard shortcuts); no inline or third-party script
    let scripts: Vec<&str> = html.split("<script").skip(1).collect();
    assert_eq!(scripts.len(), 1, "{html}");
    assert!(scripts[0].trim_start().starts_with("src=\"/static/app."));
}
