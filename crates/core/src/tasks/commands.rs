//! Changing tasks. Each command is one use case in one transaction: check
//! the permission policy, validate, apply, bump the version, and write the
//! history in the same transaction — or change nothing at all.

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    Set,
};

use crate::{
    Clock,
    accounts::policy::{self, Action, TaskScope},
    accounts::principal::Principal,
    db::{self, Db},
    domain::{ExtensionState, Progress, TaskStatus, Title, parse_date, parse_note, text::fold},
    entity::{extension_request, task, task_coordinator, user},
    error::{Error, FieldError, Result},
    messages::{Lang, Msg},
    org::departments::{self, collect},
    tasks::history::{self, Change, action},
    tasks::{
        access::{load_for, scope},
        creation::{MAX_NOTE, MAX_TITLE, resolve_departments, resolve_field, resolve_leader},
    },
};

/// A partial update of a task. `None` leaves a value as it is.
#[derive(Debug, Clone, Default)]
pub struct TaskPatch {
    pub status: Option<String>,
    pub progress: Option<i64>,
    pub note: Option<String>,
    pub completed_on: Option<String>,
    pub result_note: Option<String>,
    pub due_date: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub field: Option<String>,
    pub lead_department: Option<String>,
    pub coordinating_departments: Option<Vec<String>>,
    /// `Some("")` clears the leader in charge.
    pub leader_in_charge: Option<String>,
    /// The version the change is based on (`If-Match` or the body's `version`).
    pub expected_version: Option<i32>,
}

impl TaskPatch {
    fn touches_progress(&self) -> bool {
        self.status.is_some()
            || self.progress.is_some()
            || self.completed_on.is_some()
            || self.result_note.is_some()
    }

    fn touches_definition(&self) -> bool {
        self.due_date.is_some()
            || self.title.is_some()
            || self.description.is_some()
            || self.field.is_some()
            || self.lead_department.is_some()
            || self.coordinating_departments.is_some()
            || self.leader_in_charge.is_some()
    }

    fn is_empty(&self) -> bool {
        !self.touches_progress()
            && !self.touches_definition()
            && self.note.as_deref().is_none_or(|n| n.trim().is_empty())
    }
}

/// Applies a PATCH: the permission check depends on what it touches.
pub async fn update(
    db: &Db,
    clock: &Clock,
    user: &Principal,
    task_id: i64,
    patch: TaskPatch,
) -> Result<()> {
    let txn = db::begin_write(db).await?;
    let Some(current) = task::Entity::find_by_id(task_id).one(&txn).await? else {
        return Err(Error::NotFound(Msg::NotFoundTask { id: task_id }));
    };
    let scope = scope(&txn, &current).await?;
    policy::require(user, Action::ReadTask, Some(&scope))?;
    if patch.touches_definition() {
        policy::require(user, Action::EditTask, Some(&scope))?;
    }
    if patch.touches_progress() {
        policy::require(user, Action::UpdateTaskProgress, Some(&scope))?;
    }
    if patch.note.is_some() {
        policy::require(user, Action::AddTaskNote, Some(&scope))?;
    }
    if patch.is_empty() {
        return Err(Error::field("", "empty_update", Msg::EmptyUpdate));
    }
    check_version(&current, patch.expected_version)?;

    let today = clock.today();
    let now = clock.now();
    let mut errors: Vec<FieldError> = Vec::new();
    let note = collect(
        &mut errors,
        parse_note("note", patch.note.as_deref().unwrap_or(""), MAX_NOTE),
    )
    .unwrap_or_default();
    let new_status = collect(
        &mut errors,
        patch
            .status
            .as_deref()
            .map(str::parse::<TaskStatus>)
            .transpose(),
    )
    .flatten();
    let new_progress = collect(
        &mut errors,
        patch
            .progress
            .map(|p| Progress::parse("progress", p))
            .transpose(),
    )
    .flatten();
    let completed_on = collect(
        &mut errors,
        patch
            .completed_on
            .as_deref()
            .filter(|d| !d.trim().is_empty())
            .map(|d| parse_date("completed_on", d))
            .transpose(),
    )
    .flatten();
    let result_note = collect(
        &mut errors,
        patch
            .result_note
            .as_deref()
            .map(|n| parse_note("result_note", n, MAX_NOTE))
            .transpose(),
    )
    .flatten();
    let due_date = collect(
        &mut errors,
        patch
            .due_date
            .as_deref()
            .map(|d| parse_date("due_date", d))
            .transpose(),
    )
    .flatten();
    let title = collect(
        &mut errors,
        patch
            .title
            .as_deref()
            .map(|t| Title::parse("title", t, MAX_TITLE))
            .transpose(),
    )
    .flatten();
    let description = collect(
        &mut errors,
        patch
            .description
            .as_deref()
            .map(|d| parse_note("description", d, MAX_NOTE))
            .transpose(),
    )
    .flatten();
    let field_code = match &patch.field {
        Some(f) => collect(&mut errors, resolve_field(&txn, "field", f).await),
        None => None,
    };
    let lead = match &patch.lead_department {
        Some(code) => match departments::resolve(&txn, code).await? {
            Some(d) => Some(d),
            None => {
                errors.push(FieldError::new(
                    "lead_department",
                    "unknown",
                    Msg::UnknownDepartment {
                        code: code.trim().to_string(),
                    },
                ));
                None
            }
        },
        None => None,
    };
    let coordinators = match &patch.coordinating_departments {
        Some(list) => {
            Some(resolve_departments(&txn, &mut errors, "coordinating_departments", list).await?)
        }
        None => None,
    };
    let leader = match &patch.leader_in_charge {
        Some(raw) => collect(
            &mut errors,
            resolve_leader(&txn, "leader_in_charge", raw).await,
        )
        .map(|l| l.map(|u| u.id)),
        None => None,
    };
    if let Some(day) = completed_on
        && day > today
    {
        errors.push(FieldError::new(
            "completed_on",
            "in_future",
            Msg::CompletedInFuture,
        ));
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }

    let mut active: task::ActiveModel = current.clone().into();
    let mut changes: Vec<Change> = Vec::new();
    let actor = Some(user.user_id);

    // Status workflow.
    if let Some(target) = new_status
        && target != current.status
    {
        let from = current.status;
        let history_action = transition(user, &scope, from, target)?;
        // The history of a completion report carries its result.
        let mut status_note = note.clone();
        match target {
            TaskStatus::ReportedDone | TaskStatus::Completed => {
                // The result: what was sent now, else the note, else the
                // result already written on the task.
                let report = result_note
                    .clone()
                    .filter(|n| !n.is_empty())
                    .or_else(|| Some(note.clone()).filter(|n| !n.is_empty()))
                    .or_else(|| current.result_note.clone().filter(|n| !n.trim().is_empty()));
                if report.is_none() && from.is_open() {
                    return Err(Error::field(
                        "result_note",
                        "required",
                        Msg::ResultNoteRequired,
                    ));
                }
                if from.is_open() {
                    let day = completed_on.unwrap_or(today);
                    active.completed_on = Set(Some(day));
                    changes.push(Change::new(task_id, actor, action::UPDATED).field(
                        "completed_on",
                        fmt_opt_date(current.completed_on),
                        day,
                    ));
                    if let Some(report) = report {
                        active.result_note = Set(Some(report.clone()));
                        if status_note.is_empty() {
                            status_note = report;
                        } else if report != status_note {
                            status_note = format!("{report}\n{status_note}");
                        }
                    }
                    active.progress = Set(100);
                    if current.progress != 100 {
                        changes.push(Change::new(task_id, actor, action::UPDATED).field(
                            "progress",
                            current.progress,
                            100,
                        ));
                    }
                }
            }
            TaskStatus::InProgress | TaskStatus::NotStarted => {
                active.completed_on = Set(None);
            }
            TaskStatus::Cancelled => {}
        }
        active.status = Set(target);
        changes.push(
            Change::new(task_id, actor, history_action)
                .field("status", from, target)
                .note(status_note),
        );
    } else if let Some(day) = completed_on {
        if !current.status.is_done() {
            return Err(Error::field(
                "completed_on",
                "not_done",
                Msg::CompletedOnNotDone,
            ));
        }
        if current.completed_on != Some(day) {
            active.completed_on = Set(Some(day));
            changes.push(Change::new(task_id, actor, action::UPDATED).field(
                "completed_on",
                fmt_opt_date(current.completed_on),
                day,
            ));
        }
    }
    if let Some(p) = new_progress
        && p.value() != current.progress
        && new_status.is_none_or(|s| !s.is_done())
    {
        if current.status.is_done() {
            return Err(Error::field(
                "progress",
                "already_done",
                Msg::ProgressAfterDone,
            ));
        }
        active.progress = Set(p.value());
        changes.push(Change::new(task_id, actor, action::UPDATED).field(
            "progress",
            current.progress,
            p.value(),
        ));
        // Starting work moves a task out of "not started" by itself.
        if current.status == TaskStatus::NotStarted && new_status.is_none() && p.value() > 0 {
            active.status = Set(TaskStatus::InProgress);
            changes.push(Change::new(task_id, actor, action::UPDATED).field(
                "status",
                TaskStatus::NotStarted,
                TaskStatus::InProgress,
            ));
        }
    }
    if let Some(text) = result_note
        && Some(&text) != current.result_note.as_ref()
        && !changes.iter().any(|c| c.field == Some("status"))
    {
        active.result_note = Set(Some(text.clone()).filter(|t| !t.is_empty()));
        changes.push(Change::new(task_id, actor, action::UPDATED).field(
            "result_note",
            current.result_note.clone().unwrap_or_default(),
            text,
        ));
    }

    // Definition (leader / admin).
    if let Some(day) = due_date
        && day != current.due_date
    {
        active.due_date = Set(day);
        changes.push(
            Change::new(task_id, actor, action::UPDATED)
                .field("due_date", current.due_date, day)
                .note(note.clone()),
        );
    }
    if let Some(t) = title
        && t.as_str() != current.title
    {
        active.search_text = Set(fold(&format!("{} {}", current.code, t)));
        changes.push(Change::new(task_id, actor, action::UPDATED).field(
            "title",
            &current.title,
            t.as_str(),
        ));
        active.title = Set(t.into_inner());
    }
    if let Some(d) = description
        && d != current.description
    {
        changes.push(Change::new(task_id, actor, action::UPDATED).field(
            "description",
            &current.description,
            &d,
        ));
        active.description = Set(d);
    }
    if let Some(f) = field_code
        && f != current.field_code
    {
        changes.push(Change::new(task_id, actor, action::UPDATED).field(
            "field",
            &current.field_code,
            &f,
        ));
        active.field_code = Set(f);
    }
    if let Some(l) = &lead
        && l.id != current.lead_department_id
    {
        let old = departments_code(&txn, current.lead_department_id).await?;
        changes.push(Change::new(task_id, actor, action::UPDATED).field(
            "lead_department",
            old,
            &l.code,
        ));
        active.lead_department_id = Set(l.id);
    }
    if let Some(leader_id) = leader
        && leader_id != current.leader_in_charge_id
    {
        let old = username_of(&txn, current.leader_in_charge_id).await?;
        let new = username_of(&txn, leader_id).await?;
        changes.push(Change::new(task_id, actor, action::UPDATED).field(
            "leader_in_charge",
            old,
            new,
        ));
        active.leader_in_charge_id = Set(leader_id);
    }
    if let Some(mut ids) = coordinators {
        let lead_id = lead
            .as_ref()
            .map(|l| l.id)
            .unwrap_or(current.lead_department_id);
        ids.retain(|id| *id != lead_id);
        let mut old = scope.coordinating_department_ids.clone();
        old.sort_unstable();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        if old != sorted {
            task_coordinator::Entity::delete_many()
                .filter(task_coordinator::Column::TaskId.eq(task_id))
                .exec(&txn)
                .await?;
            for id in &ids {
                task_coordinator::ActiveModel {
                    task_id: Set(task_id),
                    department_id: Set(*id),
                }
                .insert(&txn)
                .await?;
            }
            changes.push(Change::new(task_id, actor, action::UPDATED).field(
                "coordinating_departments",
                codes_of(&txn, &old).await?,
                codes_of(&txn, &sorted).await?,
            ));
        }
    }

    if changes.is_empty() {
        if note.is_empty() {
            // Nothing differs from what is stored: not an error, nothing written.
            return Ok(());
        }
        changes.push(Change::new(task_id, actor, action::NOTE).note(note.clone()));
    } else if !note.is_empty()
        && !changes.iter().any(|c| c.note.is_some())
        && let Some(first) = changes.first_mut()
    {
        first.note = Some(note.clone());
    }

    bump_and_save(&txn, active, current.version, now).await?;
    for change in changes {
        history::record(&txn, now, change).await?;
    }
    if let Some(target) = new_status
        && current.status.is_open()
        && !target.is_open()
    {
        withdraw_pending_extensions(&txn, now, task_id, Some(user.user_id), target).await?;
    }
    if new_status == Some(TaskStatus::Completed) && current.status != TaskStatus::Completed {
        crate::tasks::recurrence::on_completed(&txn, clock, Some(user.user_id), &current).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// A task that is done or cancelled needs no later deadline: its pending
/// extension request is closed (withdrawn), in the history, so it does not
/// linger in the leaders' list.
async fn withdraw_pending_extensions<C: ConnectionTrait>(
    db: &C,
    now: chrono::DateTime<chrono::Utc>,
    task_id: i64,
    actor: Option<i64>,
    reason: TaskStatus,
) -> Result<()> {
    let pending = extension_request::Entity::find()
        .filter(extension_request::Column::TaskId.eq(task_id))
        .filter(extension_request::Column::State.eq(ExtensionState::Pending))
        .all(db)
        .await?;
    for request in pending {
        let mut closed: extension_request::ActiveModel = request.into();
        closed.state = Set(ExtensionState::Withdrawn);
        closed.decided_at = Set(Some(now));
        closed.decision_note = Set(Some(format!(
            "Tự đóng: nhiệm vụ {}",
            // Stored with the request, so in the product's language.
            reason.label(Lang::Vi).to_lowercase()
        )));
        closed.update(db).await?;
        history::record(
            db,
            now,
            Change::new(task_id, actor, action::EXTENSION_WITHDRAWN)
                .note("Đề nghị gia hạn tự đóng vì nhiệm vụ không còn mở"),
        )
        .await?;
    }
    Ok(())
}

fn fmt_opt_date(day: Option<NaiveDate>) -> String {
    day.map(|d| d.to_string()).unwrap_or_default()
}

async fn departments_code<C: ConnectionTrait>(db: &C, id: i64) -> Result<String> {
    Ok(crate::entity::department::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(|d| d.code)
        .unwrap_or_default())
}

async fn codes_of<C: ConnectionTrait>(db: &C, ids: &[i64]) -> Result<String> {
    let mut codes = Vec::new();
    for id in ids {
        codes.push(departments_code(db, *id).await?);
    }
    codes.sort();
    Ok(codes.join(", "))
}

async fn username_of<C: ConnectionTrait>(db: &C, id: Option<i64>) -> Result<String> {
    Ok(match id {
        Some(id) => user::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|u| u.username)
            .unwrap_or_default(),
        None => String::new(),
    })
}

fn check_version(current: &task::Model, expected: Option<i32>) -> Result<()> {
    match expected {
        Some(sent) if sent != current.version => Err(Error::StaleVersion {
            current: current.version,
            sent,
        }),
        _ => Ok(()),
    }
}

/// Saves with optimistic concurrency: the row must still be at `version`
/// (another writer in between makes this a 412, never a lost update).
async fn bump_and_save(
    txn: &DatabaseTransaction,
    mut active: task::ActiveModel,
    version: i32,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    active.version = Set(version + 1);
    active.updated_at = Set(now);
    let id = match &active.id {
        sea_orm::ActiveValue::Set(id) | sea_orm::ActiveValue::Unchanged(id) => *id,
        sea_orm::ActiveValue::NotSet => {
            return Err(Error::Unexpected(anyhow::anyhow!("task without id")));
        }
    };
    let result = task::Entity::update_many()
        .set(active)
        .filter(task::Column::Id.eq(id))
        .filter(task::Column::Version.eq(version))
        .exec(txn)
        .await?;
    if result.rows_affected != 1 {
        let current = task::Entity::find_by_id(id)
            .one(txn)
            .await?
            .map(|t| t.version)
            .unwrap_or(version);
        return Err(Error::StaleVersion {
            current,
            sent: version,
        });
    }
    Ok(())
}

/// Checks a status change against the workflow and the user's rights;
/// returns the history action it records.
fn transition(
    user: &Principal,
    scope: &TaskScope,
    from: TaskStatus,
    to: TaskStatus,
) -> Result<&'static str> {
    use TaskStatus::*;
    let refuse = |why: Msg| Err(Error::Conflict(why));
    match (from, to) {
        (NotStarted, InProgress) | (InProgress, NotStarted) => Ok(action::UPDATED),
        (NotStarted | InProgress, ReportedDone) => Ok(action::REPORTED_DONE),
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

/// A leader's or admin's answer to a reported-done task.
pub async fn confirm(
    db: &Db,
    clock: &Clock,
    user: &Principal,
    task_id: i64,
    accept: bool,
    note: &str,
    expected_version: Option<i32>,
) -> Result<()> {
    let txn = db::begin_write(db).await?;
    let (current, _) = load_for(&txn, user, task_id, Action::ConfirmTask).await?;
    check_version(&current, expected_version)?;
    let note = parse_note("note", note, MAX_NOTE)?;
    if current.status != TaskStatus::ReportedDone {
        return Err(Error::Conflict(Msg::ConfirmNotReported {
            status: current.status.label_arg(),
        }));
    }
    if !accept && note.is_empty() {
        return Err(Error::field("note", "required", Msg::ReturnNeedsReason));
    }
    let now = clock.now();
    let mut active: task::ActiveModel = current.clone().into();
    let (target, history_action) = if accept {
        (TaskStatus::Completed, action::CONFIRMED)
    } else {
        active.completed_on = Set(None);
        (TaskStatus::InProgress, action::RETURNED)
    };
    active.status = Set(target);
    bump_and_save(&txn, active, current.version, now).await?;
    history::record(
        &txn,
        now,
        Change::new(task_id, Some(user.user_id), history_action)
            .field("status", current.status, target)
            .note(note),
    )
    .await?;
    if accept {
        crate::tasks::recurrence::on_completed(&txn, clock, Some(user.user_id), &current).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// The lead department asks for a later due date.
pub async fn request_extension(
    db: &Db,
    clock: &Clock,
    user: &Principal,
    task_id: i64,
    requested_due_date: &str,
    reason: &str,
) -> Result<i64> {
    let txn = db::begin_write(db).await?;
    let (current, _) = load_for(&txn, user, task_id, Action::RequestExtension).await?;
    let mut errors = Vec::new();
    let requested = collect(
        &mut errors,
        parse_date("requested_due_date", requested_due_date),
    );
    let reason = collect(&mut errors, parse_note("reason", reason, MAX_NOTE));
    if reason.as_deref().is_some_and(str::is_empty) {
        errors.push(FieldError::new(
            "reason",
            "required",
            Msg::ExtensionReasonRequired,
        ));
    }
    if let Some(day) = requested
        && day <= current.due_date
    {
        errors.push(FieldError::new(
            "requested_due_date",
            "not_later",
            Msg::ExtensionNotLater {
                due: current.due_date,
            },
        ));
    }
    let (Some(requested), Some(reason)) = (requested, reason) else {
        return Err(Error::Validation(errors));
    };
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    if !current.status.is_open() {
        return Err(Error::Conflict(Msg::ExtensionTaskDone));
    }
    let pending = extension_request::Entity::find()
        .filter(extension_request::Column::TaskId.eq(task_id))
        .filter(extension_request::Column::State.eq(ExtensionState::Pending))
        .one(&txn)
        .await?;
    if pending.is_some() {
        return Err(Error::Conflict(Msg::ExtensionPending));
    }
    let now = clock.now();
    let request = extension_request::ActiveModel {
        task_id: Set(task_id),
        requested_by: Set(user.user_id),
        previous_due_date: Set(current.due_date),
        requested_due_date: Set(requested),
        reason: Set(reason.clone()),
        state: Set(ExtensionState::Pending),
        decided_by: Set(None),
        decided_at: Set(None),
        decision_note: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    history::record(
        &txn,
        now,
        Change::new(task_id, Some(user.user_id), action::EXTENSION_REQUESTED)
            .field("due_date", current.due_date, requested)
            .note(reason),
    )
    .await?;
    txn.commit().await?;
    Ok(request.id)
}

/// A leader approves (moving the due date, keeping the original) or rejects.
pub async fn decide_extension(
    db: &Db,
    clock: &Clock,
    user: &Principal,
    request_id: i64,
    approve: bool,
    note: &str,
) -> Result<i64> {
    policy::require(user, Action::DecideExtension, None)?;
    let txn = db::begin_write(db).await?;
    let Some(request) = extension_request::Entity::find_by_id(request_id)
        .one(&txn)
        .await?
    else {
        return Err(Error::NotFound(Msg::NotFoundExtension { id: request_id }));
    };
    let (current, _) = load_for(&txn, user, request.task_id, Action::DecideExtension).await?;
    if request.state != ExtensionState::Pending {
        return Err(Error::Conflict(Msg::ExtensionDecided {
            state: request.state.label_arg(),
        }));
    }
    // Moving the deadline of work already reported done would rewrite its
    // lateness after the fact: extensions never hide lateness.
    if approve && !current.status.is_open() {
        return Err(Error::Conflict(Msg::ExtensionTaskClosed {
            status: current.status.label_arg().lower(),
        }));
    }
    let note = parse_note("note", note, MAX_NOTE)?;
    if !approve && note.is_empty() {
        return Err(Error::field("note", "required", Msg::RejectNeedsReason));
    }
    let now = clock.now();
    let mut decided: extension_request::ActiveModel = request.clone().into();
    decided.state = Set(if approve {
        ExtensionState::Approved
    } else {
        ExtensionState::Rejected
    });
    decided.decided_by = Set(Some(user.user_id));
    decided.decided_at = Set(Some(now));
    decided.decision_note = Set(Some(note.clone()).filter(|n| !n.is_empty()));
    decided.update(&txn).await?;
    if approve {
        let mut active: task::ActiveModel = current.clone().into();
        active.due_date = Set(request.requested_due_date);
        bump_and_save(&txn, active, current.version, now).await?;
        history::record(
            &txn,
            now,
            Change::new(current.id, Some(user.user_id), action::EXTENSION_APPROVED)
                .field("due_date", current.due_date, request.requested_due_date)
                .note(note),
        )
        .await?;
    } else {
        history::record(
            &txn,
            now,
            Change::new(current.id, Some(user.user_id), action::EXTENSION_REJECTED).note(note),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(current.id)
}
