//! The `instance` row: created once, on first start, whichever replica gets there first.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{Db, time};
use crate::domain::ids::InstanceId;

#[derive(Debug, Clone, Copy)]
pub struct Instance {
    pub id: InstanceId,
    pub created_at: DateTime<Utc>,
}

/// Returns the instance row, creating it when the database is new.
pub async fn ensure(db: &Db, now: DateTime<Utc>) -> anyhow::Result<Instance> {
    let candidate = InstanceId::new();
    match db {
        Db::Postgres(pool) => {
            sqlx::query(
                "insert into instance (id, created_at) values ($1, $2) on conflict do nothing",
            )
            .bind(candidate.as_uuid())
            .bind(now)
            .execute(pool)
            .await?;
            let row = sqlx::query("select id, created_at from instance")
                .fetch_one(pool)
                .await?;
            Ok(Instance {
                id: InstanceId::from_uuid(row.try_get(0)?),
                created_at: row.try_get(1)?,
            })
        }
        Db::Sqlite(pool) => {
            sqlx::query(
                "insert into instance (id, created_at) values ($1, $2) on conflict do nothing",
            )
            .bind(candidate.as_uuid())
            .bind(time::to_sqlite(now))
            .execute(pool)
            .await?;
            let row = sqlx::query("select id, created_at from instance")
                .fetch_one(pool)
                .await?;
            Ok(Instance {
                id: InstanceId::from_uuid(row.try_get(0)?),
                created_at: time::from_sqlite(row.try_get(1)?),
            })
        }
    }
}
