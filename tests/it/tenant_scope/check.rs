//! The check: which literals touch tenant tables, and whether each names its organization.

use std::collections::BTreeSet;

use super::lexer::{is_identifier, sql_tokens, string_literals};
use super::schema::Schema;

pub(super) struct Report {
    pub(super) violations: Vec<String>,
    pub(super) tenant_literals: usize,
    pub(super) unused_allowances: Vec<String>,
}

pub(super) fn check(
    schema: &Schema,
    sources: &[(String, String)],
    allowed: &[(&str, &str, &str)],
) -> Report {
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
