//! Task history: an append-only record of every change (who, when, what,
//! old → new, note). Written in the same transaction as the change itself.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    accounts::users::UserRef,
    entity::{task_history, user},
    error::Result,
};

/// What kind of change an entry records.
pub mod action {
    pub const CREATED: &str = "created";
    pub const UPDATED: &str = "updated";
    pub const NOTE: &str = "note";
    pub const REPORTED_DONE: &str = "reported_done";
    pub const CONFIRMED: &str = "confirmed";
    pub const RETURNED: &str = "returned";
    pub const REOPENED: &str = "reopened";
    pub const CANCELLED: &str = "cancelled";
    pub const EXTENSION_REQUESTED: &str = "extension_requested";
    pub const EXTENSION_APPROVED: &str = "extension_approved";
    pub const EXTENSION_REJECTED: &str = "extension_rejected";
    pub const EXTENSION_WITHDRAWN: &str = "extension_withdrawn";
    pub const DOCUMENT_LINKED: &str = "document_linked";
    pub const IMPORTED: &str = "imported";
    /// Made by a recurring series (nhiệm vụ định kỳ).
    pub const RECURRED: &str = "recurred";
    /// A leader accepted the earlier completion day a department declared.
    pub const COMPLETION_DAY_ACCEPTED: &str = "completion_day_accepted";
}

/// One change to record.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    pub task_id: i64,
    pub actor_id: Option<i64>,
    pub action: &'a str,
    pub field: Option<&'a str>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub note: Option<String>,
}

impl<'a> Change<'a> {
    pub fn new(task_id: i64, actor_id: Option<i64>, action: &'a str) -> Self {
        Self {
            task_id,
            actor_id,
            action,
            field: None,
            old_value: None,
            new_value: None,
            note: None,
        }
    }

    pub fn field(mut self, field: &'a str, old: impl ToString, new: impl ToString) -> Self {
        self.field = Some(field);
        self.old_value = Some(old.to_string());
        self.new_value = Some(new.to_string());
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        let note = note.into();
        self.note = if note.trim().is_empty() {
            None
        } else {
            Some(note)
        };
        self
    }
}

/// Records one change, and in the same transaction the workflow notices it
/// gives rise to (see `crate::notices`). Returns the entry's id.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    at: DateTime<Utc>,
    change: Change<'_>,
) -> Result<i64> {
    let row = task_history::ActiveModel {
        task_id: Set(change.task_id),
        actor_id: Set(change.actor_id),
        at: Set(at),
        action: Set(change.action.to_string()),
        field: Set(change.field.map(str::to_string)),
        old_value: Set(change.old_value.clone()),
        new_value: Set(change.new_value.clone()),
        note: Set(change.note.clone()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let entry = crate::notices::derive::Entry {
        task_id: change.task_id,
        actor_id: change.actor_id,
        action: change.action,
        field: change.field,
        old_value: change.old_value.as_deref(),
        new_value: change.new_value.as_deref(),
        note: change.note.as_deref(),
    };
    crate::notices::derive::on_change(db, at, row.id, &entry).await?;
    Ok(row.id)
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HistoryEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: Option<UserRef>,
    pub action: String,
    pub field: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub note: Option<String>,
}

/// A task's history, oldest first.
pub async fn for_task<C: ConnectionTrait>(db: &C, task_id: i64) -> Result<Vec<HistoryEntry>> {
    let rows = task_history::Entity::find()
        .filter(task_history::Column::TaskId.eq(task_id))
        .order_by_asc(task_history::Column::Id)
        .all(db)
        .await?;
    let mut actor_ids: Vec<i64> = rows.iter().filter_map(|r| r.actor_id).collect();
    actor_ids.sort_unstable();
    actor_ids.dedup();
    let actors: HashMap<i64, UserRef> = if actor_ids.is_empty() {
        HashMap::new()
    } else {
        user::Entity::find()
            .filter(user::Column::Id.is_in(actor_ids))
            .all(db)
            .await?
            .iter()
            .map(|u| (u.id, UserRef::from(u)))
            .collect()
    };
    Ok(rows
        .into_iter()
        .map(|r| HistoryEntry {
            id: r.id,
            at: r.at,
            actor: r.actor_id.and_then(|id| actors.get(&id).cloned()),
            action: r.action,
            field: r.field,
            old_value: r.old_value,
            new_value: r.new_value,
            note: r.note,
        })
        .collect())
}
