//! The steps of a plan, each a rule of the workflow (see the module above).

use chrono::NaiveDate;

use super::{Current, Effect, Named, Plan, Request, date_text, frozen, transition};
use crate::{
    accounts::{
        policy::{self, Action},
        principal::Principal,
    },
    domain::TaskStatus,
    error::{Error, Result},
    messages::Msg,
    tasks::history::{Change, action},
};

/// A status change: a report records the server's facts, a return or
/// reopen clears them, closing a task withdraws pending extensions.
pub(super) fn plan_status(
    plan: &mut Plan,
    current: &Current,
    request: &Request,
    actor: &Principal,
    today: NaiveDate,
    target: TaskStatus,
) -> Result<()> {
    let task = &current.task;
    let who = Some(actor.user_id);
    let from = task.status;
    let history_action = transition(actor, &current.scope, from, target)?;
    let mut status_note = request.note.clone();
    match target {
        TaskStatus::ReportedDone | TaskStatus::Completed if from.is_open() => {
            let report = completion_report(request, task.result_note.as_deref())?;
            record_report(plan, current, request, actor, today, target)?;
            if Some(&report) != task.result_note.as_ref() {
                plan.after.result_note = Some(report.clone());
            }
            if status_note.trim().is_empty() {
                status_note = report;
            } else if report != status_note {
                status_note = format!("{report}\n{status_note}");
            }
        }
        TaskStatus::InProgress | TaskStatus::NotStarted => {
            if matches!(from, TaskStatus::Completed | TaskStatus::Cancelled)
                && request.note.trim().is_empty()
            {
                return Err(Error::field("note", "required", Msg::ReopenNeedsReason));
            }
            clear_completion(plan, current, who);
        }
        // Confirming a report through a PATCH, or cancelling: the
        // completion facts stay as they are.
        _ => {}
    }
    plan.after.status = target;
    if from.is_open() && !target.is_open() {
        plan.effects.push(Effect::WithdrawPendingExtensions(target));
    }
    if target == TaskStatus::Completed {
        plan.effects.push(Effect::Recur);
    }
    plan.history.push(
        Change::new(task.id, who, history_action)
            .field("status", from, target)
            .note(status_note),
    );
    Ok(())
}

/// The result a completion report states: the result typed now (or else
/// the note). A report must say something new: the previous result note
/// (what was still missing last time) is refused as the report, so a
/// pre-filled old result never becomes the completion result unread.
pub(super) fn completion_report(request: &Request, previous: Option<&str>) -> Result<String> {
    let previous = previous.map(str::trim).filter(|p| !p.is_empty());
    let typed = [request.result_note.as_deref(), Some(request.note.as_str())]
        .into_iter()
        .flatten()
        .map(str::trim)
        .find(|n| !n.is_empty() && Some(*n) != previous);
    match (typed, previous) {
        (Some(report), _) => Ok(report.to_string()),
        (None, None) => Err(Error::field(
            "result_note",
            "required",
            Msg::ResultNoteRequired,
        )),
        (None, Some(_)) => Err(Error::field(
            "result_note",
            "unchanged",
            Msg::ResultNoteUnchanged,
        )),
    }
}

/// Progress; starting work moves a task out of "not started" by itself.
pub(super) fn plan_progress(
    plan: &mut Plan,
    current: &Current,
    request: &Request,
    actor: &Principal,
    status_changes: Option<TaskStatus>,
) -> Result<()> {
    let task = &current.task;
    let who = Some(actor.user_id);
    let Some(p) = request.progress.filter(|p| *p != task.progress) else {
        return Ok(());
    };
    if status_changes.is_some_and(|s| s.is_done()) {
        return Ok(());
    }
    if task.status.is_done() {
        return Err(Error::field(
            "progress",
            "already_done",
            Msg::ProgressAfterDone,
        ));
    }
    policy::require(actor, Action::UpdateTaskProgress, Some(&current.scope))?;
    plan.after.progress = p;
    plan.history
        .push(Change::new(task.id, who, action::UPDATED).field("progress", task.progress, p));
    if task.status == TaskStatus::NotStarted && status_changes.is_none() && p > 0 {
        plan.after.status = TaskStatus::InProgress;
        plan.history
            .push(Change::new(task.id, who, action::UPDATED).field(
                "status",
                TaskStatus::NotStarted,
                TaskStatus::InProgress,
            ));
    }
    Ok(())
}

/// The result written on a task, outside a report; frozen once confirmed.
pub(super) fn plan_result_note(
    plan: &mut Plan,
    current: &Current,
    request: &Request,
    actor: &Principal,
    status_changes: Option<TaskStatus>,
) -> Result<()> {
    let task = &current.task;
    let Some(text) = &request.result_note else {
        return Ok(());
    };
    if Some(text) == task.result_note.as_ref()
        || status_changes.is_some()
        || (text.is_empty() && task.result_note.is_none())
    {
        return Ok(());
    }
    if task.status == TaskStatus::Completed {
        return Err(frozen());
    }
    policy::require(actor, Action::UpdateTaskProgress, Some(&current.scope))?;
    plan.after.result_note = Some(text.clone()).filter(|t| !t.is_empty());
    plan.history.push(
        Change::new(task.id, Some(actor.user_id), action::UPDATED).field(
            "result_note",
            task.result_note.clone().unwrap_or_default(),
            text,
        ),
    );
    Ok(())
}

/// The note goes with the first change, or is the change.
pub(super) fn attach_note(
    plan: &mut Plan,
    current: &Current,
    request: &Request,
    actor: &Principal,
) -> Result<()> {
    if request.note.trim().is_empty() {
        return Ok(());
    }
    policy::require(actor, Action::AddTaskNote, Some(&current.scope))?;
    if plan.history.is_empty() {
        plan.history.push(
            Change::new(current.task.id, Some(actor.user_id), action::NOTE)
                .note(request.note.clone()),
        );
    } else if !plan.history.iter().any(|c| c.note.is_some())
        && let Some(first) = plan.history.first_mut()
    {
        first.note = Some(request.note.clone());
    }
    Ok(())
}

/// The completion day a department may declare: not before the task
/// existed, not after today (nor after the report, checked where it applies).
pub(super) fn check_declared_day(
    current: &Current,
    day: NaiveDate,
    today: NaiveDate,
) -> Result<()> {
    if day > today {
        return Err(Error::field(
            "completed_on",
            "in_future",
            Msg::CompletedInFuture,
        ));
    }
    if day < current.created_on {
        return Err(Error::field(
            "completed_on",
            "before_created",
            Msg::CompletedBeforeCreated {
                created: current.created_on,
            },
        ));
    }
    Ok(())
}

/// A report (or a leader recording completion directly): today is the day
/// that counts; a declared earlier day waits for a leader's acceptance —
/// unless the one recording it is a leader who may confirm, who accepts it
/// there and then (with a reason).
pub(super) fn record_report(
    plan: &mut Plan,
    current: &Current,
    request: &Request,
    actor: &Principal,
    today: NaiveDate,
    target: TaskStatus,
) -> Result<()> {
    let task = &current.task;
    let who = Some(actor.user_id);
    let id = task.id;
    plan.after.reported_on = Some(today);
    plan.after.completed_on = Some(today);
    plan.after.declared_completed_on = request.completed_on.filter(|d| *d < today);
    plan.history
        .push(Change::new(id, who, action::UPDATED).field(
            "completed_on",
            date_text(task.completed_on),
            today,
        ));
    if let Some(declared) = plan.after.declared_completed_on {
        plan.history
            .push(Change::new(id, who, action::UPDATED).field(
                "declared_completed_on",
                "",
                declared,
            ));
        if target == TaskStatus::Completed {
            accept_declared_day(plan, current, actor, &request.note)?;
        }
    }
    plan.after.progress = 100;
    if task.progress != 100 {
        plan.history
            .push(Change::new(id, who, action::UPDATED).field("progress", task.progress, 100));
    }
    Ok(())
}

/// The declared day becomes the day that counts, in the history with who
/// and why.
pub(super) fn accept_declared_day(
    plan: &mut Plan,
    current: &Current,
    actor: &Principal,
    note: &str,
) -> Result<()> {
    let Some(declared) = plan.after.declared_completed_on else {
        return Err(Error::Conflict(Msg::NoDeclaredCompletion));
    };
    if note.trim().is_empty() {
        return Err(Error::field(
            "note",
            "required",
            Msg::AcceptDeclaredNeedsReason,
        ));
    }
    let before = plan.after.completed_on;
    plan.after.completed_on = Some(declared);
    plan.history.push(
        Change::new(
            current.task.id,
            Some(actor.user_id),
            action::COMPLETION_DAY_ACCEPTED,
        )
        .field("completed_on", date_text(before), declared)
        .note(note.to_string()),
    );
    Ok(())
}

/// A return or a reopen: the completion facts go; the next report records
/// them anew.
pub(super) fn clear_completion(plan: &mut Plan, current: &Current, who: Option<i64>) {
    let task = &current.task;
    plan.after.completed_on = None;
    plan.after.reported_on = None;
    plan.after.declared_completed_on = None;
    if task.completed_on.is_some() {
        plan.history
            .push(Change::new(task.id, who, action::UPDATED).field(
                "completed_on",
                date_text(task.completed_on),
                "",
            ));
    }
}

/// A department changes the day it declares, before a leader confirms.
pub(super) fn declare_completion_day(
    plan: &mut Plan,
    current: &Current,
    actor: &Principal,
    day: NaiveDate,
) -> Result<()> {
    let task = &current.task;
    match task.status {
        TaskStatus::ReportedDone => {}
        TaskStatus::Completed => return Err(frozen()),
        _ => {
            return Err(Error::field(
                "completed_on",
                "not_done",
                Msg::CompletedOnNotDone,
            ));
        }
    }
    let reported = task.reported_on.unwrap_or(day);
    if day > reported {
        return Err(Error::field(
            "completed_on",
            "after_report",
            Msg::CompletedAfterReport { reported },
        ));
    }
    let declared = (day < reported).then_some(day);
    if declared == task.declared_completed_on {
        return Ok(());
    }
    policy::require(actor, Action::UpdateTaskProgress, Some(&current.scope))?;
    plan.after.declared_completed_on = declared;
    plan.history.push(
        Change::new(task.id, Some(actor.user_id), action::UPDATED).field(
            "declared_completed_on",
            date_text(task.declared_completed_on),
            date_text(declared),
        ),
    );
    Ok(())
}

/// A leader's direct change of the due date.
pub(super) fn plan_deadline(
    plan: &mut Plan,
    current: &Current,
    request: &Request,
    actor: &Principal,
) -> Result<()> {
    let task = &current.task;
    let Some(day) = request.due_date.filter(|d| *d != task.due_date) else {
        return Ok(());
    };
    policy::require(actor, Action::EditTask, Some(&current.scope))?;
    if !plan.after.status.is_open() {
        return Err(Error::Conflict(Msg::DueDateFrozen {
            status: plan.after.status.label_arg().lower(),
        }));
    }
    plan.after.due_date = day;
    let who = Some(actor.user_id);
    if day > task.due_date {
        let reason = if request.note.trim().is_empty() {
            "Lãnh đạo điều chỉnh thời hạn trực tiếp".to_string()
        } else {
            request.note.clone()
        };
        plan.effects.push(Effect::RecordExtension {
            previous: task.due_date,
            granted: day,
            reason,
        });
        plan.history.push(
            Change::new(task.id, who, action::EXTENSION_APPROVED)
                .field("due_date", task.due_date, day)
                .note(request.note.clone()),
        );
    } else {
        plan.history.push(
            Change::new(task.id, who, action::UPDATED)
                .field("due_date", task.due_date, day)
                .note(request.note.clone()),
        );
    }
    Ok(())
}

/// Title, description, field, departments and leader: a leader's edits.
pub(super) fn plan_definition(
    plan: &mut Plan,
    current: &Current,
    request: &Request,
    actor: &Principal,
) -> Result<()> {
    let task = &current.task;
    let who = Some(actor.user_id);
    let id = task.id;
    let mut edited = Vec::new();
    if let Some(t) = request.title.as_ref().filter(|t| **t != task.title) {
        edited.push(Change::new(id, who, action::UPDATED).field("title", &task.title, t));
        plan.after.title = t.clone();
        plan.after.search_text = crate::domain::text::fold(&format!("{} {}", task.code, t));
    }
    if let Some(d) = request
        .description
        .as_ref()
        .filter(|d| **d != task.description)
    {
        edited.push(Change::new(id, who, action::UPDATED).field(
            "description",
            &task.description,
            d,
        ));
        plan.after.description = d.clone();
    }
    if let Some(f) = request
        .field_code
        .as_ref()
        .filter(|f| **f != task.field_code)
    {
        edited.push(Change::new(id, who, action::UPDATED).field("field", &task.field_code, f));
        plan.after.field_code = f.clone();
    }
    if let Some(lead) = request
        .lead
        .as_ref()
        .filter(|l| l.id != task.lead_department_id)
    {
        edited.push(Change::new(id, who, action::UPDATED).field(
            "lead_department",
            &current.lead.name,
            &lead.name,
        ));
        plan.after.lead_department_id = lead.id;
    }
    if let Some(leader) = request
        .leader
        .as_ref()
        .filter(|l| l.as_ref().map(|n| n.id) != task.leader_in_charge_id)
    {
        let name = |n: Option<&Named>| n.map(|n| n.name.clone()).unwrap_or_default();
        edited.push(Change::new(id, who, action::UPDATED).field(
            "leader_in_charge",
            name(current.leader.as_ref()),
            name(leader.as_ref()),
        ));
        plan.after.leader_in_charge_id = leader.as_ref().map(|n| n.id);
    }
    if let Some(list) = &request.coordinators {
        let lead_id = plan.after.lead_department_id;
        let mut wanted: Vec<&Named> = list.iter().filter(|n| n.id != lead_id).collect();
        wanted.sort_by_key(|n| n.id);
        wanted.dedup_by_key(|n| n.id);
        let mut old: Vec<&Named> = current.coordinators.iter().collect();
        old.sort_by_key(|n| n.id);
        let ids = |v: &[&Named]| v.iter().map(|n| n.id).collect::<Vec<_>>();
        if ids(&old) != ids(&wanted) {
            let names = |v: &[&Named]| {
                let mut names: Vec<&str> = v.iter().map(|n| n.name.as_str()).collect();
                names.sort_unstable();
                names.join(", ")
            };
            edited.push(Change::new(id, who, action::UPDATED).field(
                "coordinating_departments",
                names(&old),
                names(&wanted),
            ));
            plan.coordinators = Some(ids(&wanted));
        }
    }
    if !edited.is_empty() {
        policy::require(actor, Action::EditTask, Some(&current.scope))?;
        plan.history.extend(edited);
    }
    Ok(())
}
