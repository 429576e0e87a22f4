//! Invitations: single-use, hashed, expiring links that add a person to an organization,
//! creating their account when they have none.

use chrono::Duration;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::access::require_member;
use super::secrets::{self, INVITATION_PREFIX};
use super::{Actor, Check, Ctx, accounts, audit, invalid, mail};
use crate::db::{Ts, invitations, organizations, users};
use crate::domain::account::{Invitation, MyOrganization};
use crate::domain::email::Email;
use crate::domain::ids::{InvitationId, OrganizationId};
use crate::domain::role::{Permission, Role, grantable_roles};
use crate::error::{AppError, AppResult};

pub const VALID_DAYS: i64 = 7;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvitation {
    #[schema(schema_with = crate::domain::field_schema::email)]
    pub email: String,
    #[schema(value_type = crate::domain::role::Role)]
    pub role: String,
}

/// The invitation, with its token and link shown this once.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedInvitation {
    #[serde(flatten)]
    pub invitation: Invitation,
    pub token: String,
    pub accept_url: String,
}

pub async fn create(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    input: NewInvitation,
) -> AppResult<CreatedInvitation> {
    let mut check = Check::default();
    let email = check.field("email", Email::parse(&input.email));
    let role = check.field("role", Role::parse(&input.role));
    check.finish()?;
    let (Some(email), Some(role)) = (email, role) else {
        unreachable!("checked above")
    };
    let mut tx = ctx.db.begin().await?;
    let mine = require_member(&mut tx.conn(), org, actor, Permission::ManageInvitations).await?;
    if !grantable_roles(mine.role).contains(&role) {
        return Err(AppError::Forbidden("Only owners may invite owners.".into()));
    }
    if let Some((existing, _)) = users::find_by_email(&mut tx.conn(), email.normalized()).await?
        && organizations::member_of(&mut tx.conn(), org, existing.id)
            .await?
            .is_some()
    {
        return Err(super::conflict("email", "this person is already a member"));
    }
    let now = ctx.clock.now();
    let token = secrets::new_token(INVITATION_PREFIX);
    let invitation = Invitation {
        id: InvitationId::new(),
        organization_id: org,
        email: email.as_str().to_string(),
        role,
        invited_by: Some(actor.user.id),
        expires_at: now + Duration::days(VALID_DAYS),
        accepted_at: None,
        created_at: now,
    };
    invitations::insert(&mut tx.conn(), &invitation, &secrets::digest(&token)).await?;
    let event = audit::Event {
        organization: org,
        actor: Some(actor.user.id),
        action: "invitation.created",
        target: None,
        detail: json!({ "email": invitation.email, "role": role }),
        ip: &actor.ip,
    };
    audit::record(&mut tx, event, now).await?;
    let accept_url = format!("{}/invite/{token}", crate::service::links::base(ctx));
    if ctx.settings.email {
        let message = crate::mail::Invitation {
            organization: &mine.organization.name,
            inviter: &actor.user.name,
            role: role.as_str(),
            accept_url: &accept_url,
            valid_days: VALID_DAYS,
        }
        .render()?;
        mail::queue(ctx, &mut tx, &invitation.email, &message).await?;
    }
    tx.commit().await?;
    if ctx.settings.email {
        ctx.mail_wake.notify();
    }
    Ok(CreatedInvitation {
        invitation,
        token,
        accept_url,
    })
}

pub async fn list(ctx: &Ctx, actor: &Actor, org: OrganizationId) -> AppResult<Vec<Invitation>> {
    let mut pooled = ctx.db.acquire().await?;
    require_member(
        &mut pooled.conn(),
        org,
        actor,
        Permission::ManageInvitations,
    )
    .await?;
    Ok(invitations::list_open(&mut pooled.conn(), org).await?)
}

pub async fn revoke(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    id: InvitationId,
) -> AppResult<()> {
    let mut tx = ctx.db.begin().await?;
    require_member(&mut tx.conn(), org, actor, Permission::ManageInvitations).await?;
    let invitation = invitations::delete(&mut tx.conn(), org, id)
        .await?
        .ok_or_else(|| AppError::NotFound("There is no open invitation with this id.".into()))?;
    let event = audit::Event {
        organization: org,
        actor: Some(actor.user.id),
        action: "invitation.revoked",
        target: None,
        detail: json!({ "email": invitation.email }),
        ip: &actor.ip,
    };
    audit::record(&mut tx, event, ctx.clock.now()).await?;
    tx.commit().await?;
    Ok(())
}

/// What the invitation page shows before anyone accepts.
pub struct Preview {
    pub organization_name: String,
    pub email: String,
    pub role: crate::domain::role::Role,
}

/// The open invitation behind a link, or the reason it cannot be used.
pub async fn preview(ctx: &Ctx, token: &str) -> AppResult<Preview> {
    let mut pooled = ctx.db.acquire().await?;
    let invitation = invitations::find_by_token(&mut pooled.conn(), &secrets::digest(token))
        .await?
        .filter(|i| i.accepted_at.is_none())
        .ok_or_else(|| {
            AppError::NotFound(
                "This invitation link is not valid: it was used, revoked or mistyped.".into(),
            )
        })?;
    if invitation.expires_at <= ctx.clock.now() {
        return Err(AppError::NotFound(
            "This invitation has expired; ask for a new one.".into(),
        ));
    }
    let org = organizations::find(&mut pooled.conn(), invitation.organization_id)
        .await?
        .ok_or_else(|| AppError::NotFound("This organization no longer exists.".into()))?;
    Ok(Preview {
        organization_name: org.name,
        email: invitation.email,
        role: invitation.role,
    })
}

/// What an anonymous person sends to accept: the account to create.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    // required: an absent one is refused with "is required" (for a signed-in person, who
    // sends no body, the body is not read)
    #[schema(schema_with = crate::domain::field_schema::required_name, required = true)]
    pub name: Option<String>,
    #[schema(schema_with = crate::domain::field_schema::required_password, required = true)]
    pub password: Option<String>,
    #[schema(schema_with = crate::domain::field_schema::optional_time_zone)]
    pub time_zone: Option<String>,
}

/// Accepts an invitation: as the signed-in `actor` (whose email must match), or by creating
/// the invited account from `account`.
pub async fn accept(
    ctx: &Ctx,
    token: &str,
    actor: Option<&Actor>,
    account: NewAccount,
    ip: &str,
) -> AppResult<MyOrganization> {
    let gone = || {
        AppError::NotFound(
            "This invitation link is not valid: it was used, revoked or mistyped.".into(),
        )
    };
    let now = ctx.clock.now();
    // Validate and hash a new account's password before taking the write lock.
    let prepared = match actor {
        Some(_) => None,
        None => {
            let mut pooled = ctx.db.acquire().await?;
            let invitation =
                invitations::find_by_token(&mut pooled.conn(), &secrets::digest(token))
                    .await?
                    .ok_or_else(gone)?;
            drop(pooled);
            let new = accounts::Registration {
                email: invitation.email.clone(),
                password: account.password.unwrap_or_default(),
                name: account.name.unwrap_or_default(),
                time_zone: account.time_zone,
                organization_name: None,
            };
            Some(accounts::prepare(new).await?)
        }
    };
    let mut tx = ctx.db.begin().await?;
    let invitation = invitations::find_by_token(&mut tx.conn(), &secrets::digest(token))
        .await?
        .ok_or_else(gone)?;
    if invitation.accepted_at.is_some() {
        return Err(gone());
    }
    if invitation.expires_at <= now {
        return Err(AppError::NotFound(
            "This invitation has expired; ask for a new one.".into(),
        ));
    }
    let email = Email::parse(&invitation.email).map_err(|m| invalid("email", m))?;
    let user = match actor {
        Some(actor) if actor.user.email.to_lowercase() == email.normalized() => actor.user.clone(),
        Some(_) => {
            return Err(AppError::Forbidden(format!(
                "This invitation is for {}; sign in with that account to accept it.",
                invitation.email
            )));
        }
        None => {
            if users::find_by_email(&mut tx.conn(), email.normalized())
                .await?
                .is_some()
            {
                return Err(super::conflict(
                    "email",
                    "an account with this email exists; sign in and accept the invitation",
                ));
            }
            let prepared = prepared.ok_or_else(gone)?;
            // the link reached the invitee through the address when it was emailed: that proves it
            accounts::insert_user(&mut tx, &prepared, false, ctx.settings.email, now).await?
        }
    };
    let org = invitation.organization_id;
    if !invitations::mark_accepted(&mut tx.conn(), org, invitation.id, Ts(now)).await? {
        return Err(gone());
    }
    if organizations::member_of(&mut tx.conn(), org, user.id)
        .await?
        .is_some()
    {
        return Err(super::conflict(
            "email",
            "you are already a member of this organization",
        ));
    }
    organizations::add_member(&mut tx.conn(), org, user.id, invitation.role, Ts(now)).await?;
    let event = audit::Event {
        organization: org,
        actor: Some(user.id),
        action: "member.added",
        target: Some(user.id),
        detail: json!({ "email": user.email, "role": invitation.role, "invitation": invitation.id }),
        ip,
    };
    audit::record(&mut tx, event, now).await?;
    let mine = organizations::find_for_member(&mut tx.conn(), org, user.id)
        .await?
        .ok_or_else(gone)?;
    tx.commit().await?;
    Ok(mine)
}
