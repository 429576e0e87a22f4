//! Organizations: listing mine, creating, renaming, deleting.

use serde::Deserialize;
use serde_json::json;

use super::access::require_member;
use super::{Actor, Check, Ctx, audit, nullable};
use crate::db::{Ts, organizations, passkeys, two_factor};
use crate::domain::account::{MyOrganization, Organization};
use crate::domain::ids::OrganizationId;
use crate::domain::profile::{parse_currency, parse_name};
use crate::domain::role::{Permission, Role};
use crate::error::AppResult;

pub async fn list_mine(ctx: &Ctx, actor: &Actor) -> AppResult<Vec<MyOrganization>> {
    let mut pooled = ctx.db.acquire().await?;
    Ok(organizations::list_for_member(&mut pooled.conn(), actor.user.id).await?)
}

pub async fn get(ctx: &Ctx, actor: &Actor, org: OrganizationId) -> AppResult<MyOrganization> {
    let mut pooled = ctx.db.acquire().await?;
    require_member(&mut pooled.conn(), org, actor, Permission::ViewOrganization).await
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationInput {
    #[schema(schema_with = crate::domain::field_schema::optional_name)]
    pub name: Option<String>,
    #[schema(schema_with = crate::domain::field_schema::optional_currency)]
    pub currency: Option<String>,
    /// Minor units per hour; `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 100_000_000_000_i64)]
    pub default_rate: Option<Option<i64>>,
    pub allow_overlap: Option<bool>,
    /// A day (YYYY-MM-DD); `null` unlocks.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<chrono::NaiveDate>)]
    pub lock_before: Option<Option<chrono::NaiveDate>>,
    /// The longest entry, 1 to 168 hours.
    #[schema(minimum = 1, maximum = 168)]
    pub max_entry_hours: Option<i64>,
    /// Hours of a usual working day (1 to the longest entry): the web pages ask before saving an
    /// entry longer than this.
    #[schema(minimum = 1, maximum = 168)]
    pub usual_day_hours: Option<i64>,
    /// Members must sign in with a second factor; a member without one is refused (403, and the
    /// pages send them to set it up) until they turn it on. Only someone who has two-factor
    /// sign-in on may turn this on.
    pub require_two_factor: Option<bool>,
}

/// Creates an organization owned by the actor, with the settings given (the others keep their
/// defaults).
pub async fn create(
    ctx: &Ctx,
    actor: &Actor,
    input: OrganizationInput,
) -> AppResult<MyOrganization> {
    let mut check = Check::default();
    let name = check.field("name", parse_name(input.name.as_deref().unwrap_or("")));
    let currency = check.field(
        "currency",
        parse_currency(input.currency.as_deref().unwrap_or("EUR")),
    );
    // the name and currency are there unless `check` holds their errors
    let (name, currency) = (name.unwrap_or_default(), currency.unwrap_or_default());
    let mut org = new_organization(name, currency, ctx.clock.now());
    apply_settings(&mut org, &input, &mut check);
    let mut tx = ctx.db.begin().await?;
    requirement_met(&mut tx, actor, &org, false, &mut check).await?;
    check.finish()?;
    let org = insert_owned(&mut tx, actor, org).await?;
    tx.commit().await?;
    Ok(MyOrganization {
        organization: org,
        role: Role::Owner,
        two_factor_missing: false,
        sso_required_by: None,
    })
}

pub(super) async fn create_in(
    tx: &mut crate::db::Tx,
    actor: &Actor,
    name: String,
    currency: String,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<Organization> {
    insert_owned(tx, actor, new_organization(name, currency, now)).await
}

/// An organization with the default settings.
fn new_organization(
    name: String,
    currency: String,
    now: chrono::DateTime<chrono::Utc>,
) -> Organization {
    Organization {
        id: OrganizationId::new(),
        name,
        currency,
        default_rate: None,
        allow_overlap: true,
        lock_before: None,
        max_entry_hours: 24,
        usual_day_hours: 10,
        require_two_factor: false,
        created_at: now,
        updated_at: now,
    }
}

/// Stores a new organization with the actor as its owner, and audits it.
async fn insert_owned(
    tx: &mut crate::db::Tx,
    actor: &Actor,
    org: Organization,
) -> AppResult<Organization> {
    let now = org.created_at;
    organizations::insert(&mut tx.conn(), &org).await?;
    organizations::add_member(&mut tx.conn(), org.id, actor.user.id, Role::Owner, Ts(now)).await?;
    let event = audit::Event {
        organization: org.id,
        actor: Some(actor.user.id),
        action: "organization.created",
        target: None,
        detail: json!({ "name": org.name }),
        ip: &actor.ip,
    };
    audit::record(tx, event, now).await?;
    Ok(org)
}

pub async fn update(
    ctx: &Ctx,
    actor: &Actor,
    org: OrganizationId,
    input: OrganizationInput,
) -> AppResult<MyOrganization> {
    let mut tx = ctx.db.begin().await?;
    let mut mine =
        require_member(&mut tx.conn(), org, actor, Permission::UpdateOrganization).await?;
    let mut check = Check::default();
    if let Some(name) = input
        .name
        .as_deref()
        .and_then(|n| check.field("name", parse_name(n)))
    {
        mine.organization.name = name;
    }
    if let Some(currency) = input
        .currency
        .as_deref()
        .and_then(|c| check.field("currency", parse_currency(c)))
    {
        mine.organization.currency = currency;
    }
    let required_before = mine.organization.require_two_factor;
    apply_settings(&mut mine.organization, &input, &mut check);
    requirement_met(
        &mut tx,
        actor,
        &mine.organization,
        required_before,
        &mut check,
    )
    .await?;
    check.finish()?;
    let now = ctx.clock.now();
    mine.organization.updated_at = now;
    organizations::update(&mut tx.conn(), &mine.organization).await?;
    if mine.organization.require_two_factor != required_before {
        let action = if mine.organization.require_two_factor {
            "organization.two_factor_required"
        } else {
            "organization.two_factor_optional"
        };
        let event = audit::Event {
            organization: org,
            actor: Some(actor.user.id),
            action,
            target: None,
            detail: json!({}),
            ip: &actor.ip,
        };
        audit::record(&mut tx, event, now).await?;
    }
    tx.commit().await?;
    Ok(mine)
}

/// Requiring two-factor sign-in is turned on only by someone who has it: otherwise the first
/// person sent to set it up would be the one who asked for it.
async fn requirement_met(
    tx: &mut crate::db::Tx,
    actor: &Actor,
    org: &Organization,
    required_before: bool,
    check: &mut Check,
) -> AppResult<()> {
    if !org.require_two_factor || required_before {
        return Ok(());
    }
    let factor = two_factor::find_factor(&mut tx.conn(), actor.user.id).await?;
    let passkeys = passkeys::count(&mut tx.conn(), actor.user.id).await?;
    if !factor.is_some_and(|f| f.confirmed) && passkeys == 0 {
        check.field::<()>(
            "require_two_factor",
            Err("needs two-factor sign-in on your own account first: turn it on under Account → Two-factor, then require it of the members".into()),
        );
    }
    Ok(())
}

pub async fn delete(ctx: &Ctx, actor: &Actor, org: OrganizationId) -> AppResult<()> {
    let mut tx = ctx.db.begin().await?;
    require_member(&mut tx.conn(), org, actor, Permission::DeleteOrganization).await?;
    organizations::delete(&mut tx.conn(), org).await?;
    tx.commit().await?;
    tracing::info!(organization = %org, user = %actor.user.id, "organization deleted");
    Ok(())
}

fn apply_settings(org: &mut Organization, input: &OrganizationInput, check: &mut Check) {
    if let Some(rate) = input.default_rate
        && let Some(rate) = check.field("default_rate", crate::domain::entries::parse_rate(rate))
    {
        org.default_rate = rate;
    }
    if let Some(allow) = input.allow_overlap {
        org.allow_overlap = allow;
    }
    if let Some(required) = input.require_two_factor {
        org.require_two_factor = required;
    }
    if let Some(lock) = input.lock_before {
        org.lock_before = lock;
    }
    if let Some(hours) = input
        .max_entry_hours
        .and_then(|h| check.field("max_entry_hours", whole_hours(h)))
    {
        org.max_entry_hours = hours;
    }
    match input
        .usual_day_hours
        .and_then(|h| check.field("usual_day_hours", whole_hours(h)))
    {
        Some(hours) if hours > org.max_entry_hours => {
            check.field::<()>(
                "usual_day_hours",
                Err(format!(
                    "is {hours}, longer than the longest entry ({} hours); a usual day fits in one entry",
                    org.max_entry_hours
                )),
            );
        }
        Some(hours) => org.usual_day_hours = hours,
        // a shorter longest entry takes the usual day down with it
        None => org.usual_day_hours = org.usual_day_hours.min(org.max_entry_hours),
    }
}

fn whole_hours(hours: i64) -> Result<i32, String> {
    match i32::try_from(hours) {
        Ok(h @ 1..=168) => Ok(h),
        _ => Err(format!(
            "is {hours}; use a whole number of hours from 1 to 168"
        )),
    }
}
