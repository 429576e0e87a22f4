//! The two dialects' migrations must build the same schema, not just carry the same file names:
//! both databases are migrated for real and their catalogues compared — tables, columns and
//! their nullability, primary keys, indexes (unique or not, by their columns; an expression
//! counts as one) and foreign keys.
//! Column types are left out on purpose: the dialects spell them differently (timestamptz is
//! text in SQLite, uuid is blob) and the code that reads them is tested on both.

use std::collections::BTreeSet;

use gogotime::db::Db;
use sqlx::Row;

use crate::helpers::{Backend, spawn_app};

/// One fact about the schema, comparable across dialects.
type Fact = String;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_and_sqlite_migrations_build_the_same_schema() {
    let postgres = spawn_app(Backend::Postgres).await;
    let sqlite = spawn_app(Backend::Sqlite).await;

    let (postgres, sqlite) = (facts(&postgres.db).await, facts(&sqlite.db).await);

    assert!(postgres.len() > 100, "{postgres:#?}");
    let only_postgres: Vec<_> = postgres.difference(&sqlite).collect();
    let only_sqlite: Vec<_> = sqlite.difference(&postgres).collect();
    assert!(
        only_postgres.is_empty() && only_sqlite.is_empty(),
        "only in PostgreSQL: {only_postgres:#?}\nonly in SQLite: {only_sqlite:#?}"
    );
}

async fn facts(db: &Db) -> BTreeSet<Fact> {
    match db {
        Db::Postgres(pool) => postgres_facts(pool).await,
        Db::Sqlite(pool, _) => sqlite_facts(pool).await,
    }
}

/// The migration bookkeeping differs by design (sqlx's own table); everything else must match.
fn ours(table: &str) -> bool {
    !table.starts_with("_sqlx")
}

async fn postgres_facts(pool: &sqlx::PgPool) -> BTreeSet<Fact> {
    let mut facts = BTreeSet::new();
    let columns = sqlx::query(
        "select table_name::text, column_name::text, is_nullable::text
         from information_schema.columns
         where table_schema = current_schema()",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for row in columns {
        let table: String = row.get(0);
        if ours(&table) {
            facts.insert(format!("table {table}"));
            let nullable = if row.get::<String, _>(2) == "YES" {
                "null"
            } else {
                "not null"
            };
            facts.insert(format!(
                "column {table}.{} {nullable}",
                row.get::<String, _>(1)
            ));
        }
    }
    // every index with its columns in order; primary keys and unique constraints are indexes too
    let indexes = sqlx::query(
        "select t.relname::text, ix.indisprimary, ix.indisunique,
                array_to_string(array(
                    select coalesce(a.attname::text, '(expression)')
                    from unnest(ix.indkey) with ordinality k(attnum, n)
                    left join pg_attribute a on a.attrelid = t.oid and a.attnum = k.attnum
                    order by k.n), ',')
         from pg_index ix
         join pg_class t on t.oid = ix.indrelid
         join pg_namespace ns on ns.oid = t.relnamespace
         where ns.nspname = current_schema()",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for row in indexes {
        let table: String = row.get(0);
        if ours(&table) {
            facts.insert(index_fact(
                &table,
                row.get(1),
                row.get(2),
                &row.get::<String, _>(3),
            ));
        }
    }
    let foreign_keys = sqlx::query(
        "select c.conrelid::regclass::text, c.confrelid::regclass::text,
                array_to_string(array(
                    select a.attname from unnest(c.conkey) with ordinality k(attnum, n)
                    join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum
                    order by k.n), ','),
                array_to_string(array(
                    select a.attname from unnest(c.confkey) with ordinality k(attnum, n)
                    join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.attnum
                    order by k.n), ','),
                c.confdeltype::text
         from pg_constraint c
         join pg_namespace ns on ns.oid = c.connamespace
         where c.contype = 'f' and ns.nspname = current_schema()",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for row in foreign_keys {
        let on_delete = match row.get::<String, _>(4).as_str() {
            "c" => "cascade",
            "n" => "set null",
            "r" => "restrict",
            "d" => "set default",
            _ => "no action",
        };
        facts.insert(format!(
            "foreign key {}({}) -> {}({}) on delete {on_delete}",
            row.get::<String, _>(0),
            row.get::<String, _>(2),
            row.get::<String, _>(1),
            row.get::<String, _>(3)
        ));
    }
    facts
}

async fn sqlite_facts(pool: &sqlx::SqlitePool) -> BTreeSet<Fact> {
    let mut facts = BTreeSet::new();
    let tables: Vec<String> = sqlx::query_scalar(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for table in tables.into_iter().filter(|t| ours(t)) {
        facts.insert(format!("table {table}"));
        let columns = sqlx::query("select name, \"notnull\", pk from pragma_table_info(?)")
            .bind(&table)
            .fetch_all(pool)
            .await
            .unwrap();
        let mut primary_key: Vec<(i64, String)> = Vec::new();
        for row in columns {
            let name: String = row.get(0);
            let pk: i64 = row.get(2);
            // SQLite lets a primary key column be null unless it says not null; PostgreSQL never
            let nullable = if row.get::<i64, _>(1) == 1 || pk > 0 {
                "not null"
            } else {
                "null"
            };
            facts.insert(format!("column {table}.{name} {nullable}"));
            if pk > 0 {
                primary_key.push((pk, name));
            }
        }
        primary_key.sort();
        let primary_key: Vec<String> = primary_key.into_iter().map(|(_, n)| n).collect();
        if !primary_key.is_empty() {
            facts.insert(index_fact(&table, true, true, &primary_key.join(",")));
        }
        let indexes = sqlx::query("select name, \"unique\", origin from pragma_index_list(?)")
            .bind(&table)
            .fetch_all(pool)
            .await
            .unwrap();
        for row in indexes {
            // the primary key's own index is counted above (a rowid table has none)
            if row.get::<String, _>(2) == "pk" {
                continue;
            }
            let columns: Vec<String> = sqlx::query_scalar(
                "select coalesce(name, '(expression)') from pragma_index_info(?) order by seqno",
            )
            .bind(row.get::<String, _>(0))
            .fetch_all(pool)
            .await
            .unwrap();
            facts.insert(index_fact(
                &table,
                false,
                row.get::<i64, _>(1) == 1,
                &columns.join(","),
            ));
        }
        let foreign_keys = sqlx::query(
            "select id, \"table\", \"from\", \"to\", on_delete from pragma_foreign_key_list(?) order by id, seq",
        )
        .bind(&table)
        .fetch_all(pool)
        .await
        .unwrap();
        // (id, target table, from columns, to columns, on delete): one per key, columns in order
        type ForeignKey = (i64, String, Vec<String>, Vec<String>, String);
        let mut grouped: Vec<ForeignKey> = Vec::new();
        for row in foreign_keys {
            let id: i64 = row.get(0);
            match grouped.last_mut() {
                Some(last) if last.0 == id => {
                    last.2.push(row.get(2));
                    last.3.push(row.get(3));
                }
                _ => grouped.push((
                    id,
                    row.get(1),
                    vec![row.get(2)],
                    vec![row.get(3)],
                    row.get(4),
                )),
            }
        }
        for (_, target, from, to, on_delete) in grouped {
            facts.insert(format!(
                "foreign key {table}({}) -> {target}({}) on delete {}",
                from.join(","),
                to.join(","),
                on_delete.to_lowercase()
            ));
        }
    }
    facts
}

fn index_fact(table: &str, primary: bool, unique: bool, columns: &str) -> Fact {
    let kind = match (primary, unique) {
        (true, _) => "primary key",
        (false, true) => "unique index",
        (false, false) => "index",
    };
    format!("{kind} {table}({columns})")
}
