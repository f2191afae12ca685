//! The read model of a task: the row plus its departments, leader, year,
//! timeliness and reminder count, loaded for a whole page in a fixed number
//! of queries (never one per task).

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QuerySelect,
    sea_query::{Expr, ExprTrait},
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    departments::DepartmentRef,
    domain::{LinkRelation, TaskStatus, Timeliness, timeliness},
    entity::{department, document_task, field, programme, task, task_coordinator, user},
    error::Result,
    users::UserRef,
};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskView {
    pub id: i64,
    pub year: i32,
    pub code: String,
    pub title: String,
    pub description: String,
    /// Field code (lĩnh vực).
    pub field: String,
    pub field_name: String,
    pub field_name_en: String,
    pub status: TaskStatus,
    pub progress: i32,
    #[schema(value_type = String, format = Date)]
    pub due_date: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub original_due_date: NaiveDate,
    #[schema(value_type = Option<String>, format = Date)]
    pub completed_on: Option<NaiveDate>,
    /// Derived for *today*; absent for cancelled tasks.
    pub timeliness: Option<Timeliness>,
    pub days_overdue: Option<i64>,
    pub days_left: Option<i64>,
    pub days_late: Option<i64>,
    /// The due date was moved by an approved extension.
    pub extended: bool,
    pub lead_department: DepartmentRef,
    pub coordinating_departments: Vec<DepartmentRef>,
    pub leader_in_charge: Option<UserRef>,
    pub source_document_id: Option<i64>,
    pub result_note: Option<String>,
    /// Reminder documents (văn bản đôn đốc) issued for this task.
    pub reminder_documents: i64,
    pub version: i32,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, FromQueryResult)]
struct CountRow {
    task_id: i64,
    n: i64,
}

/// Builds views for `tasks`, keeping their order.
pub async fn load_views<C: ConnectionTrait>(
    db: &C,
    tasks: Vec<task::Model>,
    today: NaiveDate,
    due_soon_days: u32,
) -> Result<Vec<TaskView>> {
    if tasks.is_empty() {
        return Ok(Vec::new());
    }
    let task_ids: Vec<i64> = tasks.iter().map(|t| t.id).collect();

    let coordinators = task_coordinator::Entity::find()
        .filter(task_coordinator::Column::TaskId.is_in(task_ids.clone()))
        .all(db)
        .await?;

    let mut department_ids: Vec<i64> = tasks.iter().map(|t| t.lead_department_id).collect();
    department_ids.extend(coordinators.iter().map(|c| c.department_id));
    department_ids.sort_unstable();
    department_ids.dedup();
    let departments: HashMap<i64, department::Model> = department::Entity::find()
        .filter(department::Column::Id.is_in(department_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();

    let mut leader_ids: Vec<i64> = tasks.iter().filter_map(|t| t.leader_in_charge_id).collect();
    leader_ids.sort_unstable();
    leader_ids.dedup();
    let leaders: HashMap<i64, user::Model> = if leader_ids.is_empty() {
        HashMap::new()
    } else {
        user::Entity::find()
            .filter(user::Column::Id.is_in(leader_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|u| (u.id, u))
            .collect()
    };

    let mut programme_ids: Vec<i64> = tasks.iter().map(|t| t.programme_id).collect();
    programme_ids.sort_unstable();
    programme_ids.dedup();
    let years: HashMap<i64, i32> = programme::Entity::find()
        .filter(programme::Column::Id.is_in(programme_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.year))
        .collect();

    let fields: HashMap<String, (String, String)> = field::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|f| (f.code, (f.name_vi, f.name_en)))
        .collect();

    let reminder_counts: HashMap<i64, i64> = document_task::Entity::find()
        .select_only()
        .column(document_task::Column::TaskId)
        .column_as(Expr::col(document_task::Column::DocumentId).count(), "n")
        .filter(document_task::Column::TaskId.is_in(task_ids))
        .filter(document_task::Column::Relation.eq(LinkRelation::Reminds))
        .group_by(document_task::Column::TaskId)
        .into_model::<CountRow>()
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.task_id, row.n))
        .collect();

    let mut coordinators_by_task: HashMap<i64, Vec<DepartmentRef>> = HashMap::new();
    for link in &coordinators {
        if let Some(dept) = departments.get(&link.department_id) {
            coordinators_by_task
                .entry(link.task_id)
                .or_default()
                .push(dept.into());
        }
    }
    for list in coordinators_by_task.values_mut() {
        list.sort_by(|a, b| a.code.cmp(&b.code));
    }

    Ok(tasks
        .into_iter()
        .map(|t| {
            let info = timeliness(t.status, t.due_date, t.completed_on, today, due_soon_days);
            let lead = departments
                .get(&t.lead_department_id)
                .map(DepartmentRef::from)
                .unwrap_or_else(|| DepartmentRef {
                    code: String::new(),
                    name: String::new(),
                });
            TaskView {
                id: t.id,
                year: years.get(&t.programme_id).copied().unwrap_or_default(),
                field_name: fields
                    .get(&t.field_code)
                    .map(|(vi, _)| vi.clone())
                    .unwrap_or_else(|| t.field_code.clone()),
                field_name_en: fields
                    .get(&t.field_code)
                    .map(|(_, en)| en.clone())
                    .unwrap_or_else(|| t.field_code.clone()),
                field: t.field_code,
                code: t.code,
                title: t.title,
                description: t.description,
                status: t.status,
                progress: t.progress,
                extended: t.due_date != t.original_due_date,
                due_date: t.due_date,
                original_due_date: t.original_due_date,
                completed_on: t.completed_on,
                timeliness: info.map(|i| i.timeliness),
                days_overdue: info.and_then(|i| i.days_overdue),
                days_left: info.and_then(|i| i.days_left),
                days_late: info.and_then(|i| i.days_late),
                lead_department: lead,
                coordinating_departments: coordinators_by_task.remove(&t.id).unwrap_or_default(),
                leader_in_charge: t
                    .leader_in_charge_id
                    .and_then(|id| leaders.get(&id))
                    .map(UserRef::from),
                source_document_id: t.source_document_id,
                result_note: t.result_note,
                reminder_documents: reminder_counts.get(&t.id).copied().unwrap_or(0),
                version: t.version,
                updated_at: t.updated_at,
            }
        })
        .collect())
}
