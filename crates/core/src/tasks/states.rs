//! The facts of a task that figures are made of, and their history.
//!
//! A figure "as of day D" must say what was true on D, whenever it is asked:
//! later work never changes a past figure. So every write that changes one
//! of these facts also appends the task's new state to `task_states`, in the
//! same transaction: the previous state is closed (`valid_to = now`) and the
//! new one starts (`valid_from = now`). The open state always equals the
//! task row; a state "as of" an instant is the one valid then.
//!
//! Only what figures read is kept here (status, progress, deadlines, the
//! completion days, and the department, field, leader and programme that
//! group the figures); titles and descriptions are read from the task as it
//! is now.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};

use crate::{
    domain::facts::TaskFacts,
    entity::{task, task_state},
    error::Result,
};

impl TaskFacts {
    pub fn of(task: &task::Model) -> Self {
        Self {
            task_id: task.id,
            programme_id: task.programme_id,
            lead_department_id: task.lead_department_id,
            field_code: task.field_code.clone(),
            leader_in_charge_id: task.leader_in_charge_id,
            status: task.status,
            progress: task.progress,
            due_date: task.due_date,
            original_due_date: task.original_due_date,
            reported_on: task.reported_on,
            completed_on: task.completed_on,
            declared_completed_on: task.declared_completed_on,
        }
    }

    pub fn of_state(state: &task_state::Model) -> Self {
        Self {
            task_id: state.task_id,
            programme_id: state.programme_id,
            lead_department_id: state.lead_department_id,
            field_code: state.field_code.clone(),
            leader_in_charge_id: state.leader_in_charge_id,
            status: state.status,
            progress: state.progress,
            due_date: state.due_date,
            original_due_date: state.original_due_date,
            reported_on: state.reported_on,
            completed_on: state.completed_on,
            declared_completed_on: state.declared_completed_on,
        }
    }
}

/// Records `after` as the task's state from `at` on, unless its facts equal
/// `before`'s (a title change moves no figure). Call it inside the
/// transaction that writes the task row.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    at: DateTime<Utc>,
    before: Option<&task::Model>,
    after: &task::Model,
) -> Result<()> {
    // Any write to a task moves the clock — also one that changes no figure
    // (a title, the coordinators): lists kept in memory depend on those too.
    bump_clock(db).await?;
    let facts = TaskFacts::of(after);
    if before.is_some_and(|b| TaskFacts::of(b) == facts) {
        return Ok(());
    }
    let open = task_state::Entity::find()
        .filter(task_state::Column::TaskId.eq(after.id))
        .filter(task_state::Column::ValidTo.is_null())
        .order_by_desc(task_state::Column::ValidFrom)
        .all(db)
        .await?;
    // A clock set back (tests, a corrected server clock) must not make a
    // span end before it began: the new state starts no earlier than the
    // one it replaces.
    let starts = open
        .iter()
        .map(|s| s.valid_from)
        .max()
        .map_or(at, |latest| latest.max(at));
    for state in open {
        let mut closed: task_state::ActiveModel = state.into();
        closed.valid_to = Set(Some(starts));
        closed.update(db).await?;
    }
    insert(db, starts, &facts).await
}

/// Tells processes that keep figures in memory that figures changed: call
/// it in the writing transaction, before appending to `task_states` (see
/// the `fact_clock` migration for why the order matters).
pub async fn bump_clock<C: ConnectionTrait>(db: &C) -> Result<()> {
    db.execute_unprepared("UPDATE fact_clock SET seq = seq + 1 WHERE id = 1")
        .await?;
    Ok(())
}

/// Like [`bump_clock`], for a change of reminder-document links: figures
/// that only depend on the links can then be kept until it moves.
pub async fn bump_documents<C: ConnectionTrait>(db: &C) -> Result<()> {
    db.execute_unprepared(
        "UPDATE fact_clock SET seq = seq + 1, docs_seq = docs_seq + 1 WHERE id = 1",
    )
    .await?;
    Ok(())
}

/// Inserts an open state (a new task, or data loaded in bulk).
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    valid_from: DateTime<Utc>,
    facts: &TaskFacts,
) -> Result<()> {
    bump_clock(db).await?;
    open_state(valid_from, facts).insert(db).await?;
    Ok(())
}

/// The row of a state that starts at `valid_from` and is still open.
pub(crate) fn open_state(valid_from: DateTime<Utc>, facts: &TaskFacts) -> task_state::ActiveModel {
    task_state::ActiveModel {
        task_id: Set(facts.task_id),
        valid_from: Set(valid_from),
        valid_to: Set(None),
        programme_id: Set(facts.programme_id),
        lead_department_id: Set(facts.lead_department_id),
        field_code: Set(facts.field_code.clone()),
        leader_in_charge_id: Set(facts.leader_in_charge_id),
        status: Set(facts.status),
        progress: Set(facts.progress),
        due_date: Set(facts.due_date),
        original_due_date: Set(facts.original_due_date),
        reported_on: Set(facts.reported_on),
        completed_on: Set(facts.completed_on),
        declared_completed_on: Set(facts.declared_completed_on),
        ..Default::default()
    }
}

/// A task's whole state history, oldest first.
pub async fn history<C: ConnectionTrait>(db: &C, task_id: i64) -> Result<Vec<task_state::Model>> {
    Ok(task_state::Entity::find()
        .filter(task_state::Column::TaskId.eq(task_id))
        .order_by_asc(task_state::Column::ValidFrom)
        .order_by_asc(task_state::Column::Id)
        .all(db)
        .await?)
}
