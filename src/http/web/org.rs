//! The organization a page is about: the viewer must be a member (others get 404, as in the
//! API), and the header lists the viewer's other organizations.

use super::page::{Chrome, CurrentOrg, OrgLink};
use super::session::Viewer;
use crate::domain::account::MyOrganization;
use crate::domain::ids::OrganizationId;
use crate::http::state::AppState;
use crate::http::web::page_error::PageResult;
use crate::service::{access, organizations};

/// The chrome of a signed-in page outside any organization (profile, tokens, …).
pub async fn account_chrome(
    state: &AppState,
    viewer: &Viewer,
    nav: &'static str,
) -> PageResult<Chrome> {
    let mine = organizations::list_mine(&state.ctx, &viewer.actor).await?;
    let mut chrome = Chrome::anonymous(viewer.csrf.clone());
    chrome.user_name = viewer.name();
    chrome.notice = viewer.notice.clone();
    chrome.nav = nav;
    chrome.org = mine.first().map(CurrentOrg::new);
    chrome.orgs = links(&mine);
    Ok(chrome)
}

/// The chrome of a page inside `org`, and the viewer's membership there.
pub async fn org_chrome(
    state: &AppState,
    viewer: &Viewer,
    org: OrganizationId,
    nav: &'static str,
) -> PageResult<(Chrome, MyOrganization)> {
    let all = organizations::list_mine(&state.ctx, &viewer.actor).await?;
    let Some(current) = all.iter().find(|m| m.organization.id == org).cloned() else {
        return Err(access::not_found().into());
    };
    let mut chrome = Chrome::anonymous(viewer.csrf.clone());
    chrome.user_name = viewer.name();
    chrome.notice = viewer.notice.clone();
    chrome.nav = nav;
    chrome.org = Some(CurrentOrg::new(&current));
    chrome.orgs = links(&all);
    Ok((chrome, current))
}

fn links(all: &[MyOrganization]) -> Vec<OrgLink> {
    all.iter()
        .map(|m| OrgLink {
            id: m.organization.id.to_string(),
            name: m.organization.name.clone(),
        })
        .collect()
}
