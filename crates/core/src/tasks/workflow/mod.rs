//! The task workflow as a pure function: given a task as it is, what someone
//! asks to change, who asks and which day it is, decide the task as it will
//! be, the history entries and the effects — or refuse. No clock, no
//! database: `commands` loads, calls `plan_*`, saves, writes the history and
//! carries out the effects, in one transaction.
//!
//! The rules that keep figures defensible live here:
//! - **Facts recorded by the server.** The day a task is reported done is
//!   *today* (`reported_on`), and lateness is judged on it. A department may
//!   declare that the work finished earlier (`declared_completed_on`): not
//!   before the task existed, not after the report; it counts only when a
//!   leader accepts it, with a reason, in the history.
//! - **Frozen once confirmed.** After a leader confirms, the completion
//!   facts (days, result) cannot change; only a leader's reopen, with a
//!   reason, unfreezes them.
//! - **Deadlines move only as extensions.** A task reported done keeps its
//!   due date (409). A leader moving the due date of an open task later is
//!   an extension (recorded like an approved request, the original kept).
//! - **Permission is checked on what actually changes**, not on which
//!   fields a request carries: sending a field back unchanged needs no right.

use chrono::NaiveDate;

use crate::{
    accounts::{
        policy::{self, Action, TaskScope},
        principal::Principal,
    },
    domain::TaskStatus,
    entity::task,
    error::{Error, Result},
    messages::Msg,
    tasks::history::{Change, action},
};

/// A department or user named in a change: its id and the code or username
/// the history shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub id: i64,
    pub name: String,
}

/// The task as it is, with what the history names it by.
#[derive(Debug, Clone)]
pub struct Current {
    pub task: task::Model,
    pub scope: TaskScope,
    /// The office day the task was created: no completion before it.
    pub created_on: NaiveDate,
    pub lead: Named,
    pub coordinators: Vec<Named>,
    pub leader: Option<Named>,
}

/// What someone asks to change, validated and with names resolved; `None`
/// leaves a value as it is.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub status: Option<TaskStatus>,
    pub progress: Option<i32>,
    /// A note for the history ("" when none).
    pub note: String,
    /// The day the department says the work was finished.
    pub completed_on: Option<NaiveDate>,
    pub result_note: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub field_code: Option<String>,
    pub lead: Option<Named>,
    pub coordinators: Option<Vec<Named>>,
    /// `Some(None)` clears the leader in charge.
    pub leader: Option<Option<Named>>,
}

/// A leader's answer to a task reported done.
#[derive(Debug, Clone, Default)]
pub struct Decision {
    pub accept: bool,
    /// Also accept the earlier completion day the department declared.
    pub accept_completed_on: bool,
    pub note: String,
}

/// Something to do besides saving the task and its history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// The task is no longer open: close its pending extension requests.
    WithdrawPendingExtensions(TaskStatus),
    /// A leader moved an open task's deadline later: record it as an
    /// approved extension.
    RecordExtension {
        previous: NaiveDate,
        granted: NaiveDate,
        reason: String,
    },
    /// The task was confirmed: a recurring series makes its next occurrence.
    Recur,
}

/// The outcome of a plan: the task as it will be, the coordinators to store
/// (`None`: unchanged), the history and the effects. An empty history means
/// nothing is to be written.
#[derive(Debug, Clone)]
pub struct Plan {
    pub after: task::Model,
    pub coordinators: Option<Vec<i64>>,
    pub history: Vec<Change<'static>>,
    pub effects: Vec<Effect>,
}

impl Plan {
    fn start(current: &Current) -> Self {
        Self {
            after: current.task.clone(),
            coordinators: None,
            history: Vec::new(),
            effects: Vec::new(),
        }
    }

    pub fn changes_nothing(&self) -> bool {
        self.history.is_empty()
    }
}

mod steps;
#[cfg(test)]
mod tests;

use steps::*;

pub(super) fn date_text(day: Option<NaiveDate>) -> String {
    day.map(|d| d.to_string()).unwrap_or_default()
}

pub(super) fn frozen() -> Error {
    Error::Conflict(Msg::CompletionFrozen)
}

/// Plans a PATCH of a task: status, progress, result, deadline,
/// definition, then the note — each step checks the right it needs.
pub fn plan_update(
    current: &Current,
    request: &Request,
    actor: &Principal,
    today: NaiveDate,
) -> Result<Plan> {
    let mut plan = Plan::start(current);
    if let Some(day) = request.completed_on {
        check_declared_day(current, day, today)?;
    }
    let status_changes = request.status.filter(|s| *s != current.task.status);
    match status_changes {
        Some(target) => plan_status(&mut plan, current, request, actor, today, target)?,
        None => {
            if let Some(day) = request.completed_on {
                declare_completion_day(&mut plan, current, actor, day)?;
            }
        }
    }
    plan_progress(&mut plan, current, request, actor, status_changes)?;
    plan_result_note(&mut plan, current, request, actor, status_changes)?;
    plan_deadline(&mut plan, current, request, actor)?;
    plan_definition(&mut plan, current, request, actor)?;
    attach_note(&mut plan, current, request, actor)?;
    Ok(plan)
}

/// Plans a leader's answer to a task reported done.
pub fn plan_confirm(current: &Current, decision: &Decision, actor: &Principal) -> Result<Plan> {
    let task = &current.task;
    policy::require(actor, Action::ConfirmTask, Some(&current.scope))?;
    if task.status != TaskStatus::ReportedDone {
        return Err(Error::Conflict(Msg::ConfirmNotReported {
            status: task.status.label_arg(),
        }));
    }
    if !decision.accept && decision.note.trim().is_empty() {
        return Err(Error::field("note", "required", Msg::ReturnNeedsReason));
    }
    let mut plan = Plan::start(current);
    let who = Some(actor.user_id);
    if decision.accept {
        plan.after.status = TaskStatus::Completed;
        plan.history.push(
            Change::new(task.id, who, action::CONFIRMED)
                .field("status", task.status, TaskStatus::Completed)
                .note(decision.note.clone()),
        );
        if decision.accept_completed_on {
            accept_declared_day(&mut plan, current, actor, &decision.note)?;
        }
        plan.effects.push(Effect::Recur);
    } else {
        plan.after.status = TaskStatus::InProgress;
        plan.history.push(
            Change::new(task.id, who, action::RETURNED)
                .field("status", task.status, TaskStatus::InProgress)
                .note(decision.note.clone()),
        );
        clear_completion(&mut plan, current, who);
    }
    Ok(plan)
}

/// Checks a status change against the workflow and the user's rights;
/// returns the history action it records.
pub fn transition(
    user: &Principal,
    scope: &TaskScope,
    from: TaskStatus,
    to: TaskStatus,
) -> Result<&'static str> {
    use TaskStatus::*;
    let refuse = |why: Msg| Err(Error::Conflict(why));
    match (from, to) {
        (NotStarted, InProgress) | (InProgress, NotStarted) => {
            policy::require(user, Action::UpdateTaskProgress, Some(scope))?;
            Ok(action::UPDATED)
        }
        (NotStarted | InProgress, ReportedDone) => {
            policy::require(user, Action::UpdateTaskProgress, Some(scope))?;
            Ok(action::REPORTED_DONE)
        }
        (NotStarted | InProgress | ReportedDone, Completed) => {
            policy::require(user, Action::ConfirmTask, Some(scope))?;
            Ok(action::CONFIRMED)
        }
        (ReportedDone, InProgress) => {
            policy::require(user, Action::ConfirmTask, Some(scope))?;
            Ok(action::RETURNED)
        }
        (Completed | Cancelled, InProgress | NotStarted) => {
            policy::require(user, Action::ReopenOrCancelTask, Some(scope))?;
            Ok(action::REOPENED)
        }
        (_, Cancelled) => {
            policy::require(user, Action::ReopenOrCancelTask, Some(scope))?;
            Ok(action::CANCELLED)
        }
        (ReportedDone, NotStarted) => refuse(Msg::ReportedDoneWaitsForReturn),
        (Completed | Cancelled, ReportedDone) => refuse(Msg::ClosedReopenBeforeReport),
        (Cancelled, Completed) => refuse(Msg::CancelledReopenFirst),
        _ => refuse(Msg::InvalidTransition),
    }
}
