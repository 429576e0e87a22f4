//! The two kinds of transaction (src/db/tx.rs): a read never waits for a writer and sees one
//! snapshot; only a write transaction may change anything.

use chrono::{Duration, Utc};
use gogotime::db::{Ts, sign_in_failures};

use crate::both_backends;
use crate::helpers::{Backend, spawn_app};

both_backends!(
    a_read_runs_beside_an_open_write_and_sees_only_what_was_committed,
    a_read_transaction_refuses_to_write_on_postgresql,
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
