//! `GET /api/docs`: a readable API reference rendered by GoGoTime itself from the OpenAPI
//! document (no CDN, no script), grouped by tag.

use std::collections::BTreeMap;

use askama::Template;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::Value;

use super::page::{self, Chrome};

pub struct Param {
    pub name: String,
    pub location: String,
    pub required: bool,
    pub description: String,
}

pub struct Operation {
    pub method: String,
    pub path: String,
    pub anchor: String,
    pub params: Vec<Param>,
    pub request: Option<String>,
    pub responses: Vec<(String, String)>,
    pub public: bool,
}

pub struct Group {
    pub tag: String,
    pub operations: Vec<Operation>,
}

pub struct Reference {
    pub title: String,
    pub description: String,
    pub groups: Vec<Group>,
}

fn schema_name(schema: &Value) -> String {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        return reference
            .rsplit('/')
            .next()
            .unwrap_or(reference)
            .to_string();
    }
    if let Some(items) = schema.get("items") {
        return format!("array of {}", schema_name(items));
    }
    if let Some(options) = schema.get("oneOf").and_then(Value::as_array) {
        return options
            .iter()
            .map(schema_name)
            .collect::<Vec<_>>()
            .join(" or ");
    }
    schema
        .get("type")
        .map_or_else(|| "object".into(), |t| t.to_string().replace('"', ""))
}

impl Reference {
    pub fn from_openapi(api: &utoipa::openapi::OpenApi) -> Self {
        let doc = serde_json::to_value(api).unwrap_or_default();
        let mut groups: BTreeMap<String, Vec<Operation>> = BTreeMap::new();
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            for (method, op) in item.as_object().into_iter().flatten() {
                let tag = op["tags"][0].as_str().unwrap_or("other").to_string();
                let params = op["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|p| Param {
                        name: p["name"].as_str().unwrap_or("").into(),
                        location: p["in"].as_str().unwrap_or("").into(),
                        required: p["required"].as_bool().unwrap_or(false),
                        description: p["description"].as_str().unwrap_or("").into(),
                    })
                    .collect();
                let request = op["requestBody"]["content"]["application/json"]["schema"]
                    .as_object()
                    .map(|_| {
                        schema_name(&op["requestBody"]["content"]["application/json"]["schema"])
                    });
                let responses = op["responses"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(status, r)| {
                        let body = r["content"]
                            .as_object()
                            .and_then(|c| c.values().next())
                            .map(|c| schema_name(&c["schema"]));
                        let description = r["description"].as_str().unwrap_or("").to_string();
                        (
                            status.clone(),
                            body.map_or(description.clone(), |b| format!("{description} — {b}")),
                        )
                    })
                    .collect();
                let public = op["security"].as_array().is_some_and(|s| {
                    s.iter()
                        .any(|r| r.as_object().is_some_and(|o| o.is_empty()))
                });
                let anchor = format!("{method}-{path}").replace(['/', '{', '}'], "-");
                groups.entry(tag).or_default().push(Operation {
                    method: method.to_uppercase(),
                    path: path.clone(),
                    anchor,
                    params,
                    request,
                    responses,
                    public,
                });
            }
        }
        Reference {
            title: doc["info"]["title"].as_str().unwrap_or("API").into(),
            description: doc["info"]["description"].as_str().unwrap_or("").into(),
            groups: groups
                .into_iter()
                .map(|(tag, operations)| Group { tag, operations })
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "system/api_docs.html")]
struct DocsPage<'a> {
    chrome: Chrome,
    reference: &'a Reference,
}

pub fn render(reference: &Reference, headers: &HeaderMap) -> Response {
    page::html(
        &DocsPage {
            chrome: Chrome::anonymous(String::new()),
            reference,
        },
        headers,
    )
}
