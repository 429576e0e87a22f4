//! `GET time-entries`: filters, sorting and keyset pagination. Members see their own entries.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::EntryView;
use crate::db::{Ts, entries};
use crate::domain::entry_filter::{Cursor, EntryFilter, Paging};
use crate::domain::ids::{OrganizationId, UserId};
use crate::domain::role::{Permission, Role, allows};
use crate::error::{AppError, AppResult};
use crate::service::access::{
    permit, refusal, sso_required as sso_required_for, two_factor_missing,
};
use crate::service::{Acting, Check, Ctx};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Page {
    pub items: Vec<EntryView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// The stored-entry query for a filter (one page of the default size, newest first).
pub(crate) fn stored_filter(filter: &EntryFilter) -> entries::Filter {
    entries::Filter {
        from: filter.from.map(Ts),
        to: filter.to.map(Ts),
        users: filter.users.clone(),
        projects: filter.projects.clone(),
        clients: filter.clients.clone(),
        tasks: filter.tasks.clone(),
        tags: filter.tags.clone(),
        billable: filter.billable,
        running: filter.running,
        text: filter.text.clone(),
        updated_since: filter.updated_since.map(Ts),
        ends_after: None,
        ascending: false,
        after: None,
        limit: Paging::DEFAULT_LIMIT,
    }
}

/// The filter's problems as one validation error.
pub(crate) fn check_filter(filter: &EntryFilter) -> AppResult<()> {
    let mut check = Check::default();
    for (field, message) in filter.problems() {
        check.field::<()>(field, Err(message));
    }
    check.finish()
}

/// Members see their own entries only: naming someone else is refused, naming nobody means
/// themselves.
pub(crate) fn restrict_to_own(
    role_sees_all: bool,
    me: UserId,
    users: &mut Vec<UserId>,
    what: &str,
) -> AppResult<()> {
    if role_sees_all {
        return Ok(());
    }
    if users.iter().any(|u| *u != me) {
        return Err(AppError::Forbidden(format!(
            "Members see only their own {what}; leave out user_id or give your own."
        )));
    }
    *users = vec![me];
    Ok(())
}

/// One page of the entries matching `filter`.
pub async fn list(
    ctx: &Ctx,
    actor: &impl Acting,
    org: OrganizationId,
    filter: &EntryFilter,
    paging: &Paging,
) -> AppResult<Page> {
    let (items, next) = page_of(ctx, actor, org, filter, paging).await?;
    Ok(Page {
        items,
        next_cursor: next.map(|c| c.token()),
    })
}

async fn page_of(
    ctx: &Ctx,
    actor: &impl Acting,
    org: OrganizationId,
    filter: &EntryFilter,
    paging: &Paging,
) -> AppResult<(Vec<EntryView>, Option<Cursor>)> {
    check_filter(filter)?;
    let mut stored = entries::Filter {
        ascending: paging.oldest_first,
        after: paging.after.map(|c| (Ts(c.start), c.id)),
        limit: paging.limit.clamp(1, Paging::MAX_LIMIT),
        ..stored_filter(filter)
    };
    // one statement, no transaction: the membership and the page are read together; who may
    // see whose entries stays the rule of `allows`, handed to the statement as a role list
    let sees_all: Vec<Role> = Role::ALL
        .into_iter()
        .filter(|r| allows(*r, Permission::ViewAllEntries))
        .collect();
    let mut pooled = ctx.db.acquire().await?;
    let found =
        entries::list_as_member(&mut pooled.conn(), org, actor.user_id(), &sees_all, &stored)
            .await?;
    let Some(entries::MemberPage {
        role,
        two_factor_missing_in,
        sso_required,
        entries,
        more,
    }) = found
    else {
        return Err(refusal(&mut pooled.conn(), actor).await?);
    };
    if let Some((name, provider)) = sso_required {
        sso_required_for(org, &name, &provider, actor)?;
    }
    if let Some(organization) = two_factor_missing_in {
        return Err(two_factor_missing(&organization));
    }
    permit(role, Permission::ViewOrganization)?;
    // a member naming someone else is refused, not silently given their own entries
    let sees_all = allows(role, Permission::ViewAllEntries);
    restrict_to_own(sees_all, actor.user_id(), &mut stored.users, "entries")?;
    let now = ctx.clock.now();
    let next = more
        .then(|| entries.last().map(|e| Cursor::after(e.start, e.id)))
        .flatten();
    Ok((
        entries
            .into_iter()
            .map(|e| EntryView::new(e, now))
            .collect(),
        next,
    ))
}

/// Every entry of `user` starting in `[from, to)`, oldest first: what a page about a week shows.
/// A week of one person's entries fits a page or two; the bound keeps a runaway one bounded.
pub async fn between(
    ctx: &Ctx,
    actor: &impl Acting,
    org: OrganizationId,
    user: UserId,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> AppResult<Vec<EntryView>> {
    let filter = EntryFilter {
        from: Some(from),
        to: Some(to),
        users: vec![user],
        ..EntryFilter::default()
    };
    let mut paging = Paging {
        oldest_first: false,
        limit: Paging::MAX_LIMIT,
        after: None,
    };
    let mut all = Vec::new();
    for _ in 0..20 {
        let (items, next) = page_of(ctx, actor, org, &filter, &paging).await?;
        all.extend(items);
        match next {
            Some(cursor) => paging.after = Some(cursor),
            None => break,
        }
    }
    Ok(all)
}
