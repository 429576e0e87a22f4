//! The tenant tables of a migrated database, and the source files to check.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use gogotime::db::Db;

/// (table, column)
type Column = (String, String);
/// (table, column, referenced table)
type ForeignKey = (String, String, String);

/// The tenant tables of a migrated database.
pub(super) struct Schema {
    /// The table `organization_id` columns reference.
    pub(super) root: String,
    /// Tenant table → the column that scopes it (`organization_id`, `id` for the root, or
    /// `None` for a table reached only through a parent).
    pub(super) tenant: BTreeMap<String, Option<String>>,
}

impl Schema {
    pub(super) async fn read(db: &Db) -> Self {
        let (columns, foreign_keys): (Vec<Column>, Vec<ForeignKey>) =
            match db {
                Db::Postgres(pool) => (
                    sqlx::query_as(
                        "select table_name::text, column_name::text from information_schema.columns \
                         where table_schema = current_schema()",
                    )
                    .fetch_all(pool)
                    .await
                    .unwrap(),
                    sqlx::query_as(
                        "select c.conrelid::regclass::text, a.attname::text, c.confrelid::regclass::text \
                         from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any(c.conkey) \
                         where c.contype = 'f' and c.connamespace = current_schema()::regnamespace",
                    )
                    .fetch_all(pool)
                    .await
                    .unwrap(),
                ),
                Db::Sqlite(pool, _) => (
                    sqlx::query_as(
                        "select m.name, p.name from sqlite_master m join pragma_table_info(m.name) p \
                         where m.type = 'table'",
                    )
                    .fetch_all(pool)
                    .await
                    .unwrap(),
                    sqlx::query_as(
                        "select m.name, f.\"from\", f.\"table\" from sqlite_master m \
                         join pragma_foreign_key_list(m.name) f where m.type = 'table'",
                    )
                    .fetch_all(pool)
                    .await
                    .unwrap(),
                ),
            };
        let columns: Vec<(&str, &str)> = columns
            .iter()
            .map(|(t, c)| (t.as_str(), c.as_str()))
            .collect();
        let foreign_keys: Vec<(&str, &str, &str)> = foreign_keys
            .iter()
            .map(|(t, c, r)| (t.as_str(), c.as_str(), r.as_str()))
            .collect();
        Self::from_parts(&columns, &foreign_keys)
    }

    pub(super) fn from_parts(
        columns: &[(&str, &str)],
        foreign_keys: &[(&str, &str, &str)],
    ) -> Self {
        let with_org: BTreeSet<&str> = columns
            .iter()
            .filter(|(_, c)| *c == "organization_id")
            .map(|(t, _)| *t)
            .collect();
        let roots: BTreeSet<&str> = foreign_keys
            .iter()
            .filter(|(_, c, _)| *c == "organization_id")
            .map(|(_, _, r)| *r)
            .collect();
        assert_eq!(
            roots.len(),
            1,
            "organization_id references one table: {roots:?}"
        );
        let root = roots.into_iter().next().unwrap().to_string();
        let mut tenant: BTreeMap<String, Option<String>> = with_org
            .iter()
            .map(|t| (t.to_string(), Some("organization_id".to_string())))
            .collect();
        tenant.insert(root.clone(), Some("id".to_string()));
        for (table, _, parent) in foreign_keys {
            if !with_org.contains(table) && with_org.contains(parent) {
                tenant.entry(table.to_string()).or_insert(None);
            }
        }
        Self { root, tenant }
    }
}

/// Every `.rs` file under src/db, as (path relative to the crate, text).
pub(super) fn db_sources() -> Vec<(String, String)> {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    let mut pending = vec![crate_dir.join("src/db")];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path: PathBuf = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(crate_dir).unwrap().display().to_string();
                files.push((relative, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    files.sort();
    files
}
