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

fn date_text(day: Option<NaiveDate>) -> String {
    day.map(|d| d.to_string()).unwrap_or_default()
}

fn frozen() -> Error {
    Error::Conflict(Msg::CompletionFrozen)
}

/// Plans a PATCH of a task.
pub fn plan_update(
    current: &Current,
    request: &Request,
    actor: &Principal,
    today: NaiveDate,
) -> Result<Plan> {
    let task = &current.task;
    let scope = &current.scope;
    let mut plan = Plan::start(current);
    let who = Some(actor.user_id);
    let id = task.id;

    if let Some(day) = request.completed_on {
        check_declared_day(current, day, today)?;
    }

    // Status.
    let status_changes = request.status.filter(|s| *s != task.status);
    if let Some(target) = status_changes {
        let from = task.status;
        let history_action = transition(actor, scope, from, target)?;
        let mut status_note = request.note.clone();
        match target {
            TaskStatus::ReportedDone | TaskStatus::Completed if from.is_open() => {
                let report = request
                    .result_note
                    .clone()
                    .filter(|n| !n.trim().is_empty())
                    .or_else(|| Some(request.note.clone()).filter(|n| !n.trim().is_empty()))
                    .or_else(|| task.result_note.clone().filter(|n| !n.trim().is_empty()))
                    .ok_or_else(|| {
                        Error::field("result_note", "required", Msg::ResultNoteRequired)
                    })?;
                record_report(&mut plan, current, request, actor, today, target)?;
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
                clear_completion(&mut plan, current, who);
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
            Change::new(id, who, history_action)
                .field("status", from, target)
                .note(status_note),
        );
    } else if let Some(day) = request.completed_on {
        declare_completion_day(&mut plan, current, actor, day)?;
    }

    // Progress.
    if let Some(p) = request.progress
        && p != task.progress
        && status_changes.is_none_or(|s| !s.is_done())
    {
        if task.status.is_done() {
            return Err(Error::field(
                "progress",
                "already_done",
                Msg::ProgressAfterDone,
            ));
        }
        policy::require(actor, Action::UpdateTaskProgress, Some(scope))?;
        plan.after.progress = p;
        plan.history
            .push(Change::new(id, who, action::UPDATED).field("progress", task.progress, p));
        // Starting work moves a task out of "not started" by itself.
        if task.status == TaskStatus::NotStarted && status_changes.is_none() && p > 0 {
            plan.after.status = TaskStatus::InProgress;
            plan.history
                .push(Change::new(id, who, action::UPDATED).field(
                    "status",
                    TaskStatus::NotStarted,
                    TaskStatus::InProgress,
                ));
        }
    }

    // The result written on a task, outside a report.
    if let Some(text) = &request.result_note
        && Some(text) != task.result_note.as_ref()
        && status_changes.is_none()
        && !(text.is_empty() && task.result_note.is_none())
    {
        if task.status == TaskStatus::Completed {
            return Err(frozen());
        }
        policy::require(actor, Action::UpdateTaskProgress, Some(scope))?;
        plan.after.result_note = Some(text.clone()).filter(|t| !t.is_empty());
        plan.history
            .push(Change::new(id, who, action::UPDATED).field(
                "result_note",
                task.result_note.clone().unwrap_or_default(),
                text,
            ));
    }

    plan_deadline(&mut plan, current, request, actor)?;
    plan_definition(&mut plan, current, request, actor)?;

    // The note goes with the first change, or is the change.
    let note = request.note.trim();
    if !note.is_empty() {
        policy::require(actor, Action::AddTaskNote, Some(scope))?;
        if plan.history.is_empty() {
            plan.history
                .push(Change::new(id, who, action::NOTE).note(request.note.clone()));
        } else if !plan.history.iter().any(|c| c.note.is_some())
            && let Some(first) = plan.history.first_mut()
        {
            first.note = Some(request.note.clone());
        }
    }
    Ok(plan)
}

/// The completion day a department may declare: not before the task
/// existed, not after today (nor after the report, checked where it applies).
fn check_declared_day(current: &Current, day: NaiveDate, today: NaiveDate) -> Result<()> {
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
fn record_report(
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
fn accept_declared_day(
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
fn clear_completion(plan: &mut Plan, current: &Current, who: Option<i64>) {
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
fn declare_completion_day(
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
fn plan_deadline(
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
fn plan_definition(
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

#[cfg(test)]
mod tests {
    //! The workflow's cases, table-tested without a database: each one a
    //! finding of the audit or a rule of the design.
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::{accounts::principal::TokenKind, domain::Role};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    const LEAD: i64 = 10;
    const OTHER: i64 = 20;

    fn user(role: Role, department: Option<i64>) -> Principal {
        Principal {
            user_id: match role {
                Role::Admin => 1,
                Role::Leader => 2,
                Role::Staff => 3,
            },
            username: "u".into(),
            full_name: "U".into(),
            role,
            department_id: department,
            department_code: None,
            token_id: 0,
            token_kind: TokenKind::Api,
            csrf_token: None,
            must_change_password: false,
        }
    }

    fn staff() -> Principal {
        user(Role::Staff, Some(LEAD))
    }

    fn coordinator() -> Principal {
        user(Role::Staff, Some(OTHER))
    }

    fn leader() -> Principal {
        user(Role::Leader, None)
    }

    /// A task created on 5 January, due on 31 March, in `status`.
    fn current(status: TaskStatus) -> Current {
        let created = Utc.with_ymd_and_hms(2026, 1, 5, 2, 0, 0).unwrap();
        let done = status.is_done();
        Current {
            task: task::Model {
                id: 7,
                programme_id: 1,
                code: "T-1".into(),
                title: "Nhiệm vụ".into(),
                description: String::new(),
                search_text: String::new(),
                field_code: "finance".into(),
                lead_department_id: LEAD,
                leader_in_charge_id: None,
                source_document_id: None,
                due_date: d(2026, 3, 31),
                original_due_date: d(2026, 3, 31),
                status,
                progress: if done { 100 } else { 40 },
                completed_on: done.then(|| d(2026, 3, 15)),
                reported_on: done.then(|| d(2026, 3, 15)),
                declared_completed_on: None,
                result_note: Some("Đã xong".into()),
                version: 3,
                created_at: created,
                updated_at: created,
            },
            scope: TaskScope {
                lead_department_id: LEAD,
                coordinating_department_ids: vec![OTHER],
            },
            created_on: d(2026, 1, 5),
            lead: Named {
                id: LEAD,
                name: "TCKH".into(),
            },
            coordinators: vec![Named {
                id: OTHER,
                name: "TNMT".into(),
            }],
            leader: None,
        }
    }

    fn report(completed_on: Option<NaiveDate>) -> Request {
        Request {
            status: Some(TaskStatus::ReportedDone),
            result_note: Some("Đã ban hành kế hoạch".into()),
            completed_on,
            ..Default::default()
        }
    }

    fn actions(plan: &Plan) -> Vec<&str> {
        plan.history.iter().map(|c| c.action).collect()
    }

    fn is_conflict(r: Result<Plan>) -> bool {
        matches!(r, Err(Error::Conflict(_)))
    }

    fn field_error(r: Result<Plan>) -> Option<String> {
        match r {
            Err(Error::Validation(errors)) => errors.first().map(|e| e.field.clone()),
            _ => None,
        }
    }

    #[test]
    fn the_day_that_counts_is_the_day_of_the_report_not_the_day_typed() {
        // Finding 4: reported on 15/03 saying 09/02 — it counts on 15/03 until a leader agrees.
        let today = d(2026, 3, 15);
        let plan = plan_update(
            &current(TaskStatus::InProgress),
            &report(Some(d(2026, 2, 9))),
            &staff(),
            today,
        )
        .unwrap();
        assert_eq!(plan.after.status, TaskStatus::ReportedDone);
        assert_eq!(plan.after.reported_on, Some(today));
        assert_eq!(plan.after.completed_on, Some(today));
        assert_eq!(plan.after.declared_completed_on, Some(d(2026, 2, 9)));
        assert_eq!(plan.after.progress, 100);
        assert!(actions(&plan).contains(&action::REPORTED_DONE));
    }

    #[test]
    fn a_declared_day_before_the_task_existed_or_after_today_is_refused() {
        let today = d(2026, 3, 15);
        for day in [d(2026, 1, 4), d(2026, 3, 16)] {
            let r = plan_update(
                &current(TaskStatus::InProgress),
                &report(Some(day)),
                &staff(),
                today,
            );
            assert_eq!(field_error(r).as_deref(), Some("completed_on"), "{day}");
        }
        // The first day of the task is fine.
        assert!(
            plan_update(
                &current(TaskStatus::InProgress),
                &report(Some(d(2026, 1, 5))),
                &staff(),
                today
            )
            .is_ok()
        );
    }

    #[test]
    fn a_leader_accepts_a_declared_day_with_a_reason_and_it_is_in_the_history() {
        let mut reported = current(TaskStatus::ReportedDone);
        reported.task.declared_completed_on = Some(d(2026, 3, 1));
        let without_reason = Decision {
            accept: true,
            accept_completed_on: true,
            note: String::new(),
        };
        assert_eq!(
            field_error(plan_confirm(&reported, &without_reason, &leader())).as_deref(),
            Some("note")
        );
        let decision = Decision {
            note: "Biên bản nghiệm thu ngày 01/3".into(),
            ..without_reason
        };
        let plan = plan_confirm(&reported, &decision, &leader()).unwrap();
        assert_eq!(plan.after.status, TaskStatus::Completed);
        assert_eq!(plan.after.completed_on, Some(d(2026, 3, 1)));
        assert_eq!(plan.after.reported_on, Some(d(2026, 3, 15)));
        let accepted = plan
            .history
            .iter()
            .find(|c| c.action == action::COMPLETION_DAY_ACCEPTED)
            .unwrap();
        assert_eq!(accepted.actor_id, Some(2));
        assert_eq!(
            accepted.note.as_deref(),
            Some("Biên bản nghiệm thu ngày 01/3")
        );
        // Nothing declared: nothing to accept.
        let plain = current(TaskStatus::ReportedDone);
        assert!(is_conflict(plan_confirm(&plain, &decision, &leader())));
        // Confirming without accepting keeps the report day.
        let plan = plan_confirm(
            &reported,
            &Decision {
                accept: true,
                ..Default::default()
            },
            &leader(),
        )
        .unwrap();
        assert_eq!(plan.after.completed_on, Some(d(2026, 3, 15)));
        assert_eq!(plan.effects, vec![Effect::Recur]);
    }

    #[test]
    fn staff_cannot_confirm_or_accept_their_own_day() {
        let reported = current(TaskStatus::ReportedDone);
        let r = plan_confirm(
            &reported,
            &Decision {
                accept: true,
                ..Default::default()
            },
            &staff(),
        );
        assert!(matches!(r, Err(Error::Forbidden(_))));
    }

    #[test]
    fn once_confirmed_the_completion_facts_are_frozen() {
        let done = current(TaskStatus::Completed);
        let today = d(2026, 4, 2);
        // Finding 4: staff change the date after a leader confirmed.
        let change_day = Request {
            completed_on: Some(d(2026, 3, 1)),
            ..Default::default()
        };
        assert!(is_conflict(plan_update(
            &done,
            &change_day,
            &staff(),
            today
        )));
        assert!(is_conflict(plan_update(
            &done,
            &change_day,
            &leader(),
            today
        )));
        let change_result = Request {
            result_note: Some("Viết lại".into()),
            ..Default::default()
        };
        assert!(is_conflict(plan_update(
            &done,
            &change_result,
            &staff(),
            today
        )));
        // Finding 3: a leader moves the due date after the fact.
        let later = Request {
            due_date: Some(d(2026, 4, 30)),
            ..Default::default()
        };
        assert!(is_conflict(plan_update(&done, &later, &leader(), today)));
        assert!(is_conflict(plan_update(
            &current(TaskStatus::ReportedDone),
            &later,
            &leader(),
            today
        )));
    }

    #[test]
    fn only_a_leaders_reopen_with_a_reason_unfreezes_them() {
        let done = current(TaskStatus::Completed);
        let today = d(2026, 4, 2);
        let reopen = Request {
            status: Some(TaskStatus::InProgress),
            ..Default::default()
        };
        assert_eq!(
            field_error(plan_update(&done, &reopen, &leader(), today)).as_deref(),
            Some("note")
        );
        assert!(matches!(
            plan_update(
                &done,
                &Request {
                    note: "Thanh tra yêu cầu làm lại".into(),
                    ..reopen.clone()
                },
                &staff(),
                today
            ),
            Err(Error::Forbidden(_))
        ));
        let plan = plan_update(
            &done,
            &Request {
                note: "Thanh tra yêu cầu làm lại".into(),
                ..reopen
            },
            &leader(),
            today,
        )
        .unwrap();
        assert_eq!(plan.after.status, TaskStatus::InProgress);
        assert_eq!(
            (
                plan.after.reported_on,
                plan.after.completed_on,
                plan.after.declared_completed_on
            ),
            (None, None, None)
        );
        assert!(actions(&plan).contains(&action::REOPENED));
    }

    #[test]
    fn a_leader_moving_an_open_deadline_later_grants_an_extension_and_keeps_the_original() {
        let open = current(TaskStatus::InProgress);
        let plan = plan_update(
            &open,
            &Request {
                due_date: Some(d(2026, 4, 30)),
                note: "Chờ ý kiến Sở".into(),
                ..Default::default()
            },
            &leader(),
            d(2026, 3, 20),
        )
        .unwrap();
        assert_eq!(plan.after.due_date, d(2026, 4, 30));
        assert_eq!(plan.after.original_due_date, d(2026, 3, 31));
        assert_eq!(actions(&plan), vec![action::EXTENSION_APPROVED]);
        assert_eq!(
            plan.effects,
            vec![Effect::RecordExtension {
                previous: d(2026, 3, 31),
                granted: d(2026, 4, 30),
                reason: "Chờ ý kiến Sở".into(),
            }]
        );
        // Earlier: a change of deadline, not an extension.
        let plan = plan_update(
            &open,
            &Request {
                due_date: Some(d(2026, 3, 20)),
                ..Default::default()
            },
            &leader(),
            d(2026, 3, 1),
        )
        .unwrap();
        assert_eq!(actions(&plan), vec![action::UPDATED]);
        assert!(plan.effects.is_empty());
    }

    #[test]
    fn permission_is_checked_on_what_changes_not_on_what_is_sent() {
        let open = current(TaskStatus::InProgress);
        let today = d(2026, 3, 20);
        // The whole task sent back unchanged by staff: no right needed, nothing written.
        let echo = Request {
            due_date: Some(d(2026, 3, 31)),
            title: Some("Nhiệm vụ".into()),
            field_code: Some("finance".into()),
            lead: Some(Named {
                id: LEAD,
                name: "TCKH".into(),
            }),
            progress: Some(40),
            ..Default::default()
        };
        assert!(
            plan_update(&open, &echo, &staff(), today)
                .unwrap()
                .changes_nothing()
        );
        // The same with a real change of deadline: refused.
        let moved = Request {
            due_date: Some(d(2026, 4, 30)),
            ..echo.clone()
        };
        assert!(matches!(
            plan_update(&open, &moved, &staff(), today),
            Err(Error::Forbidden(_))
        ));
        // A coordinating department may add a note but not move progress.
        assert!(
            plan_update(
                &open,
                &Request {
                    note: "Đã gửi số liệu".into(),
                    ..Default::default()
                },
                &coordinator(),
                today
            )
            .is_ok()
        );
        assert!(matches!(
            plan_update(
                &open,
                &Request {
                    progress: Some(60),
                    ..Default::default()
                },
                &coordinator(),
                today
            ),
            Err(Error::Forbidden(_))
        ));
    }

    #[test]
    fn a_department_may_change_its_declared_day_until_a_leader_decides() {
        let mut reported = current(TaskStatus::ReportedDone);
        reported.task.declared_completed_on = Some(d(2026, 3, 1));
        let today = d(2026, 3, 16);
        let plan = plan_update(
            &reported,
            &Request {
                completed_on: Some(d(2026, 3, 10)),
                ..Default::default()
            },
            &staff(),
            today,
        )
        .unwrap();
        assert_eq!(plan.after.declared_completed_on, Some(d(2026, 3, 10)));
        assert_eq!(
            plan.after.completed_on,
            Some(d(2026, 3, 15)),
            "still the report day"
        );
        // Not after the report.
        let r = plan_update(
            &reported,
            &Request {
                completed_on: Some(d(2026, 3, 16)),
                ..Default::default()
            },
            &staff(),
            today,
        );
        assert_eq!(field_error(r).as_deref(), Some("completed_on"));
    }

    #[test]
    fn a_leader_recording_completion_directly_accepts_an_earlier_day_only_with_a_reason() {
        let open = current(TaskStatus::InProgress);
        let today = d(2026, 4, 10);
        let direct = Request {
            status: Some(TaskStatus::Completed),
            result_note: Some("Đã hoàn thành".into()),
            completed_on: Some(d(2026, 3, 30)),
            ..Default::default()
        };
        assert_eq!(
            field_error(plan_update(&open, &direct, &leader(), today)).as_deref(),
            Some("note")
        );
        let plan = plan_update(
            &open,
            &Request {
                note: "Theo biên bản bàn giao ngày 30/3".into(),
                ..direct
            },
            &leader(),
            today,
        )
        .unwrap();
        assert_eq!(plan.after.completed_on, Some(d(2026, 3, 30)));
        assert_eq!(plan.after.reported_on, Some(today));
        assert!(plan.effects.contains(&Effect::Recur));
        assert!(
            plan.effects
                .contains(&Effect::WithdrawPendingExtensions(TaskStatus::Completed))
        );
    }

    #[test]
    fn returning_a_report_clears_the_completion_facts() {
        let mut reported = current(TaskStatus::ReportedDone);
        reported.task.declared_completed_on = Some(d(2026, 3, 1));
        let plan = plan_confirm(
            &reported,
            &Decision {
                accept: false,
                accept_completed_on: false,
                note: "Thiếu biên bản".into(),
            },
            &leader(),
        )
        .unwrap();
        assert_eq!(plan.after.status, TaskStatus::InProgress);
        assert_eq!(
            (
                plan.after.reported_on,
                plan.after.completed_on,
                plan.after.declared_completed_on
            ),
            (None, None, None)
        );
    }
}
