//! The one error type of `dondoc-core`. The API maps it to problem+json in a
//! single place; the CLI prints it as one line.
//!
//! Errors carry a `Msg` (a code with arguments), never prose: whoever shows
//! the error renders it in the reader's language (see `messages.rs`).

use std::fmt;

use crate::{
    db::fault::StorageFault,
    messages::{Lang, Msg},
};

/// A problem with one input field, reported to the user by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field at fault, as the user sent it (`due_date`, `links[2].task_id`, …).
    pub field: String,
    /// A stable machine-readable code (`required`, `too_long`, `invalid_date`, …).
    pub code: String,
    /// What to tell the person who typed the value.
    pub message: Msg,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: impl Into<String>, message: Msg) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
            message,
        }
    }
}

/// In English: `Display` is for logs and the command line, whose own words
/// are English.
impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message.text(Lang::En))
    }
}

/// A message in English, for `Error`'s `Display`.
fn en(msg: &Msg) -> String {
    msg.text(Lang::En)
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input is wrong; each bad field is named.
    #[error("invalid input: {}", join_fields(.0))]
    Validation(Vec<FieldError>),
    /// The thing asked for does not exist (or the caller may not know it exists).
    #[error("not found: {}", en(.0))]
    NotFound(Msg),
    /// The caller is known but lacks the right.
    #[error("forbidden: {}", en(.0))]
    Forbidden(Msg),
    /// The caller is not authenticated.
    #[error("unauthenticated")]
    Unauthenticated,
    /// The request conflicts with the current state (duplicate code, wrong status…).
    #[error("conflict: {}", en(.0))]
    Conflict(Msg),
    /// Optimistic concurrency: the caller's version is stale.
    #[error("stale version: the task is at version {current}, the request was based on {sent}")]
    StaleVersion { current: i32, sent: i32 },
    /// Too many attempts; retry after the given number of seconds.
    #[error("too many attempts, retry after {retry_after_secs} s")]
    TooManyAttempts { retry_after_secs: u64 },
    /// Bad configuration, naming the key.
    #[error("configuration error in `{key}`: {message}")]
    Config { key: String, message: String },
    /// The database could not be opened.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// The database refused or dropped a statement for a reason of its own
    /// (full, read-only, busy, unreachable), with the driver's message.
    #[error("{0}: {1}")]
    Storage(StorageFault, String),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

fn join_fields(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl Error {
    pub fn field(field: impl Into<String>, code: impl Into<String>, message: Msg) -> Self {
        Self::Validation(vec![FieldError::new(field, code, message)])
    }

    pub fn config(key: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Config {
            key: key.into(),
            message: message.into(),
        }
    }
}

/// PostgreSQL's refusal of a character its text cannot hold (a NUL byte:
/// SQLSTATE 22021 `character_not_in_repertoire`, or 22P05).
fn refuses_characters(err: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr, sqlx};
    let (DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e))) = err
    else {
        return false;
    };
    match &**e {
        sqlx::Error::Database(db) => {
            db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
                .is_some()
                && matches!(db.code().as_deref(), Some("22021" | "22P05"))
        }
        _ => false,
    }
}

impl From<sea_orm::DbErr> for Error {
    fn from(err: sea_orm::DbErr) -> Self {
        use sea_orm::{DbErr, SqlErr};
        if let DbErr::RecordNotFound(what) = &err {
            return Error::NotFound(Msg::NotFoundRecord { what: what.clone() });
        }
        if let Some(fault) = StorageFault::classify(&err) {
            return Error::Storage(fault, err.to_string());
        }
        if refuses_characters(&err) {
            // The edge refuses control characters with the field's name; a
            // NUL arriving another way (a file's text) is still the input's
            // fault, not the server's.
            return Error::Validation(vec![FieldError::new(
                "text",
                "invalid_characters",
                Msg::InvalidCharacters,
            )]);
        }
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(detail)) => {
                Error::Conflict(Msg::DuplicateValue { detail })
            }
            Some(SqlErr::ForeignKeyConstraintViolation(detail)) => {
                Error::Conflict(Msg::ReferencedRecord { detail })
            }
            _ => Error::Unexpected(anyhow::Error::new(err)),
        }
    }
}

impl<E: Into<Error> + std::fmt::Display + std::fmt::Debug> From<sea_orm::TransactionError<E>>
    for Error
{
    fn from(err: sea_orm::TransactionError<E>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(inner) => inner.into(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
