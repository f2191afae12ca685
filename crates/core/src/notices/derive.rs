//! From a task history entry to the notices it gives rise to, in the
//! transaction that records the entry. This file imports neither the
//! history nor the workflow (they call it): it knows the history's actions
//! by their stored names, which `tests` checks against the constants.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};

use super::{kind, mail_mode};
use crate::{
    domain::Role,
    entity::{
        department, explanation_request, notice_preference, task, task_coordinator, user,
        workflow_notice,
    },
    error::Result,
};

/// What a history entry says, as far as notices are concerned.
pub struct Entry<'a> {
    pub task_id: i64,
    pub actor_id: Option<i64>,
    pub action: &'a str,
    pub field: Option<&'a str>,
    pub old_value: Option<&'a str>,
    pub new_value: Option<&'a str>,
    pub note: Option<&'a str>,
}

/// The kind of notice a history entry gives, if any. Imports and
/// occurrences of a recurring series are not announced.
pub fn kind_of(action: &str, field: Option<&str>) -> Option<&'static str> {
    Some(match (action, field) {
        ("reported_done", _) => kind::REPORTED_DONE,
        ("confirmed", _) => kind::CONFIRMED,
        ("returned", _) => kind::RETURNED,
        ("extension_requested", _) => kind::EXTENSION_REQUESTED,
        ("extension_approved" | "extension_rejected", _) => kind::EXTENSION_DECIDED,
        ("explanation_requested", _) => kind::EXPLANATION_ASKED,
        ("explanation_answered", _) => kind::EXPLANATION_ANSWERED,
        ("updated", Some("due_date")) => kind::DUE_DATE_CHANGED,
        ("updated", Some("lead_department" | "coordinating_departments")) | ("created", _) => {
            kind::ASSIGNED
        }
        _ => return None,
    })
}

/// Writes the notices of history entry `history_id` (see the module above
/// for who is told), each with its recipient's mail choice for its kind.
pub async fn on_change<C: ConnectionTrait>(
    db: &C,
    at: DateTime<Utc>,
    history_id: i64,
    entry: &Entry<'_>,
) -> Result<()> {
    let Some(kind) = kind_of(entry.action, entry.field) else {
        return Ok(());
    };
    let Some(task) = task::Entity::find_by_id(entry.task_id).one(db).await? else {
        return Ok(());
    };
    let mut people = recipients(db, kind, &task, entry).await?;
    people.retain(|u| u.active && Some(u.id) != entry.actor_id);
    people.sort_by_key(|u| u.id);
    people.dedup_by_key(|u| u.id);
    if people.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = people.iter().map(|u| u.id).collect();
    let chosen: HashMap<i64, String> = notice_preference::Entity::find()
        .filter(notice_preference::Column::UserId.is_in(ids))
        .filter(notice_preference::Column::Kind.eq(kind))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.user_id, p.mail))
        .collect();
    for person in people {
        let mail = if kind::mailable(kind) {
            chosen
                .get(&person.id)
                .cloned()
                .unwrap_or_else(|| mail_mode::DEFAULT.to_string())
        } else {
            mail_mode::NONE.to_string()
        };
        workflow_notice::ActiveModel {
            user_id: Set(person.id),
            department_id: Set(person.department_id),
            task_id: Set(task.id),
            history_id: Set(history_id),
            kind: Set(kind.to_string()),
            actor_id: Set(entry.actor_id),
            old_value: Set(entry.old_value.map(str::to_string)),
            new_value: Set(entry.new_value.map(str::to_string)),
            note: Set(entry.note.map(str::to_string)),
            mail: Set(mail),
            notification_id: Set(None),
            created_at: Set(at),
            read_at: Set(None),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

async fn recipients<C: ConnectionTrait>(
    db: &C,
    kind: &str,
    task: &task::Model,
    entry: &Entry<'_>,
) -> Result<Vec<user::Model>> {
    match kind {
        kind::REPORTED_DONE | kind::EXTENSION_REQUESTED => leaders_in_charge(db, task).await,
        kind::EXPLANATION_ANSWERED => {
            let mut people = leaders_in_charge(db, task).await?;
            let asker = explanation_request::Entity::find()
                .filter(explanation_request::Column::TaskId.eq(task.id))
                .order_by_desc(explanation_request::Column::Id)
                .one(db)
                .await?
                .map(|r| r.requested_by);
            if let Some(id) = asker
                && let Some(u) = user::Entity::find_by_id(id).one(db).await?
            {
                people.push(u);
            }
            Ok(people)
        }
        kind::ASSIGNED => {
            let departments = newly_assigned(db, task, entry).await?;
            staff_of(db, &departments).await
        }
        _ => staff_of(db, &[task.lead_department_id]).await,
    }
}

/// The leader in charge, or every active leader when none is named (one of
/// them must act).
async fn leaders_in_charge<C: ConnectionTrait>(
    db: &C,
    task: &task::Model,
) -> Result<Vec<user::Model>> {
    let found = match task.leader_in_charge_id {
        Some(id) => user::Entity::find_by_id(id)
            .one(db)
            .await?
            .filter(|u| u.active)
            .into_iter()
            .collect(),
        None => Vec::new(),
    };
    if !found.is_empty() {
        return Ok(found);
    }
    Ok(user::Entity::find()
        .filter(user::Column::Role.eq(Role::Leader))
        .filter(user::Column::Active.eq(true))
        .all(db)
        .await?)
}

/// The active staff of these departments.
async fn staff_of<C: ConnectionTrait>(db: &C, departments: &[i64]) -> Result<Vec<user::Model>> {
    if departments.is_empty() {
        return Ok(Vec::new());
    }
    Ok(user::Entity::find()
        .filter(user::Column::DepartmentId.is_in(departments.to_vec()))
        .filter(user::Column::Role.eq(Role::Staff))
        .filter(user::Column::Active.eq(true))
        .all(db)
        .await?)
}

/// The departments an assignment entry gives the task to: on creation the
/// lead and the coordinators; a new lead; coordinators added (the history
/// names them by code).
async fn newly_assigned<C: ConnectionTrait>(
    db: &C,
    task: &task::Model,
    entry: &Entry<'_>,
) -> Result<Vec<i64>> {
    match entry.field {
        Some("lead_department") => Ok(vec![task.lead_department_id]),
        Some("coordinating_departments") => {
            let codes = |v: Option<&str>| -> BTreeSet<String> {
                v.unwrap_or("")
                    .split(',')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(str::to_string)
                    .collect()
            };
            let added: Vec<String> = codes(entry.new_value)
                .difference(&codes(entry.old_value))
                .cloned()
                .collect();
            if added.is_empty() {
                return Ok(Vec::new());
            }
            Ok(department::Entity::find()
                .filter(department::Column::Code.is_in(added))
                .all(db)
                .await?
                .into_iter()
                .map(|d| d.id)
                .collect())
        }
        _ => {
            let mut ids = vec![task.lead_department_id];
            ids.extend(
                task_coordinator::Entity::find()
                    .filter(task_coordinator::Column::TaskId.eq(task.id))
                    .all(db)
                    .await?
                    .into_iter()
                    .map(|c| c.department_id),
            );
            Ok(ids)
        }
    }
}
