//! Database timings and errors, process-wide: the pool and the driver report them without
//! knowing which `App` they serve (one per process in production), so one set is shared by every
//! registry.
//!
//! Statement durations come from the driver itself: sqlx reports every statement it runs as a
//! `sqlx::query` tracing event with its duration and the first words of its SQL.
//! [`StatementLayer`] turns those events into a histogram by operation (the SQL verb), so no
//! query function needs timing code and SQL text never becomes a label.

use std::sync::LazyLock;
use std::time::Duration;

use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue, LabelValueEncoder};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, Layer};

/// What a statement does, from its SQL verb (for a `with …` statement, the verb after the CTEs).
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum Operation {
    Select,
    Insert,
    Update,
    Delete,
    /// begin, commit, rollback, savepoints
    Transaction,
    /// anything else: DDL of migrations, pragmas, `set`, locks
    Other,
}

/// Why a database call failed.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum ErrorKind {
    /// The server could not be reached or the connection broke (I/O, TLS, protocol, pool closed).
    Connection,
    /// No pool connection became free within `DATABASE_ACQUIRE_TIMEOUT_SECONDS`.
    PoolTimeout,
    /// A unique, foreign-key or check constraint refused a write.
    Constraint,
    /// Deadlock, serialization failure or a busy SQLite database.
    Conflict,
    /// The server refused or cancelled a statement for another reason.
    Query,
    /// A row did not have the shape the code expected.
    Decode,
    Other,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Select => "select",
            Operation::Insert => "insert",
            Operation::Update => "update",
            Operation::Delete => "delete",
            Operation::Transaction => "transaction",
            Operation::Other => "other",
        }
    }

    /// Classifies a statement by its verb; a `with` statement by the verb of its main part.
    pub fn of_sql(sql: &str) -> Operation {
        let mut words = top_level_words(sql);
        let Some(first) = words.next() else {
            return Operation::Other;
        };
        match first.as_str() {
            "with" => words
                .map(|w| Self::of_verb(&w))
                .find(|op| *op != Operation::Other)
                .unwrap_or(Operation::Other),
            verb => Self::of_verb(verb),
        }
    }

    fn of_verb(verb: &str) -> Operation {
        match verb {
            "select" | "values" => Operation::Select,
            "insert" => Operation::Insert,
            "update" => Operation::Update,
            "delete" => Operation::Delete,
            "begin" | "commit" | "rollback" | "savepoint" | "release" | "end" => {
                Operation::Transaction
            }
            _ => Operation::Other,
        }
    }
}

/// Lower-cased words of `sql` outside parentheses and string literals (so the verbs inside a
/// CTE's body do not count).
fn top_level_words(sql: &str) -> impl Iterator<Item = String> + '_ {
    let mut depth = 0usize;
    let mut quoted = false;
    let mut word = String::new();
    let mut chars = sql.chars().chain(std::iter::once(' '));
    std::iter::from_fn(move || {
        for c in chars.by_ref() {
            match c {
                '\'' => quoted = !quoted,
                _ if quoted => {}
                '(' => depth += 1,
                ')' => depth = depth.saturating_sub(1),
                c if depth == 0 && (c.is_ascii_alphabetic() || c == '_') => {
                    word.push(c.to_ascii_lowercase());
                    continue;
                }
                _ => {}
            }
            if !word.is_empty() {
                return Some(std::mem::take(&mut word));
            }
        }
        None
    })
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Connection => "connection",
            ErrorKind::PoolTimeout => "pool_timeout",
            ErrorKind::Constraint => "constraint",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Query => "query",
            ErrorKind::Decode => "decode",
            ErrorKind::Other => "other",
        }
    }
}

const KINDS: [ErrorKind; 7] = [
    ErrorKind::Connection,
    ErrorKind::PoolTimeout,
    ErrorKind::Constraint,
    ErrorKind::Conflict,
    ErrorKind::Query,
    ErrorKind::Decode,
    ErrorKind::Other,
];

impl EncodeLabelValue for Operation {
    fn encode(&self, encoder: &mut LabelValueEncoder) -> Result<(), std::fmt::Error> {
        std::fmt::Write::write_str(encoder, self.as_str())
    }
}

impl EncodeLabelValue for ErrorKind {
    fn encode(&self, encoder: &mut LabelValueEncoder) -> Result<(), std::fmt::Error> {
        std::fmt::Write::write_str(encoder, self.as_str())
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    operation: Operation,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: ErrorKind,
}

/// Statement and wait buckets (seconds): a fraction of a millisecond on a local SQLite file
/// up to the pool's acquire timeout.
const BUCKETS: [f64; 14] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

struct DbMetrics {
    acquire: Histogram,
    statements: Family<OperationLabels, Histogram>,
    errors: Family<KindLabels, Counter>,
}

static DB: LazyLock<DbMetrics> = LazyLock::new(|| {
    let errors = Family::<KindLabels, Counter>::default();
    for kind in KINDS {
        let _ = errors.get_or_create(&KindLabels { kind });
    }
    DbMetrics {
        acquire: Histogram::new(BUCKETS),
        statements: Family::new_with_constructor(|| Histogram::new(BUCKETS)),
        errors,
    }
});

pub(super) fn register(registry: &mut Registry) {
    registry.register(
        "gogotime_db_pool_acquire_duration_seconds",
        "Time spent obtaining a pool connection, for a transaction until its BEGIN answered (process-wide)",
        DB.acquire.clone(),
    );
    registry.register(
        "gogotime_db_query_duration_seconds",
        "Statement execution time by operation: select, insert, update, delete, transaction, other (process-wide)",
        DB.statements.clone(),
    );
    registry.register(
        "gogotime_db_errors",
        "Failed database calls by kind: connection, pool_timeout, constraint, conflict, query, decode, other (process-wide)",
        DB.errors.clone(),
    );
}

pub fn acquired(waited: Duration) {
    DB.acquire.observe(waited.as_secs_f64());
}

pub fn error(kind: ErrorKind) {
    DB.errors.get_or_create(&KindLabels { kind }).inc();
}

/// Records the `sqlx::query` events that sqlx emits for every statement (see the module docs).
/// Install it with a filter that lets `sqlx::query` through at DEBUG (`telemetry::init` does).
pub struct StatementLayer;

pub const STATEMENT_TARGET: &str = "sqlx::query";

impl<S: tracing::Subscriber> Layer<S> for StatementLayer {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        if event.metadata().target() != STATEMENT_TARGET {
            return;
        }
        let mut fields = StatementFields::default();
        event.record(&mut fields);
        let Some(seconds) = fields.elapsed_secs else {
            return;
        };
        // sqlx leaves `db.statement` empty when the whole statement fits in the summary
        let sql = if fields.statement.trim().is_empty() {
            &fields.summary
        } else {
            &fields.statement
        };
        let operation = Operation::of_sql(sql);
        DB.statements
            .get_or_create(&OperationLabels { operation })
            .observe(seconds);
    }
}

#[derive(Default)]
struct StatementFields {
    summary: String,
    statement: String,
    elapsed_secs: Option<f64>,
}

impl Visit for StatementFields {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "summary" => self.summary = value.to_string(),
            "db.statement" => self.statement = value.to_string(),
            _ => {}
        }
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        if field.name() == "elapsed_secs" {
            self.elapsed_secs = Some(value);
        }
    }

    fn record_debug(&mut self, _field: &Field, _value: &dyn std::fmt::Debug) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_are_classified_by_their_verb() {
        let cases = [
            ("select 1", Operation::Select),
            ("SELECT id FROM users WHERE id = $1", Operation::Select),
            ("insert into sessions (id) values ($1)", Operation::Insert),
            ("update time_entries set end_at = $1", Operation::Update),
            (
                "delete from sign_in_failures where key = $1",
                Operation::Delete,
            ),
            ("BEGIN", Operation::Transaction),
            ("begin immediate", Operation::Transaction),
            ("commit", Operation::Transaction),
            ("create table x (id int)", Operation::Other),
            ("pragma foreign_keys = on", Operation::Other),
            ("", Operation::Other),
        ];
        for (sql, expected) in cases {
            assert_eq!(Operation::of_sql(sql), expected, "{sql}");
        }
    }

    #[test]
    fn a_with_statement_counts_as_its_main_verb() {
        let cases = [
            (
                "with mine as (select org from memberships where user_id = $1) insert into time_entries select * from mine",
                Operation::Insert,
            ),
            (
                "with a as (delete from x returning id), b as (select 1) select count(*) from a",
                Operation::Select,
            ),
            (
                "WITH moved AS (UPDATE t SET x = ')' WHERE y = '(' RETURNING id) DELETE FROM u",
                Operation::Delete,
            ),
        ];
        for (sql, expected) in cases {
            assert_eq!(Operation::of_sql(sql), expected, "{sql}");
        }
    }
}
