//! Storage faults: the database errors that are not the request's fault and
//! that a person or an operator can act on. Classified here, once, from the
//! driver's result codes — SQLite's (extended) result code, PostgreSQL's
//! SQLSTATE — never from message text, which differs between versions and
//! languages. `impl From<DbErr> for Error` uses it; the API maps the fault
//! to its HTTP answer.

use std::{fmt, ops::Deref};

use sea_orm::{ConnAcquireErr, DbErr, RuntimeErr, sqlx};

/// Why the database could not do what it was asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StorageFault {
    /// No space left: nothing can be written until an operator frees some.
    DiskFull,
    /// The database (or the server, e.g. a standby) accepts no writes.
    ReadOnly,
    /// Another writer holds the lock longer than the busy timeout, or every
    /// pooled connection is in use: retrying shortly is likely to work.
    Busy,
    /// The server cannot be reached or dropped the connection.
    Unreachable,
}

impl StorageFault {
    /// The fault behind a database error, if it is one.
    pub fn classify(err: &DbErr) -> Option<Self> {
        match err {
            DbErr::ConnectionAcquire(ConnAcquireErr::Timeout) => Some(Self::Busy),
            DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed) => Some(Self::Unreachable),
            DbErr::Conn(RuntimeErr::SqlxError(e))
            | DbErr::Exec(RuntimeErr::SqlxError(e))
            | DbErr::Query(RuntimeErr::SqlxError(e)) => {
                Self::of_sqlx(e.deref()).or(match err {
                    // Opening or beginning failed for a reason not named above.
                    DbErr::Conn(_) => Some(Self::Unreachable),
                    _ => None,
                })
            }
            DbErr::Conn(_) => Some(Self::Unreachable),
            _ => None,
        }
    }

    fn of_sqlx(err: &sqlx::Error) -> Option<Self> {
        match err {
            sqlx::Error::Database(db) => {
                let code = db.code()?;
                if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                    code.parse().ok().and_then(Self::of_sqlite_code)
                } else if db
                    .try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
                    .is_some()
                {
                    Self::of_sqlstate(&code)
                } else {
                    None
                }
            }
            sqlx::Error::PoolTimedOut => Some(Self::Busy),
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => Some(Self::Unreachable),
            _ => None,
        }
    }

    /// From a SQLite result code, primary or extended (the primary code is
    /// the low byte: `SQLITE_READONLY_DBMOVED` 1032 is `SQLITE_READONLY` 8).
    pub fn of_sqlite_code(code: i64) -> Option<Self> {
        match code & 0xff {
            // SQLITE_BUSY, SQLITE_LOCKED
            5 | 6 => Some(Self::Busy),
            // SQLITE_READONLY
            8 => Some(Self::ReadOnly),
            // SQLITE_FULL
            13 => Some(Self::DiskFull),
            _ => None,
        }
    }

    /// From a PostgreSQL SQLSTATE.
    pub fn of_sqlstate(state: &str) -> Option<Self> {
        match state {
            // disk_full
            "53100" => Some(Self::DiskFull),
            // read_only_sql_transaction (e.g. a hot standby)
            "25006" => Some(Self::ReadOnly),
            // lock_not_available
            "55P03" => Some(Self::Busy),
            // admin_shutdown, crash_shutdown, cannot_connect_now,
            // idle_session_timeout; idle_in_transaction_session_timeout
            "57P01" | "57P02" | "57P03" | "57P05" | "25P03" => Some(Self::Unreachable),
            // Class 08: connection exception.
            s if s.starts_with("08") => Some(Self::Unreachable),
            _ => None,
        }
    }

    /// Whether waiting a moment and retrying is likely to work (as opposed to
    /// an operator having to act first).
    pub fn is_transient(self) -> bool {
        matches!(self, Self::Busy | Self::Unreachable)
    }
}

impl fmt::Display for StorageFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::DiskFull => "storage full",
            Self::ReadOnly => "database read-only",
            Self::Busy => "database busy",
            Self::Unreachable => "database unreachable",
        })
    }
}

#[cfg(test)]
mod tests {
    use std::{borrow::Cow, sync::Arc};

    use super::*;

    #[test]
    fn sqlite_result_codes() {
        for (code, fault) in [
            (5, Some(StorageFault::Busy)),
            (517, Some(StorageFault::Busy)), // SQLITE_BUSY_SNAPSHOT
            (6, Some(StorageFault::Busy)),
            (8, Some(StorageFault::ReadOnly)),
            (1032, Some(StorageFault::ReadOnly)), // SQLITE_READONLY_DBMOVED
            (13, Some(StorageFault::DiskFull)),
            (2067, None), // SQLITE_CONSTRAINT_UNIQUE
            (1, None),
        ] {
            assert_eq!(StorageFault::of_sqlite_code(code), fault, "{code}");
        }
    }

    #[test]
    fn postgres_sqlstates() {
        for (state, fault) in [
            ("53100", Some(StorageFault::DiskFull)),
            ("25006", Some(StorageFault::ReadOnly)),
            ("55P03", Some(StorageFault::Busy)),
            ("57P01", Some(StorageFault::Unreachable)),
            ("08006", Some(StorageFault::Unreachable)),
            ("08001", Some(StorageFault::Unreachable)),
            ("23505", None), // unique_violation: a conflict, not a fault
            ("42P01", None),
        ] {
            assert_eq!(StorageFault::of_sqlstate(state), fault, "{state}");
        }
    }

    #[test]
    fn connection_errors_without_a_code() {
        assert_eq!(
            StorageFault::classify(&DbErr::ConnectionAcquire(ConnAcquireErr::Timeout)),
            Some(StorageFault::Busy)
        );
        assert_eq!(
            StorageFault::classify(&DbErr::Conn(RuntimeErr::Internal("gone".into()))),
            Some(StorageFault::Unreachable)
        );
        let reset = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        assert_eq!(
            StorageFault::classify(&DbErr::Query(RuntimeErr::SqlxError(Arc::new(
                sqlx::Error::Io(reset)
            )))),
            Some(StorageFault::Unreachable)
        );
        assert_eq!(
            StorageFault::classify(&DbErr::RecordNotFound("task 7".into())),
            None
        );
        assert_eq!(StorageFault::classify(&DbErr::Custom("x".into())), None);
    }

    /// A database error of neither driver: its code means nothing here.
    #[derive(Debug)]
    struct Foreign;

    impl fmt::Display for Foreign {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("foreign")
        }
    }

    impl std::error::Error for Foreign {}

    impl sqlx::error::DatabaseError for Foreign {
        fn message(&self) -> &str {
            "foreign"
        }
        fn code(&self) -> Option<Cow<'_, str>> {
            Some("13".into())
        }
        fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
            self
        }
        fn kind(&self) -> sqlx::error::ErrorKind {
            sqlx::error::ErrorKind::Other
        }
    }

    #[test]
    fn a_code_is_read_only_from_a_driver_that_defines_it() {
        let err = DbErr::Exec(RuntimeErr::SqlxError(Arc::new(sqlx::Error::Database(
            Box::new(Foreign),
        ))));
        assert_eq!(StorageFault::classify(&err), None);
    }
}
