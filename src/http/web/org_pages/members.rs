//! `/o/{org}/members`: who belongs to the organization; for admins and owners also role
//! changes, removals and invitations, whose link is shown once on the page that creates it.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};

use super::fixable;
use crate::domain::account::{Invitation, Member};
use crate::domain::ids::{InvitationId, OrganizationId, UserId};
use crate::domain::role::{Permission, Role, allows, grantable_roles, may_manage_member};
use crate::http::cache::no_store;
use crate::http::state::AppState;
use crate::http::web::form::{FormErrors, SignedForm};
use crate::http::web::format;
use crate::http::web::org::org_chrome;
use crate::http::web::page::{self, Chrome};
use crate::http::web::page_error::PageResult;
use crate::http::web::session::{self, Viewer};
use crate::service::{invitations, members, organizations};

struct MemberRow {
    id: String,
    name: String,
    email: String,
    role: &'static str,
    joined: String,
    disabled: bool,
    is_me: bool,
    /// The viewer may change this member's role and remove them.
    editable: bool,
}

impl MemberRow {
    fn has_role(&self, role: &str) -> bool {
        self.role == role
    }
}

struct InvitationRow {
    id: String,
    email: String,
    role: &'static str,
    expires: String,
}

#[derive(Template)]
#[template(path = "manage/members.html")]
struct MembersPage {
    chrome: Chrome,
    org_name: String,
    /// Errors of a role change or removal.
    errors: FormErrors,
    members: Vec<MemberRow>,
    may_invite: bool,
    invitations: Vec<InvitationRow>,
    /// The roles the viewer may give, most powerful first.
    grantable: Vec<&'static str>,
    invite: InviteForm,
}

/// The invitation form: its input and errors, and the invitation it just created.
#[derive(Default)]
struct InviteForm {
    errors: FormErrors,
    email: String,
    role: String,
    /// The new invitation's link; empty except on the page answering its creation.
    link: String,
    link_email: String,
    link_expires: String,
    /// The link also went out by email (the server sends email).
    emailed: bool,
}

impl InviteForm {
    fn has_role(&self, role: &str) -> bool {
        self.role == role
    }
}

fn members_path(org: OrganizationId) -> String {
    format!("/o/{org}/members")
}

async fn members_page(
    state: &AppState,
    viewer: &Viewer,
    org: OrganizationId,
    errors: FormErrors,
    invite: InviteForm,
    headers: &HeaderMap,
    status: StatusCode,
) -> PageResult {
    let (chrome, mine) = org_chrome(state, viewer, org, "members").await?;
    let list = members::list(&state.ctx, &viewer.actor, org).await?;
    let may_invite = allows(mine.role, Permission::ManageInvitations);
    let open = if may_invite {
        invitations::list(&state.ctx, &viewer.actor, org).await?
    } else {
        Vec::new()
    };
    let _manages_members = allows(mine.role, Permission::ManageMembers);
    let _manages_owners = allows(mine.role, Permission::ManageOwners);
    let me = viewer.actor.user.id;
    let row = |m: Member| MemberRow {
        id: m.user_id.to_string(),
        editable: may_manage_member(mine.role, m.role),
        is_me: m.user_id == me,
        name: m.name,
        email: m.email,
        role: m.role.as_str(),
        joined: format::date(format::local_date(m.joined_at, viewer.tz)),
        disabled: m.disabled,
    };
    let invitation_row = |i: Invitation| InvitationRow {
        id: i.id.to_string(),
        email: i.email,
        role: i.role.as_str(),
        expires: format::date_time(i.expires_at, viewer.tz),
    };
    let mut invite = invite;
    if invite.role.is_empty() {
        invite.role = Role::Member.as_str().into();
    }
    let template = MembersPage {
        chrome,
        org_name: mine.organization.name.clone(),
        errors,
        members: list.into_iter().map(row).collect(),
        may_invite,
        invitations: open.into_iter().map(invitation_row).collect(),
        grantable: grantable_roles(mine.role)
            .into_iter()
            .map(Role::as_str)
            .collect(),
        invite,
    };
    Ok(page::html_with_status(&template, headers, status))
}

/// A role change or removal that did not happen, shown at the top of the list.
async fn member_action_failed(
    state: &AppState,
    viewer: &Viewer,
    org: OrganizationId,
    error: crate::error::AppError,
    headers: &HeaderMap,
) -> PageResult {
    let errors = fixable(error)?;
    // the forms are one per row, so field messages are spelled out in the summary
    let mut message = errors.message.clone();
    for (field, messages) in &errors.fields {
        message = format!("{message} {field}: {}.", messages.join("; "));
    }
    let errors = FormErrors::message(message.trim().to_string());
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    members_page(
        state,
        viewer,
        org,
        errors,
        InviteForm::default(),
        headers,
        status,
    )
    .await
}

pub async fn members_get(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<OrganizationId>,
    headers: HeaderMap,
) -> PageResult {
    let (errors, invite) = (FormErrors::default(), InviteForm::default());
    members_page(
        &state,
        &viewer,
        org,
        errors,
        invite,
        &headers,
        StatusCode::OK,
    )
    .await
}

pub async fn member_role_post(
    State(state): State<AppState>,
    Path((org, user)): Path<(OrganizationId, UserId)>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    let role = form.fields.get("role");
    match members::change_role(&state.ctx, &form.viewer.actor, org, user, role).await {
        Ok(member) => Ok(session::redirect_with_notice(
            &format!("{}#member-{user}", members_path(org)),
            &format!("{} is now {}.", member.name, member.role.as_str()),
            state.ctx.settings.secure_cookies,
        )),
        Err(e) => member_action_failed(&state, &form.viewer, org, e, &headers).await,
    }
}

/// Removes a member, or lets the viewer leave when it is their own row.
pub async fn member_remove_post(
    State(state): State<AppState>,
    Path((org, user)): Path<(OrganizationId, UserId)>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    let secure = state.ctx.settings.secure_cookies;
    let leaving = user == form.viewer.actor.user.id;
    let name = if leaving {
        organizations::get(&state.ctx, &form.viewer.actor, org)
            .await?
            .organization
            .name
    } else {
        String::new()
    };
    match members::remove(&state.ctx, &form.viewer.actor, org, user).await {
        Ok(()) if leaving => Ok(session::redirect_with_notice(
            "/",
            &format!("You left {name}."),
            secure,
        )),
        Ok(()) => Ok(session::redirect_with_notice(
            &format!("{}#members-title", members_path(org)),
            "The member was removed.",
            secure,
        )),
        Err(e) => member_action_failed(&state, &form.viewer, org, e, &headers).await,
    }
}

/// Creates an invitation and answers with the members page showing its link this once: it is
/// emailed when the server sends email; otherwise the person inviting passes the link on.
pub async fn invitation_create_post(
    State(state): State<AppState>,
    Path(org): Path<OrganizationId>,
    headers: HeaderMap,
    form: SignedForm,
) -> PageResult {
    let email = form.fields.get("email").trim().to_string();
    let role = form.fields.get("role").to_string();
    let input = invitations::NewInvitation {
        email: email.clone(),
        role: role.clone(),
    };
    let (status, invite) =
        match invitations::create(&state.ctx, &form.viewer.actor, org, input).await {
            Ok(created) => {
                let invite = InviteForm {
                    link: created.accept_url,
                    link_email: created.invitation.email,
                    link_expires: format::date_time(created.invitation.expires_at, form.viewer.tz),
                    emailed: state.ctx.settings.email,
                    ..InviteForm::default()
                };
                (StatusCode::OK, invite)
            }
            Err(e) => {
                let invite = InviteForm {
                    errors: fixable(e)?,
                    email,
                    role,
                    ..InviteForm::default()
                };
                (StatusCode::UNPROCESSABLE_ENTITY, invite)
            }
        };
    let errors = FormErrors::default();
    let response =
        members_page(&state, &form.viewer, org, errors, invite, &headers, status).await?;
    Ok(no_store(response))
}

pub async fn invitation_revoke_post(
    State(state): State<AppState>,
    Path((org, id)): Path<(OrganizationId, InvitationId)>,
    form: SignedForm,
) -> PageResult {
    invitations::revoke(&state.ctx, &form.viewer.actor, org, id).await?;
    Ok(session::redirect_with_notice(
        &format!("{}#invitations", members_path(org)),
        "The invitation was revoked; its link no longer works.",
        state.ctx.settings.secure_cookies,
    ))
}
