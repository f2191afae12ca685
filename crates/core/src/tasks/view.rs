//! The read model of a task: the row plus its departments, leader, year,
//! timeliness and reminder count, loaded for a whole page in a fixed number
//! of queries (never one per task).

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, Value};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    accounts::users::UserRef,
    db,
    domain::{TaskStatus, Timeliness, timeliness, timeliness::Deadline},
    entity::task,
    error::Result,
    org::departments::DepartmentRef,
    tasks::facts::{AsOf, Judged},
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
    /// The deadline as the imported annex wrote it ("Quý II/2027",
    /// "Thường xuyên"), when it was not a plain date.
    pub due_text: Option<String>,
    /// The day that counts for timeliness: the day the department reported
    /// it done, or an earlier day a leader accepted.
    #[schema(value_type = Option<String>, format = Date)]
    pub completed_on: Option<NaiveDate>,
    /// The day the department reported it done, recorded by the server.
    #[schema(value_type = Option<String>, format = Date)]
    pub reported_on: Option<NaiveDate>,
    /// An earlier day the department declared the work finished; it counts
    /// only once a leader accepts it (then `completed_on` equals it).
    #[schema(value_type = Option<String>, format = Date)]
    pub declared_completed_on: Option<NaiveDate>,
    /// Derived for *today*; absent for cancelled tasks.
    pub timeliness: Option<Timeliness>,
    pub days_overdue: Option<i64>,
    pub days_left: Option<i64>,
    pub days_late: Option<i64>,
    /// The due date was moved later than the programme's (by an extension).
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

/// What a page of tasks needs besides the rows themselves, read for the
/// whole page in one statement.
#[derive(Debug, FromQueryResult)]
struct RefRow {
    task_id: i64,
    year: i32,
    field_name: Option<String>,
    field_name_en: Option<String>,
    lead_code: Option<String>,
    lead_name: Option<String>,
    leader_username: Option<String>,
    leader_full_name: Option<String>,
    reminders: i64,
}

#[derive(Debug, FromQueryResult)]
struct CoordinatorRow {
    task_id: i64,
    code: String,
    name: String,
}

/// Builds views for `tasks`, keeping their order, in two statements
/// whatever the number of tasks: one for the year, field name, lead
/// department, leader in charge and reminder count of every task; one for
/// the coordinating departments. (Each statement is a round trip, and on
/// SQLite a hand-off to the connection's thread: at national scale the
/// count of statements, not their work, bounds a list's throughput.)
pub async fn load_views<C: ConnectionTrait>(
    db: &C,
    tasks: Vec<task::Model>,
    today: NaiveDate,
    due_soon_days: u32,
) -> Result<Vec<TaskView>> {
    if tasks.is_empty() {
        return Ok(Vec::new());
    }
    let (mut refs, mut coordinators) = read_refs(db, &tasks).await?;
    Ok(tasks
        .into_iter()
        .map(|t| {
            let r = refs.remove(&t.id);
            let coordinating = coordinators.remove(&t.id).unwrap_or_default();
            view_of(t, r, coordinating, today, due_soon_days)
        })
        .collect())
}

/// The two statements of [`load_views`], per chunk of tasks: the references
/// of each task, and its coordinating departments (by code).
async fn read_refs<C: ConnectionTrait>(
    db: &C,
    tasks: &[task::Model],
) -> Result<(HashMap<i64, RefRow>, HashMap<i64, Vec<DepartmentRef>>)> {
    let mut refs: HashMap<i64, RefRow> = HashMap::new();
    let mut coordinators_by_task: HashMap<i64, Vec<DepartmentRef>> = HashMap::new();
    // Chunks keep the statement under the parameter limits (exports pass many).
    for chunk in tasks.chunks(1_000) {
        let ids: Vec<sea_orm::Value> = chunk.iter().map(|t| t.id.into()).collect();
        let marks = db::placeholders(ids.len());
        let sql = format!(
            "SELECT t.id AS task_id, p.year AS year, f.name_vi AS field_name, f.name_en AS field_name_en, \
                    d.code AS lead_code, d.name AS lead_name, \
                    u.username AS leader_username, u.full_name AS leader_full_name, \
                    (SELECT COUNT(*) FROM document_tasks dt \
                      WHERE dt.relation = 'reminds' AND dt.task_id = t.id) AS reminders \
             FROM tasks t JOIN programmes p ON p.id = t.programme_id \
             LEFT JOIN fields f ON f.code = t.field_code \
             LEFT JOIN departments d ON d.id = t.lead_department_id \
             LEFT JOIN users u ON u.id = t.leader_in_charge_id \
             WHERE t.id IN ({marks})"
        );
        for row in RefRow::find_by_statement(db::statement(db, &sql, ids.clone()))
            .all(db)
            .await?
        {
            refs.insert(row.task_id, row);
        }
        let sql = format!(
            "SELECT c.task_id AS task_id, d.code AS code, d.name AS name \
             FROM task_coordinators c JOIN departments d ON d.id = c.department_id \
             WHERE c.task_id IN ({marks})"
        );
        for row in CoordinatorRow::find_by_statement(db::statement(db, &sql, ids))
            .all(db)
            .await?
        {
            coordinators_by_task
                .entry(row.task_id)
                .or_default()
                .push(DepartmentRef {
                    code: row.code,
                    name: row.name,
                });
        }
    }
    for list in coordinators_by_task.values_mut() {
        list.sort_by(|a, b| a.code.cmp(&b.code));
    }
    Ok((refs, coordinators_by_task))
}

/// One task's view from its row and what [`read_refs`] found for it.
fn view_of(
    t: task::Model,
    r: Option<RefRow>,
    coordinators: Vec<DepartmentRef>,
    today: NaiveDate,
    due_soon_days: u32,
) -> TaskView {
    let info = timeliness(
        t.status,
        Deadline {
            due: t.due_date,
            original: t.original_due_date,
        },
        t.completed_on,
        today,
        due_soon_days,
    );
    let lead = DepartmentRef {
        code: r
            .as_ref()
            .and_then(|r| r.lead_code.clone())
            .unwrap_or_default(),
        name: r
            .as_ref()
            .and_then(|r| r.lead_name.clone())
            .unwrap_or_default(),
    };
    let leader_in_charge =
        r.as_ref()
            .and_then(|r| match (&r.leader_username, &r.leader_full_name) {
                (Some(username), Some(full_name)) if t.leader_in_charge_id.is_some() => {
                    Some(UserRef {
                        username: username.clone(),
                        full_name: full_name.clone(),
                    })
                }
                _ => None,
            });
    TaskView {
        id: t.id,
        year: r.as_ref().map(|r| r.year).unwrap_or_default(),
        field_name: r
            .as_ref()
            .and_then(|r| r.field_name.clone())
            .unwrap_or_else(|| t.field_code.clone()),
        field_name_en: r
            .as_ref()
            .and_then(|r| r.field_name_en.clone())
            .unwrap_or_else(|| t.field_code.clone()),
        field: t.field_code,
        code: t.code,
        title: t.title,
        description: t.description,
        status: t.status,
        progress: t.progress,
        extended: t.due_date > t.original_due_date,
        due_date: t.due_date,
        original_due_date: t.original_due_date,
        due_text: t.due_text,
        completed_on: t.completed_on,
        reported_on: t.reported_on,
        declared_completed_on: t.declared_completed_on,
        timeliness: info.map(|i| i.timeliness),
        days_overdue: info.and_then(|i| i.days_overdue),
        days_left: info.and_then(|i| i.days_left),
        days_late: info.and_then(|i| i.days_late),
        lead_department: lead,
        coordinating_departments: coordinators,
        leader_in_charge,
        source_document_id: t.source_document_id,
        result_note: t.result_note,
        reminder_documents: r.as_ref().map(|r| r.reminders).unwrap_or(0),
        version: t.version,
        updated_at: t.updated_at,
    }
}

#[derive(Debug, FromQueryResult)]
struct ReminderCount {
    task_id: i64,
    n: i64,
}

/// Views of `judged`, in their order, as of `as_of`: each task's title
/// and names as they are now, its facts (status, progress, deadline,
/// completion, lead department, leader) and its reminder documents as they
/// were then.
pub async fn load_views_as_of<C: ConnectionTrait>(
    db: &C,
    judged: &[Judged],
    as_of: &AsOf,
    due_soon_days: u32,
) -> Result<Vec<TaskView>> {
    if judged.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = judged.iter().map(|j| j.facts.task_id).collect();
    let mut rows: HashMap<i64, task::Model> = HashMap::new();
    for chunk in ids.chunks(1_000) {
        for t in task::Entity::find()
            .filter(task::Column::Id.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            rows.insert(t.id, t);
        }
    }
    // The row as it is, with the facts as they were (now: the row itself,
    // which also carries what figures do not keep, such as the report day).
    let past = as_of.before.is_some();
    let models: Vec<task::Model> = judged
        .iter()
        .filter_map(|j| {
            let mut row = rows.remove(&j.facts.task_id)?;
            if !past {
                return Some(row);
            }
            let f = &j.facts;
            row.lead_department_id = f.lead_department_id;
            row.field_code = f.field_code.clone();
            row.leader_in_charge_id = f.leader_in_charge_id;
            row.status = f.status;
            row.progress = f.progress;
            row.due_date = f.due_date;
            row.original_due_date = f.original_due_date;
            row.reported_on = f.reported_on;
            row.completed_on = f.completed_on;
            row.declared_completed_on = f.declared_completed_on;
            Some(row)
        })
        .collect();
    let mut views = load_views(db, models, as_of.day, due_soon_days).await?;
    if let Some(before) = as_of.before {
        let counts = reminders_by(db, &ids, as_of.day, before).await?;
        for v in &mut views {
            v.reminder_documents = counts.get(&v.id).copied().unwrap_or(0);
        }
    }
    Ok(views)
}

/// Reminder documents per task, as recorded and issued by then.
async fn reminders_by<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
    day: chrono::NaiveDate,
    before: chrono::DateTime<chrono::Utc>,
) -> Result<HashMap<i64, i64>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(1_000) {
        let mut values: Vec<Value> = vec![day.into(), before.into(), before.into()];
        values.extend(chunk.iter().map(|id| Value::from(*id)));
        let sql = format!(
            "SELECT dt.task_id AS task_id, COUNT(*) AS n \
             FROM document_tasks dt JOIN documents d ON d.id = dt.document_id \
             WHERE dt.relation = 'reminds' AND d.issued_on <= ? AND d.created_at < ? \
               AND (dt.linked_at IS NULL OR dt.linked_at < ?) AND dt.task_id IN ({}) \
             GROUP BY dt.task_id",
            db::placeholders(chunk.len())
        );
        for row in ReminderCount::find_by_statement(db::statement(db, &sql, values))
            .all(db)
            .await?
        {
            out.insert(row.task_id, row.n);
        }
    }
    Ok(out)
}
