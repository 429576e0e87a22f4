//! The `clients` table.

use uuid::Uuid;

use super::ListFilter;
use crate::db::{Conn, DbResult, Ts, with_conn};
use crate::domain::catalog::{Client, normalize};
use crate::domain::ids::{ClientId, OrganizationId};

type Row = (Uuid, Uuid, String, String, bool, Ts, Ts);
const COLUMNS: &str = "id, organization_id, name, notes, archived, created_at, updated_at";

fn client((id, org, name, notes, archived, created_at, updated_at): Row) -> Client {
    Client {
        id: ClientId::from_uuid(id),
        organization_id: OrganizationId::from_uuid(org),
        name,
        notes,
        archived,
        created_at: created_at.0,
        updated_at: updated_at.0,
    }
}

/// Inserts or updates (by id, within the client's organization); `DbError::Unique` when the
/// name is taken.
pub async fn save(conn: &mut Conn<'_>, c: &Client) -> DbResult<()> {
    with_conn!(conn, db => {
        sqlx::query(
            "insert into clients (id, organization_id, name, name_normalized, notes, archived, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8) \
             on conflict (id) do update set name = $3, name_normalized = $4, notes = $5, archived = $6, updated_at = $8 \
             where clients.organization_id = excluded.organization_id",
        )
        .bind(c.id.as_uuid())
        .bind(c.organization_id.as_uuid())
        .bind(&c.name)
        .bind(normalize(&c.name))
        .bind(&c.notes)
        .bind(c.archived)
        .bind(Ts(c.created_at))
        .bind(Ts(c.updated_at))
        .execute(db)
        .await?;
    });
    Ok(())
}

pub async fn find(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    id: ClientId,
) -> DbResult<Option<Client>> {
    let sql = format!("select {COLUMNS} from clients where organization_id = $1 and id = $2");
    let row: Option<Row> = with_conn!(conn, db => sqlx::query_as(&sql).bind(org.as_uuid()).bind(id.as_uuid()).fetch_optional(db).await?);
    Ok(row.map(client))
}

pub async fn list(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    filter: &ListFilter,
) -> DbResult<Vec<Client>> {
    let sql = format!(
        "select {COLUMNS} from clients where organization_id = $1 \
         and ($2 is null or archived = $2) and ($3 is null or name_normalized like $3 escape '\\') \
         order by name_normalized, id"
    );
    let rows: Vec<Row> = with_conn!(conn, db => {
        sqlx::query_as(&sql).bind(org.as_uuid()).bind(filter.archived).bind(filter.pattern()).fetch_all(db).await?
    });
    Ok(rows.into_iter().map(client).collect())
}

/// Number of projects of the client (deleting it needs `force` while there are some).
pub async fn project_count(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    id: ClientId,
) -> DbResult<i64> {
    Ok(with_conn!(conn, db => {
        sqlx::query_scalar("select count(*) from projects where organization_id = $1 and client_id = $2")
            .bind(org.as_uuid())
            .bind(id.as_uuid())
            .fetch_one(db)
            .await?
    }))
}

/// The names of the client's projects that a project without a client already has: deleting
/// the client would leave two projects of that name without a client.
pub async fn names_taken_without_client(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    id: ClientId,
) -> DbResult<Vec<String>> {
    Ok(with_conn!(conn, db => {
        sqlx::query_scalar(
            "select p.name from projects p where p.organization_id = $1 and p.client_id = $2 \
             and exists (select 1 from projects q where q.organization_id = $1 \
             and q.client_id is null and q.name_normalized = p.name_normalized) order by p.name",
        )
        .bind(org.as_uuid())
        .bind(id.as_uuid())
        .fetch_all(db)
        .await?
    }))
}

pub async fn delete(conn: &mut Conn<'_>, org: OrganizationId, id: ClientId) -> DbResult<()> {
    with_conn!(conn, db => {
        sqlx::query("delete from clients where organization_id = $1 and id = $2").bind(org.as_uuid()).bind(id.as_uuid()).execute(db).await?;
    });
    Ok(())
}
