//! The requests `smoke` makes: one base URL, an optional bearer token, the time each took.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode, header::HeaderMap};
use serde_json::Value;

use crate::commands::http_client;

pub struct Api {
    client: reqwest::Client,
    base: String,
    pub token: Option<String>,
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    pub took: Duration,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    /// The start of the body, for messages.
    pub fn excerpt(&self) -> String {
        let text: String = self.body.chars().take(300).collect();
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// Why a request failed: no answer at all (the URL is wrong or nothing listens).
pub struct NoAnswer(pub String);

impl Api {
    pub fn new(client: reqwest::Client, base: &str) -> Self {
        Self {
            client,
            base: base.trim_end_matches('/').to_string(),
            token: None,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Answer, NoAnswer> {
        let started = Instant::now();
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|e| {
            NoAnswer(format!(
                "no answer from {}: {}",
                self.url(path),
                http_client::describe(&e)
            ))
        })?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.text().await.map_err(|e| {
            NoAnswer(format!(
                "{} answered {status} but the body broke off: {}",
                self.url(path),
                http_client::describe(&e)
            ))
        })?;
        Ok(Answer {
            status,
            headers,
            body,
            took: started.elapsed(),
        })
    }

    pub async fn get(&self, path: &str) -> Result<Answer, NoAnswer> {
        self.call(Method::GET, path, None).await
    }
}
