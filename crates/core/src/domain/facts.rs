//! The facts of a task that figures are made of, at one moment: a pure
//! value. How they are recorded and read back is `tasks::states` and
//! `tasks::facts`; what they mean on a day is `domain::figure`.

use chrono::NaiveDate;

use super::{TaskStatus, timeliness::Deadline};

/// The figure-relevant facts of one task at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskFacts {
    pub task_id: i64,
    pub programme_id: i64,
    pub lead_department_id: i64,
    pub field_code: String,
    pub leader_in_charge_id: Option<i64>,
    pub status: TaskStatus,
    pub progress: i32,
    pub due_date: NaiveDate,
    pub original_due_date: NaiveDate,
    /// The day the department reported it done (server-recorded).
    pub reported_on: Option<NaiveDate>,
    /// The day that counts for timeliness.
    pub completed_on: Option<NaiveDate>,
    /// A declared earlier day, pending or accepted.
    pub declared_completed_on: Option<NaiveDate>,
}

impl TaskFacts {
    pub fn deadline(&self) -> Deadline {
        Deadline {
            due: self.due_date,
            original: self.original_due_date,
        }
    }
}
