//! A pooled connection goes back into the pool only when its transaction
//! state is settled: not inside a transaction.
//!
//! When a COMMIT or ROLLBACK fails — SQLite answering `SQLITE_FULL` and
//! rolling back by itself, a PostgreSQL server refusing — the driver still
//! counts the connection as inside its transaction. Reused, the next
//! `BEGIN` on it becomes a `SAVEPOINT` whose release commits nothing: the
//! request is answered 200 and its write is lost, and on SQLite the stale
//! transaction holds the write lock until a restart ("database is locked"
//! for every other writer). So on release a connection still inside a
//! transaction is closed (the pool opens a fresh one when needed).

use sea_orm::{
    ConnectOptions,
    sqlx::{self, Connection},
};

/// Installs the check on both drivers' pools (only the one in use runs).
pub fn discard_unsettled(options: &mut ConnectOptions) {
    // SQLite's driver finishes a dropped transaction's rollback on its
    // worker thread, so the depth is only final after a round trip to it
    // (in-process, cheap). PostgreSQL's counts the rollback when it queues
    // it, so no round trip is spent there.
    options.map_sqlx_sqlite_pool_opts(|pool| {
        pool.after_release(|conn, _meta| Box::pin(async move { settled(conn, true).await }))
    });
    options.map_sqlx_postgres_pool_opts(|pool| {
        pool.after_release(|conn, _meta| Box::pin(async move { settled(conn, false).await }))
    });
}

/// Whether `conn` may be reused. With `flush`, a ping first runs after
/// whatever is queued on the connection, so the transaction depth read
/// next is final. A failed ping is an error, which makes the pool close
/// the connection too.
async fn settled<C: Connection>(conn: &mut C, flush: bool) -> Result<bool, sqlx::Error> {
    if flush {
        conn.ping().await?;
    }
    let settled = !conn.is_in_transaction();
    if !settled {
        tracing::warn!("a pooled connection was still inside a transaction; closing it");
    }
    Ok(settled)
}
