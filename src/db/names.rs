//! Names of things by id, for reports and exports that group by them (archived ones
//! included: history keeps its names).

use std::collections::HashMap;

use uuid::Uuid;

use super::{Conn, DbResult, with_conn};
use crate::domain::ids::OrganizationId;

/// The catalog tables that have a name.
#[derive(Debug, Clone, Copy)]
pub enum Catalog {
    Clients,
    Projects,
    Tasks,
    Tags,
}

impl Catalog {
    fn table(self) -> &'static str {
        match self {
            Catalog::Clients => "clients",
            Catalog::Projects => "projects",
            Catalog::Tasks => "tasks",
            Catalog::Tags => "tags",
        }
    }
}

pub async fn catalog(
    conn: &mut Conn<'_>,
    org: OrganizationId,
    kind: Catalog,
) -> DbResult<HashMap<Uuid, String>> {
    let sql = format!(
        "select id, name from {} where organization_id = $1",
        kind.table()
    );
    let rows: Vec<(Uuid, String)> =
        with_conn!(conn, c => sqlx::query_as(&sql).bind(org.as_uuid()).fetch_all(c).await?);
    Ok(rows.into_iter().collect())
}

/// Project colours by id, archived projects included.
pub async fn project_colors(
    conn: &mut Conn<'_>,
    org: OrganizationId,
) -> DbResult<HashMap<Uuid, String>> {
    let sql = "select id, color from projects where organization_id = $1";
    let rows: Vec<(Uuid, String)> =
        with_conn!(conn, c => sqlx::query_as(sql).bind(org.as_uuid()).fetch_all(c).await?);
    Ok(rows.into_iter().collect())
}

/// Names of people, whether or not they are still members.
pub async fn users(conn: &mut Conn<'_>, ids: &[Uuid]) -> DbResult<HashMap<Uuid, (String, String)>> {
    let mut names = HashMap::new();
    for chunk in ids.chunks(500) {
        let placeholders = (1..=chunk.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!("select id, name, email from users where id in ({placeholders})");
        let rows: Vec<(Uuid, String, String)> = with_conn!(conn, c => {
            let mut query = sqlx::query_as(&sql);
            for id in chunk {
                query = query.bind(*id);
            }
            query.fetch_all(c).await?
        });
        names.extend(
            rows.into_iter()
                .map(|(id, name, email)| (id, (name, email))),
        );
    }
    Ok(names)
}

/// The client of every project of an organization that has one.
pub async fn project_clients(
    conn: &mut Conn<'_>,
    org: OrganizationId,
) -> DbResult<HashMap<Uuid, Uuid>> {
    let rows: Vec<(Uuid, Uuid)> = with_conn!(conn, c => {
        sqlx::query_as(
            "select id, client_id from projects where organization_id = $1 and client_id is not null",
        )
        .bind(org.as_uuid())
        .fetch_all(c)
        .await?
    });
    Ok(rows.into_iter().collect())
}
