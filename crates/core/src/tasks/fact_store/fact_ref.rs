//! One task's facts as the store holds them, read without copying.

use chrono::NaiveDate;

use super::{Fact, Inner, STATUSES, unpack_day};
use crate::domain::{TaskStatus, facts::FactView, timeliness::Deadline};

/// One task's facts in the store, read without copying.
pub struct FactRef<'a> {
    pub(super) inner: &'a Inner,
    pub(super) fact: &'a Fact,
}

impl FactRef<'_> {
    pub fn id(&self) -> i64 {
        self.fact.id
    }

    pub fn programme_id(&self) -> i64 {
        i64::from(self.fact.programme)
    }

    pub fn lead_department_id(&self) -> i64 {
        i64::from(self.fact.lead)
    }

    pub fn leader_in_charge_id(&self) -> Option<i64> {
        (self.fact.leader != 0).then_some(i64::from(self.fact.leader))
    }

    pub fn field_code(&self) -> &str {
        self.inner
            .fields
            .get(usize::from(self.fact.field))
            .map_or("", String::as_str)
    }

    pub fn status(&self) -> TaskStatus {
        STATUSES
            .get(usize::from(self.fact.status))
            .copied()
            .unwrap_or(TaskStatus::NotStarted)
    }

    pub fn due_date(&self) -> NaiveDate {
        unpack_day(self.fact.due).unwrap_or_default()
    }

    pub fn original_due_date(&self) -> NaiveDate {
        unpack_day(self.fact.original).unwrap_or_default()
    }

    pub fn completed_on(&self) -> Option<NaiveDate> {
        unpack_day(self.fact.completed)
    }
}

impl FactView for FactRef<'_> {
    fn task_id(&self) -> i64 {
        self.id()
    }
    fn programme_id(&self) -> i64 {
        FactRef::programme_id(self)
    }
    fn lead_department_id(&self) -> i64 {
        FactRef::lead_department_id(self)
    }
    fn field_code(&self) -> &str {
        FactRef::field_code(self)
    }
    fn leader_in_charge_id(&self) -> Option<i64> {
        FactRef::leader_in_charge_id(self)
    }
    fn status(&self) -> TaskStatus {
        FactRef::status(self)
    }
    fn progress(&self) -> i32 {
        i32::from(self.fact.progress)
    }
    fn deadline(&self) -> Deadline {
        Deadline {
            due: self.due_date(),
            original: self.original_due_date(),
        }
    }
    fn completed_on(&self) -> Option<NaiveDate> {
        FactRef::completed_on(self)
    }
}
