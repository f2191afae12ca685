//! Connecting, migrating, and write transactions that behave on both stores.

use std::time::Duration;

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use sea_orm_migration_reexport::MigratorTrait;

use crate::{
    config::{DatabaseSettings, redact_url},
    error::{Error, Result},
};

pub mod fault;
pub mod settled;
pub mod write_check;
pub use fault::StorageFault;
pub use write_check::WriteCheck;

mod sea_orm_migration_reexport {
    pub use dondoc_migrations::MigratorTrait;
}

pub type Db = DatabaseConnection;

/// Opens the pool. SQLite: the file (and its folder) is created on first
/// use, with WAL, foreign keys and a busy timeout. PostgreSQL: a pool sized
/// for the cores.
pub async fn connect(settings: &DatabaseSettings) -> Result<Db> {
    let url = settings.url.trim().to_string();
    let cores = std::thread::available_parallelism()
        .map(|n| n.get() as u32)
        .unwrap_or(2);
    let mut options = ConnectOptions::new(url.clone());
    options
        .connect_timeout(Duration::from_secs(settings.connect_timeout_secs))
        .acquire_timeout(Duration::from_secs(
            settings.connect_timeout_secs.max(1) * 2,
        ))
        .sqlx_logging(false);
    // A connection whose COMMIT or ROLLBACK failed is closed, never reused.
    settled::discard_unsettled(&mut options);

    if url.starts_with("sqlite:") {
        prepare_sqlite_path(&url)?;
        let busy = Duration::from_millis(settings.busy_timeout_ms);
        // Readers run in parallel under WAL; writers queue on the busy timeout
        // (and start with BEGIN IMMEDIATE, see `begin_write`).
        let size = if settings.max_connections > 0 {
            settings.max_connections
        } else {
            (cores * 2).max(4)
        };
        options.max_connections(size).min_connections(1);
        options.map_sqlx_sqlite_opts(move |opts| {
            opts.create_if_missing(true)
                .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(busy)
                .pragma("temp_store", "memory")
        });
    } else {
        let size = if settings.max_connections > 0 {
            settings.max_connections
        } else {
            (cores * 4).max(8)
        };
        options.max_connections(size).min_connections(1);
    }

    Database::connect(options).await.map_err(|err| {
        Error::Unavailable(format!(
            "cannot open database {}: {}",
            redact_url(&url),
            first_line(&err.to_string())
        ))
    })
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

/// Creates the folder of a SQLite file so that a fresh clone "just works".
fn prepare_sqlite_path(url: &str) -> Result<()> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .split('?')
        .next()
        .unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Ok(());
    }
    if let Some(parent) = std::path::Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(|err| {
            Error::config(
                "database.url",
                format!("cannot create folder {}: {err}", parent.display()),
            )
        })?;
    }
    Ok(())
}

/// Brings the schema up to date and makes sure the default fields exist.
///
/// On PostgreSQL several instances may start at once (docs/operations.md):
/// the migrations run inside one transaction holding an advisory lock, so
/// the second instance waits, then finds the schema current. (SQLite has a
/// single writer already.)
pub async fn migrate(db: &Db) -> Result<()> {
    let failed =
        |err: sea_orm::DbErr| Error::Unexpected(anyhow::anyhow!("migration failed: {err}"));
    if is_postgres(db) {
        use sea_orm::TransactionTrait;
        let txn = db.begin().await?;
        txn.execute_unprepared(&format!(
            "SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})"
        ))
        .await?;
        dondoc_migrations::Migrator::up(&txn, None)
            .await
            .map_err(failed)?;
        txn.commit().await?;
    } else {
        // SQLite migrations are not one transaction, so a second process
        // starting at the same moment (`serve` beside `scheduler`) can trip
        // over a table the first just made. It waits and tries again: the
        // other's finished migrations are then no longer pending.
        let mut attempt = 1;
        loop {
            match dondoc_migrations::Migrator::up(db, None).await {
                Ok(()) => break,
                Err(err) if attempt < SQLITE_MIGRATION_ATTEMPTS => {
                    tracing::debug!(attempt, error = %err, "migration collided; retrying");
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(err) => return Err(failed(err)),
            }
        }
    }
    ensure_default_fields(db).await
}

/// The advisory lock key migrations hold on PostgreSQL ("dondoc" in ASCII).
const MIGRATION_LOCK_KEY: i64 = 0x646f_6e64_6f63;
/// How often SQLite start-up migrates before giving up (about ten seconds).
const SQLITE_MIGRATION_ATTEMPTS: u32 = 50;

/// Inserts any of the contract field codes that are missing (admins may have
/// renamed or added fields; those are left alone).
async fn ensure_default_fields(db: &Db) -> Result<()> {
    use sea_orm::{EntityTrait, Set, sea_query::OnConflict};

    use crate::{domain::fields::DEFAULT_FIELDS, entity::field};

    let rows = DEFAULT_FIELDS
        .iter()
        .enumerate()
        .map(|(i, f)| field::ActiveModel {
            code: Set(f.code.to_string()),
            name_vi: Set(f.name_vi.to_string()),
            name_en: Set(f.name_en.to_string()),
            sort_order: Set(i as i32 + 1),
            active: Set(true),
        });
    field::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::column(field::Column::Code)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Starts a transaction that will write. On SQLite it takes the write lock
/// up front (`BEGIN IMMEDIATE`), so two writers queue on the busy timeout
/// instead of one failing with "database is locked" when it upgrades.
pub async fn begin_write(db: &Db) -> Result<DatabaseTransaction> {
    let options = TransactionOptions {
        isolation_level: None,
        access_mode: None,
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
    };
    Ok(db.begin_with_options(options).await?)
}

/// A cheap round trip, for `/readyz`.
pub async fn ping(db: &Db) -> Result<()> {
    db.execute_unprepared("SELECT 1").await?;
    Ok(())
}

pub fn is_postgres<C: ConnectionTrait>(db: &C) -> bool {
    db.get_database_backend() == DbBackend::Postgres
}

/// `?, ?, …` for an `IN (…)` of `n` values in a statement built by [`statement`].
pub fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// A raw statement written with `?` placeholders, numbered `$1, $2, …` for
/// PostgreSQL. For the few reports that are clearer as SQL than as a builder.
pub fn statement<C: ConnectionTrait>(
    db: &C,
    sql: &str,
    values: Vec<sea_orm::Value>,
) -> sea_orm::Statement {
    let backend = db.get_database_backend();
    let sql = if backend == DbBackend::Postgres {
        number_placeholders(sql)
    } else {
        sql.to_string()
    };
    sea_orm::Statement::from_sql_and_values(backend, sql, values)
}

/// `sql` with every `?` placeholder numbered `$1, $2, …`. A `?` inside a
/// string literal (`'…'`; `''` is a quote inside it), a quoted identifier
/// (`"…"`) or a comment is text, not a placeholder, and is left alone:
/// numbering it would shift every later parameter.
fn number_placeholders(sql: &str) -> String {
    #[derive(Clone, Copy)]
    enum At {
        Code,
        Quoted(char),
        LineComment,
        BlockComment,
    }
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    let mut at = At::Code;
    let mut chars = sql.chars().peekable();
    while let Some(ch) = chars.next() {
        if let (At::Code, '?') = (at, ch) {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
            continue;
        }
        out.push(ch);
        at = match (at, ch) {
            (At::Code, '\'' | '"') => At::Quoted(ch),
            (At::Code, '-') if chars.peek() == Some(&'-') => At::LineComment,
            (At::Code, '/') if chars.peek() == Some(&'*') => {
                // Take the `*` now, so that `/*/` does not close the comment.
                out.extend(chars.next());
                At::BlockComment
            }
            // A doubled quote closes and at once reopens: the same as an escape.
            (At::Quoted(quote), c) if c == quote => At::Code,
            (At::LineComment, '\n') => At::Code,
            (At::BlockComment, '*') if chars.peek() == Some(&'/') => {
                out.extend(chars.next());
                At::Code
            }
            (state, _) => state,
        };
    }
    out
}

/// The query plan of a statement, one line per row: SQLite's `EXPLAIN QUERY
/// PLAN`, PostgreSQL's `EXPLAIN`. For the benchmark report and the tests
/// that keep list queries off full scans of `tasks`.
pub async fn explain<C: ConnectionTrait>(
    db: &C,
    statement: &sea_orm::Statement,
) -> Result<Vec<String>> {
    let postgres = is_postgres(db);
    let prefix = if postgres {
        "EXPLAIN "
    } else {
        "EXPLAIN QUERY PLAN "
    };
    let plan = sea_orm::Statement {
        sql: format!("{prefix}{}", statement.sql),
        values: statement.values.clone(),
        db_backend: statement.db_backend,
    };
    let rows = db.query_all_raw(plan).await?;
    let mut lines = Vec::with_capacity(rows.len());
    for row in rows {
        if postgres {
            lines.push(row.try_get::<String>("", "QUERY PLAN")?);
        } else {
            let id: i64 = row.try_get("", "id")?;
            let parent: i64 = row.try_get("", "parent")?;
            let detail: String = row.try_get("", "detail")?;
            lines.push(format!("{id:>3} {parent:>3} {detail}"));
        }
    }
    Ok(lines)
}

/// Whether a plan reads every row of `tasks` (a full scan, by table or by
/// index), as opposed to a range of an index.
pub fn plan_scans_tasks(lines: &[String]) -> bool {
    lines.iter().any(|line| {
        let l = line.trim();
        // SQLite: "SCAN tasks", "SCAN t", "SCAN tasks USING INDEX …" (whole index).
        let sqlite = l.split_whitespace().skip(2).collect::<Vec<_>>();
        let sqlite_scan =
            sqlite.first() == Some(&"SCAN") && matches!(sqlite.get(1), Some(&"tasks") | Some(&"t"));
        // PostgreSQL: "Seq Scan on tasks".
        let pg_scan = l.contains("Seq Scan on tasks");
        sqlite_scan || pg_scan
    })
}

#[cfg(test)]
mod tests {
    use super::number_placeholders;

    #[test]
    fn placeholders_are_numbered_in_order() {
        assert_eq!(
            number_placeholders("SELECT a FROM t WHERE b = ? AND c IN (?, ?)"),
            "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)"
        );
        assert_eq!(number_placeholders("SELECT 1"), "SELECT 1");
    }

    #[test]
    fn a_question_mark_in_a_literal_is_text() {
        assert_eq!(
            number_placeholders("SELECT '?' || ? FROM t WHERE note = 'Vì sao?' AND id = ?"),
            "SELECT '?' || $1 FROM t WHERE note = 'Vì sao?' AND id = $2"
        );
        // '' is a quote inside the literal, which goes on past it.
        assert_eq!(
            number_placeholders("SELECT 'it''s ?', ?, '''?''', ?"),
            "SELECT 'it''s ?', $1, '''?''', $2"
        );
        assert_eq!(number_placeholders("SELECT '', ?"), "SELECT '', $1");
    }

    #[test]
    fn a_question_mark_in_a_quoted_identifier_or_a_comment_is_text() {
        assert_eq!(
            number_placeholders(r#"SELECT "what?" AS "a""?" FROM t WHERE x = ?"#),
            r#"SELECT "what?" AS "a""?" FROM t WHERE x = $1"#
        );
        assert_eq!(
            number_placeholders("SELECT ? -- why?\n, ? /* and? */, ?"),
            "SELECT $1 -- why?\n, $2 /* and? */, $3"
        );
        assert_eq!(
            number_placeholders("SELECT 1 /*/ ? */, ?"),
            "SELECT 1 /*/ ? */, $1"
        );
        // A quote inside a comment opens nothing.
        assert_eq!(
            number_placeholders("SELECT ? -- don't\n, ?"),
            "SELECT $1 -- don't\n, $2"
        );
    }
}
