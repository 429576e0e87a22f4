//! The `tags` table.

use uuid::Uuid;

use super::ListFilter;
use crate::db::{Conn, DbResult, Ts, with_conn};
use crate::domain::catalog::{Tag, normalize};
use crate::domain::ids::{OrganizationId, TagId};

type Row = (Uuid, Uuid, String, bool, Ts, Ts);
const COLUMNS: &str = "id, organization_id, name, archived, created_at, updated_at";

fn tag((id, org, name, archived, created_at, updated_at): Row) -> Tag {
    Tag {
        id: TagId::from_uuid(id),
        organization_id: OrganizationId::from_uuid(org),
        name,
        archived,
        created_at: created_at.0,
        updated_at: updated_at.0,
    }
}

pub async fn save(conn: &mut Conn<'_>, t: &Tag) -> DbResult<()> {
    with_conn!(conn, db => {
        sqlx::query(
            "insert into tags (id, organization_id, name, name_normalized, archived, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7) \
             on conflict (id) do update set name = $3, name_normalized = $4, archived = $5, updated_at = $7 \
             where tags.organization_id = excluded.organization_id",
        )
        .bind(t.id.as_uuid())
        .bind(t.organization_id.as_uuid())
        .bind(&t.name)
        .bind(normalize(&t.name))
        .bind(t.archived)
        .bind(Ts(t.created_at))
        .bind(Ts(t.updated_at))
        .execute(db)
        .await?;
    });
    Ok(())
}

pub async fn find(conn: &mut Conn<'_>, org: OrganizationId, id: TagId) -> DbResult<Option<Tag>> {
    let sql = format!("select {COLUMNS} from tags where organization_id = $1 and id = $2");
    let row: Option<Row> = with_conn!(conn, db => sqlx::query_as(&sql).bind(org.as_uuid()).bind(id.as_uuid()).fetch_optional(db).await?);
    Ok(row.map(tag))
}

pub async fn list(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    filter: &ListFilter,
) -> DbResult<Vec<Tag>> {
    let sql = format!(
        "select {COLUMNS} from tags where organization_id = $1 \
         and ($2 is null or archived = $2) and ($3 is null or name_normalized like $3 escape '\\') \
         order by name_normalized, id"
    );
    let rows: Vec<Row> = with_conn!(conn, db => {
        sqlx::query_as(&sql).bind(org.as_uuid()).bind(filter.archived).bind(filter.pattern()).fetch_all(db).await?
    });
    Ok(rows.into_iter().map(tag).collect())
}

pub async fn delete(conn: &mut Conn<'_>, org: OrganizationId, id: TagId) -> DbResult<()> {
    with_conn!(conn, db => {
        sqlx::query("delete from tags where organization_id = $1 and id = $2").bind(org.as_uuid()).bind(id.as_uuid()).execute(db).await?;
    });
    Ok(())
}
