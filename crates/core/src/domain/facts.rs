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

/// What figures read of a task's facts, whatever holds them (a row read
/// from the database, or the in-memory fact store's compact copy).
pub trait FactView {
    fn task_id(&self) -> i64;
    fn programme_id(&self) -> i64;
    fn lead_department_id(&self) -> i64;
    fn field_code(&self) -> &str;
    fn leader_in_charge_id(&self) -> Option<i64>;
    fn status(&self) -> TaskStatus;
    fn progress(&self) -> i32;
    fn deadline(&self) -> Deadline;
    fn completed_on(&self) -> Option<NaiveDate>;
}

impl FactView for TaskFacts {
    fn task_id(&self) -> i64 {
        self.task_id
    }
    fn programme_id(&self) -> i64 {
        self.programme_id
    }
    fn lead_department_id(&self) -> i64 {
        self.lead_department_id
    }
    fn field_code(&self) -> &str {
        &self.field_code
    }
    fn leader_in_charge_id(&self) -> Option<i64> {
        self.leader_in_charge_id
    }
    fn status(&self) -> TaskStatus {
        self.status
    }
    fn progress(&self) -> i32 {
        self.progress
    }
    fn deadline(&self) -> Deadline {
        TaskFacts::deadline(self)
    }
    fn completed_on(&self) -> Option<NaiveDate> {
        self.completed_on
    }
}
