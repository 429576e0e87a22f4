//! Every query on tenant data names its organization (DESIGN §3), even when the caller checked
//! first. This reads every string literal in src/db/ (the SQL lives nowhere else), learns the
//! tenant tables from the real migrated schema of each backend, and fails on a statement that
//! touches one of them without comparing an organization id to a bound value.
//!
//! What counts as a tenant table, from the schema: a table with an `organization_id` column;
//! the table those columns reference (`organizations`, scoped by its own `id`); and a table
//! without the column that references one of the former (`project_members`, `time_entry_tags`:
//! reached only through their parent, so the statement joins the parent and scopes it).
//!
//! The unit is one string literal: a statement, or a fragment spliced into one (a subquery
//! built at run time is its own literal and must carry its own predicate). The predicate must
//! appear in the literal itself: `organization_id = $n` (or `= {placeholder}` bound by the
//! statement builder), `<organizations alias>.id = $n`, or an insert that writes the
//! `organization_id` column; and every table in it with a scope column must be tied to that
//! organization (its column compared with the bound value or, through a join, with a scope
//! column that is). An upsert's `do update` must also refuse a row of another
//! organization (`t.organization_id = excluded.organization_id`). A table named at run time
//! (`from {}`) counts as tenant data.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use gogotime::db::Db;

use crate::both_backends;
use crate::helpers::{Backend, spawn_app};

/// Statements that are cross-tenant on purpose. Each names its file, a fragment of the
/// statement (whitespace collapsed) and why no organization predicate belongs there. An entry
/// that no longer matches an unscoped statement fails the test, so the list cannot go stale.
const ALLOWED: &[(&str, &str, &str)] = &[
    (
        "src/db/organizations.rs",
        "from organizations o join memberships m on m.organization_id = o.id where m.user_id = $1",
        "the organizations a person belongs to (the organization switcher, sign-in landing): \
         scoped by the person, it is how the organization is learned",
    ),
    (
        "src/db/invitations.rs",
        "from invitations where token_hash = $1",
        "accepting an invitation: the invitee is in no organization yet; the hash of the \
         single-use secret token is what yields the organization",
    ),
    (
        "src/db/report_links.rs",
        "from shared_reports where token_hash = $1",
        "a public shared-report link: the visitor has no organization; the hash of the secret \
         token in the link yields it",
    ),
    (
        "src/db/stats.rs",
        "select count(*) from time_entries where end_at is null and deleted_at is null",
        "instance-wide running-timers gauge for the operator's metrics listener, never served \
         to a tenant",
    ),
    (
        "src/db/backup/postgres.rs",
        "select t::text from {} t",
        "backup: dumps every table of the instance, all tenants",
    ),
    (
        "src/db/backup/sqlite.rs",
        "select {row} from {} order by 1",
        "backup: dumps every table of the instance, all tenants",
    ),
];

both_backends!(
    every_query_on_tenant_tables_in_src_db_names_the_organization,
    the_data_layer_ignores_ids_of_another_organization,
);

async fn every_query_on_tenant_tables_in_src_db_names_the_organization(backend: Backend) {
    let app = spawn_app(backend).await;
    let schema = Schema::read(&app.db).await;
    let sources = db_sources();

    let report = check(&schema, &sources, ALLOWED);

    // the schema and the scan found what they must, so the check cannot pass vacuously
    assert_eq!(schema.root, "organizations");
    for table in [
        "time_entries",
        "tasks",
        "memberships",
        "shared_reports",
        "time_entry_tags",
        "project_members",
    ] {
        assert!(
            schema.tenant.contains_key(table),
            "{table} is tenant data: {:?}",
            schema.tenant
        );
    }
    assert!(!schema.tenant.contains_key("users"));
    assert!(sources.len() >= 20, "{} files under src/db", sources.len());
    assert!(
        report.tenant_literals >= 80,
        "only {} literals touch tenant tables",
        report.tenant_literals
    );
    assert!(
        report.violations.is_empty(),
        "statements on tenant tables without an organization predicate:\n{}",
        report.violations.join("\n")
    );
    assert!(
        report.unused_allowances.is_empty(),
        "allow-list entries that match no unscoped statement (remove them): {:?}",
        report.unused_allowances
    );
}

/// The predicates do what the text check says they are for: handed the ids of another
/// organization's rows, the data layer neither reads nor changes them (the services refuse
/// such ids before; this is the second line).
async fn the_data_layer_ignores_ids_of_another_organization(backend: Backend) {
    use gogotime::db::entries::{self, Reference};
    use gogotime::db::{Ts, catalog, rates};
    use gogotime::domain::catalog::{Project, Tag, Task, Visibility};
    use gogotime::domain::entries::TimeEntry;
    use gogotime::domain::ids::{OrganizationId, ProjectId, TagId, TaskId, TimeEntryId, UserId};
    let app = spawn_app(backend).await;
    let org = app.org_with_every_role().await;
    let (_, elsewhere) = app
        .get_as("/api/v1/organizations", &org.outsider.token)
        .await;
    let ours: OrganizationId = org.id.parse().unwrap();
    let theirs: OrganizationId = elsewhere[0]["id"].as_str().unwrap().parse().unwrap();
    let member: UserId = org.member.id.parse().unwrap();
    let outsider: UserId = org.outsider.id.parse().unwrap();
    let now = chrono::Utc::now();
    let project = Project {
        id: ProjectId::new(),
        organization_id: theirs,
        client_id: None,
        name: "Theirs".into(),
        color: "#3b82f6".into(),
        billable_default: true,
        archived: false,
        visibility: Visibility::Private,
        estimate_seconds: None,
        budget: None,
        created_at: now,
        updated_at: now,
    };
    let task = Task {
        id: TaskId::new(),
        project_id: project.id,
        name: "Their task".into(),
        done: false,
        archived: false,
        created_at: now,
        updated_at: now,
    };
    let tag = Tag {
        id: TagId::new(),
        organization_id: theirs,
        name: "their tag".into(),
        archived: false,
        created_at: now,
        updated_at: now,
    };
    let entry = |organization_id, user_id| TimeEntry {
        id: TimeEntryId::new(),
        organization_id,
        user_id,
        project_id: None,
        task_id: None,
        description: String::new(),
        start: now - chrono::Duration::hours(1),
        end: Some(now),
        billable: false,
        hourly_rate: Some(5000),
        tags: vec![tag.id],
        version: 1,
        created_at: now,
        updated_at: now,
        deleted_at: None,
    };
    let (their_entry, our_entry) = (entry(theirs, outsider), entry(ours, member));
    let mut tx = app.db.begin().await.unwrap();
    let mut conn = tx.conn();
    catalog::projects::save(&mut conn, &project).await.unwrap();
    catalog::tasks::save(&mut conn, theirs, &task)
        .await
        .unwrap();
    catalog::tags::save(&mut conn, &tag).await.unwrap();
    entries::insert(&mut conn, &their_entry).await.unwrap();

    // ours, naming their tag, project, task and entry
    entries::insert(&mut conn, &our_entry).await.unwrap();
    let renamed = Tag {
        organization_id: ours,
        name: "renamed".into(),
        ..tag.clone()
    };
    catalog::tags::save(&mut conn, &renamed).await.unwrap();
    catalog::projects::add_member(&mut conn, ours, project.id, member, Ts(now))
        .await
        .unwrap();
    rates::set_project_member(&mut conn, ours, project.id, member, Some(1), Ts(now))
        .await
        .unwrap();
    rates::set_entry_rate(&mut conn, ours, their_entry.id.as_uuid(), Some(1), Ts(now))
        .await
        .unwrap();
    let their_task_from_ours = catalog::tasks::find(&mut conn, ours, project.id, task.id)
        .await
        .unwrap();

    let our_tags = entries::find(&mut conn, ours, our_entry.id)
        .await
        .unwrap()
        .unwrap()
        .tags;
    let theirs_now = entries::find(&mut conn, theirs, their_entry.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        our_tags,
        Vec::<TagId>::new(),
        "their tag is not linked to our entry"
    );
    assert_eq!(theirs_now.tags, vec![tag.id]);
    assert_eq!(theirs_now.hourly_rate, Some(5000));
    assert_eq!(theirs_now.version, 1);
    assert!(their_task_from_ours.is_none());
    assert!(
        catalog::tasks::find(&mut conn, theirs, project.id, task.id)
            .await
            .unwrap()
            .is_some()
    );
    let their_tag = catalog::tags::find(&mut conn, theirs, tag.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(their_tag.name, "their tag");
    assert!(
        catalog::tags::find(&mut conn, ours, tag.id)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        catalog::projects::members(&mut conn, theirs, project.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        !catalog::projects::is_member(&mut conn, theirs, project.id, member)
            .await
            .unwrap()
    );
    for (organization, uses) in [(ours, 0), (theirs, 1)] {
        let counted =
            entries::count_referencing(&mut conn, organization, Reference::Tag, tag.id.as_uuid())
                .await
                .unwrap();
        assert_eq!(counted, uses);
    }
}

#[test]
fn the_scope_check_flags_unscoped_statements_and_passes_scoped_ones() {
    let schema = Schema::from_parts(
        &[
            ("organizations", "id"),
            ("users", "id"),
            ("time_entries", "organization_id"),
            ("tags", "organization_id"),
            ("time_entry_tags", "entry_id"),
            ("calendar_feeds", "user_id"),
        ],
        &[
            ("time_entries", "organization_id", "organizations"),
            ("tags", "organization_id", "organizations"),
            ("time_entry_tags", "entry_id", "time_entries"),
            ("time_entry_tags", "tag_id", "tags"),
            ("calendar_feeds", "user_id", "users"),
        ],
    );
    let bad = [
        r#""update time_entries set from_timer = true where id = $1""#,
        r#""select entry_id, tag_id from time_entry_tags where entry_id in ({list})""#,
        r#""select count(*) from time_entries e join tags g on g.organization_id = e.organization_id where e.id = $1""#,
        r#""insert into tags (id, organization_id, name) values ($1, $2, $3) on conflict (id) do update set name = $3""#,
        r#""select id from {} where id = $1""#,
        r#""update organizations o set name = $2 where o.name = $1""#,
        "\"delete from time_entries \\\n   where id = $1\"",
        r#""insert into time_entry_tags (entry_id, tag_id) select e.id, g.id from time_entries e join tags g on g.id = $3 where e.organization_id = $1 and e.id = $2""#,
        r#""select o.name, e.id from organizations o join time_entries e on e.user_id = $2 where o.id = $1""#,
    ];
    let good = [
        r#""update time_entries set from_timer = true where organization_id = $1 and id = $2""#,
        r#""select t.tag_id from time_entry_tags t join time_entries e on e.id = t.entry_id where e.organization_id = {o}""#,
        r#""insert into tags (id, organization_id, name) values ($1, $2, $3) on conflict (id) do update set name = $3 where tags.organization_id = excluded.organization_id""#,
        r#""select id, name from {} where organization_id = $1""#,
        r#""update organizations set name = $2 where id = $1""#,
        r#""select o.name from organizations o where o.id = $1""#,
        r#""select created_at from calendar_feeds where user_id = $1""#,
        r#"r"select 1 from users where id = $1""#,
        r#""insert into time_entry_tags (entry_id, tag_id) select e.id, g.id from time_entries e join tags g on g.organization_id = e.organization_id where e.organization_id = $1 and e.id = $2 and g.id = $3""#,
        r#""select o.name, e.id from organizations o join time_entries e on e.organization_id = o.id where o.id = $1""#,
    ];

    for statement in bad {
        let source = (
            "src/db/example.rs".to_string(),
            format!("fn f() {{ q({statement}); }}"),
        );
        let report = check(&schema, &[source], &[]);
        assert_eq!(report.violations.len(), 1, "not flagged: {statement}");
    }
    for statement in good {
        let source = (
            "src/db/example.rs".to_string(),
            format!("fn f() {{ q({statement}); }}"),
        );
        let report = check(&schema, &[source], &[]);
        assert!(report.violations.is_empty(), "{:?}", report.violations);
    }
    let allowed = (
        "src/db/example.rs".to_string(),
        format!("fn f() {{ q({}); }}", bad[0]),
    );
    let report = check(
        &schema,
        &[allowed],
        &[("src/db/example.rs", "where id = $1", "a test")],
    );
    assert!(report.violations.is_empty(), "{:?}", report.violations);
    assert!(report.unused_allowances.is_empty());
}

#[test]
fn string_literals_are_read_like_the_compiler_reads_them() {
    let source = "// \"not code\"\nfn f<'a>(x: &'a str) -> char { let _ = \"a \\\"b\\\" \\\n     c\"; \
                  let _ = r#\"raw \"q\"\"#; let _ = '\\''; let _ = '\"'; /* \"no\" */ 'x' }";

    let literals: Vec<String> = string_literals(source)
        .into_iter()
        .map(|(_, s)| s)
        .collect();

    assert_eq!(literals, ["a \"b\" c", "raw \"q\""]);
}

/// (table, column)
type Column = (String, String);
/// (table, column, referenced table)
type ForeignKey = (String, String, String);

/// The tenant tables of a migrated database.
struct Schema {
    /// The table `organization_id` columns reference.
    root: String,
    /// Tenant table → the column that scopes it (`organization_id`, `id` for the root, or
    /// `None` for a table reached only through a parent).
    tenant: BTreeMap<String, Option<String>>,
}

impl Schema {
    async fn read(db: &Db) -> Self {
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
                Db::Sqlite(pool) => (
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

    fn from_parts(columns: &[(&str, &str)], foreign_keys: &[(&str, &str, &str)]) -> Self {
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
fn db_sources() -> Vec<(String, String)> {
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

struct Report {
    violations: Vec<String>,
    tenant_literals: usize,
    unused_allowances: Vec<String>,
}

fn check(schema: &Schema, sources: &[(String, String)], allowed: &[(&str, &str, &str)]) -> Report {
    let mut used = vec![false; allowed.len()];
    let mut violations = Vec::new();
    let mut tenant_literals = 0;
    for (file, text) in sources {
        for (line, literal) in string_literals(text) {
            let sql = literal.split_whitespace().collect::<Vec<_>>().join(" ");
            let Some(problem) = unscoped(schema, &sql, &mut tenant_literals) else {
                continue;
            };
            let allowance = allowed
                .iter()
                .position(|(f, fragment, _)| f == file && sql.contains(fragment));
            match allowance {
                Some(i) => used[i] = true,
                None => violations.push(format!("{file}:{line}: {problem}: {sql}")),
            }
        }
    }
    let unused_allowances = allowed
        .iter()
        .zip(used)
        .filter(|(_, used)| !used)
        .map(|((f, fragment, _), _)| format!("{f}: {fragment}"))
        .collect();
    Report {
        violations,
        tenant_literals,
        unused_allowances,
    }
}

/// Why a literal touching tenant data is not scoped, or `None` when it is (or touches none).
fn unscoped(schema: &Schema, sql: &str, tenant_literals: &mut usize) -> Option<String> {
    let tokens = sql_tokens(sql);
    let is_statement = tokens
        .first()
        .is_some_and(|t| ["select", "insert", "update", "delete", "with"].contains(&t.as_str()));
    let references = table_references(&tokens);
    let tenant: Vec<&Reference> = references
        .iter()
        .filter(|r| match &r.table {
            Table::Named(name) => schema.tenant.contains_key(name),
            Table::Dynamic => is_statement,
        })
        .collect();
    if tenant.is_empty() {
        return None;
    }
    *tenant_literals += 1;
    let root_alias = references.iter().find_map(|r| match &r.table {
        Table::Named(name) if *name == schema.root => {
            Some(r.alias.clone().unwrap_or_else(|| name.clone()))
        }
        _ => None,
    });
    let only_table = references.len() == 1;
    let scope_column = |column: &str| {
        column == "organization_id"
            || column.ends_with(".organization_id")
            || root_alias.as_ref().is_some_and(|alias| {
                column == format!("{alias}.id") || (only_table && column == "id")
            })
    };
    let bound = |value: &str| value.starts_with('$') || value.starts_with('{');
    let compared = tokens.windows(3).any(|w| {
        w[1] == "="
            && ((scope_column(&w[0]) && bound(&w[2])) || (scope_column(&w[2]) && bound(&w[0])))
    });
    let inserted = references.iter().any(|r| {
        let scope = match &r.table {
            Table::Named(name) => schema.tenant.get(name).cloned().flatten(),
            Table::Dynamic => None,
        };
        scope.is_some_and(|column| r.inserted_columns.contains(&column))
    });
    if !compared && !inserted {
        return Some("no organization predicate".into());
    }
    if let Some(table) = untied(schema, &tokens, &references, &scope_column, only_table) {
        return Some(format!("{table} is not tied to the organization"));
    }
    let upsert = tokens.windows(2).any(|w| w[0] == "do" && w[1] == "update");
    let upserted_with_org = references.iter().any(|r| {
        !r.inserted_columns.is_empty() && r.inserted_columns.iter().any(|c| c == "organization_id")
    });
    let guarded = tokens.windows(3).any(|w| {
        w[1] == "="
            && ((w[0].ends_with(".organization_id") && w[2] == "excluded.organization_id")
                || (w[2].ends_with(".organization_id") && w[0] == "excluded.organization_id"))
    });
    if upsert && upserted_with_org && !guarded {
        return Some("upsert may update another organization's row".into());
    }
    None
}

/// A table with a scope column that the statement does not tie to the bound organization:
/// each one's scope column must be compared with a bound value, or with another scope column
/// that is (`join tags g on g.organization_id = e.organization_id where e.organization_id =
/// $1`), or be written by the insert. Tables reached through a parent need only the
/// statement's predicate.
fn untied(
    schema: &Schema,
    tokens: &[String],
    references: &[Reference],
    scope_column: &dyn Fn(&str) -> bool,
    only_table: bool,
) -> Option<String> {
    let bound = |value: &str| value.starts_with('$') || value.starts_with('{');
    let equalities: Vec<&[String]> = tokens.windows(3).filter(|w| w[1] == "=").collect();
    let mut tied: BTreeSet<&str> = BTreeSet::new();
    for w in &equalities {
        if scope_column(&w[0]) && bound(&w[2]) {
            tied.insert(&w[0]);
        }
        if scope_column(&w[2]) && bound(&w[0]) {
            tied.insert(&w[2]);
        }
    }
    loop {
        let before = tied.len();
        for w in &equalities {
            let joined = scope_column(&w[0]) && scope_column(&w[2]);
            if joined && (tied.contains(w[0].as_str()) || tied.contains(w[2].as_str())) {
                tied.insert(&w[0]);
                tied.insert(&w[2]);
            }
        }
        if tied.len() == before {
            break;
        }
    }
    let scoped: Vec<(&Reference, &str, String)> = references
        .iter()
        .filter_map(|r| match &r.table {
            Table::Named(name) => schema
                .tenant
                .get(name)
                .cloned()
                .flatten()
                .map(|column| (r, name.as_str(), column)),
            Table::Dynamic => None,
        })
        .collect();
    let with_org_column = scoped
        .iter()
        .filter(|(_, _, column)| column == "organization_id")
        .count();
    scoped.iter().find_map(|(r, table, column)| {
        let name = r.alias.as_deref().unwrap_or(table);
        let bare_counts =
            (column == "organization_id" && with_org_column == 1) || (column == "id" && only_table);
        let ok = r.inserted_columns.contains(column)
            || tied.contains(format!("{name}.{column}").as_str())
            || (bare_counts && tied.contains(column.as_str()));
        (!ok).then(|| table.to_string())
    })
}

enum Table {
    Named(String),
    /// `from {}`: the table is chosen at run time.
    Dynamic,
}

struct Reference {
    table: Table,
    alias: Option<String>,
    /// The column list of `insert into table (…)`.
    inserted_columns: Vec<String>,
}

const KEYWORDS: &[&str] = &[
    "where",
    "join",
    "left",
    "right",
    "inner",
    "outer",
    "cross",
    "on",
    "set",
    "order",
    "group",
    "limit",
    "values",
    "select",
    "using",
    "natural",
    "having",
    "union",
    "returning",
    "for",
    "and",
    "or",
    "as",
    "default",
];

fn table_references(tokens: &[String]) -> Vec<Reference> {
    let mut references = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        if !["from", "join", "into", "update"].contains(&token.as_str()) {
            continue;
        }
        let previous = i.checked_sub(1).map(|p| tokens[p].as_str());
        if previous == Some("distinct") || (token == "update" && previous == Some("do")) {
            continue;
        }
        let Some(next) = tokens.get(i + 1) else {
            continue;
        };
        let table = if next.starts_with('{') {
            Table::Dynamic
        } else if is_identifier(next) && !next.contains('.') && !KEYWORDS.contains(&next.as_str()) {
            Table::Named(next.clone())
        } else {
            continue;
        };
        let mut j = i + 2;
        if tokens.get(j).is_some_and(|t| t == "as") {
            j += 1;
        }
        let alias = tokens
            .get(j)
            .filter(|t| is_identifier(t) && !t.contains('.') && !KEYWORDS.contains(&t.as_str()))
            .cloned();
        let mut inserted_columns = Vec::new();
        if token == "into" && tokens.get(i + 2).is_some_and(|t| t == "(") {
            inserted_columns = tokens[i + 3..]
                .iter()
                .take_while(|t| *t != ")")
                .filter(|t| is_identifier(t))
                .cloned()
                .collect();
        }
        references.push(Reference {
            table,
            alias,
            inserted_columns,
        });
    }
    references
}

fn is_identifier(token: &str) -> bool {
    token
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

/// Lower-cased words (qualified names kept whole), `$n`, `{placeholder}`, quoted SQL strings
/// as one token, and single punctuation characters.
fn sql_tokens(sql: &str) -> Vec<String> {
    let chars: Vec<char> = sql.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_alphanumeric() || c == '_' || c == '"' {
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric() || matches!(chars[i], '_' | '.' | '"'))
            {
                i += 1;
            }
        } else if c == '$' {
            i += 1;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
        } else if c == '{' {
            while i < chars.len() && chars[i] != '}' {
                i += 1;
            }
            i += 1;
        } else if c == '\'' {
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                i += 1;
            }
            i += 1;
        } else {
            i += 1;
        }
        let end = i.min(chars.len());
        tokens.push(chars[start..end].iter().collect::<String>().to_lowercase());
    }
    tokens
}

/// The string literals of a Rust source file with their line numbers: normal strings with
/// their escapes (including `\` at a line end), raw strings; comments, character literals and
/// lifetimes skipped.
fn string_literals(source: &str) -> Vec<(usize, String)> {
    let chars: Vec<char> = source.chars().collect();
    let mut literals = Vec::new();
    let mut line = 1;
    let mut i = 0;
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    let identifier_before =
        |i: usize| i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && at(i + 1) == '/') {
                line += usize::from(chars[i] == '\n');
                i += 1;
            }
            i += 2;
        } else if c == '\'' {
            // a character literal ('x', '\n', '\'') or a lifetime ('a)
            if at(i + 1) == '\\' {
                i += 3;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if at(i + 2) == '\'' {
                i += 3;
            } else {
                i += 1;
            }
        } else if (c == 'r' || (c == 'b' && at(i + 1) == 'r')) && !identifier_before(i) && {
            let mut j = i + if c == 'b' { 2 } else { 1 };
            while at(j) == '#' {
                j += 1;
            }
            at(j) == '"'
        } {
            let mut j = i + if c == 'b' { 2 } else { 1 };
            let mut hashes = 0;
            while at(j) == '#' {
                hashes += 1;
                j += 1;
            }
            j += 1;
            let (start_line, mut text) = (line, String::new());
            loop {
                if j >= chars.len() {
                    break;
                }
                if chars[j] == '"' && (1..=hashes).all(|k| at(j + k) == '#') {
                    j += 1 + hashes;
                    break;
                }
                line += usize::from(chars[j] == '\n');
                text.push(chars[j]);
                j += 1;
            }
            literals.push((start_line, text));
            i = j;
        } else if c == '"' {
            let (start_line, mut text) = (line, String::new());
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    let escaped = at(i + 1);
                    i += 2;
                    match escaped {
                        '\n' => {
                            line += 1;
                            while at(i).is_whitespace() {
                                line += usize::from(at(i) == '\n');
                                i += 1;
                            }
                        }
                        'n' => text.push('\n'),
                        't' => text.push('\t'),
                        'r' => text.push('\r'),
                        '0' => text.push('\0'),
                        'u' | 'x' => text.push('?'),
                        other => text.push(other),
                    }
                } else {
                    line += usize::from(chars[i] == '\n');
                    text.push(chars[i]);
                    i += 1;
                }
            }
            i += 1;
            literals.push((start_line, text));
        } else {
            i += 1;
        }
    }
    literals
}
