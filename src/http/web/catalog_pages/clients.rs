//! `/o/{org}/clients`: the clients of the organization, with notes, on the named-items pages.

use super::named_items::{Change, Item, Kind, Named, NamedItems};
use crate::domain::catalog::Client;
use crate::domain::ids::{ClientId, OrganizationId};
use crate::error::AppResult;
use crate::service::catalog::ListQuery;
use crate::service::catalog::clients::{self, ClientInput};
use crate::service::{Actor, Ctx};

pub struct Clients;

fn input(change: Change) -> ClientInput {
    ClientInput {
        name: change.name,
        notes: change.notes,
        archived: change.archived,
    }
}

impl NamedItems for Clients {
    type Id = ClientId;
    const KIND: &'static Kind = &Kind {
        singular: "client",
        capital: "Client",
        plural: "clients",
        heading: "Clients",
        purpose: "Clients are who the work is for: projects belong to them, and reports total the time per client.",
        edit: "Edit",
        save: "Save client",
        notes: true,
    };

    async fn list(
        ctx: &Ctx,
        actor: &Actor,
        org: OrganizationId,
        query: &ListQuery,
    ) -> AppResult<Vec<Item>> {
        let all = clients::list(ctx, actor, org, query).await?;
        Ok(all.into_iter().map(item).collect())
    }

    async fn create(
        ctx: &Ctx,
        actor: &Actor,
        org: OrganizationId,
        change: Change,
    ) -> AppResult<Named> {
        let client = clients::create(ctx, actor, org, input(change)).await?;
        Ok(named(client))
    }

    async fn update(
        ctx: &Ctx,
        actor: &Actor,
        org: OrganizationId,
        id: ClientId,
        change: Change,
    ) -> AppResult<Named> {
        let client = clients::update(ctx, actor, org, id, input(change)).await?;
        Ok(named(client))
    }

    async fn delete(
        ctx: &Ctx,
        actor: &Actor,
        org: OrganizationId,
        id: ClientId,
    ) -> AppResult<String> {
        let client = clients::delete(ctx, actor, org, id, false).await?;
        Ok(client.name)
    }
}

fn item(client: Client) -> Item {
    Item {
        id: client.id.to_string(),
        name: client.name,
        notes: client.notes,
        archived: client.archived,
    }
}

fn named(client: Client) -> Named {
    Named {
        id: client.id.to_string(),
        name: client.name,
    }
}
