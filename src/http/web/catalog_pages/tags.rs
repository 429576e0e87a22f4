//! `/o/{org}/tags`: the tags of the organization, on the named-items pages.

use super::named_items::{Change, Item, Kind, Named, NamedItems};
use crate::domain::catalog::Tag;
use crate::domain::ids::{OrganizationId, TagId};
use crate::error::AppResult;
use crate::service::catalog::ListQuery;
use crate::service::catalog::tags::{self, TagInput};
use crate::service::{Actor, Ctx};

pub struct Tags;

/// Tags have no notes: the forms do not send any.
fn input(change: Change) -> TagInput {
    TagInput {
        name: change.name,
        archived: change.archived,
    }
}

impl NamedItems for Tags {
    type Id = TagId;
    const KIND: &'static Kind = &Kind {
        singular: "tag",
        capital: "Tag",
        plural: "tags",
        heading: "Tags",
        purpose: "Tags label entries across projects (billable, meeting, urgent…), so entries and reports can be filtered by them.",
        edit: "Rename",
        save: "Rename tag",
        notes: false,
    };

    async fn list(
        ctx: &Ctx,
        actor: &Actor,
        org: OrganizationId,
        query: &ListQuery,
    ) -> AppResult<Vec<Item>> {
        let all = tags::list(ctx, actor, org, query).await?;
        Ok(all.into_iter().map(item).collect())
    }

    async fn create(
        ctx: &Ctx,
        actor: &Actor,
        org: OrganizationId,
        change: Change,
    ) -> AppResult<Named> {
        let tag = tags::create(ctx, actor, org, input(change)).await?;
        Ok(named(tag))
    }

    async fn update(
        ctx: &Ctx,
        actor: &Actor,
        org: OrganizationId,
        id: TagId,
        change: Change,
    ) -> AppResult<Named> {
        let tag = tags::update(ctx, actor, org, id, input(change)).await?;
        Ok(named(tag))
    }

    async fn delete(ctx: &Ctx, actor: &Actor, org: OrganizationId, id: TagId) -> AppResult<String> {
        let tag = tags::delete(ctx, actor, org, id, false).await?;
        Ok(tag.name)
    }
}

fn item(tag: Tag) -> Item {
    Item {
        id: tag.id.to_string(),
        name: tag.name,
        notes: String::new(),
        archived: tag.archived,
    }
}

fn named(tag: Tag) -> Named {
    Named {
        id: tag.id.to_string(),
        name: tag.name,
    }
}
