//! A browser without JavaScript: keeps cookies, follows nothing by itself, and posts forms with
//! the CSRF token of the page they came from, as a real form submission would.

use std::collections::BTreeMap;

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};

use super::TestApp;
use super::accounts::PASSWORD;

pub struct WebClient<'a> {
    app: &'a TestApp,
    cookies: BTreeMap<String, String>,
    /// The CSRF token of the last page fetched.
    csrf: String,
}

pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
}

impl Page {
    /// The value of the first `name="<name>" value="…"` pair, as forms render hidden fields.
    pub fn field(&self, name: &str) -> Option<String> {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self.body.find(&marker)? + marker.len();
        let end = self.body[start..].find('"')? + start;
        Some(html_unescape(&self.body[start..end]))
    }

    /// The text of the first element matching a CSS `selector`, its whitespace collapsed as a
    /// browser shows it; `None` when nothing matches.
    pub fn text_of(&self, selector: &str) -> Option<String> {
        let document = scraper::Html::parse_document(&self.body);
        let selector = scraper::Selector::parse(selector).expect("a valid CSS selector");
        let element = document.select(&selector).next()?;
        let text: String = element.text().collect();
        Some(text.split_whitespace().collect::<Vec<_>>().join(" "))
    }

    #[track_caller]
    pub fn assert_contains(&self, text: &str) {
        assert!(
            self.body.contains(text),
            "the page ({}) should contain {text:?}; it is:\n{}",
            self.status,
            self.body
        );
    }

    #[track_caller]
    pub fn assert_redirect(&self, prefix: &str) -> String {
        assert_eq!(
            self.status,
            StatusCode::SEE_OTHER,
            "expected a redirect, got:\n{}",
            self.body
        );
        let location = self.location.clone().expect("a Location header");
        assert!(
            location.starts_with(prefix),
            "redirect to {location}, expected {prefix}…"
        );
        location
    }
}

/// A form as a browser would submit it: where it posts, and its successful controls in order.
#[derive(Debug, Clone)]
pub struct Form {
    pub action: String,
    pub fields: Vec<(String, String)>,
}

impl Form {
    /// The first value of `name` ("" when the form has none).
    pub fn get(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Sets `name` as a person would by typing into it (added when the form has no such field).
    pub fn set(&mut self, name: &str, value: &str) -> &mut Self {
        match self.fields.iter_mut().find(|(k, _)| k == name) {
            Some(field) => field.1 = value.to_string(),
            None => self.fields.push((name.to_string(), value.to_string())),
        }
        self
    }
}

impl Page {
    /// The form matched by the CSS `selector`, with the values it was rendered with: every
    /// named input (unticked boxes and submit buttons left out, as a browser does), textarea
    /// and selected option.
    #[track_caller]
    pub fn form(&self, selector: &str) -> Form {
        use scraper::{Html, Selector};
        let html = Html::parse_document(&self.body);
        let form_selector = Selector::parse(selector).expect("a valid selector");
        let form = html
            .select(&form_selector)
            .next()
            .unwrap_or_else(|| panic!("no form {selector} on the page:\n{}", self.body));
        let controls = Selector::parse("input[name], textarea[name], select[name]").unwrap();
        let option = Selector::parse("option").unwrap();
        let mut fields = Vec::new();
        for control in form.select(&controls) {
            let element = control.value();
            let name = element.attr("name").unwrap_or("").to_string();
            if element.attr("disabled").is_some() {
                continue;
            }
            match element.name() {
                "textarea" => fields.push((name, control.text().collect())),
                "select" => {
                    let options: Vec<_> = control.select(&option).collect();
                    let chosen: Vec<scraper::ElementRef> = options
                        .iter()
                        .filter(|o| o.value().attr("selected").is_some())
                        .copied()
                        .collect();
                    let value = |o: &scraper::ElementRef| {
                        o.value()
                            .attr("value")
                            .map(str::to_string)
                            .unwrap_or_else(|| o.text().collect())
                    };
                    if element.attr("multiple").is_some() {
                        fields.extend(chosen.iter().map(|o| (name.clone(), value(o))));
                    } else if let Some(o) = chosen.last().or(options.first()) {
                        fields.push((name, value(o)));
                    }
                }
                _ => {
                    let kind = element.attr("type").unwrap_or("text");
                    let checked = element.attr("checked").is_some();
                    match kind {
                        "submit" | "button" | "image" | "reset" | "file" => {}
                        "checkbox" | "radio" if !checked => {}
                        "checkbox" | "radio" => {
                            fields.push((name, element.attr("value").unwrap_or("on").to_string()))
                        }
                        _ => fields.push((name, element.attr("value").unwrap_or("").to_string())),
                    }
                }
            }
        }
        Form {
            action: form.value().attr("action").unwrap_or("").to_string(),
            fields,
        }
    }
}

pub fn html_unescape(raw: &str) -> String {
    raw.replace("&#x2f;", "/")
        .replace("&#47;", "/")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

impl<'a> WebClient<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            cookies: BTreeMap::new(),
            csrf: String::new(),
        }
    }

    /// The value of a cookie the server set, if it is still kept.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.get(name).cloned()
    }

    /// Keeps a cookie as if the server had set it (replaying an old session id).
    pub fn set_cookie(&mut self, name: &str, value: &str) {
        self.cookies.insert(name.to_string(), value.to_string());
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn read(&mut self, response: reqwest::Response) -> Page {
        for value in response.headers().get_all(SET_COOKIE) {
            let text = value.to_str().expect("ascii cookie");
            let pair = text.split(';').next().unwrap_or("");
            if let Some((name, value)) = pair.split_once('=') {
                if value.is_empty() || text.contains("Max-Age=0") {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_string(), value.to_string());
                }
            }
        }
        let status = response.status();
        let location = response
            .headers()
            .get(LOCATION)
            .map(|v| v.to_str().expect("ascii location").to_string());
        let body = response.text().await.expect("a body");
        let page = Page {
            status,
            location,
            body,
        };
        if let Some(token) = page.field("_csrf") {
            self.csrf = token;
        }
        page
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let response = self
            .app
            .client
            .get(self.app.url(path))
            .header(COOKIE, self.cookie_header())
            .send()
            .await
            .expect("request sent");
        self.read(response).await
    }

    /// Posts a form with the current page's CSRF token added.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = self.csrf.clone();
        let mut all: Vec<(&str, &str)> = vec![("_csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// Posts exactly these fields (no CSRF token added).
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let response = self
            .app
            .client
            .post(self.app.url(path))
            .header(COOKIE, self.cookie_header())
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("request sent");
        self.read(response).await
    }

    /// Submits a form exactly as given (its own CSRF field included).
    pub async fn submit(&mut self, form: &Form) -> Page {
        let fields: Vec<(&str, &str)> = form
            .fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let action = form.action.clone();
        self.post_raw(&action, &fields).await
    }

    /// Posts a `multipart/form-data` form (a file upload) with the CSRF token added.
    pub async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: (&str, &str, &[u8]),
    ) -> Page {
        let boundary = "gogotime-web-client-boundary";
        let mut body = Vec::new();
        let csrf = self.csrf.clone();
        for (name, value) in std::iter::once(("_csrf", csrf.as_str())).chain(fields.iter().copied())
        {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        let (name, file_name, bytes) = file;
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let response = self
            .app
            .client
            .post(self.app.url(path))
            .header(COOKIE, self.cookie_header())
            .header(
                CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .await
            .expect("request sent");
        self.read(response).await
    }

    /// Follows a redirect answer with a GET, as a browser does after a form post.
    pub async fn follow(&mut self, page: Page) -> Page {
        let location = page.location.clone().unwrap_or_else(|| {
            panic!("expected a redirect ({}), got:\n{}", page.status, page.body)
        });
        self.get(&location).await
    }

    /// Sets up a fresh instance through the setup page; returns the organization's home path.
    pub async fn set_up_instance(&mut self, name: &str, email: &str, org: &str) -> String {
        self.get("/setup").await;
        let done = self
            .post(
                "/setup",
                &[
                    ("name", name),
                    ("email", email),
                    ("password", PASSWORD),
                    ("organization_name", org),
                    ("time_zone", "Europe/Berlin"),
                ],
            )
            .await;
        done.assert_redirect("/");
        let start = self.follow(done).await;
        start.assert_redirect("/o/")
    }

    pub async fn sign_in(&mut self, email: &str) -> Page {
        self.get("/sign-in").await;
        let page = self
            .post("/sign-in", &[("email", email), ("password", PASSWORD)])
            .await;
        page.assert_redirect("/");
        page
    }
}
