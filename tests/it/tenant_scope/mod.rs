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

mod check;
mod lexer;
mod schema;

use crate::both_backends;
use crate::helpers::{Backend, spawn_app};
use check::check;
use lexer::string_literals;
use schema::{Schema, db_sources};

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
        "src/db/sso.rs",
        "from sso_providers p join organizations o on o.id = p.organization_id where",
        "the \"sign in with single sign-on\" page: the visitor is signed in nowhere yet; the \
         email domain they typed is what yields the organizations whose providers accept it",
    ),
    (
        "src/db/organizations.rs",
        "(select s.display_name from sso_providers s where s.organization_id = o.id and",
        "SSO_REQUIRED_BY, a subquery spliced into the membership statements: it is tied to \
         their organization `o` (each scopes `o.id` by a bound value, or the member's own \
         organizations by their user id), so it reads that organization's provider only",
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
