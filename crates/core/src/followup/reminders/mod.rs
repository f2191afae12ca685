//! The reminder policy: which digests are due on a given day, for whom, with
//! which tasks in which sections, and under which idempotency key.
//!
//! [`digests`] and the functions it calls are **pure**: they take a
//! [`Snapshot`] of the tasks and of the current assignment (departments,
//! their staff, the leaders), *today*, the [`Calendar`] and the policy
//! settings, and return values. No clock, no database, no mail. The
//! database read that gathers those values is `followup::snapshot`.
//!
//! Rules (`docs/design.md`, The scheduler):
//! - nothing on weekends and public holidays;
//! - only open tasks (not started, in progress) are chased: cancelled,
//!   completed and reported-done tasks never appear;
//! - `department-digest`: one per department leading at least one task that
//!   is overdue, due today, or due within `due_soon_days`; nothing when empty;
//! - `escalation`: one per leader in charge of tasks overdue
//!   `escalate_after_days` or more;
//! - `leader-digest`: one per active leader, every overdue task grouped by
//!   lead department, oldest first, with the week's figures; nothing when
//!   nothing is overdue;
//! - recipients come from the current assignment; a digest nobody can receive
//!   is still produced, with the reason, so that it is recorded as failed
//!   instead of being skipped silently.
//!
//! This file holds the digest model; `policy` decides the digests.

mod policy;
#[cfg(test)]
mod tests;

pub use policy::{digests, is_chased, section_for, week_figures};

use chrono::NaiveDate;
use serde::Serialize;

use crate::{
    domain::TaskStatus,
    followup::{
        explanations::EscalatedExplanation,
        recipients::{DepartmentContact, LeaderContact, Recipient},
    },
};

/// The kinds of reminder email, as stored in `notifications.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DigestKind {
    DepartmentDigest,
    Escalation,
    LeaderDigest,
}

impl DigestKind {
    pub const ALL: [DigestKind; 3] = [
        DigestKind::DepartmentDigest,
        DigestKind::Escalation,
        DigestKind::LeaderDigest,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DigestKind::DepartmentDigest => "department-digest",
            DigestKind::Escalation => "escalation",
            DigestKind::LeaderDigest => "leader-digest",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text.trim())
    }
}

impl std::fmt::Display for DigestKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A reminder document (văn bản đôn đốc) already issued for a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct IssuedReminder {
    pub number: String,
    pub issued_on: NaiveDate,
    /// The date the letter asks the department to report back by.
    #[serde(default)]
    pub report_back_on: Option<NaiveDate>,
    /// The letter's document id (0 in digests stored before it was kept).
    #[serde(default)]
    pub document_id: i64,
    /// Whether the lead department answered this letter, by the reminder
    /// register's rule (`documents::register`).
    #[serde(default)]
    pub reply: LetterReply,
}

/// Whether a department answered a reminder letter, as the reminder
/// register counts it: a change of progress, status or result, or a note,
/// by someone of the department on the letter's tasks, from the issue day
/// to the report-back day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum LetterReply {
    /// Not looked up (a digest that does not show it).
    #[default]
    Unknown,
    /// Answered on this (local) day.
    Answered { on: NaiveDate },
    /// No answer yet.
    NotAnswered,
}

/// What the policy needs to know about one task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderTask {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub status: TaskStatus,
    pub due_date: NaiveDate,
    pub completed_on: Option<NaiveDate>,
    pub lead_department_id: i64,
    pub leader_in_charge_id: Option<i64>,
    /// Oldest first.
    pub reminder_documents: Vec<IssuedReminder>,
}

/// Everything the policy looks at, read in one go.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub tasks: Vec<ReminderTask>,
    pub departments: Vec<DepartmentContact>,
    pub leaders: Vec<LeaderContact>,
    /// Unanswered requests for explanation past their answer-by date.
    pub explanations: Vec<EscalatedExplanation>,
}

/// A section of a department digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    Overdue,
    DueToday,
    DueSoon,
}

impl Section {
    pub fn as_str(self) -> &'static str {
        match self {
            Section::Overdue => "overdue",
            Section::DueToday => "due_today",
            Section::DueSoon => "due_soon",
        }
    }
}

/// One task line of an email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DigestLine {
    pub task_id: i64,
    pub code: String,
    pub title: String,
    pub lead_department_code: String,
    pub lead_department_name: String,
    pub due_date: NaiveDate,
    /// `today - due_date` for overdue tasks.
    pub days_overdue: Option<i64>,
    /// `due_date - today` for tasks not yet overdue (0 = due today).
    pub days_left: Option<i64>,
    pub reminder_documents: Vec<IssuedReminder>,
    /// The task's leader in charge, "Name (position)"; empty when none.
    pub leader_in_charge: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DigestSection {
    pub section: Section,
    pub lines: Vec<DigestLine>,
}

/// Overdue tasks of one lead department (leader digest).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DepartmentGroup {
    pub code: String,
    pub name: String,
    pub lines: Vec<DigestLine>,
}

/// The week's figures in the leader digest. "This week" is the seven days
/// before *today*; "next week" today and the six days after it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct WeekFigures {
    /// Open tasks overdue today.
    pub overdue: u32,
    /// Of those, overdue `escalate_after_days` or more.
    pub escalated: u32,
    /// Tasks that fell overdue during the past seven days.
    pub newly_overdue: u32,
    /// Tasks reported done (or completed) during the past seven days.
    pub done_this_week: u32,
    /// Open tasks due today or in the next six days.
    pub due_next_week: u32,
}

/// One email the policy decided is due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Digest {
    pub kind: DigestKind,
    /// `{kind}:{department code | username}:{date}`; unique in the outbox.
    pub idempotency_key: String,
    pub for_date: NaiveDate,
    pub recipient: Recipient,
    /// Resolved from the current assignment, deduplicated, in a stable order.
    pub addresses: Vec<String>,
    /// Why nobody can receive it (then `addresses` is empty).
    pub undeliverable: Option<String>,
    /// Department digest: overdue / due today / due soon (non-empty ones only).
    /// Escalation: one `Overdue` section.
    pub sections: Vec<DigestSection>,
    /// Leader digest: overdue tasks by department, oldest first.
    pub groups: Vec<DepartmentGroup>,
    /// Leader digest only.
    pub figures: Option<WeekFigures>,
    /// Leader digest only: requests for explanation past their answer-by date.
    pub explanations: Vec<EscalatedExplanation>,
    /// Every task mentioned, ascending.
    pub task_ids: Vec<i64>,
}

impl Digest {
    pub fn line_count(&self) -> usize {
        self.sections.iter().map(|s| s.lines.len()).sum::<usize>()
            + self.groups.iter().map(|g| g.lines.len()).sum::<usize>()
    }

    pub fn section(&self, section: Section) -> Option<&DigestSection> {
        self.sections.iter().find(|s| s.section == section)
    }
}

/// The idempotency key of a digest: one per kind, recipient and local date.
pub fn idempotency_key(kind: DigestKind, recipient_key: &str, date: NaiveDate) -> String {
    format!(
        "{}:{}:{}",
        kind.as_str(),
        recipient_key,
        date.format("%Y-%m-%d")
    )
}
