//! Reads, in one go, everything the reminder policy looks at: open tasks
//! (and those done in the past week, for the leader digest's figures), their
//! reminder documents, departments with their staff's addresses, leaders,
//! and requests for explanation past their date.

use std::collections::{BTreeSet, HashMap};

use chrono::{Days, NaiveDate};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::{
    domain::{Role, TaskStatus},
    entity::{department, task, user},
    error::Result,
    followup::{
        recipients::{DepartmentContact, LeaderContact},
        reminders::{IssuedReminder, LetterReply, ReminderTask, Snapshot},
    },
    tasks::status_sql::{DONE_SQL, OPEN_SQL},
};

/// Reads what the policy needs, as of now: open tasks (and those done in the
/// past week, for the leader digest's figures), their reminder documents,
/// every department with its active staff's addresses, and every leader or
/// leader in charge.
pub async fn snapshot<C: ConnectionTrait>(db: &C, today: NaiveDate) -> Result<Snapshot> {
    snapshot_within(db, today, None).await
}

#[derive(Debug, sea_orm::FromQueryResult)]
struct SnapshotTask {
    id: i64,
    code: String,
    title: String,
    status: TaskStatus,
    due_date: NaiveDate,
    completed_on: Option<NaiveDate>,
    lead_department_id: i64,
    leader_in_charge_id: Option<i64>,
}

#[derive(Debug, sea_orm::FromQueryResult)]
struct ReminderRow {
    task_id: i64,
    document_id: i64,
    number: String,
    issued_on: NaiveDate,
    report_back_on: Option<NaiveDate>,
}

/// [`snapshot`], leaving out open tasks due more than `horizon_days` after
/// `today`: no digest mentions them (the department digest looks
/// `due_soon_days` ahead, the leader digest's figures six days), and at
/// national scale they are most of the open tasks. Every read is an index
/// range: open tasks by due date, recently done ones by completion date,
/// and the reminder links of exactly those open tasks in one join.
pub async fn snapshot_within<C: ConnectionTrait>(
    db: &C,
    today: NaiveDate,
    horizon_days: Option<u32>,
) -> Result<Snapshot> {
    let until = horizon_days.map(|days| {
        today
            .checked_add_days(Days::new(u64::from(days)))
            .unwrap_or(today)
    });
    let tasks = policy_tasks(db, today, until).await?;
    let mut reminders = issued_reminders(db, until).await?;
    let in_charge: BTreeSet<i64> = tasks.iter().filter_map(|t| t.leader_in_charge_id).collect();
    let (departments, leaders) = contacts(db, &in_charge).await?;
    let tasks = tasks
        .into_iter()
        .map(|t| ReminderTask {
            reminder_documents: reminders.remove(&t.id).unwrap_or_default(),
            id: t.id,
            code: t.code,
            title: t.title,
            status: t.status,
            due_date: t.due_date,
            completed_on: t.completed_on,
            lead_department_id: t.lead_department_id,
            leader_in_charge_id: t.leader_in_charge_id,
        })
        .collect();
    let explanations = crate::followup::explanations::escalated(db, today).await?;
    Ok(Snapshot {
        tasks,
        departments,
        leaders,
        explanations,
    })
}

/// Open tasks due by `until` (all when `None`) and tasks done in the past
/// week, by id.
async fn policy_tasks<C: ConnectionTrait>(
    db: &C,
    today: NaiveDate,
    until: Option<NaiveDate>,
) -> Result<Vec<SnapshotTask>> {
    let week_ago = today.checked_sub_days(Days::new(7)).unwrap_or(today);
    // Only the columns the policy reads: at national scale this is a few
    // hundred thousand rows, and every column decoded costs.
    let columns = [
        task::Column::Id,
        task::Column::Code,
        task::Column::Title,
        task::Column::Status,
        task::Column::DueDate,
        task::Column::CompletedOn,
        task::Column::LeadDepartmentId,
        task::Column::LeaderInChargeId,
    ];
    let mut open = task::Entity::find()
        .select_only()
        .columns(columns)
        .filter(OPEN_SQL.condition());
    if let Some(until) = until {
        open = open.filter(task::Column::DueDate.lte(until));
    }
    let mut tasks = open.into_model::<SnapshotTask>().all(db).await?;
    tasks.extend(
        task::Entity::find()
            .select_only()
            .columns(columns)
            .filter(DONE_SQL.condition())
            .filter(task::Column::CompletedOn.gte(week_ago))
            .into_model::<SnapshotTask>()
            .all(db)
            .await?,
    );
    tasks.sort_by_key(|t| t.id);
    Ok(tasks)
}

/// The reminder documents issued for each open task due by `until`, oldest
/// first.
async fn issued_reminders<C: ConnectionTrait>(
    db: &C,
    until: Option<NaiveDate>,
) -> Result<HashMap<i64, Vec<IssuedReminder>>> {
    use sea_orm::FromQueryResult;

    // Only open tasks appear in a digest line; only they need their reminders.
    let (horizon_sql, values) = match until {
        Some(until) => (
            " AND tasks.due_date <= ?",
            vec![sea_orm::Value::from(until)],
        ),
        None => ("", Vec::new()),
    };
    let sql = format!(
        "SELECT dt.task_id AS task_id, d.id AS document_id, d.number AS number, d.issued_on AS issued_on, \
         d.report_back_on AS report_back_on \
         FROM tasks JOIN document_tasks dt ON dt.relation = 'reminds' AND dt.task_id = tasks.id \
         JOIN documents d ON d.id = dt.document_id \
         WHERE {OPEN_SQL}{horizon_sql}"
    );
    let mut reminders: HashMap<i64, Vec<IssuedReminder>> = HashMap::new();
    for row in ReminderRow::find_by_statement(crate::db::statement(db, &sql, values))
        .all(db)
        .await?
    {
        reminders
            .entry(row.task_id)
            .or_default()
            .push(IssuedReminder {
                number: row.number,
                issued_on: row.issued_on,
                report_back_on: row.report_back_on,
                document_id: row.document_id,
                reply: LetterReply::Unknown,
            });
    }
    for list in reminders.values_mut() {
        list.sort_by(|a, b| {
            a.issued_on
                .cmp(&b.issued_on)
                .then_with(|| a.number.cmp(&b.number))
        });
    }
    Ok(reminders)
}

/// Every department with its active staff's addresses, and every leader or
/// leader in charge (of a task in `in_charge`).
async fn contacts<C: ConnectionTrait>(
    db: &C,
    in_charge: &BTreeSet<i64>,
) -> Result<(Vec<DepartmentContact>, Vec<LeaderContact>)> {
    let users = user::Entity::find()
        .order_by_asc(user::Column::Id)
        .all(db)
        .await?;
    let mut staff_emails: HashMap<i64, Vec<String>> = HashMap::new();
    for u in users.iter().filter(|u| u.active && u.role == Role::Staff) {
        if let (Some(department_id), Some(email)) = (u.department_id, u.email.as_deref())
            && !email.trim().is_empty()
        {
            staff_emails
                .entry(department_id)
                .or_default()
                .push(email.trim().to_string());
        }
    }
    let departments = department::Entity::find()
        .order_by_asc(department::Column::Code)
        .all(db)
        .await?
        .into_iter()
        .map(|d| DepartmentContact {
            staff_emails: staff_emails.remove(&d.id).unwrap_or_default(),
            id: d.id,
            code: d.code,
            name: d.name,
            active: d.active,
            email: d.email.filter(|e| !e.trim().is_empty()),
        })
        .collect();

    let leaders = users
        .iter()
        .filter(|u| u.role == Role::Leader || in_charge.contains(&u.id))
        .map(|u| LeaderContact {
            id: u.id,
            username: u.username.clone(),
            full_name: u.full_name.clone(),
            position: u.position.clone(),
            email: u.email.clone().filter(|e| !e.trim().is_empty()),
            active: u.active,
            is_leader: u.role == Role::Leader,
        })
        .collect();

    Ok((departments, leaders))
}
