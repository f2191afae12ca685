//! The task-status sets as SQL, built from [`TaskStatus::OPEN`] and
//! [`TaskStatus::DONE`]: every query, figure and partial index that names
//! open or done tasks says it through here, so the sets cannot drift apart.
//!
//! The statuses are written as literals, not bound parameters: a planner can
//! use a partial index only when it can prove that the query's condition
//! implies the index's `WHERE`, and with a parameter it cannot (SQLite never,
//! PostgreSQL not in a generic plan). Migrations cannot depend on core, so
//! they spell the index conditions out; a test (`tests/storage.rs`) reads the
//! conditions back from both databases and checks that they equal
//! [`OPEN_INDEX`] and [`DONE_INDEX`].

use std::fmt;

use sea_orm::sea_query::{Expr, SimpleExpr};

use crate::domain::TaskStatus;

/// `<column> IN ('…', '…')` for a set of statuses, as SQL text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusIn {
    column: &'static str,
    statuses: &'static [TaskStatus],
}

impl StatusIn {
    /// `column` is written as given (quoted or with a table alias).
    pub const fn new(column: &'static str, statuses: &'static [TaskStatus]) -> Self {
        Self { column, statuses }
    }

    /// The condition for a query builder.
    pub fn condition(self) -> SimpleExpr {
        Expr::cust(self.to_string())
    }
}

impl fmt::Display for StatusIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.statuses.is_empty() {
            // `IN ()` is not SQL; an empty set matches nothing.
            return f.write_str("1 = 0");
        }
        write!(f, "{} IN (", self.column)?;
        for (i, status) in self.statuses.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            // Status codes are snake_case, but a literal is escaped anyway.
            write!(f, "'{}'", status.as_str().replace('\'', "''"))?;
        }
        f.write_str(")")
    }
}

/// Open tasks (not started, in progress) of the `tasks` table.
pub const OPEN_SQL: StatusIn = StatusIn::new("\"tasks\".\"status\"", &TaskStatus::OPEN);
/// Done tasks (reported done or completed) of the `tasks` table.
pub const DONE_SQL: StatusIn = StatusIn::new("\"tasks\".\"status\"", &TaskStatus::DONE);

/// The `WHERE` of the partial indexes on open tasks (`idx_tasks_open_*`),
/// exactly as the migrations write it.
pub const OPEN_INDEX: StatusIn = StatusIn::new("status", &TaskStatus::OPEN);
/// The `WHERE` of the partial indexes on done tasks (`idx_tasks_done_*`).
pub const DONE_INDEX: StatusIn = StatusIn::new("status", &TaskStatus::DONE);

/// Open tasks as a query-builder condition; see [`OPEN_SQL`].
pub fn open_condition() -> SimpleExpr {
    OPEN_SQL.condition()
}

/// Done tasks as a query-builder condition; see [`DONE_SQL`].
pub fn done_condition() -> SimpleExpr {
    DONE_SQL.condition()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sets_are_written_as_literal_lists() {
        assert_eq!(
            OPEN_SQL.to_string(),
            "\"tasks\".\"status\" IN ('not_started', 'in_progress')"
        );
        assert_eq!(
            DONE_SQL.to_string(),
            "\"tasks\".\"status\" IN ('reported_done', 'completed')"
        );
        assert_eq!(
            OPEN_INDEX.to_string(),
            "status IN ('not_started', 'in_progress')"
        );
        assert_eq!(
            StatusIn::new("t.status", &TaskStatus::DONE).to_string(),
            "t.status IN ('reported_done', 'completed')"
        );
        assert_eq!(StatusIn::new("status", &[]).to_string(), "1 = 0");
    }

    #[test]
    fn every_status_is_open_done_or_cancelled_once() {
        for status in TaskStatus::ALL {
            let sets = [status.is_open(), status.is_done()];
            let expected = usize::from(*status != TaskStatus::Cancelled);
            assert_eq!(sets.iter().filter(|b| **b).count(), expected, "{status}");
        }
    }
}
