//! The two kinds of transaction (src/db/tx.rs): a read never waits for a writer and sees one
//! snapshot; only a write transaction may change anything.

use chrono::{Duration, Utc};
use gogotime::db::{Ts, sign_in_failures};

use crate::both_backends;
use crate::helpers::{Backend, spawn_app};

both_backends!(
    a_read_runs_beside_an_open_write_and_sees_only_what_was_committed,
    a_read_transaction_refuses_to_write_on_postgresql,
    a_write_begun_while_the_same_task_holds_one_fails_instead_of_hanging,
);

async fn a_read_runs_beside_an_open_write_and_sees_only_what_was_committed(backend: Backend) {
    let app = spawn_app(backend).await;
    let now = Utc::now();
    let since = Ts(now - Duration::minutes(1));

    let mut write = app.db.begin().await.unwrap();
    sign_in_failures::record(&mut write.conn(), "key", Ts(now), since)
        .await
        .unwrap();
    // the writer still holds its lock (on SQLite, the database's only write lock); a read that
    // queued behind it would fail here after the busy timeout instead of answering
    let mut read = app.db.read().await.unwrap();
    let (before, _) = sign_in_failures::recent(&mut read.conn(), "key", since)
        .await
        .unwrap();
    read.commit().await.unwrap();
    write.commit().await.unwrap();
    let mut read = app.db.read().await.unwrap();
    let (after, _) = sign_in_failures::recent(&mut read.conn(), "key", since)
        .await
        .unwrap();

    assert_eq!((before, after), (0, 1));
}

async fn a_read_transaction_refuses_to_write_on_postgresql(backend: Backend) {
    let app = spawn_app(backend).await;
    let now = Utc::now();

    let mut read = app.db.read().await.unwrap();
    let wrote = sign_in_failures::record(
        &mut read.conn(),
        "key",
        Ts(now),
        Ts(now - Duration::minutes(1)),
    )
    .await;

    match backend {
        // READ ONLY: PostgreSQL refuses
        Backend::Postgres => {
            let error = wrote.expect_err("a write in a read-only transaction");
            assert!(
                format!("{error:?}").contains("in a read-only transaction"),
                "{error:?}"
            );
        }
        // SQLite has no read-only transactions; the service layer is what keeps reads reading
        Backend::Sqlite => assert!(wrote.is_ok()),
    }
}

/// SQLite's writers take turns (src/db/tx.rs); a code path that began a second write while
/// holding the first would wait for its own turn forever. It waits as long as SQLite's busy
/// timeout, then goes ahead and fails as SQLite always made it fail, and the turn still passes
/// to the next writer once the first commits. PostgreSQL has no such turn: both begin.
async fn a_write_begun_while_the_same_task_holds_one_fails_instead_of_hanging(backend: Backend) {
    let app = spawn_app(backend).await;
    let now = Utc::now();
    let since = Ts(now - Duration::minutes(1));

    let mut first = app.db.begin().await.unwrap();
    sign_in_failures::record(&mut first.conn(), "first", Ts(now), since)
        .await
        .unwrap();
    // a guard against the hang this test is about, far above the 5 s + 5 s it takes
    let second = tokio::time::timeout(std::time::Duration::from_secs(60), app.db.begin())
        .await
        .expect("a second write transaction must not wait forever");
    match backend {
        Backend::Sqlite => {
            let error = second.err().expect("SQLite admits one writer");
            assert!(
                format!("{error:?}").contains("database is locked"),
                "{error:?}"
            );
        }
        Backend::Postgres => second.unwrap().commit().await.unwrap(),
    }
    first.commit().await.unwrap();

    let mut next = app.db.begin().await.unwrap();
    sign_in_failures::record(&mut next.conn(), "next", Ts(now), since)
        .await
        .unwrap();
    next.commit().await.unwrap();
    let mut read = app.db.read().await.unwrap();
    let (first_count, _) = sign_in_failures::recent(&mut read.conn(), "first", since)
        .await
        .unwrap();
    let (next_count, _) = sign_in_failures::recent(&mut read.conn(), "next", since)
        .await
        .unwrap();
    assert_eq!((first_count, next_count), (1, 1));
}
