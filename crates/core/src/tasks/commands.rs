//! Changing tasks. Each command is one use case in one transaction: check
//! the permission policy, validate, apply, bump the version, and write the
//! history in the same transaction — or change nothing at all.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    Set,
};

use crate::{
    Clock,
    accounts::policy::{self, Action},
    accounts::principal::Principal,
    db::{self, Db},
    domain::{ExtensionState, Progress, TaskStatus, Title, parse_date, parse_note},
    entity::{department, extension_request, task, task_coordinator, user},
    error::{Error, FieldError, Result},
    messages::{Lang, Msg},
    org::departments::{self, collect},
    tasks::history::{self, Change, action},
    tasks::{
        access::load_for,
        creation::{MAX_NOTE, MAX_TITLE, resolve_departments, resolve_field, resolve_leader},
        states,
        workflow::{self, Current, Effect, Named, Plan, Request},
    },
};

pub use crate::tasks::workflow::Decision;

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

/// Applies a PATCH: load → plan → save → history → effects, in one
/// transaction. The plan (`workflow::plan_update`) checks the permission of
/// each change it makes.
pub async fn update(
    db: &Db,
    clock: &Clock,
    user: &Principal,
    task_id: i64,
    patch: TaskPatch,
) -> Result<()> {
    let txn = db::begin_write(db).await?;
    if update_in(&txn, clock, user, task_id, patch)
        .await?
        .is_some()
    {
        txn.commit().await?;
    }
    Ok(())
}

/// The history entry a step was recorded as (a report's status change,
/// else its note, else its first change), which its files are tied to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepEntry {
    pub history_id: i64,
    pub action: &'static str,
}

/// `update` inside the caller's transaction (a step that carries files):
/// the step's entry, or `None` when nothing differs from what is stored
/// (not an error; nothing was written).
pub async fn update_in(
    txn: &DatabaseTransaction,
    clock: &Clock,
    user: &Principal,
    task_id: i64,
    patch: TaskPatch,
) -> Result<Option<StepEntry>> {
    let current = load_current(txn, clock, user, task_id).await?;
    if patch.is_empty() {
        return Err(Error::field("", "empty_update", Msg::EmptyUpdate));
    }
    check_version(&current.task, patch.expected_version)?;
    let request = validate_patch(txn, &patch).await?;
    let plan = workflow::plan_update(&current, &request, user, clock.today())?;
    // The step is its status change (a report), else the entry carrying
    // the note, else the first change.
    let Some(step) = plan
        .history
        .iter()
        .position(|c| c.field == Some("status"))
        .or_else(|| plan.history.iter().position(|c| c.note.is_some()))
        .or((!plan.history.is_empty()).then_some(0))
    else {
        return Ok(None);
    };
    let action = plan.history[step].action;
    let ids = save(txn, clock, user, &current, plan).await?;
    Ok(ids
        .get(step)
        .map(|&history_id| StepEntry { history_id, action }))
}

/// Loads a task (refusing who may not read it) with the names its history
/// shows: the lead department's and coordinators' codes, the leader's
/// username, and the office day it was created.
pub async fn load_current<C: ConnectionTrait>(
    db: &C,
    clock: &Clock,
    user: &Principal,
    task_id: i64,
) -> Result<Current> {
    let (task, scope) = load_for(db, user, task_id, Action::ReadTask).await?;
    let mut ids = scope.coordinating_department_ids.clone();
    ids.push(task.lead_department_id);
    let codes: std::collections::HashMap<i64, String> = department::Entity::find()
        .filter(department::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d.code))
        .collect();
    let named = |id: i64| Named {
        id,
        name: codes.get(&id).cloned().unwrap_or_default(),
    };
    let leader = match task.leader_in_charge_id {
        Some(id) => Some(Named {
            id,
            name: user::Entity::find_by_id(id)
                .one(db)
                .await?
                .map(|u| u.username)
                .unwrap_or_default(),
        }),
        None => None,
    };
    Ok(Current {
        created_on: task
            .created_at
            .with_timezone(&clock.timezone())
            .date_naive(),
        lead: named(task.lead_department_id),
        coordinators: scope
            .coordinating_department_ids
            .iter()
            .map(|id| named(*id))
            .collect(),
        leader,
        task,
        scope,
    })
}

/// Parses and resolves every field of a PATCH, reporting every bad field
/// at once.
// Longer than 100 lines: every patchable field's rule in turn, errors collected so the answer names them all.
async fn validate_patch<C: ConnectionTrait>(db: &C, patch: &TaskPatch) -> Result<Request> {
    let mut errors: Vec<FieldError> = Vec::new();
    let note = collect(
        &mut errors,
        parse_note("note", patch.note.as_deref().unwrap_or(""), MAX_NOTE),
    )
    .unwrap_or_default();
    let status = collect(
        &mut errors,
        patch
            .status
            .as_deref()
            .map(str::parse::<TaskStatus>)
            .transpose(),
    )
    .flatten();
    let progress = collect(
        &mut errors,
        patch
            .progress
            .map(|p| Progress::parse("progress", p))
            .transpose(),
    )
    .flatten()
    .map(|p| p.value());
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
    .flatten()
    .map(Title::into_inner);
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
        Some(f) => collect(&mut errors, resolve_field(db, "field", f).await),
        None => None,
    };
    let lead = match &patch.lead_department {
        Some(code) => match departments::resolve(db, code).await? {
            Some(d) => Some(Named {
                id: d.id,
                name: d.code,
            }),
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
            let ids =
                resolve_departments(db, &mut errors, "coordinating_departments", list).await?;
            let codes: std::collections::HashMap<i64, String> = department::Entity::find()
                .filter(department::Column::Id.is_in(ids.clone()))
                .all(db)
                .await?
                .into_iter()
                .map(|d| (d.id, d.code))
                .collect();
            Some(
                ids.into_iter()
                    .map(|id| Named {
                        id,
                        name: codes.get(&id).cloned().unwrap_or_default(),
                    })
                    .collect(),
            )
        }
        None => None,
    };
    let leader = match &patch.leader_in_charge {
        Some(raw) => collect(
            &mut errors,
            resolve_leader(db, "leader_in_charge", raw).await,
        )
        .map(|l| {
            l.map(|u| Named {
                id: u.id,
                name: u.username,
            })
        }),
        None => None,
    };
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    Ok(Request {
        status,
        progress,
        note,
        completed_on,
        result_note,
        due_date,
        title,
        description,
        field_code,
        lead,
        coordinators,
        leader,
    })
}

/// Saves a plan: the task row (optimistic concurrency), its state history,
/// its coordinators, the history entries, then the effects — all in the
/// caller's transaction. Returns the ids of the history entries, in order.
async fn save(
    txn: &DatabaseTransaction,
    clock: &Clock,
    user: &Principal,
    current: &Current,
    plan: Plan,
) -> Result<Vec<i64>> {
    let now = clock.now();
    let task_id = current.task.id;
    let after = bump_and_save(txn, plan.after, current.task.version, now).await?;
    states::record(txn, now, Some(&current.task), &after).await?;
    if let Some(ids) = plan.coordinators {
        task_coordinator::Entity::delete_many()
            .filter(task_coordinator::Column::TaskId.eq(task_id))
            .exec(txn)
            .await?;
        for id in ids {
            task_coordinator::ActiveModel {
                task_id: Set(task_id),
                department_id: Set(id),
            }
            .insert(txn)
            .await?;
        }
    }
    let mut entries = Vec::with_capacity(plan.history.len());
    for change in plan.history {
        entries.push(history::record(txn, now, change).await?);
    }
    for effect in plan.effects {
        match effect {
            Effect::WithdrawPendingExtensions(reason) => {
                withdraw_pending_extensions(txn, now, task_id, Some(user.user_id), reason).await?;
            }
            Effect::RecordExtension {
                previous,
                granted,
                reason,
            } => {
                extension_request::ActiveModel {
                    task_id: Set(task_id),
                    requested_by: Set(user.user_id),
                    previous_due_date: Set(previous),
                    requested_due_date: Set(granted),
                    reason: Set(reason),
                    state: Set(ExtensionState::Approved),
                    decided_by: Set(Some(user.user_id)),
                    decided_at: Set(Some(now)),
                    decision_note: Set(Some("Lãnh đạo điều chỉnh thời hạn trực tiếp".to_string())),
                    created_at: Set(now),
                    ..Default::default()
                }
                .insert(txn)
                .await?;
            }
            Effect::Recur => {
                crate::tasks::recurrence::on_completed(
                    txn,
                    clock,
                    Some(user.user_id),
                    &current.task,
                )
                .await?;
            }
        }
    }
    Ok(entries)
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
    mut after: task::Model,
    version: i32,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<task::Model> {
    after.version = version + 1;
    after.updated_at = now;
    let id = after.id;
    let result = task::Entity::update_many()
        .set(task::ActiveModel::from(after.clone()).reset_all())
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
    Ok(after)
}

/// A leader's or admin's answer to a reported-done task: confirm it
/// (optionally accepting the earlier completion day the department
/// declared, with a reason) or return it.
pub async fn confirm(
    db: &Db,
    clock: &Clock,
    user: &Principal,
    task_id: i64,
    decision: Decision,
    expected_version: Option<i32>,
) -> Result<()> {
    let txn = db::begin_write(db).await?;
    let current = load_current(&txn, clock, user, task_id).await?;
    policy::require(user, Action::ConfirmTask, Some(&current.scope))?;
    check_version(&current.task, expected_version)?;
    let decision = Decision {
        note: parse_note("note", &decision.note, MAX_NOTE)?,
        ..decision
    };
    let plan = workflow::plan_confirm(&current, &decision, user)?;
    save(&txn, clock, user, &current, plan).await?;
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
    let (id, _) =
        request_extension_in(&txn, clock, user, task_id, requested_due_date, reason).await?;
    txn.commit().await?;
    Ok(id)
}

/// `request_extension` inside the caller's transaction: the request's id
/// and its history entry.
pub async fn request_extension_in(
    txn: &DatabaseTransaction,
    clock: &Clock,
    user: &Principal,
    task_id: i64,
    requested_due_date: &str,
    reason: &str,
) -> Result<(i64, i64)> {
    // One pending request per task, even from a double click.
    crate::tasks::access::lock_row(txn, task_id).await?;
    let (current, _) = load_for(txn, user, task_id, Action::RequestExtension).await?;
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
        .one(txn)
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
    .insert(txn)
    .await?;
    let entry = history::record(
        txn,
        now,
        Change::new(task_id, Some(user.user_id), action::EXTENSION_REQUESTED)
            .field("due_date", current.due_date, requested)
            .note(reason),
    )
    .await?;
    Ok((request.id, entry))
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
        let mut after = current.clone();
        after.due_date = request.requested_due_date;
        let after = bump_and_save(&txn, after, current.version, now).await?;
        states::record(&txn, now, Some(&current), &after).await?;
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
