//! The `instance` row: created once, on first start, whichever replica gets there first.

use chrono::{DateTime, Utc};

use super::{Db, Ts, with_pool};
use crate::domain::ids::InstanceId;

#[derive(Debug, Clone, Copy)]
pub struct Instance {
    pub id: InstanceId,
    pub created_at: DateTime<Utc>,
}

/// Returns the instance row, creating it when the database is new.
pub async fn ensure(db: &Db, now: DateTime<Utc>) -> anyhow::Result<Instance> {
    let candidate = InstanceId::new();
    let (id, created_at): (uuid::Uuid, Ts) = with_pool!(db, pool => {
        sqlx::query("insert into instance (id, created_at) values ($1, $2) on conflict do nothing")
            .bind(candidate.as_uuid())
            .bind(Ts(now))
            .execute(pool)
            .await?;
        sqlx::query_as("select id, created_at from instance").fetch_one(pool).await?
    });
    Ok(Instance {
        id: InstanceId::from_uuid(id),
        created_at: created_at.0,
    })
}
