//! Rendering a page: HTML is revalidated on every use (`no-cache`) and answered with 304 when
//! the browser's copy is current, so navigation stays cheap without serving stale data.

use askama::Template;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::build_info;
use crate::domain::account::MyOrganization;
use crate::domain::role::{Permission, Role, allows};
use crate::http::assets::Assets;

/// An organization as the header's switcher shows it.
pub struct OrgLink {
    pub id: String,
    pub name: String,
}

/// The organization a page is about, and what the viewer may do in it.
pub struct CurrentOrg {
    pub id: String,
    pub name: String,
    pub role: Role,
}

impl CurrentOrg {
    pub fn new(mine: &MyOrganization) -> Self {
        Self {
            id: mine.organization.id.to_string(),
            name: mine.organization.name.clone(),
            role: mine.role,
        }
    }

    /// Managers and above maintain clients, projects and tags and see everyone's time.
    pub fn manages(&self) -> bool {
        allows(self.role, Permission::ManageCatalog)
    }

    pub fn administers(&self) -> bool {
        allows(self.role, Permission::ManageMembers)
    }

    pub fn path(&self, rest: &str) -> String {
        format!("/o/{}{}", self.id, rest)
    }
}

/// Everything around a page's content: assets, the signed-in person, navigation, CSRF token and
/// the one-time notice of the previous action.
pub struct Chrome {
    pub stylesheet: &'static str,
    pub script: &'static str,
    pub icon: &'static str,
    pub version: &'static str,
    /// The signed-in person's name; empty on anonymous pages.
    pub user_name: String,
    pub csrf: String,
    pub org: Option<CurrentOrg>,
    pub orgs: Vec<OrgLink>,
    /// Which navigation entry is current (`timer`, `entries`, …).
    pub nav: &'static str,
    pub notice: String,
}

impl Chrome {
    /// For pages nobody needs to be signed in for.
    pub fn anonymous(csrf: String) -> Self {
        Self {
            stylesheet: Assets::get().url("app.css"),
            script: Assets::get().url("app.js"),
            icon: Assets::get().url("icon.svg"),
            version: build_info::VERSION,
            user_name: String::new(),
            csrf,
            org: None,
            orgs: Vec::new(),
            nav: "",
            notice: String::new(),
        }
    }

    pub fn signed_in(&self) -> bool {
        !self.user_name.is_empty()
    }

    /// The passkey ceremonies' script, for the few pages that use it (`{% block scripts %}`).
    pub fn passkeys_script(&self) -> &'static str {
        Assets::get().url("passkeys.js")
    }

    /// The calendar's dragging and keys, for the calendar page only.
    pub fn calendar_script(&self) -> &'static str {
        Assets::get().url("calendar.js")
    }

    /// The home page's timer bar script (`{% block scripts %}`).
    pub fn timer_bar_script(&self) -> &'static str {
        Assets::get().url("timer-bar.js")
    }

    pub fn current(&self, nav: &str) -> &'static str {
        if self.nav == nav { "page" } else { "false" }
    }

    /// Prefix for links inside the current organization.
    pub fn org_path(&self, rest: &str) -> String {
        self.org
            .as_ref()
            .map_or_else(|| "/".into(), |o| o.path(rest))
    }

    pub fn org_id(&self) -> &str {
        self.org.as_ref().map_or("", |o| o.id.as_str())
    }

    pub fn org_name(&self) -> &str {
        self.org.as_ref().map_or("", |o| o.name.as_str())
    }

    pub fn manages(&self) -> bool {
        self.org.as_ref().is_some_and(CurrentOrg::manages)
    }

    pub fn administers(&self) -> bool {
        self.org.as_ref().is_some_and(CurrentOrg::administers)
    }
}

/// The page, `200 OK`.
pub fn html(template: &impl Template, request_headers: &HeaderMap) -> Response {
    html_with_status(template, request_headers, StatusCode::OK)
}

/// The page with a status of its own, e.g. `422` for a form shown again with its errors.
pub fn html_with_status(
    template: &impl Template,
    request_headers: &HeaderMap,
    status: StatusCode,
) -> Response {
    let body = match template.render() {
        Ok(body) => body,
        Err(e) => {
            tracing::error!(error = %e, "rendering a page failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let etag = format!(
        "\"{}\"",
        &hex::encode(Sha256::digest(body.as_bytes()))[..16]
    );
    let fresh = status == StatusCode::OK
        && request_headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(',')
                    .any(|candidate| candidate.trim().trim_start_matches("W/") == etag)
            });
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (status, body).into_response()
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    super::session::clear_notice(&mut response, request_headers);
    response
}
