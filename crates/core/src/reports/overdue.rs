//! The overdue list leaders read: open tasks past their due date, oldest
//! first, with how late they are, the reminder documents already issued and
//! the last notice sent about them.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Select,
    sea_query::{Expr, ExprTrait},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    accounts::policy::{self, Action},
    accounts::principal::Principal,
    db,
    domain::{Timeliness, parse_date},
    entity::task,
    error::{Error, FieldError, Result},
    org::departments::{DepartmentRef, collect},
    tasks::{
        TaskView,
        query::{RawTaskQuery, build_condition, parse_paging},
        view::load_views,
    },
};

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RawOverdueQuery {
    /// Department code (lead department).
    pub department: Option<String>,
    /// Field code.
    pub field: Option<String>,
    /// The day to judge lateness on (`YYYY-MM-DD`, leaders and admins only); default today.
    pub as_of: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverdueItem {
    #[serde(flatten)]
    pub task: TaskView,
    /// When the last notice about this task was delivered, if any.
    pub last_notice_sent_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverduePage {
    #[schema(value_type = String, format = Date)]
    pub as_of: NaiveDate,
    pub items: Vec<OverdueItem>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

#[derive(Debug, FromQueryResult)]
struct LastNotice {
    task_id: i64,
    sent_at: Option<DateTime<Utc>>,
}

/// The overdue tasks a user may see under the query's filters, and the day
/// they are judged on; `None` when the filters can match nothing.
async fn overdue_tasks<C: ConnectionTrait>(
    db: &C,
    user: &Principal,
    raw: &RawOverdueQuery,
    today: NaiveDate,
    due_soon_days: u32,
    errors: &mut Vec<FieldError>,
) -> Result<(NaiveDate, Option<Select<task::Entity>>)> {
    policy::require(user, Action::ReadOverdue, None)?;
    let as_of = match raw
        .as_of
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        Some(text) => {
            let day = collect(errors, parse_date("as_of", text));
            if day.is_some_and(|d| d != today) {
                policy::require(user, Action::ChooseAsOfDate, None)?;
            }
            day.unwrap_or(today)
        }
        None => today,
    };
    let query = RawTaskQuery {
        department: raw.department.clone(),
        field: raw.field.clone(),
        ..Default::default()
    };
    let mut filter = match query.parse() {
        Ok(f) => f,
        Err(Error::Validation(mut more)) => {
            errors.append(&mut more);
            Default::default()
        }
        Err(other) => return Err(other),
    };
    if !errors.is_empty() {
        return Ok((as_of, None));
    }
    filter.timeliness = vec![Timeliness::Overdue];
    let Some(cond) = build_condition(db, &filter, as_of, due_soon_days).await? else {
        return Ok((as_of, None));
    };
    let mut base = task::Entity::find().filter(cond);
    // Staff answer for what their department leads: the same scope as its figures.
    if let Some(dept) = policy::visible_department(user) {
        base = base.filter(task::Column::LeadDepartmentId.eq(dept));
    }
    Ok((as_of, Some(base)))
}

pub async fn list<C: ConnectionTrait>(
    db: &C,
    user: &Principal,
    raw: &RawOverdueQuery,
    today: NaiveDate,
    due_soon_days: u32,
) -> Result<OverduePage> {
    let mut errors: Vec<FieldError> = Vec::new();
    let paging = collect(&mut errors, parse_paging(&raw.page, &raw.per_page));
    let (as_of, base) = overdue_tasks(db, user, raw, today, due_soon_days, &mut errors).await?;
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let (page, per_page) = paging.unwrap_or((1, 50));
    let Some(base) = base else {
        return Ok(OverduePage {
            as_of,
            items: Vec::new(),
            total: 0,
            page,
            per_page,
        });
    };
    let total = base.clone().count(db).await?;
    let rows = base
        .order_by_asc(task::Column::DueDate)
        .order_by_asc(task::Column::Id)
        .offset((page - 1) * per_page)
        .limit(per_page)
        .all(db)
        .await?;
    let items = items(db, rows, as_of, due_soon_days).await?;
    Ok(OverduePage {
        as_of,
        items,
        total,
        page,
        per_page,
    })
}

async fn items<C: ConnectionTrait>(
    db: &C,
    rows: Vec<task::Model>,
    as_of: NaiveDate,
    due_soon_days: u32,
) -> Result<Vec<OverdueItem>> {
    let ids: Vec<i64> = rows.iter().map(|t| t.id).collect();
    let views = load_views(db, rows, as_of, due_soon_days).await?;
    let last = last_notices(db, &ids).await?;
    Ok(views
        .into_iter()
        .map(|task| OverdueItem {
            last_notice_sent_at: last.get(&task.id).copied(),
            task,
        })
        .collect())
}

/// How many tasks of one department's are shown in the grouped list; the
/// rest are one link away (the task list filtered to that department).
pub const TASKS_PER_DEPARTMENT: u64 = 15;

/// One lead department in the grouped overdue list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DepartmentOverdue {
    pub department: DepartmentRef,
    /// All of its overdue tasks under the filters.
    pub overdue: u64,
    /// Its oldest overdue tasks, oldest first (at most `tasks_per_department`).
    pub items: Vec<OverdueItem>,
}

/// The overdue list grouped by lead department, the department with the
/// oldest overdue task first, a page of departments at a time: what a
/// leader reads before a meeting, at any scale (a province has thousands of
/// overdue tasks; the page stays the same size).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverdueByDepartment {
    #[schema(value_type = String, format = Date)]
    pub as_of: NaiveDate,
    /// Overdue tasks under the filters, in every department.
    pub total: u64,
    /// Departments with at least one.
    pub departments_total: u64,
    pub groups: Vec<DepartmentOverdue>,
    pub page: u64,
    /// Departments per page.
    pub per_page: u64,
    pub tasks_per_department: u64,
}

#[derive(Debug, FromQueryResult)]
struct GroupRow {
    lead_department_id: i64,
    n: i64,
}

/// `page` and `per_page` count departments (default 20 per page).
pub async fn by_department<C: ConnectionTrait>(
    db: &C,
    user: &Principal,
    raw: &RawOverdueQuery,
    today: NaiveDate,
    due_soon_days: u32,
) -> Result<OverdueByDepartment> {
    let mut errors: Vec<FieldError> = Vec::new();
    // Pages count departments here: 20 unless the caller says otherwise.
    let per_page = Some(
        raw.per_page
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .unwrap_or("20")
            .to_string(),
    );
    let paging = collect(&mut errors, parse_paging(&raw.page, &per_page));
    let (as_of, base) = overdue_tasks(db, user, raw, today, due_soon_days, &mut errors).await?;
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let (page, per_page) = paging.unwrap_or((1, 20));
    let mut result = OverdueByDepartment {
        as_of,
        total: 0,
        departments_total: 0,
        groups: Vec::new(),
        page,
        per_page,
        tasks_per_department: TASKS_PER_DEPARTMENT,
    };
    let Some(base) = base else {
        return Ok(result);
    };
    // Every department's count in one pass over the open tasks' index (a
    // row per department, never per task); the totals and the page are
    // taken from it, which is cheaper than a separate COUNT(DISTINCT).
    let all_groups = base
        .clone()
        .select_only()
        .column(task::Column::LeadDepartmentId)
        .column_as(Expr::col((task::Entity, task::Column::Id)).count(), "n")
        .group_by(task::Column::LeadDepartmentId)
        .order_by_asc(Expr::col((task::Entity, task::Column::DueDate)).min())
        .order_by_asc(task::Column::LeadDepartmentId)
        .into_model::<GroupRow>()
        .all(db)
        .await?;
    result.total = all_groups
        .iter()
        .map(|g| u64::try_from(g.n).unwrap_or(0))
        .sum();
    result.departments_total = all_groups.len() as u64;
    let skip = usize::try_from((page - 1).saturating_mul(per_page)).unwrap_or(usize::MAX);
    let take = usize::try_from(per_page).unwrap_or(usize::MAX);
    let groups: Vec<GroupRow> = all_groups.into_iter().skip(skip).take(take).collect();
    if groups.is_empty() {
        return Ok(result);
    }
    // A bounded range of an index per department on the page: never more
    // than `per_page × TASKS_PER_DEPARTMENT` rows, whatever the data size.
    let mut rows = Vec::new();
    for group in &groups {
        rows.extend(
            base.clone()
                .filter(task::Column::LeadDepartmentId.eq(group.lead_department_id))
                .order_by_asc(task::Column::DueDate)
                .order_by_asc(task::Column::Id)
                .limit(TASKS_PER_DEPARTMENT)
                .all(db)
                .await?,
        );
    }
    let leads: Vec<i64> = rows.iter().map(|t| t.lead_department_id).collect();
    let mut by_lead: HashMap<i64, Vec<OverdueItem>> = HashMap::new();
    for (lead_id, item) in leads
        .into_iter()
        .zip(items(db, rows, as_of, due_soon_days).await?)
    {
        by_lead.entry(lead_id).or_default().push(item);
    }
    for group in groups {
        let mine = by_lead
            .remove(&group.lead_department_id)
            .unwrap_or_default();
        let Some(department) = mine.first().map(|item| item.task.lead_department.clone()) else {
            continue;
        };
        result.groups.push(DepartmentOverdue {
            department,
            overdue: u64::try_from(group.n).unwrap_or(0),
            items: mine,
        });
    }
    Ok(result)
}

/// When each task was last mentioned in a delivered notification.
pub async fn last_notices<C: ConnectionTrait>(
    db: &C,
    task_ids: &[i64],
) -> Result<HashMap<i64, DateTime<Utc>>> {
    if task_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let placeholders = db::placeholders(task_ids.len());
    let sql = format!(
        "SELECT nt.task_id AS task_id, MAX(n.sent_at) AS sent_at \
         FROM notification_tasks nt JOIN notifications n ON n.id = nt.notification_id \
         WHERE n.state = 'sent' AND nt.task_id IN ({placeholders}) GROUP BY nt.task_id"
    );
    let values = task_ids
        .iter()
        .map(|id| sea_orm::Value::from(*id))
        .collect();
    let rows = LastNotice::find_by_statement(db::statement(db, &sql, values))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| r.sent_at.map(|at| (r.task_id, at)))
        .collect())
}
