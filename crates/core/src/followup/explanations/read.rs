//! Reading requests: one, a task's, the lists by state, and the overdue
//! ones the leaders' digest escalates.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, sea_query::Query,
};

use crate::{
    accounts::policy::{self, Action, TaskScope},
    accounts::principal::Principal,
    accounts::users::UserRef,
    entity::{department, explanation_request, task, task_coordinator, user},
    error::{Error, Result},
    messages::Msg,
    org::departments::DepartmentRef,
    tasks::access::load_for,
};

use super::{EscalatedExplanation, ExplanationState, ExplanationView, RawExplanationQuery};

async fn views<C: ConnectionTrait>(
    db: &C,
    rows: Vec<explanation_request::Model>,
    today: NaiveDate,
) -> Result<Vec<ExplanationView>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let task_ids: BTreeSet<i64> = rows.iter().map(|r| r.task_id).collect();
    let tasks: HashMap<i64, task::Model> = task::Entity::find()
        .filter(task::Column::Id.is_in(task_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let departments: HashMap<i64, department::Model> = department::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    let user_ids: BTreeSet<i64> = rows
        .iter()
        .flat_map(|r| std::iter::once(r.requested_by).chain(r.answered_by))
        .collect();
    let users: HashMap<i64, UserRef> = user::Entity::find()
        .filter(user::Column::Id.is_in(user_ids))
        .all(db)
        .await?
        .iter()
        .map(|u| (u.id, UserRef::from(u)))
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| {
            let state = ExplanationState::of(&r, today);
            let (task_code, task_title) = tasks
                .get(&r.task_id)
                .map(|t| (t.code.clone(), t.title.clone()))
                .unwrap_or_default();
            let department = departments
                .get(&r.department_id)
                .map(|d| DepartmentRef {
                    code: d.code.clone(),
                    name: d.name.clone(),
                })
                .unwrap_or(DepartmentRef {
                    code: String::new(),
                    name: String::new(),
                });
            ExplanationView {
                id: r.id,
                task_id: r.task_id,
                task_code,
                task_title,
                department,
                question: r.question,
                answer_by: r.answer_by,
                task_due_date: r.task_due_date,
                requested_by: users.get(&r.requested_by).cloned(),
                requested_at: r.requested_at,
                answer: r.answer,
                answered_by: r.answered_by.and_then(|id| users.get(&id).cloned()),
                answered_at: r.answered_at,
                days_overdue: (state == ExplanationState::Overdue)
                    .then(|| (today - r.answer_by).num_days()),
                state,
            }
        })
        .collect())
}

/// A task's requests, newest first (the caller has checked `ReadTask`).
pub async fn for_task<C: ConnectionTrait>(
    db: &C,
    task_id: i64,
    today: NaiveDate,
) -> Result<Vec<ExplanationView>> {
    let rows = explanation_request::Entity::find()
        .filter(explanation_request::Column::TaskId.eq(task_id))
        .order_by_desc(explanation_request::Column::Id)
        .all(db)
        .await?;
    views(db, rows, today).await
}

/// A task's requests as `user` may see them (404/403 like the task).
pub async fn for_task_as<C: ConnectionTrait>(
    db: &C,
    user: &Principal,
    task_id: i64,
    today: NaiveDate,
) -> Result<Vec<ExplanationView>> {
    load_for(db, user, task_id, Action::ReadTask).await?;
    for_task(db, task_id, today).await
}

/// One request, if `user` may read its task.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    user: &Principal,
    id: i64,
    today: NaiveDate,
) -> Result<ExplanationView> {
    let Some(row) = explanation_request::Entity::find_by_id(id).one(db).await? else {
        return Err(Error::NotFound(Msg::NotFoundExplanation { id }));
    };
    load_for(db, user, row.task_id, Action::ReadTask).await?;
    let mut out = views(db, vec![row], today).await?;
    out.pop()
        .ok_or_else(|| Error::NotFound(Msg::NotFoundExplanation { id }))
}

/// The requests `user` may see in a state: open (with overdue, the default),
/// overdue, answered or all. Overdue first, then by answer-by date.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    user: &Principal,
    raw: &RawExplanationQuery,
    today: NaiveDate,
) -> Result<Vec<ExplanationView>> {
    policy::require(user, Action::ReadExplanations, None)?;
    let wanted = raw
        .state
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("open");
    let mut cond = Condition::all();
    match wanted {
        "open" => cond = cond.add(explanation_request::Column::AnsweredAt.is_null()),
        "overdue" => {
            cond = cond
                .add(explanation_request::Column::AnsweredAt.is_null())
                .add(explanation_request::Column::AnswerBy.lt(today))
        }
        "answered" => cond = cond.add(explanation_request::Column::AnsweredAt.is_not_null()),
        "all" => {}
        other => {
            return Err(Error::field(
                "state",
                "invalid_choice",
                Msg::InvalidExplanationState {
                    value: other.to_string(),
                },
            ));
        }
    }
    let mut query = explanation_request::Entity::find().filter(cond);
    // Staff: requests about tasks their department leads or coordinates.
    let scopes: Option<BTreeMap<i64, TaskScope>> = match policy::visible_department(user) {
        None => None,
        Some(dept) => {
            let coordinated: Vec<i64> = task_coordinator::Entity::find()
                .filter(task_coordinator::Column::DepartmentId.eq(dept))
                .all(db)
                .await?
                .into_iter()
                .map(|c| c.task_id)
                .collect();
            // Tasks it leads now (the lead may have changed since the request) or coordinates.
            query = query.filter(
                Condition::any()
                    .add(
                        explanation_request::Column::TaskId.in_subquery(
                            Query::select()
                                .column(task::Column::Id)
                                .from(task::Entity)
                                .and_where(task::Column::LeadDepartmentId.eq(dept))
                                .to_owned(),
                        ),
                    )
                    .add(explanation_request::Column::TaskId.is_in(coordinated)),
            );
            Some(BTreeMap::new())
        }
    };
    let rows = query
        .order_by_asc(explanation_request::Column::AnswerBy)
        .order_by_asc(explanation_request::Column::Id)
        .all(db)
        .await?;
    // The policy has the last word on each task (the lead may have changed).
    let rows = match scopes {
        None => rows,
        Some(mut cache) => {
            let mut kept = Vec::new();
            for r in rows {
                if !cache.contains_key(&r.task_id)
                    && let Some(t) = task::Entity::find_by_id(r.task_id).one(db).await?
                {
                    cache.insert(r.task_id, crate::tasks::access::scope(db, &t).await?);
                }
                if cache
                    .get(&r.task_id)
                    .is_some_and(|s| policy::can(user, Action::ReadTask, Some(s)))
                {
                    kept.push(r);
                }
            }
            kept
        }
    };
    let mut out = views(db, rows, today).await?;
    out.sort_by_key(|v| (v.state != ExplanationState::Overdue, v.answer_by, v.id));
    Ok(out)
}

/// Unanswered requests past their answer-by date, oldest answer-by first,
/// for the leaders' digest.
pub async fn escalated<C: ConnectionTrait>(
    db: &C,
    today: NaiveDate,
) -> Result<Vec<EscalatedExplanation>> {
    let rows = explanation_request::Entity::find()
        .filter(explanation_request::Column::AnsweredAt.is_null())
        .filter(explanation_request::Column::AnswerBy.lt(today))
        .order_by_asc(explanation_request::Column::AnswerBy)
        .order_by_asc(explanation_request::Column::Id)
        .all(db)
        .await?;
    Ok(views(db, rows, today)
        .await?
        .into_iter()
        .map(|v| EscalatedExplanation {
            request_id: v.id,
            task_id: v.task_id,
            code: v.task_code,
            title: v.task_title,
            lead_department_code: v.department.code,
            lead_department_name: v.department.name,
            question: v.question,
            answer_by: v.answer_by,
            days_overdue: v.days_overdue.unwrap_or(0),
            requested_by: v.requested_by.map(|u| u.full_name).unwrap_or_default(),
        })
        .collect())
}
