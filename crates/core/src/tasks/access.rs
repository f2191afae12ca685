//! Loading a task together with the departments it involves, and checking
//! the permission policy on it: the first step of every command and read.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::{
    accounts::policy::{self, Action, TaskScope},
    accounts::principal::Principal,
    entity::{task, task_coordinator},
    error::{Error, Result},
};

/// The departments a task involves, for the permission policy.
pub async fn scope<C: ConnectionTrait>(db: &C, task: &task::Model) -> Result<TaskScope> {
    let coordinators = task_coordinator::Entity::find()
        .filter(task_coordinator::Column::TaskId.eq(task.id))
        .all(db)
        .await?;
    Ok(TaskScope {
        lead_department_id: task.lead_department_id,
        coordinating_department_ids: coordinators.into_iter().map(|c| c.department_id).collect(),
    })
}

/// Loads a task and checks `action` on it: 404 if missing, 403 if refused.
pub async fn load_for<C: ConnectionTrait>(
    db: &C,
    user: &Principal,
    task_id: i64,
    action: Action,
) -> Result<(task::Model, TaskScope)> {
    let Some(task) = task::Entity::find_by_id(task_id).one(db).await? else {
        return Err(Error::NotFound(crate::Msg::NotFoundTask { id: task_id }));
    };
    let scope = scope(db, &task).await?;
    policy::require(user, action, Some(&scope))?;
    Ok((task, scope))
}

/// Holds the task's row lock until the transaction ends, so that commands
/// which check "is one already pending?" before inserting (extension and
/// explanation requests) run one at a time per task: the second sees the
/// first's row. PostgreSQL: `SELECT … FOR UPDATE`, before the check, so the
/// check's read is made after the lock is granted. SQLite: nothing to do,
/// the write transaction (`BEGIN IMMEDIATE`) already excludes every other
/// writer. A lock rather than a unique index because databases in use may
/// already hold duplicates, which would make such a migration fail.
pub async fn lock_row<C: ConnectionTrait>(txn: &C, task_id: i64) -> Result<()> {
    if crate::db::is_postgres(txn) {
        txn.execute_raw(crate::db::statement(
            txn,
            "SELECT id FROM tasks WHERE id = ? FOR UPDATE",
            vec![task_id.into()],
        ))
        .await?;
    }
    Ok(())
}
